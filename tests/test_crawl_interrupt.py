"""A crawl killed halfway leaves only whole rows, and the next run fetches exactly what is missing."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time

from werkzeug import Request, Response

from tracker.crawl import CrawlOptions, crawl
from tracker.crawl.http import HttpOptions
from tracker.sources import load_feeds


def article_page(i: int) -> str:
    body = " ".join(f"Paragraph {j} of report {i}: the regulator ordered operators to restrict access "
                    f"to a messaging service in region {i}, citing public order." for j in range(6))
    return (f"<!DOCTYPE html><html lang='en'><head><title>Report {i}</title>"
            f"<meta property='article:published_time' content='2024-03-{i + 1:02d}'></head>"
            f"<body><article><h1>Report {i}</h1><p>{body}</p><p>{body[::-1]}</p></article></body></html>")


def test_killed_run_leaves_whole_rows_and_next_run_completes(db_path, server, tmp_path):
    release = threading.Event()
    n = 6
    items = "".join(f"<item><title>Report {i}</title><link>{server.url_for(f'/r/{i}')}</link></item>"
                    for i in range(n))
    feed = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    server.expect_request("/feed.xml").respond_with_data(feed, content_type="application/rss+xml",
                                                         headers={"ETag": '"f1"'})

    def handler(request: Request) -> Response:
        i = int(request.path.rsplit("/", 1)[1])
        if i >= 3:
            release.wait(30)  # the second half hangs until the crawler has been killed
        return Response(article_page(i), content_type="text/html")

    for i in range(n):
        server.expect_request(f"/r/{i}").respond_with_handler(handler)
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[source]]\nname = "wire"\nurl = "{server.url_for("/feed.xml")}"\ntype = "rss"\n'
                     'publisher = "press"\n')

    proc = subprocess.Popen([sys.executable, "-m", "tracker.cli", "crawl", "--db", str(db_path), "--feeds",
                             str(feeds), "--allow-private", "--delay", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        stored = 0
        while time.monotonic() < deadline and stored < 3:
            time.sleep(0.2)
            if db_path.exists():
                try:
                    with sqlite3.connect(db_path, timeout=5) as conn:
                        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                except sqlite3.OperationalError:
                    stored = 0  # tables not created yet
        assert stored == 3, "the crawler did not store the fast half in time"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        release.set()

    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = conn.execute("SELECT url, title, text, content_hash, raw_html FROM articles").fetchall()
    assert len(rows) == 3 and all(all(col for col in row) for row in rows)
    etag = conn.execute("SELECT etag FROM sources WHERE name = 'wire'").fetchone()[0]
    assert etag is None  # validators are kept only after a source's articles are all handled
    conn.close()

    from tracker.db import open_db

    db = open_db(db_path)
    summary = crawl(db, load_feeds(feeds), CrawlOptions(http=HttpOptions(delay=0, timeout=5), allow_private=True))
    assert (summary.sources[0].status, summary.sources[0].new) == ("ok", 3)
    per_url = dict(db.execute("SELECT url, count(*) FROM fetches WHERE kind = 'article' AND status = 200"
                              " GROUP BY url").fetchall())
    assert sorted(per_url) == sorted(server.url_for(f"/r/{i}") for i in range(n))
    assert set(per_url.values()) == {1}  # every article page fetched once over the two runs
    assert db.table("articles").count == n
    assert db.execute("SELECT etag FROM sources").fetchone()[0] == '"f1"'
