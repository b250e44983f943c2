"""Exports read back with the csv and json modules from a real test database."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests import factories
from tracker.export import (
    KINDS,
    LIST_SEPARATOR,
    FilterError,
    Filters,
    export_file,
    export_rows,
    neutralise,
    parse_filters,
    unneutralise,
)
from tracker.outputs import output_file
from tracker.rowformats import iso_date, iso_datetime
from tracker.schema import table

EVENTS_HEADER = [
    "id", "country", "platform", "action", "action_class", "status", "date", "lifted_date", "first_reported",
    "last_reported", "actor", "scope", "justification", "justification_category", "evidence", "n_mentions",
    "n_sources", "n_publishers", "regulator_confirmed", "confidence", "updated_at", "source_urls", "language",
    "review_status", "review_stale", "merged_into", "machine_values",
]


@pytest.fixture
def full_db(db):
    factories.populate(db)
    return db


def export_csv(db, kind: str, filters: Filters | None = None, **kw) -> list[dict[str, str]]:
    buf = io.StringIO(newline="")
    n = export_rows(db, kind, "csv", buf, filters, **kw)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue(), newline="")))
    assert len(rows) == n
    return rows


def test_events_header_is_the_documented_order(full_db):
    buf = io.StringIO(newline="")
    export_rows(full_db, "events", "csv", buf)
    header = next(csv.reader(io.StringIO(buf.getvalue(), newline="")))
    assert header == EVENTS_HEADER


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_has_its_columns_and_all_rows(full_db, kind):
    rows = export_csv(full_db, kind)
    assert list(rows[0].keys()) == KINDS[kind].column_names()
    expected = {"events": len(factories.EVENTS), "mentions": len(factories.MENTIONS),
                "sources": sum(len(e[14]) for e in factories.EVENTS), "articles": len(factories.ARTICLES)}
    assert len(rows) == expected[kind]


def test_articles_leave_out_raw_html(full_db):
    assert "raw_html" not in KINDS["articles"].column_names()
    assert "raw_html" not in export_csv(full_db, "articles")[0]


def test_every_column_is_described_from_the_schema():
    for kind in KINDS.values():
        for col in kind.columns:
            assert col.description.strip(), f"{kind.name}.{col.name} has no description"
            if not col.own_description:
                assert col.description == table(col.table).column(col.column).description


def _events_where(pred) -> set[str]:
    return {e[0] for e in factories.EVENTS if pred(e)}


def _event_date(e) -> str:
    return e[6] or e[8]


@pytest.mark.parametrize(
    ("filters", "pred"),
    [
        ({}, lambda e: True),
        ({"countries": ["ru"]}, lambda e: e[1] == "RU"),
        ({"countries": ["RU", "TR"]}, lambda e: e[1] in {"RU", "TR"}),
        ({"platforms": ["twitter"]}, lambda e: e[2] == "Twitter"),
        ({"platforms": ["X"]}, lambda e: e[2] == "Twitter"),
        ({"actions": ["block"]}, lambda e: e[3] == "block"),
        ({"actions": ["throttle", "ban"]}, lambda e: e[3] in {"throttle", "ban"}),
        ({"statuses": ["lifted"]}, lambda e: e[5] == "lifted"),
        ({"since": "2021", "until": "2021"}, lambda e: _event_date(e).startswith("2021")),
        ({"since": "2021-03-11"}, lambda e: _event_date(e) >= "2021-03-11"),
        ({"until": "2017-12"}, lambda e: _event_date(e) <= "2017-12-31"),
        ({"since": "2021", "countries": ["RU"], "actions": ["throttle"]},
         lambda e: e[1] == "RU" and e[3] == "throttle" and _event_date(e) >= "2021"),
    ],
)
def test_event_filters_select_the_right_rows(full_db, filters, pred):
    rows = export_csv(full_db, "events", parse_filters(full_db, **filters))
    assert {r["id"] for r in rows} == _events_where(pred)
    # the sources export follows the same events
    links = export_csv(full_db, "sources", parse_filters(full_db, **filters))
    assert {r["event_id"] for r in links} == _events_where(pred)
    assert len(links) == sum(len(e[14]) for e in factories.EVENTS if pred(e))


def test_partial_and_missing_event_dates_overlap_the_range(full_db):
    base = {"country": "RU", "platform": "Telegram", "action": "block", "action_class": "restrict",
            "status": "in_effect", "first_reported": "2018-04-16", "last_reported": "2018-04-16"}
    full_db.table("events").insert_all([
        {**base, "id": "ev-month", "date": "2018-04"},
        {**base, "id": "ev-year", "date": "2018"},
        {**base, "id": "ev-undated", "date": None},
    ])

    def ids(**kw):
        return {r["id"] for r in export_csv(full_db, "events", parse_filters(full_db, **kw))} & {
            "ev-month", "ev-year", "ev-undated"}

    assert ids(since="2018-04-16") == {"ev-month", "ev-year", "ev-undated"}
    assert ids(since="2018-05") == {"ev-year"}
    assert ids(until="2018-03-31") == {"ev-year"}
    assert ids(since="2018-04-17", until="2018-04-30") == {"ev-month", "ev-year"}
    assert ids(since="2019") == set()


def test_mention_and_article_filters(full_db):
    mentions = export_csv(full_db, "mentions", parse_filters(full_db, actions=["unblock"]))
    assert [r["id"] for r in mentions] == [str(m[0]) for m in factories.MENTIONS if m[4] == "unblock"]
    in_2020 = export_csv(full_db, "mentions", parse_filters(full_db, since="2020", until="2020"))
    assert [r["date"] for r in in_2020] == ["2020-01-15"]
    articles = export_csv(full_db, "articles", parse_filters(full_db, countries=["RU"]))
    assert sorted(int(r["id"]) for r in articles) == sorted({m[1] for m in factories.MENTIONS if m[2] == "RU"})
    recent = export_csv(full_db, "articles", parse_filters(full_db, since="2026-11"))
    assert sorted(int(r["id"]) for r in recent) == [a[0] for a in factories.ARTICLES if a[2] >= "2026-11"]


def test_text_round_trips_with_commas_quotes_newlines_and_cyrillic(full_db):
    rows = {int(r["id"]): r for r in export_csv(full_db, "articles")}
    for aid, _source, published, title, text in factories.ARTICLES:
        assert unneutralise(rows[aid]["title"]) == title
        assert unneutralise(rows[aid]["text"]) == text
        assert rows[aid]["published"] == published
    assert "\n" in rows[6]["text"] and '"' in rows[6]["text"] and "," in rows[6]["text"]
    assert rows[2]["title"] == "Роскомнадзор замедлил Twitter"


def test_csv_is_utf8_bytes_on_disk(full_db, tmp_path):
    path = tmp_path / "articles.csv"
    export_file(full_db, "articles", "csv", path)
    raw = path.read_bytes()
    assert "Роскомнадзор".encode() in raw
    assert not raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == len(factories.ARTICLES)


def test_list_cells_use_the_documented_separator(full_db):
    rows = {r["id"]: r for r in export_csv(full_db, "events")}
    urls = rows["ev-ru-twitter-throttle-2021-03"]["source_urls"].split(LIST_SEPARATOR)
    assert urls == ["http://127.0.0.1/wire/1", "http://127.0.0.1/rkn/2"]
    links = [r for r in export_csv(full_db, "sources") if r["event_id"] == "ev-ru-twitter-throttle-2021-03"]
    assert sorted(r["article_url"] for r in links) == sorted(urls)


def test_formulas_are_neutralised_by_default_and_raw_on_request(full_db):
    event = "ev-ir-telegram-restrict-2026-11"
    safe = {r["id"]: r for r in export_csv(full_db, "events")}[event]
    assert safe["justification"] == "'=HYPERLINK(\"x\")"
    raw = {r["id"]: r for r in export_csv(full_db, "events", neutralise_formulas=False)}[event]
    assert raw["justification"] == "=HYPERLINK(\"x\")"
    # a formula in the middle of a cell is harmless and left alone
    assert "; =HYPERLINK(" in safe["evidence"] and not safe["evidence"].startswith("'")
    # no cell of a default export starts with a formula character
    for kind in KINDS:
        for row in export_csv(full_db, kind):
            for value in row.values():
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (kind, value)


@pytest.mark.parametrize("text", ["=1+1", "+7 495", "-x", "@SUM(A1)", "\tx", "\rx", "'=x", "''-y", "'plain",
                                  "plain", "", "a=b", "'", "Роскомнадзор"])
def test_neutralise_is_reversible(text):
    out = neutralise(text)
    assert unneutralise(out) == text
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r"))
    if text[:1] not in {"=", "+", "-", "@", "\t", "\r", "'"}:
        assert out == text


def test_jsonl_keeps_types_lists_nulls_and_is_never_neutralised(full_db):
    buf = io.StringIO()
    n = export_rows(full_db, "events", "jsonl", buf)
    lines = buf.getvalue().splitlines()
    assert n == len(lines) == len(factories.EVENTS)
    objs = {o["id"]: o for o in map(json.loads, lines)}
    assert all(list(o) == EVENTS_HEADER for o in objs.values())
    ru = objs["ev-ru-twitter-throttle-2021-03"]
    assert ru["source_urls"] == ["http://127.0.0.1/wire/1", "http://127.0.0.1/rkn/2"]
    assert ru["n_mentions"] == 2 and isinstance(ru["confidence"], float)
    assert ru["lifted_date"] is None
    assert objs["ev-ir-telegram-restrict-2026-11"]["justification"] == "=HYPERLINK(\"x\")"


def test_dates_are_iso_8601(full_db):
    full_db.table("events").update("ev-ng-twitter-restrict-2021-06",
                                   {"updated_at": "2021-06-05 11:00:00+02:00"})
    row = {r["id"]: r for r in export_csv(full_db, "events")}["ev-ng-twitter-restrict-2021-06"]
    assert row["updated_at"] == "2021-06-05T09:00:00Z"
    assert iso_datetime("2026-11-20T08:00:00") == "2026-11-20T08:00:00Z"
    assert iso_date("2021-03-10T12:00:00Z") == "2021-03-10"
    assert iso_date("2021-03") == "2021-03"
    assert iso_date("not a date") == "not a date"


@pytest.mark.parametrize(
    ("filters", "option"),
    [
        ({"countries": ["XX"]}, "--country"),
        ({"countries": ["Russia"]}, "--country"),
        ({"since": "2022", "until": "2021"}, "--since"),
        ({"since": "2021-02-30"}, "--since"),
        ({"until": "yesterday"}, "--until"),
        ({"actions": ["censor"]}, "--action"),
        ({"statuses": ["maybe"]}, "--status"),
    ],
)
def test_bad_filters_name_the_option(full_db, filters, option):
    with pytest.raises(FilterError) as err:
        parse_filters(full_db, **filters)
    assert err.value.option == option


def test_countries_outside_the_lookup_but_in_iso_are_accepted(full_db):
    f = parse_filters(full_db, countries=["de", "EU"])
    assert f.countries == ("DE", "EU")
    assert export_csv(full_db, "events", f) == []


def test_unknown_kind_or_format_fails_before_writing(full_db, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for kind, fmt in (("people", "csv"), ("events", "xlsx")):
        with pytest.raises(FilterError):
            export_file(full_db, kind, fmt, out / "export")
    assert list(out.iterdir()) == []


def test_a_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path):
    path = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), output_file(path) as fh:
        fh.write("half")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), output_file(path) as fh:
        fh.write("new")
        raise RuntimeError("disk full")
    assert path.read_text(encoding="utf-8") == "old"
    assert list(tmp_path.iterdir()) == [path]
