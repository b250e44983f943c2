"""End-to-end crawls against a real HTTP server on 127.0.0.1, asserting on the SQLite rows.

The feed is tests/fixtures/feeds/hugo-category.xml, a Hugo category feed of twelve items written for
these tests, with its links pointed at the local server; three of its items are served as article pages
from tests/fixtures/pages (see tests/sites.py).
"""

from __future__ import annotations

import gzip
import json
import time

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.sites import article_pages, local_feed
from tracker.crawl import CrawlOptions, crawl
from tracker.crawl.http import HttpOptions
from tracker.sources import Source

FEED_HOST = "https://rights-watch.example"
FAST = HttpOptions(timeout=2, total_timeout=4, retries=2, backoff=0.05, delay=0, per_host=4,
                   max_retry_after=5, max_bytes=5 * 1024 * 1024)


def opts(**kw) -> CrawlOptions:
    http = kw.pop("http", FAST)
    return CrawlOptions(http=http, allow_private=kw.pop("allow_private", True), **kw)


def src(name: str, url: str, type: str = "rss", publisher: str = "ngo") -> Source:
    return Source(name=name, url=url, type=type, publisher=publisher, language="en")


def hugo_feed(server: HTTPServer) -> tuple[bytes, list[str]]:
    """The Hugo category feed with its links on the local server; returns it and its item paths."""
    return local_feed("hugo-category.xml", FEED_HOST, server)


def serve_feed_with_etag(server: HTTPServer, path: str, body: bytes, etag: str = '"v1"') -> None:
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, content_type="application/rss+xml", headers={"ETag": etag})

    server.expect_request(path).respond_with_handler(handler)


def rows(db, sql: str, *args) -> list[dict]:
    cur = db.execute(sql, args)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def test_feed_articles_are_stored_then_recrawl_is_304(db, server):
    body, paths = hugo_feed(server)
    assert len(paths) == 12
    serve_feed_with_etag(server, "/feed.xml", body)
    html = article_pages()
    for path, page in zip(paths[:3], html, strict=True):
        server.expect_request(path).respond_with_data(page, content_type="text/html; charset=utf-8")
    source = src("rights", server.url_for("/feed.xml"))

    summary = crawl(db, [source], opts(max_items=len(paths)))

    result = summary.sources[0]
    assert (result.status, result.items, result.new) == ("ok", len(paths), 3)
    assert result.skipped == len(paths) - 3  # the other items are 404 on this server
    arts = rows(db, "SELECT * FROM articles ORDER BY id")
    assert len(arts) == 3
    by_title = {a["title"]: a for a in arts}
    wiki = by_title["Turkey lifts its block on Wikipedia after the Constitutional Court ruling"]
    assert wiki["published"] == "2020-01-15" and wiki["language"] == "en"
    assert "Constitutional Court" in wiki["text"]
    # paragraphs apart and the list's items together, as the corpus the extractor learnt from writes them
    assert wiki["text"].count("\n\n") == 6 and wiki["text"].endswith(
        "What happened, in short\n\n- April 2017: access to all of Wikipedia blocked in Turkey.\n"
        "- December 2019: the Constitutional Court finds the block unconstitutional.\n"
        "- January 2020: access restored across Turkish networks.")
    assert gzip.decompress(wiki["raw_html"]) == html[0]
    assert all(len(a["content_hash"]) == 64 and a["source"] == "rights" for a in arts)
    assert {a["url"] for a in arts} == {server.url_for(p) for p in paths[:3]}
    feed_row = rows(db, "SELECT * FROM sources WHERE name = 'rights'")[0]
    assert (feed_row["last_status"], feed_row["etag"]) == ("ok", '"v1"')
    fetches = rows(db, "SELECT kind, status, error FROM fetches")
    assert sum(f["kind"] == "article" for f in fetches) == len(paths)
    assert sum(f["status"] == 404 for f in fetches if f["kind"] == "article") == len(paths) - 3

    before = db.table("fetches").count
    again = crawl(db, [source], opts())
    assert again.sources[0].status == "not_modified" and again.new_articles == 0
    new_rows = rows(db, "SELECT kind, status FROM fetches WHERE id > ?", before)
    # robots.txt once per run, the feed answers 304: no parsing, no article refetched, 404s not retried
    assert new_rows == [{"kind": "robots", "status": 404}, {"kind": "feed", "status": 304}]
    assert db.table("articles").count == 3


