"""Runs end and failing sources back off: a slow site is cut at the source's deadline with what was stored
kept and the rest left for the next run; sources not started by the run's deadline are deferred; a source
failing k times in a row waits min(5 min x 2^k, 24 h), shown as skipped "backing off until", unless forced.

Real server on 127.0.0.1 whose slow pages wait on an event the test releases at the end (no sleeping
threads left behind), real SQLite file. No assertion on elapsed time: the deadlines are seconds long so
the tests end, and what they check is what was recorded.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tracker.crawl import CrawlOptions, crawl
from tracker.crawl.http import HttpOptions
from tracker.crawl.run import format_summary
from tracker.crawl.schedule import backoff
from tracker.sources import Source

HTTP = HttpOptions(timeout=10, total_timeout=20, retries=0, backoff=0.01, delay=0, per_host=16)


@pytest.fixture(autouse=True)
def warm_page_reader() -> None:
    """Read one page before the clock matters: the first page loads trafilatura's and the language
    detector's models, which on a cold machine can take longer than the deadlines below."""
    from tracker.crawl.page import read_page

    read_page(f"<html><body><article><p>{page(0)}</p></article></body></html>", "http://127.0.0.1/warm")


def opts(**kw) -> CrawlOptions:
    kw.setdefault("source_seconds", 20)
    kw.setdefault("run_seconds", 30)
    return CrawlOptions(http=HTTP, allow_private=True, robots=False, **kw)


def page(i: int) -> str:
    text = " ".join(f"Report {i}, sentence {j}: the regulator ordered operators to restrict access." for j in range(6))
    return f"<!DOCTYPE html><html lang='en'><head><title>Report {i}</title></head><body><article><p>{text}</p>" \
           "</article></body></html>"


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # the slow handlers return at once when the test ends


def slow_site(server: HTTPServer, release: threading.Event, name: str, fast: int, slow: int) -> Source:
    """A feed of `fast` quick articles then `slow` ones that hang until `release` (at most 30 s)."""
    links = [f"/{name}/fast-{i}" for i in range(fast)] + [f"/{name}/slow-{i}" for i in range(slow)]
    items = "".join(f"<item><link>{server.url_for(p)}</link></item>" for p in links)
    server.expect_request(f"/{name}.xml").respond_with_data(
        f'<rss version="2.0"><channel><title>{name}</title>{items}</channel></rss>',
        content_type="application/rss+xml", headers={"ETag": '"e"'})
    for i, path in enumerate(links):
        def handler(request: Request, i: int = i, hang: bool = "/slow-" in path) -> Response:
            if hang:
                release.wait(30)
            return Response(page(hash(request.path) % 100000 + i), content_type="text/html")

        server.expect_request(path).respond_with_handler(handler)
    return Source(name=name, url=server.url_for(f"/{name}.xml"), type="rss", publisher="press")


def test_a_slow_source_is_cut_at_its_deadline_and_resumed_next_run(db, server, release):
    source = slow_site(server, release, "slow", fast=3, slow=4)

    summary = crawl(db, [source], opts(source_seconds=4))

    result = summary.sources[0]
    assert (result.status, result.new, result.left) == ("partial", 3, 4)
    assert result.error == "source deadline of 4s reached: 4 articles left for the next run"
    assert summary.ok == 1 and summary.failed == 0
    row = db.execute("SELECT last_status, last_error, etag, failures FROM sources").fetchone()
    assert row == ("partial", result.error, None, 0)  # no ETag: a 304 must not hide the 4 left
    cancelled = db.execute("SELECT count(*) FROM fetches WHERE outcome = 'cancelled'").fetchone()[0]
    assert cancelled == 4  # the requests in flight are recorded as cut, and are not final
    assert "partial" in format_summary(summary) and "4 articles left" in format_summary(summary)

    release.set()
    again = crawl(db, [source], opts())  # not forced: a partial source is due at once
    assert (again.sources[0].status, again.sources[0].new, again.sources[0].left) == ("ok", 4, 0)
    assert db.execute("SELECT etag FROM sources").fetchone()[0] == '"e"'


