"""Hostile feeds and sitemaps, crawled from a real server on 127.0.0.1 into a real SQLite file.

A feed body is never taken for a file name or a URL (feedparser opens or downloads a str/bytes
that looks like one); every inflation is capped (gzip sitemaps, Content-Encoding gzip / deflate)
and refused cleanly with memory bounded, measured with tracemalloc (Python allocations: the old
`gzip.decompress` and feedparser / Item lists all live there); a sitemap past the protocol's
50,000 entries and a feed past MAX_ENTRIES items are refused.
"""

from __future__ import annotations

import builtins
import gzip
import io
import os
import tracemalloc
import zlib

import pytest
from pytest_httpserver import HTTPServer

from tracker.crawl import CrawlOptions, crawl
from tracker.crawl.feeds import MAX_ENTRIES as FEED_MAX
from tracker.crawl.feeds import FeedError, parse_feed
from tracker.crawl.http import HttpOptions
from tracker.sources import Source

FAST = HttpOptions(timeout=3, total_timeout=10, retries=0, backoff=0.01, delay=0, per_host=4)
MB = 1024 * 1024


def opts(**kw) -> CrawlOptions:
    """Short timeouts and deadlines: every crawl here ends within seconds."""
    return CrawlOptions(http=kw.pop("http", FAST), allow_private=True, robots=False, source_seconds=30,
                        run_seconds=40, **kw)


def src(url: str, type: str = "rss") -> Source:
    return Source(name="s", url=url, type=type, publisher="press")


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """Paths opened through Python during the test; opening a hostile body's path fails at once."""
    paths: list[str] = []
    hostile = {"/etc/passwd", "/dev/zero", "/etc/hostname", "file:///etc/hostname"}
    real_open, real_os_open = builtins.open, os.open

    def guarded(file, *args, **kwargs):
        paths.append(str(file))
        if str(file) in hostile:
            raise AssertionError(f"the crawler opened {file}")
        return real_open(file, *args, **kwargs)

    def guarded_os(path, *args, **kwargs):
        paths.append(str(path))
        if str(path) in hostile:
            raise AssertionError(f"the crawler opened {path}")
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    monkeypatch.setattr(io, "open", guarded)
    monkeypatch.setattr(os, "open", guarded_os)
    return paths


@pytest.fixture
def secret(server: HTTPServer) -> str:
    """A URL on the test server that nothing may fetch; its hits are in server.log."""
    server.expect_request("/secret").respond_with_data(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>s</title><item>'
        '<link>http://127.0.0.1:9/only-in-the-secret</link></item></channel></rss>', content_type="text/xml")
    return server.url_for("/secret")


def hits(server: HTTPServer, path: str) -> int:
    return sum(req.path == path for req, _ in server.log)


@pytest.mark.parametrize("body", ["/etc/passwd", "/dev/zero", "file:///etc/hostname", "SECRET", "  /etc/passwd\n"])
def test_a_feed_body_is_never_a_file_name_or_a_url(db, server, secret, opened, body):
    body = body.replace("SECRET", secret)
    server.expect_request("/feed.xml").respond_with_data(body, content_type="application/rss+xml")

    result = crawl(db, [src(server.url_for("/feed.xml"))], opts()).sources[0]

    assert (result.status, result.error) == ("failed", "not a feed: the body is not XML")
    assert hits(server, "/secret") == 0
    assert not any(p in ("/etc/passwd", "/dev/zero", "/etc/hostname") for p in opened)
    last_error = db.execute("SELECT last_error FROM sources").fetchone()[0]
    assert last_error == "not a feed: the body is not XML"  # names no local path
    assert db.execute("SELECT count(*) FROM fetches WHERE url NOT LIKE ?",
                      (server.url_for("/feed.xml"),)).fetchone()[0] == 0  # no other request at all


def test_parse_feed_never_opens_what_the_body_names(opened, secret):
    for body in (b"/etc/passwd", b"/dev/zero", b"file:///etc/hostname", secret.encode()):
        with pytest.raises(FeedError, match="not a feed"):
            parse_feed(body, "http://example.org/feed.xml")
    assert not any(p in ("/etc/passwd", "/dev/zero", "/etc/hostname") for p in opened)


def test_external_entities_and_dtds_are_not_fetched(db, server, secret, opened):
    body = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e SYSTEM "{secret}"><!ENTITY f SYSTEM '
            '"file:///etc/passwd">]><rss version="2.0"><channel><title>&e;&f;</title><item><title>x</title>'
            f'<link>{server.url_for("/a")}</link></item></channel></rss>')
    server.expect_request("/feed.xml").respond_with_data(body, content_type="application/rss+xml")
    crawl(db, [src(server.url_for("/feed.xml"))], opts(max_items=0))
    assert hits(server, "/secret") == 0
    assert "/etc/passwd" not in opened


def gzip_bomb(inflated: int) -> bytes:
    """gzip of `inflated` zero bytes, made in 1 MB steps (a few hundred kB of gzip)."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * MB
    parts = [z.compress(block) for _ in range(inflated // MB)]
    return b"".join(parts) + z.flush()


def deflate_bomb(inflated: int) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, 15)
    block = b"\0" * MB
    return b"".join(z.compress(block) for _ in range(inflated // MB)) + z.flush()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip_bomb(512 * MB)  # about 500 kB that inflates to 512 MB


def peak_mb(run) -> float:
    """Peak of Python allocations (MB) while `run()` runs."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


