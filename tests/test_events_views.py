"""Browsing views and `tracker events`, over the factory database."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.factories import populate
from tracker.cli import main
from tracker.events.query import list_events
from tracker.schema import VIEWS


@pytest.fixture
def filled(db):
    populate(db)
    return db


def test_every_view_exists_and_every_column_is_described(filled):
    from tracker.review.store import record_review

    record_review(filled, "ev-ng-twitter-restrict-2021-06", "rejected", reason="so rejected_events has a row")
    for view in VIEWS:
        assert view.description.strip()
        cur = filled.execute(f"SELECT * FROM [{view.name}]")
        cols = [d[0] for d in cur.description]
        assert set(cols) == set(view.columns), view.name
        assert all(text.strip() for text in view.descriptions().values()), view.name
        assert cur.fetchall(), view.name


def test_event_list_joins_human_names(filled):
    row = next(filled["event_list"].rows_where("id = ?", ["ev-tr-wikipedia-restrict-2017-04"]))
    assert row["country_name"] == filled.table("countries").get("TR")["name"]
    assert row["platform_label"] == "Wikipedia"
    assert row["justification_label"]
    assert row["latitude"] is not None
    timeline = [r["status"] for r in filled["event_timeline"].rows_where(
        "event_id = ?", ["ev-tr-wikipedia-restrict-2017-04"])]
    assert timeline == ["in_effect", "lifted"]
    sources = list(filled["event_source_list"].rows_where("event_id = ?", ["ev-ru-twitter-throttle-2021-03"]))
    assert {s["publisher"] for s in sources} == {"press", "regulator"}


def test_list_events_filters(filled):
    assert {e["id"] for e in list_events(filled, country="ru")} == {
        "ev-ru-twitter-throttle-2021-03", "ev-ru-twitter-threaten-2021-03"}
    assert {e["country"] for e in list_events(filled, platform="x")} == {"RU", "NG"}
    since = [e["id"] for e in list_events(filled, since="2026-11")]
    assert since == ["ev-ir-telegram-restrict-2026-11", "ev-in-google-play-restrict-2026-11"]
    with pytest.raises(ValueError, match="--since"):
        list_events(filled, since="last week")


def test_events_command(filled, db_path):
    runner = CliRunner()
    out = runner.invoke(main, ["events", "--db", str(db_path), "--country", "TR", "--json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert [r["id"] for r in rows] == ["ev-tr-wikipedia-restrict-2017-04"]
    assert rows[0]["status"] == "lifted"
    out = runner.invoke(main, ["events", "--db", str(db_path), "--since", "2021"])
    assert out.exit_code == 0 and "ev-ng-twitter-restrict-2021-06" in out.output
    assert "ev-tr-wikipedia" not in out.output
    bad = runner.invoke(main, ["events", "--db", str(db_path), "--since", "yesterday"])
    assert bad.exit_code != 0 and "YYYY" in bad.output
