"""A real `tracker serve` (Datasette in a child process on 127.0.0.1) over the factory database."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from tests import factories
from tracker.cli import main
from tracker.serve import RunningServer, start_in_background

TIMEOUT = httpx.Timeout(30.0)
EVENTS = {e[0]: e for e in factories.EVENTS}  # id -> factory tuple


@pytest.fixture(scope="module")
def served_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return factories.write_database(tmp_path_factory.mktemp("serve") / "tracker.db")


@pytest.fixture(scope="module")
def server(served_db: Path) -> RunningServer:
    srv = start_in_background(served_db, timeout=60)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server: RunningServer) -> httpx.Client:
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as c:
        yield c


def rows(client: httpx.Client, path: str, **params: str) -> list[dict]:
    resp = client.get(path, params={**params, "_shape": "array"})
    assert resp.status_code == 200, resp.text
    return resp.json()


def counts(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("events", "articles", "event_sources", "mentions")}


# ---- what the server is ----------------------------------------------------


def test_served_under_tracker_with_plugins(client: httpx.Client) -> None:
    plugins = {p["name"] for p in client.get("/-/plugins.json").json()}
    assert {"datasette-cluster-map", "datasette-vega", "datasette-block-robots",
                       "tracker.datasette_plugin"} <= plugins
    assert [d["name"] for d in client.get("/-/databases.json").json()] == ["tracker"]
    robots = client.get("/robots.txt").text
    assert "User-agent: *" in robots and "Disallow: /" in robots


def test_metadata_served(client: httpx.Client) -> None:
    meta = client.get("/-/metadata.json").json()
    assert meta["title"].startswith("tracker")
    assert meta["license_url"]
    events = meta["databases"]["tracker"]["tables"]["events"]
    assert events["columns"]["evidence"] == "The clearest sentence stating the measure."


def test_internal_and_fts_tables_hidden(client: httpx.Client) -> None:
    tables = {t["name"]: t for t in client.get("/tracker.json").json()["tables"]}
    for name in ("fetches", "tracker_meta", "_sqlite_migrations", "articles_fts", "events_fts_data",
                 "articles_fts_idx"):
        assert tables[name]["hidden"], name
    for name in ("events", "articles", "event_sources", "countries"):
        assert not tables[name]["hidden"], name


# ---- events table: sort, facets, labels, search ----------------------------


def test_events_latest_first(client: httpx.Client) -> None:
    got = [r["date"] for r in rows(client, "/tracker/events.json")]
    assert got == sorted((e[6] for e in factories.EVENTS), reverse=True)


def test_default_facets(client: httpx.Client) -> None:
    data = client.get("/tracker/events.json").json()
    facets = data["facet_results"]
    assert set(facets) == {"country", "platform", "action", "status", "justification_category", "publisher_type",
                          "language", "review_status"}
    country = {f["value"]: f["count"] for f in facets["country"]["results"]}
    assert country == dict(Counter(e[1] for e in factories.EVENTS))
    labels = {f["value"]: f["label"] for f in facets["country"]["results"]}
    assert labels["RU"] == "Russia" and labels["TR"] == "Turkey"
    status = {f["value"]: f["count"] for f in facets["status"]["results"]}
    assert status == dict(Counter(e[5] for e in factories.EVENTS))
    publisher = client.get("/tracker/event_sources.json").json()["facet_results"]["publisher"]["results"]
    assert {f["value"]: f["count"] for f in publisher} == {"press": 5, "regulator": 1, "ngo": 2}


def publisher_types_of_events() -> dict[str, set[str]]:
    """event id -> publisher types of its sources, worked out from the factory rows."""
    source_of = {a[0]: a[1] for a in factories.ARTICLES}
    publisher = {s["name"]: s["publisher"] for s in factories.SOURCES}
    article_of = {m[0]: m[1] for m in factories.MENTIONS}
    return {e[0]: {publisher[source_of[article_of[m]]] for m in e[14]} for e in factories.EVENTS}


def test_publisher_type_facet_counts_and_filters_events(client: httpx.Client) -> None:
    types = publisher_types_of_events()
    facet = client.get("/tracker/events.json").json()["facet_results"]["publisher_type"]
    got = {f["value"]: f["count"] for f in facet["results"]}
    assert got == dict(Counter(t for ts in types.values() for t in ts))
    assert got["regulator"] == 1
    # following the facet filters the events to those with a regulator among their sources
    regulator = next(f for f in facet["results"] if f["value"] == "regulator")
    assert not regulator["selected"]
    filtered = client.get(regulator["toggle_url"]).json()
    assert [r[0] for r in filtered["rows"]] == [eid for eid, ts in types.items() if "regulator" in ts]
    again = {f["value"]: f for f in filtered["facet_results"]["publisher_type"]["results"]}
    assert again["regulator"]["selected"] and again["regulator"]["count"] == 1
    # it combines with the column facets: Russian events by publisher type
    ru = client.get("/tracker/events.json", params={"country": "RU"}).json()["facet_results"]["publisher_type"]
    assert {f["value"]: f["count"] for f in ru["results"]} == dict(
        Counter(t for eid, ts in types.items() if eid.startswith("ev-ru-") for t in ts))
    # the view with human names has the same facets
    view = client.get("/tracker/event_list.json").json()["facet_results"]
    assert {f["value"]: f["count"] for f in view["publisher_type"]["results"]} == got
    assert {f["value"]: f["count"] for f in view["country"]["results"]} == dict(
        Counter(e[1] for e in factories.EVENTS))


def test_foreign_key_labels(client: httpx.Client) -> None:
    data = rows(client, "/tracker/event_sources.json", _labels="on", event_id="ev-tr-wikipedia-restrict-2017-04")
    titles = {r["article_id"]["label"] for r in data}
    assert titles == {"Turkey blocks Wikipedia", "Wikipedia is back in Turkey"}
    assert data[0]["event_id"]["label"].startswith("Turkey's BTK blocked access to Wikipedia")


def test_search_articles_and_evidence_from_table_pages(client: httpx.Client) -> None:
    found = rows(client, "/tracker/articles.json", _search="Wikipedia")
    assert {r["id"] for r in found} == {4, 5}
    assert rows(client, "/tracker/articles.json", _search="Roskomnadzor slowed")[0]["id"] in {1, 2}
    evidence = rows(client, "/tracker/events.json", _search="protests")
    assert [r["id"] for r in evidence] == ["ev-ir-telegram-restrict-2026-11"]
    # the search box is on the page
    assert 'name="_search"' in client.get("/tracker/articles").text


def test_search_canned_query(client: httpx.Client) -> None:
    found = rows(client, "/tracker/search.json", q="Telegram")
    assert {(r["kind"], r["id"]) for r in found} == {("event", "ev-ir-telegram-restrict-2026-11"), ("article", "7")}
    assert rows(client, "/tracker/search.json", q="") == []
    assert rows(client, "/tracker/search.json", q="nosuchwordanywhere") == []


# ---- canned queries ----------------------------------------------------------


def test_last_7_days(client: httpx.Client) -> None:
    got = rows(client, "/tracker/last_7_days.json", as_of="2026-11-20")
    assert [r["event_id"] for r in got] == ["ev-ir-telegram-restrict-2026-11", "ev-in-google-play-restrict-2026-11"]
    got = rows(client, "/tracker/last_7_days.json", as_of="2021-03-15")
    assert {r["event_id"] for r in got} == {"ev-ru-twitter-throttle-2021-03", "ev-ru-twitter-threaten-2021-03"}
    # empty as_of means today: the same rule, checked against the factory dates
    today = date.today()
    expected = {e[0] for e in factories.EVENTS
                if any(0 <= (today - date.fromisoformat(d)).days <= 7 for d in (e[6], e[9]))}
    assert {r["event_id"] for r in rows(client, "/tracker/last_7_days.json", as_of="")} == expected


def test_country_timeline(client: httpx.Client) -> None:
    by_code = rows(client, "/tracker/country_timeline.json", country="TR")
    assert [(r["date"], r["status"]) for r in by_code] == [("2017-04-29", "in_effect"), ("2020-01-15", "lifted")]
    assert rows(client, "/tracker/country_timeline.json", country="turkey") == by_code
    ru = rows(client, "/tracker/country_timeline.json", country="ru")
    assert {r["event_id"] for r in ru} == {"ev-ru-twitter-throttle-2021-03", "ev-ru-twitter-threaten-2021-03"}
    assert rows(client, "/tracker/country_timeline.json", country="Atlantis") == []


def test_platform(client: httpx.Client) -> None:
    got = rows(client, "/tracker/platform.json", platform="twitter")
    twitter = sorted((e for e in factories.EVENTS if e[2] == "Twitter"), key=lambda e: e[0])
    expected = sorted(twitter, key=lambda e: e[6], reverse=True)  # latest first, then by id (stable sort)
    assert [r["event_id"] for r in got] == [e[0] for e in expected]
    assert {r["country_name"] for r in got} == {"Russia", "Nigeria"}


def test_event_sources_query(client: httpx.Client) -> None:
    got = rows(client, "/tracker/sources_of_event.json", event_id="ev-ru-twitter-throttle-2021-03")
    assert [r["mention_id"] for r in got] == [1, 3]
    assert {r["url"] for r in got} == {"http://127.0.0.1/wire/1", "http://127.0.0.1/rkn/2"}
    assert got[0]["evidence"] == factories.MENTIONS[0][12]
    assert {r["publisher"] for r in got} == {"press", "regulator"}
    assert rows(client, "/tracker/sources_of_event.json", event_id="no-such-event") == []


def test_in_effect(client: httpx.Client) -> None:
    got = rows(client, "/tracker/in_effect.json")
    expected = {e[0] for e in factories.EVENTS if e[5] == "in_effect" and e[7] is None}
    assert {r["event_id"] for r in got} == expected
    assert [r["date"] for r in got] == sorted((r["date"] for r in got), reverse=True)


def test_lifted_and_duration(client: httpx.Client) -> None:
    got = rows(client, "/tracker/lifted.json")
    assert [r["event_id"] for r in got] == ["ev-tr-wikipedia-restrict-2017-04"]
    assert got[0]["days_lasted"] == (date(2020, 1, 15) - date(2017, 4, 29)).days


def test_top_justifications(client: httpx.Client) -> None:
    got = rows(client, "/tracker/top_justifications.json")
    expected = Counter((e[1], e[12]) for e in factories.EVENTS if e[12])
    assert {(r["country"], r["justification_category"]): r["events"] for r in got} == dict(expected)
    assert all(r["category"] for r in got)  # labelled from justification_categories


def test_map_and_chart_queries(client: httpx.Client) -> None:
    points = rows(client, "/tracker/events_map.json")
    assert {r["event_id"] for r in points} == set(EVENTS)
    ru = next(r for r in points if r["event_id"] == "ev-ru-twitter-throttle-2021-03")
    assert ru["country"] == "Russia" and ru["latitude"] and ru["longitude"]
    per_month = rows(client, "/tracker/events_per_month.json")
    assert {(r["month"], r["action"]): r["events"] for r in per_month} == dict(
        Counter((e[6][:7], e[3]) for e in factories.EVENTS))
    page = client.get("/tracker").text
    assert "#g.mark=bar&amp;g.x_column=month" in page or "#g.mark=bar&g.x_column=month" in page


# ---- event page ------------------------------------------------------------


def test_event_page_lists_sources_with_links_and_evidence(client: httpx.Client) -> None:
    html = client.get("/tracker/events/ev-ru-twitter-throttle-2021-03").text
    assert "<h2>Sources</h2>" in html
    assert '<span class="tracker-label">(Russia)</span>' in html  # codes shown with their names
    assert 'href="http://127.0.0.1/wire/1"' in html and 'href="http://127.0.0.1/rkn/2"' in html
    assert "Russia slows down Twitter</a>" in html
    assert "citing its failure to remove banned content." in html
    assert "/tracker/sources_of_event?event_id=ev-ru-twitter-throttle-2021-03" in html


def test_event_page_escapes_titles(client: httpx.Client) -> None:
    html = client.get("/tracker/events/ev-ng-twitter-restrict-2021-06").text
    assert "Nigeria suspends Twitter &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_other_rows_keep_plain_page(client: httpx.Client) -> None:
    html = client.get("/tracker/articles/1").text
    assert "tracker-event-sources" not in html


# ---- read-only and time limit -------------------------------------------------


def test_no_write_endpoint(client: httpx.Client, served_db: Path) -> None:
    before = counts(served_db)
    attempts = [
        client.post("/tracker/events/-/insert", json={"row": {"id": "x"}}),
        client.post("/tracker/-/create", json={"table": "x", "rows": [{"a": 1}]}),
        client.post("/tracker/events/ev-ru-twitter-throttle-2021-03/-/delete"),
        client.post("/tracker/events/ev-ru-twitter-throttle-2021-03/-/update", json={"update": {"status": "x"}}),
        client.post("/tracker", data={"sql": "delete from events"}),
        client.post("/tracker/in_effect", data={}),
    ]
    for resp in attempts:
        assert resp.status_code == 405, (resp.request.url, resp.status_code, resp.text[:200])
        assert "read-only" in resp.text
    assert client.request("PUT", "/tracker/events").status_code == 405
    assert client.request("DELETE", "/tracker/events/ev-ru-twitter-throttle-2021-03").status_code == 405
    assert client.head("/tracker/events").status_code == 200
    for sql in ("delete from events", "update events set status = 'x'", "insert into events (id) values ('x')",
                "drop table events"):
        resp = client.get("/tracker.json", params={"sql": sql})
        assert resp.status_code == 400, sql
        assert not resp.json()["ok"]
    assert counts(served_db) == before
    assert client.get("/-/actor.json").json() == {"actor": None}


def test_slow_query_is_cut(client: httpx.Client) -> None:
    slow = ("with recursive c(x) as (select 1 union all select x + 1 from c) "
            "select count(*) from (select x from c limit 5000000000)")
    resp = client.get("/tracker.json", params={"sql": slow})
    assert resp.status_code == 400
    assert "too long" in resp.json()["error"]
    # the server still answers afterwards
    assert rows(client, "/tracker/lifted.json")


def test_cli_serve_refuses_missing_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "missing.db")])
    assert result.exit_code != 0
    assert "no public database at" in result.output and "missing.db" in result.output
    assert not (tmp_path / "missing.db").exists()