def test_gzip_bomb_sitemap_fails_cleanly_with_bounded_memory(db, server, bomb):
    server.expect_request("/sitemap.xml.gz").respond_with_data(bomb, content_type="application/x-gzip")
    results = []
    peak = peak_mb(lambda: results.append(crawl(db, [src(server.url_for("/sitemap.xml.gz"), "sitemap")],
                                                opts())))
    result = results[0].sources[0]
    assert (result.status, result.error) == ("failed", f"gzip sitemap inflates past the {5 * MB} byte cap")
    assert peak < 40, f"{peak:.0f} MB"  # the cap is 5 MB; gzip.decompress took 512 MB here


@pytest.mark.parametrize("coding", ["gzip", "deflate", "gzip, gzip"])
def test_content_encoding_bomb_is_capped_on_decoded_bytes(db, server, bomb, coding):
    body = {"gzip": bomb, "deflate": deflate_bomb(256 * MB), "gzip, gzip": gzip.compress(bomb)}[coding]
    server.expect_request("/feed.xml").respond_with_data(body, content_type="application/rss+xml",
                                                         headers={"Content-Encoding": coding})
    results = []
    peak = peak_mb(lambda: results.append(crawl(db, [src(server.url_for("/feed.xml"))], opts())))
    result = results[0].sources[0]
    assert result.status == "failed"
    assert result.error == f"body inflates past the {5 * MB} byte cap, download aborted"
    assert peak < 40, f"{peak:.0f} MB"
    row = db.execute("SELECT bytes, outcome FROM fetches").fetchone()
    assert row[1] == "too_big" and row[0] < 2 * MB  # what was received, far less than what it inflates to


@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "gzip, gzip, gzip"])
def test_unreadable_content_encoding_is_refused(db, server, coding):
    server.expect_request("/feed.xml").respond_with_data(b"\x8b\x00garbage", content_type="application/rss+xml",
                                                         headers={"Content-Encoding": coding})
    result = crawl(db, [src(server.url_for("/feed.xml"))], opts()).sources[0]
    assert result.status == "failed" and result.error.startswith("Content-Encoding refused: ")
    assert db.execute("SELECT outcome FROM fetches").fetchone()[0] == "bad_encoding"


def test_broken_gzip_body_is_a_clean_failure(db, server):
    server.expect_request("/feed.xml").respond_with_data(b"\x1f\x8b\x08\x00garbage-not-deflate",
                                                         content_type="application/rss+xml",
                                                         headers={"Content-Encoding": "gzip"})
    result = crawl(db, [src(server.url_for("/feed.xml"))], opts()).sources[0]
    assert result.status == "failed" and result.error.startswith("body not readable: broken gzip data")


def test_gzip_feed_within_the_cap_is_read(db, server):
    feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
            f'<item><title>t</title><link>{server.url_for("/a/story")}</link></item></channel></rss>')
    server.expect_request("/feed.xml").respond_with_data(gzip.compress(feed.encode()),
                                                         content_type="application/rss+xml",
                                                         headers={"Content-Encoding": "gzip"})
    result = crawl(db, [src(server.url_for("/feed.xml"))], opts(max_items=0)).sources[0]
    assert (result.status, result.items) == ("ok", 1)
    assert server.log[0][0].headers["Accept-Encoding"] == "gzip, deflate"  # only what is decoded here


def big_sitemap(n: int) -> bytes:
    urls = b"".join(b"<url><loc>http://127.0.0.1/n/%d</loc></url>" % i for i in range(n))
    return gzip.compress(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                         + urls + b"</urlset>")


def test_sitemap_of_200k_entries_fails_cleanly_with_bounded_memory(db, server):
    body = big_sitemap(200_000)  # about 0.5 MB of gzip, 8.5 MB of XML
    server.expect_request("/sitemap.xml.gz").respond_with_data(body, content_type="application/x-gzip")
    source = src(server.url_for("/sitemap.xml.gz"), "sitemap")

    results = []
    peak = peak_mb(lambda: results.append(crawl(db, [source], opts())))
    assert results[0].sources[0].error == f"gzip sitemap inflates past the {5 * MB} byte cap"
    assert peak < 40, f"{peak:.0f} MB"

    roomy = HttpOptions(timeout=3, total_timeout=10, retries=0, delay=0, max_bytes=16 * MB)
    results.clear()
    peak = peak_mb(lambda: results.append(crawl(db, [source], opts(http=roomy, force=True))))
    assert results[0].sources[0].error == "sitemap lists more than 50000 entries (the protocol's limit)"
    assert peak < 80, f"{peak:.0f} MB"  # the 8.5 MB document, twice at most, and 50,000 short entries
    assert db.table("articles").count == 0


def test_feed_with_too_many_items_is_refused_before_parsing(db, server):
    items = "".join(f"<item><link>http://127.0.0.1/x/{i}</link></item>" for i in range(FEED_MAX + 1))
    server.expect_request("/feed.xml").respond_with_data(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>',
        content_type="application/rss+xml")
    result = crawl(db, [src(server.url_for("/feed.xml"))], opts()).sources[0]
    assert (result.status, result.error) == ("failed", f"feed lists more than {FEED_MAX} items")