def test_same_article_is_stored_once_by_url_and_by_content(db, server):
    page = article_pages()[0]
    base = server.url_for("")
    items = "".join(f"<item><title>t{i}</title><link>{base}{p}</link></item>" for i, p in enumerate([
        "a/story?utm_source=rss", "a/story?utm_campaign=x#top", "b/copy-of-story"]))
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'
    server.expect_request("/feed.xml").respond_with_data(feed, content_type="application/rss+xml")
    for p in ("/a/story", "/b/copy-of-story"):
        server.expect_request(p).respond_with_data(page, content_type="text/html")
    summary = crawl(db, [src("s", server.url_for("/feed.xml"))], opts())
    assert summary.sources[0].items == 2  # the two tracking variants are one canonical URL
    assert (summary.sources[0].new, summary.sources[0].duplicates) == (1, 1)
    arts = rows(db, "SELECT url, original_url FROM articles")
    assert len(arts) == 1  # whichever of the two copies finished first
    assert arts[0]["url"] in (server.url_for("/a/story"), server.url_for("/b/copy-of-story"))
    article_fetches = rows(db, "SELECT url FROM fetches WHERE kind = 'article'")
    assert sorted(f["url"] for f in article_fetches) == [server.url_for("/a/story"),
                                                         server.url_for("/b/copy-of-story")]


def test_broken_sources_are_recorded_and_the_run_goes_on(db, server):
    body, paths = hugo_feed(server)
    server.expect_request("/good.xml").respond_with_data(body, content_type="application/rss+xml")
    server.expect_request(paths[0]).respond_with_data(article_pages()[0], content_type="text/html")

    def slow(request: Request) -> Response:
        time.sleep(3)
        return Response("<rss/>")

    server.expect_request("/slow.xml").respond_with_handler(slow)
    server.expect_request("/error.xml").respond_with_data("boom", status=500)
    server.expect_request("/broken.xml").respond_with_data(
        '<?xml version="1.0"?><rss version="2.0"><channel><item><title>unclosed', content_type="application/xml")
    server.expect_request("/page.xml").respond_with_data(
        "<!DOCTYPE html><html><body><p>Not a feed</p></body></html>", content_type="text/html")
    server.expect_request("/loop-a").respond_with_data("", status=302, headers={"Location": "/loop-b"})
    server.expect_request("/loop-b").respond_with_data("", status=302, headers={"Location": "/loop-a"})

    def huge(request: Request) -> Response:
        chunk = b"<!-- padding -->" * 4096  # 64 kB

        def body_iter():
            for _ in range(800):  # 50 MB if nobody stops reading
                yield chunk

        return Response(body_iter(), content_type="application/rss+xml")

    server.expect_request("/huge.xml").respond_with_handler(huge)
    names = {"good": "/good.xml", "slow": "/slow.xml", "error": "/error.xml", "broken": "/broken.xml",
             "page": "/page.xml", "loop": "/loop-a", "huge": "/huge.xml"}
    sources = [src(n, server.url_for(p)) for n, p in names.items()]
    http = HttpOptions(timeout=1, total_timeout=2, retries=2, backoff=0.05, delay=0, per_host=8)

    summary = crawl(db, sources, opts(http=http, max_items=1))

    status = {r.name: (r.status, r.error) for r in summary.sources}
    assert status["good"] == ("ok", "")
    assert summary.new_articles == 1 and summary.ok == 1 and summary.failed == 6
    assert "timeout" in status["slow"][1]
    assert status["error"][1] == "HTTP 500 after 3 attempts"
    assert "invalid feed XML" in status["broken"][1]
    assert "HTML page where a feed was expected" in status["page"][1]
    assert "redirect loop" in status["loop"][1]
    assert "byte cap" in status["huge"][1]
    src_rows = {r["name"]: r for r in rows(db, "SELECT * FROM sources")}
    for name, (_, error) in status.items():
        assert src_rows[name]["last_status"] == ("ok" if name == "good" else "failed")
        assert src_rows[name]["last_error"] == error
    error_attempts = rows(db, "SELECT status FROM fetches WHERE source = 'error'")
    assert [a["status"] for a in error_attempts] == [500, 500, 500]
    huge_row = rows(db, "SELECT bytes, error FROM fetches WHERE source = 'huge'")[0]
    assert 5 * 1024 * 1024 < huge_row["bytes"] < 6 * 1024 * 1024 and "byte cap" in huge_row["error"]
    assert "timeout" in rows(db, "SELECT error FROM fetches WHERE source = 'slow'")[0]["error"]