def test_sources_not_started_by_the_run_deadline_are_deferred(db, server, release):
    sources = [slow_site(server, release, "first", fast=1, slow=2),
               slow_site(server, release, "second", fast=1, slow=0),
               slow_site(server, release, "third", fast=1, slow=0)]

    summary = crawl(db, sources, opts(run_seconds=4, sources_at_once=1))

    status = {r.name: (r.status, r.error) for r in summary.sources}
    assert status["first"] == ("partial", "run deadline of 4s reached: 2 articles left for the next run")
    assert status["second"] == status["third"] == ("deferred", "run deadline of 4s reached before its turn")
    assert summary.deferred == 2 and summary.skipped == 2
    polled = dict(db.execute("SELECT name, last_polled FROM sources").fetchall())
    assert polled["second"] is None and polled["third"] is None  # untouched: due on the next run
    assert "skipped (run deadline): 2" in format_summary(summary)


def test_backoff_doubles_and_is_capped_at_a_day():
    assert [backoff(k) for k in range(4)] == [timedelta(0), timedelta(minutes=10), timedelta(minutes=20),
                                              timedelta(minutes=40)]
    assert backoff(8) == timedelta(minutes=1280) and backoff(9) == backoff(500) == timedelta(hours=24)


def test_a_failing_source_backs_off_until_forced_and_resets_on_success(db, server):
    answers = ["fail", "fail", "ok"]

    def feed(request: Request) -> Response:
        if answers.pop(0) == "fail":
            return Response("down", status=500)
        return Response('<rss version="2.0"><channel><title>x</title></channel></rss>',
                        content_type="application/rss+xml")

    server.expect_request("/feed.xml").respond_with_handler(feed)
    source = Source(name="flaky", url=server.url_for("/feed.xml"), type="rss", publisher="press")

    assert crawl(db, [source], opts()).sources[0].status == "failed"
    before = datetime.now(UTC)
    skipped = crawl(db, [source], opts())
    result = skipped.sources[0]
    assert (result.status, result.failures) == ("backing_off", 1)
    until = datetime.fromisoformat(result.next_poll)
    assert timedelta(minutes=9) < until - before <= timedelta(minutes=10)
    assert result.error == f"backing off until {result.next_poll} after 1 failed polls in a row"
    assert skipped.skipped == 1 and skipped.backing_off == 1 and skipped.failed == 0
    assert "backing off until" in format_summary(skipped) and "skipped (backing off): 1" in format_summary(skipped)
    assert len(server.log) == 1  # the skipped run asked nothing

    assert crawl(db, [source], opts(force=True)).sources[0].status == "failed"
    assert db.execute("SELECT failures FROM sources").fetchone()[0] == 2
    assert crawl(db, [source], opts()).sources[0].status == "backing_off"
    assert crawl(db, [source], opts(force=True)).sources[0].status == "ok"
    assert db.execute("SELECT failures, last_status FROM sources").fetchone() == (0, "ok")


def test_backoff_after_many_failures_and_cli_source_still_polls(db_path, server, tmp_path):
    from tracker.cli import main
    from tracker.db import open_db

    server.expect_request("/feed.xml").respond_with_data('<rss version="2.0"><channel><title>x</title>'
                                                         "</channel></rss>", content_type="application/rss+xml")
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[source]]\nname = "s"\nurl = "{server.url_for("/feed.xml")}"\ntype = "rss"\n'
                     'publisher = "press"\n')
    base = ["crawl", "--db", str(db_path), "--feeds", str(feeds), "--allow-private", "--delay", "0", "--json"]
    assert CliRunner().invoke(main, base).exit_code == 0
    db = open_db(db_path)
    stamp = (datetime.now(UTC) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with db.conn:  # six failures in a row, the last one three hours ago: 5 min x 2^6 = 5 h 20 min of backoff
        db.conn.execute("UPDATE sources SET last_status = 'failed', failures = 6, last_polled = ?", (stamp,))
    db.close()
    server.clear_log()

    out = json.loads(CliRunner().invoke(main, base).stdout)
    assert out["sources_backing_off"] == 1 and out["sources"][0]["status"] == "backing_off"
    assert server.log == []
    named = json.loads(CliRunner().invoke(main, [*base, "--source", "s"]).stdout)
    assert named["sources"][0]["status"] == "ok" and [r.path for r, _ in server.log] == ["/robots.txt", "/feed.xml"]
