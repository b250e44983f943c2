"""`tracker demo --no-serve`: the whole pipeline on the bundled demo site, checked on the SQLite rows."""

from __future__ import annotations

import email
import email.policy
import json
import sqlite3

import pytest
from click.testing import CliRunner

from tracker.cli import main
from tracker.demo import DEMO_SUBSCRIBER, SECTIONS, load_articles

pytestmark = pytest.mark.slow


def one(conn: sqlite3.Connection, sql: str) -> int:
    return conn.execute(sql).fetchone()[0]


def test_demo_runs_every_stage_into_the_database(tmp_path):
    db_path = tmp_path / "demo" / "demo.db"
    out_dir = tmp_path / "digest"
    result = CliRunner().invoke(main, ["demo", "--db", str(db_path), "--out", str(out_dir), "--no-serve",
                                       "--port", "8123"], env={"TRACKER_BASE_URL": None})
    assert result.exit_code == 0, result.output
    assert "== summary" in result.output

    conn = sqlite3.connect(db_path)
    # crawl: every bundled page stored once; the syndicated copy is the same text under another URL
    articles = load_articles()
    assert one(conn, "SELECT count(*) FROM sources") == len(SECTIONS)
    assert one(conn, "SELECT count(*) FROM sources WHERE last_status = 'ok'") == len(SECTIONS)
    assert one(conn, "SELECT count(*) FROM articles") == len(articles) - 1
    assert one(conn, "SELECT count(*) FROM articles WHERE url LIKE '%utm_%'") == 0
    assert one(conn, "SELECT count(*) FROM articles WHERE raw_html IS NULL OR text = ''") == 0
    # extract and merge: outlets reporting the same measures make fewer events than mentions
    mentions = one(conn, "SELECT count(*) FROM mentions")
    events = one(conn, "SELECT count(*) FROM events")
    assert mentions > events > 0
    assert one(conn, "SELECT count(*) FROM events e WHERE NOT EXISTS "
                     "(SELECT 1 FROM event_sources s WHERE s.event_id = e.id)") == 0
    several = conn.execute("SELECT e.country, e.platform FROM events e JOIN event_sources s ON s.event_id = e.id"
                           " GROUP BY e.id HAVING count(DISTINCT s.article_id) > 1").fetchall()
    assert ("BR", "Twitter") in several  # the X suspension in Brazil: wire, court and the lift
    # languages: each page of the sources that publish in several languages is stored in its own language,
    # decided once by the crawler; events are read in at least five languages, and outlets writing in
    # different languages about one measure make one event
    stored = dict(conn.execute("SELECT url, language FROM articles"))
    foreign = [a for a in articles if a.get("language", "en") != "en"]
    assert len({a["language"] for a in foreign}) == 8
    for a in foreign:
        url = next(u for u in stored if u.endswith(f"/{a['section']}/{a['slug']}"))
        assert stored[url] == a["language"], (a["slug"], stored[url])
    languages = {lang for (lang,) in conn.execute("SELECT DISTINCT language FROM events")}
    assert len(languages) >= 5 and "en" in languages, languages
    assert one(conn, "SELECT count(*) FROM events WHERE language IS NULL OR language = ''") == 0
    assert one(conn, "SELECT count(*) FROM (SELECT s.event_id FROM event_sources s JOIN articles a "
                     "ON a.id = s.article_id GROUP BY s.event_id HAVING count(DISTINCT a.language) > 1)") > 0
    feeds = (db_path.parent / "demo-feeds.toml").read_text(encoding="utf-8")
    world = feeds[feeds.index('name = "demo-world"'):].split("[[source]]")[0]
    assert "language =" not in world  # a source in several languages declares none
    assert one(conn, "SELECT count(*) FROM articles WHERE extractor_version IS NULL") == 0
    # digest: the demo subscriber's message for the demo week, written, not sent; subscribers live in the
    # private file beside the public one, never in the served file
    assert one(conn, "SELECT count(*) FROM sqlite_master WHERE name IN ('subscribers', 'digests')") == 0
    private = sqlite3.connect(db_path.with_name("demo.private.db"))
    assert one(private, "SELECT count(*) FROM subscribers") == 1
    assert one(private, "SELECT count(*) FROM digests") == 0  # preview mode records nothing
    private.close()
    files = sorted(out_dir.glob("*.eml"))
    assert len(files) == 1
    msg = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert msg["To"] == DEMO_SUBSCRIBER
    assert msg.get_body(("plain",)) is not None and msg.get_body(("html",)) is not None
    assert "http://127.0.0.1:8123/tracker" in msg.get_body(("html",)).get_content()  # links to the demo's Datasette
    conn.close()

    # a second run starts again from an empty demo database and ends the same way
    again = CliRunner().invoke(main, ["demo", "--db", str(db_path), "--out", str(out_dir), "--no-serve",
                                      "--json"])
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout[again.stdout.index("{"):])
    assert data["counts"]["articles"] == len(articles) - 1
    assert (data["counts"]["mentions"], data["counts"]["events"]) == (mentions, events)
    assert data["digest"]["files"] == [str(files[0])]


def test_demo_refuses_a_database_with_real_sources(db, db_path, tmp_path):
    db.table("sources").insert({"name": "rkn", "url": "https://rkn.gov.ru/rss/", "type": "rss",
                                "publisher": "regulator", "country": "RU"})
    db.close()
    result = CliRunner().invoke(main, ["demo", "--db", str(db_path), "--no-serve"])
    assert result.exit_code == 1
    assert "holds real sources (rkn" in result.output
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM sources").fetchone()[0] == 1