def test_a_valid_feed_with_no_items_is_ok(db, server):
    empty = '<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet week</title></channel></rss>'
    server.expect_request("/empty.xml").respond_with_data(empty, content_type="text/xml")
    server.expect_request("/bare.xml").respond_with_data(empty.replace("<?xml version=\"1.0\"?>", ""))

    summary = crawl(db, [src("empty", server.url_for("/empty.xml")), src("bare", server.url_for("/bare.xml"))],
                    opts())

    assert {(r.name, r.status, r.error) for r in summary.sources} == {("empty", "ok", ""), ("bare", "ok", "")}
    assert summary.new_articles == 0 and summary.failed == 0


def test_retry_after_is_honoured(db, server):
    body, _paths = hugo_feed(server)
    answers = [Response("slow down", status=429, headers={"Retry-After": "1"}),
               Response(body, content_type="application/rss+xml")]
    server.expect_request("/feed.xml").respond_with_handler(lambda request: answers.pop(0))
    start = time.monotonic()
    summary = crawl(db, [src("s", server.url_for("/feed.xml"))], opts(max_items=0))
    assert summary.sources[0].status == "ok", summary.sources[0].error
    assert time.monotonic() - start >= 1.0  # waited as asked, not the 0.05 s backoff
    assert [r["status"] for r in rows(db, "SELECT status FROM fetches WHERE kind = 'feed'")] == [429, 200]


def test_robots_non_html_and_private_addresses(db, server):
    base = server.url_for("")
    links = ["private/no", "pdf/report", "ok/story"]
    items = "".join(f"<item><link>{base}{p}</link></item>" for p in links)
    feed = f'<rss version="2.0"><channel><title>x</title>{items}</channel></rss>'
    server.expect_request("/feed.xml").respond_with_data(feed, content_type="application/rss+xml")
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    server.expect_request("/pdf/report").respond_with_data(b"%PDF-1.4", content_type="application/pdf")
    server.expect_request("/ok/story").respond_with_data(article_pages()[0], content_type="text/html")
    source = src("s", server.url_for("/feed.xml"))

    refused = crawl(db, [source], opts(allow_private=False))
    assert refused.sources[0].status == "failed"
    assert "private, loopback or link-local" in refused.sources[0].error
    assert server.log == []  # not a single request reached the server

    summary = crawl(db, [source], opts(force=True))  # the failed source backs off unless forced
    assert (summary.sources[0].new, summary.sources[0].skipped) == (1, 2)
    errors = {r["url"]: r["error"] for r in rows(db, "SELECT url, error FROM fetches WHERE kind = 'article'")}
    assert errors[base + "private/no"] == "disallowed by robots.txt"
    assert errors[base + "pdf/report"] == "not HTML: content type application/pdf"
    assert not any(req.path == "/private/no" for req, _ in server.log)


