"""Hostile and junk article pages, crawled from a real server on 127.0.0.1 into a real SQLite file.

Junk (binary or a PDF served as text/html, empty pages, pages with no text, copies of a stored
text) is fetched once, recorded with a final `fetches.outcome` and never fetched again, and does
not use up `max_items`: a feed with 55 junk items ahead of 5 real ones stores the 5. Pages are
decoded from the HTTP charset, the document's, then detection, so mislabelled pages are stored
right. A page body that looks like a URL is not downloaded by a parser.
"""

from __future__ import annotations

import gzip
from collections import Counter

import pytest
from pytest_httpserver import HTTPServer

from tracker.crawl import CrawlOptions, crawl
from tracker.crawl.http import HttpOptions
from tracker.sources import Source

FAST = HttpOptions(timeout=3, total_timeout=10, retries=0, backoff=0.01, delay=0, per_host=8)
FR = ("La crème brûlée du régulateur : l'opérateur a dû bloquer l'accès à la messagerie après la décision "
      "rendue à Besançon, où les abonnés se sont plaints d'une coupure « sans préavis » et ont réclamé "
      "des garanties. Le ministère a répondu qu'il étudierait la légalité de la mesure dès la semaine prochaine.")
RU = ("Роскомнадзор сообщил о замедлении работы сервиса на всех мобильных устройствах. Ведомство пригрозило "
      "полностью заблокировать платформу, если требования об удалении запрещённого контента не будут выполнены.")


def opts(**kw) -> CrawlOptions:
    """Short timeouts and deadlines: every crawl here ends within seconds."""
    return CrawlOptions(http=FAST, allow_private=True, robots=False, source_seconds=60, run_seconds=90, **kw)


def page(title: str, text: str, head: str = "", lang: str = "en") -> str:
    return (f"<!DOCTYPE html><html lang='{lang}'><head>{head}<title>{title}</title></head><body><article>"
            f"<h1>{title}</h1>" + "".join(f"<p>{text} ({i})</p>" for i in range(4)) + "</article></body></html>")


def real(i: int) -> str:
    text = " ".join(f"Report {i}, sentence {j}: the regulator ordered operators to restrict access to the "
                    f"messaging service in region {i}." for j in range(5))
    return page(f"Report {i}", text)


def feed(server: HTTPServer, paths: list[str]) -> None:
    items = "".join(f"<item><title>{p}</title><link>{server.url_for(p)}</link></item>" for p in paths)
    server.expect_request("/feed.xml").respond_with_data(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>',
        content_type="application/rss+xml", headers={"ETag": '"v1"'})


JUNK = [  # (body, what the outcome row says), all served as text/html
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n" + bytes(range(256)) * 20, "a PDF"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "a PNG image"),
    (bytes(range(256)) * 40, "binary data"),
    (b"", "empty page"),
    (b"   \n\n ", "empty page"),
    (b"<!DOCTYPE html><html><head><title>nav</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
     "no main text"),
]


def serve_junk_then_real(server: HTTPServer, n_junk: int, n_real: int) -> tuple[list[str], list[str]]:
    junk_paths, real_paths = [], []
    original = real(999).encode()
    server.expect_request("/original").respond_with_data(original, content_type="text/html")
    for i in range(n_junk):
        path = f"/junk/{i}"
        if i % 7 == 6:  # every seventh is a copy of an article stored first
            body = original
        else:
            body = JUNK[i % len(JUNK)][0]
        server.expect_request(path).respond_with_data(body, content_type="text/html; charset=utf-8")
        junk_paths.append(path)
    for i in range(n_real):
        path = f"/real/{i}"
        server.expect_request(path).respond_with_data(real(i), content_type="text/html; charset=utf-8")
        real_paths.append(path)
    return junk_paths, real_paths


def article_requests(server: HTTPServer) -> Counter:
    return Counter(req.path for req, _ in server.log if req.path.startswith(("/junk/", "/real/")))


def test_junk_ahead_of_real_articles_does_not_use_up_max_items(db, server):
    source = Source(name="s", url=server.url_for("/feed.xml"), type="rss", publisher="press")
    # the copied article is stored first, by another source, so its copies are content duplicates
    server.expect_request("/first.xml").respond_with_data(
        f'<rss version="2.0"><channel><title>f</title><item><link>{server.url_for("/original")}</link></item>'
        "</channel></rss>", content_type="application/rss+xml")
    junk, good = serve_junk_then_real(server, 55, 5)
    crawl(db, [Source(name="first", url=server.url_for("/first.xml"), type="rss", publisher="press")], opts())
    feed(server, junk + good)
    server.clear_log()

    first = crawl(db, [source], opts(max_items=50)).sources[0]

    assert (first.status, first.new, first.left) == ("ok", 5, 0)
    assert first.duplicates == 7 and first.skipped == 48
    stored = {r[0] for r in db.execute("SELECT url FROM articles WHERE source = 's'")}
    assert stored == {server.url_for(p) for p in good}
    outcomes = Counter(r[0] for r in db.execute(
        "SELECT outcome FROM fetches WHERE source = 's' AND kind = 'article'"))
    assert outcomes == {"no_text": 48, "duplicate": 7, "ok": 5}
    errors = {r[0] for r in db.execute("SELECT error FROM fetches WHERE outcome = 'no_text'")}
    assert {"no text: a PDF where an HTML page was expected", "no text: a PNG image where an HTML page was expected",
            "no text: binary data where an HTML page was expected", "no text: empty page",
            "no text: no main text found in the page"} == errors
    assert db.execute("SELECT etag FROM sources WHERE name = 's'").fetchone()[0] == '"v1"'

    server.clear_log()  # the next run (this server ignores If-None-Match) fetches no junk again
    again = crawl(db, [source], opts(force=True)).sources[0]
    assert (again.status, again.items, again.new, again.skipped, again.left) == ("ok", 60, 0, 0, 0)
    assert article_requests(server) == Counter()


