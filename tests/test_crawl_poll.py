"""poll_minutes is honoured: a source polled successfully less than poll_minutes ago gets no request.

Real HTTP server on 127.0.0.1 with a request log, real SQLite file. "An hour ago" is written into the
`sources` table the way a previous run leaves it, instead of waiting.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from tracker.cli import main
from tracker.crawl import CrawlOptions, crawl
from tracker.crawl.http import HttpOptions
from tracker.sources import Source

FAST = HttpOptions(timeout=2, total_timeout=4, retries=0, backoff=0.05, delay=0, per_host=4)


def rss(server: HTTPServer, name: str) -> str:
    link = server.url_for(f"/{name}/story.html")
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>{name}</title><link>{server.url_for('/')}"
            f"</link><description>t</description><item><title>{name} story</title><link>{link}</link>"
            "<pubDate>Tue, 12 Jan 2021 09:00:00 GMT</pubDate></item></channel></rss>")


def page(name: str) -> str:
    text = " ".join(f"Sentence {i} of the {name} story about a regulator and a blocked service." for i in range(12))
    return (f"<!doctype html><html lang='en'><head><title>{name} story</title></head><body><article>"
            f"<h1>{name} story</h1><p>{text}</p></article></body></html>")


@pytest.fixture
def server(server: HTTPServer) -> HTTPServer:
    """The local server of conftest.py serving three feeds and their stories."""
    for name in ("hourly", "often", "plain"):
        server.expect_request(f"/{name}.xml").respond_with_data(rss(server, name),
                                                                content_type="application/rss+xml")
        server.expect_request(f"/{name}/story.html").respond_with_data(page(name), content_type="text/html")
    return server


def sources(server: HTTPServer) -> list[Source]:
    return [Source(name="hourly", url=server.url_for("/hourly.xml"), type="rss", publisher="press", poll_minutes=60),
            Source(name="often", url=server.url_for("/often.xml"), type="rss", publisher="press", poll_minutes=5),
            Source(name="plain", url=server.url_for("/plain.xml"), type="rss", publisher="press")]


def feed_requests(server: HTTPServer) -> list[str]:
    return [req.path for req, _ in server.log if req.path.endswith(".xml")]


def polled(db, name: str) -> tuple[str, str]:
    return db.execute("SELECT last_polled, last_status FROM sources WHERE name = ?", (name,)).fetchone()


def backdate(db, minutes: float, *names: str) -> None:
    stamp = (datetime.now(UTC) - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with db.conn:
        db.conn.executemany("UPDATE sources SET last_polled = ? WHERE name = ?", [(stamp, n) for n in names])


OPTS = CrawlOptions(http=FAST, allow_private=True, robots=False)


def test_a_source_is_skipped_until_its_poll_minutes_have_passed(db, server):
    first = crawl(db, sources(server), OPTS)
    assert [(r.name, r.status, r.new) for r in first.sources] == [("hourly", "ok", 1), ("often", "ok", 1),
                                                                  ("plain", "ok", 1)]
    others = "SELECT count(*) FROM fetches WHERE source != 'plain'"
    fetch_rows = db.execute(others).fetchone()[0]
    hourly_polled = polled(db, "hourly")

    server.clear_log()
    second = crawl(db, sources(server), OPTS)
    # only the source without poll_minutes is polled again; the others get no request at all
    assert feed_requests(server) == ["/plain.xml"]
    assert [(r.name, r.status) for r in second.sources] == [("hourly", "not_due"), ("often", "not_due"),
                                                            ("plain", "ok")]
    assert (second.ok, second.failed, second.not_due) == (1, 0, 2)
    assert db.execute(others).fetchone()[0] == fetch_rows == 4  # no fetches row for a skipped source
    assert polled(db, "hourly") == hourly_polled  # a skipped source's crawl state is left alone
    due = datetime.fromisoformat(second.sources[0].next_poll)
    assert timedelta(minutes=58) < due - datetime.now(UTC) <= timedelta(minutes=60)
    d = second.as_dict()
    assert (d["sources_ok"], d["sources_failed"], d["sources_skipped"]) == (1, 0, 2)

    # 10 minutes later: the 5-minute source is due, the hourly one is not
    backdate(db, 10, "hourly", "often")
    server.clear_log()
    third = crawl(db, sources(server), OPTS)
    assert sorted(feed_requests(server)) == ["/often.xml", "/plain.xml"]
    assert [r.status for r in third.sources] == ["not_due", "ok", "ok"]
    assert polled(db, "often")[0] > polled(db, "hourly")[0]

    # 59.5 minutes later: within the minute's grace, so a cron job on the hour does not miss a turn
    backdate(db, 59.5, "hourly")
    server.clear_log()
    crawl(db, sources(server)[:1], OPTS)
    assert feed_requests(server) == ["/hourly.xml"]


def test_force_polls_sources_that_are_not_due(db, server):
    crawl(db, sources(server), OPTS)
    server.clear_log()
    forced = crawl(db, sources(server), CrawlOptions(http=FAST, allow_private=True, robots=False, force=True))
    assert sorted(feed_requests(server)) == ["/hourly.xml", "/often.xml", "/plain.xml"]
    assert forced.not_due == 0 and forced.ok == 3


def test_failed_or_moved_source_is_due_at_once(db, server):
    srcs = sources(server)
    crawl(db, srcs, OPTS)
    with db.conn:  # the last poll of 'hourly' failed (a 500, say): it is retried on the next run
        db.conn.execute("UPDATE sources SET last_status = 'failed' WHERE name = 'hourly'")
    moved = Source(name="often", url=server.url_for("/often.xml?v=2"), type="rss", publisher="press",
                   poll_minutes=5)
    server.clear_log()
    summary = crawl(db, [srcs[0], moved], OPTS)
    assert sorted(feed_requests(server)) == ["/hourly.xml", "/often.xml"]
    assert [r.status for r in summary.sources] == ["ok", "ok"]


def write_feeds(tmp_path, server: HTTPServer) -> str:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text("".join(
        f'[[source]]\nname = "{s.name}"\nurl = "{s.url}"\ntype = "rss"\npublisher = "press"\n'
        + (f"poll_minutes = {s.poll_minutes}\n" if s.poll_minutes else "") + "\n" for s in sources(server)))
    return str(feeds)


def test_cli_crawl_skips_not_due_and_source_or_force_overrides(db_path, server, tmp_path):
    feeds = write_feeds(tmp_path, server)
    base = ["crawl", "--db", str(db_path), "--feeds", feeds, "--allow-private", "--delay", "0"]
    runner = CliRunner()
    assert runner.invoke(main, base).exit_code == 0

    server.clear_log()
    out = runner.invoke(main, [*base, "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert (data["sources_ok"], data["sources_failed"], data["sources_skipped"]) == (1, 0, 2)
    assert {s["name"]: s["status"] for s in data["sources"]} == {"hourly": "not_due", "often": "not_due",
                                                                "plain": "ok"}
    assert "/hourly.xml" not in feed_requests(server)

    text = runner.invoke(main, base)
    assert "skipped (not due): 2" in text.stdout and "next poll" in text.stdout

    server.clear_log()  # a source named with --source is polled even when not due
    named = runner.invoke(main, [*base, "--source", "hourly", "--json"])
    assert json.loads(named.stdout)["sources"][0]["status"] == "ok"
    assert feed_requests(server) == ["/hourly.xml"]

    server.clear_log()
    forced = runner.invoke(main, [*base, "--force", "--json"])
    assert json.loads(forced.stdout)["sources_skipped"] == 0
    assert sorted(feed_requests(server)) == ["/hourly.xml", "/often.xml", "/plain.xml"]