def test_listing_page_and_sitemap_sources(db, server):
    html = article_pages()
    listing = """<!DOCTYPE html><html><body><nav><a href="/about-the-regulator-and-its-mission">About us</a></nav>
    <main><h1>Press releases</h1><ul>
    <li><time datetime="2020-01-15">15 Jan 2020</time>
        <a href="/press/access-to-wikipedia-restored">Access to Wikipedia restored after the court ruling</a></li>
    <li><a href="/press/2024/88213?utm_source=home">Statement on the outage of messaging services</a></li>
    <li><a href="/press?page=2">Next</a></li></ul></main>
    <footer><a href="/privacy-policy-and-terms-of-use">Privacy</a></footer></body></html>"""
    server.expect_request("/press").respond_with_data(listing, content_type="text/html")
    server.expect_request("/press/access-to-wikipedia-restored").respond_with_data(html[0], content_type="text/html")
    server.expect_request("/press/2024/88213").respond_with_data(html[1], content_type="text/html")
    sitemap = f"""<?xml version="1.0" encoding="UTF-8"?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>{server.url_for('/news/plague-cases')}</loc><lastmod>2019-11-18</lastmod></url></urlset>"""
    index = f"""<?xml version="1.0" encoding="UTF-8"?>
    <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>{server.url_for('/sitemap-news.xml.gz')}</loc></sitemap></sitemapindex>"""
    server.expect_request("/sitemap.xml").respond_with_data(index, content_type="application/xml")
    server.expect_request("/sitemap-news.xml.gz").respond_with_data(gzip.compress(sitemap.encode()),
                                                                    content_type="application/gzip")
    server.expect_request("/news/plague-cases").respond_with_data(html[2], content_type="text/html")
    sources = [src("press", server.url_for("/press"), "html", "regulator"),
               src("map", server.url_for("/sitemap.xml"), "sitemap", "press")]

    summary = crawl(db, sources, opts())

    assert [(r.status, r.items, r.new) for r in summary.sources] == [("ok", 2, 2), ("ok", 1, 1)]
    urls = {r["url"]: r for r in rows(db, "SELECT url, source, published FROM articles")}
    assert set(urls) == {server.url_for(p) for p in ("/press/access-to-wikipedia-restored", "/press/2024/88213",
                                                     "/news/plague-cases")}
    assert urls[server.url_for("/news/plague-cases")]["source"] == "map"


def test_cli_crawl_json_summary(db_path, server, tmp_path):
    from click.testing import CliRunner

    from tracker.cli import main

    body, paths = hugo_feed(server)
    server.expect_request("/feed.xml").respond_with_data(body, content_type="application/rss+xml")
    server.expect_request(paths[0]).respond_with_data(article_pages()[0], content_type="text/html")
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[source]]\nname = "rights"\nurl = "{server.url_for("/feed.xml")}"\ntype = "rss"\n'
                     'publisher = "ngo"\n\n[[source]]\nname = "off"\nurl = "http://127.0.0.1:9/x"\n'
                     'type = "rss"\npublisher = "press"\nenabled = false\n')
    result = CliRunner().invoke(main, ["crawl", "--db", str(db_path), "--feeds", str(feeds), "--allow-private",
                                       "--json", "--delay", "0", "--max-items", "3"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["sources_ok"], data["sources_failed"]) == (1, 0)
    assert [s["name"] for s in data["sources"]] == ["rights"]  # the disabled source is not polled
    assert data["new_articles"] == 1 and data["bytes"] > len(body)

    table = CliRunner().invoke(main, ["crawl", "--db", str(db_path), "--feeds", str(feeds), "--source", "rights",
                                       "--delay", "0", "--max-items", "3"],
                               env={"TRACKER_ALLOW_PRIVATE": "1"})
    assert table.exit_code == 0, table.output
    assert "not_modified" not in table.stdout  # no validators were sent by this server
    assert "sources ok: 1  failed: 0  new articles: 0" in table.stdout