def test_junk_is_settled_over_runs_when_fetches_are_limited(db, server):
    """With room for 30 tries a run, the 5 real articles come on the second run; no page is fetched twice."""
    junk, good = serve_junk_then_real(server, 55, 5)
    feed(server, junk + good)
    source = Source(name="s", url=server.url_for("/feed.xml"), type="rss", publisher="press")

    first = crawl(db, [source], opts(max_fetches=30)).sources[0]
    assert (first.new, first.left) == (1, 30)  # the first copy of /original is new, its copies duplicates
    assert db.execute("SELECT etag FROM sources").fetchone()[0] is None  # links left: no 304 may hide them
    second = crawl(db, [source], opts(max_fetches=30, force=True)).sources[0]

    assert (second.new, second.left) == (5, 0)
    assert set(article_requests(server).values()) == {1}


def test_only_new_articles_count_toward_max_items(db, server):
    junk, good = serve_junk_then_real(server, 10, 5)
    feed(server, junk + good)
    source = Source(name="s", url=server.url_for("/feed.xml"), type="rss", publisher="press")
    first = crawl(db, [source], opts(max_items=2)).sources[0]
    assert first.new == 2 and first.left > 0
    second = crawl(db, [source], opts(max_items=2, force=True)).sources[0]
    third = crawl(db, [source], opts(max_items=2, force=True)).sources[0]
    assert (second.new, third.new) == (2, 2)
    assert db.table("articles").count == 6  # /real/0-4 and the first copy of /original


def test_a_page_body_that_looks_like_a_url_is_not_downloaded(db, server):
    server.expect_request("/secret").respond_with_data(real(7), content_type="text/html")
    server.expect_request("/a/story").respond_with_data(server.url_for("/secret"), content_type="text/html")
    feed(server, ["/a/story"])
    result = crawl(db, [Source(name="s", url=server.url_for("/feed.xml"), type="rss", publisher="press")],
                   opts()).sources[0]
    assert (result.new, result.skipped) == (0, 1)
    assert not any(req.path == "/secret" for req, _ in server.log)


CHARSET_CASES = {
    # name: (bytes served, Content-Type header, the text expected in articles.text)
    "utf-8, no charset anywhere": (page("Crème brûlée", FR, lang="fr").encode("utf-8"), "text/html", FR),
    "latin-1 labelled utf-8": (page("Crème brûlée", FR, "<meta charset='utf-8'>", "fr").encode("latin-1"),
                               "text/html; charset=utf-8", FR),
    "utf-8 labelled latin-1": (page("Crème brûlée", FR, lang="fr").encode("utf-8"),
                               "text/html; charset=ISO-8859-1", FR),
    "latin-1, no charset anywhere": (page("Crème brûlée", FR, lang="fr").encode("latin-1"), "text/html", FR),
    "windows-1251 declared in meta only": (
        page("Замедление", RU, "<meta http-equiv='Content-Type' content='text/html; charset=windows-1251'>",
             "ru").encode("cp1251"), "text/html", RU),
    "utf-16 with a BOM": (b"\xff\xfe" + page("Crème brûlée", FR, lang="fr").encode("utf-16-le"), "text/html", FR),
}


@pytest.mark.parametrize("case", list(CHARSET_CASES))
def test_page_text_is_decoded_right(db, server, case):
    body, content_type, expected = CHARSET_CASES[case]
    server.expect_request("/a/page").respond_with_data(body, content_type=content_type)
    feed(server, ["/a/page"])
    result = crawl(db, [Source(name="s", url=server.url_for("/feed.xml"), type="rss", publisher="press")],
                   opts()).sources[0]
    assert result.new == 1, result
    title, text, raw = db.execute("SELECT title, text, raw_html FROM articles").fetchone()
    assert expected[:80] in text and "Ã" not in text and "č" not in text
    assert title in ("Crème brûlée", "Замедление")
    assert gzip.decompress(raw) == body  # the bytes as fetched are kept


def test_the_schema_describes_every_outcome_and_which_are_final():
    from tracker.crawl.outcomes import FINAL, KINDS
    from tracker.schema import table

    description = table("fetches").column("outcome").description
    assert all(kind in description for kind in KINDS)
    final_part = description.split("final outcome (", 1)[1].split(")", 1)[0]
    assert {k.strip() for k in final_part.split(",")} == set(FINAL)
