"""Crawler details on a real local server: per-host limit and spacing, Last-Modified, date and language
fallbacks; and the address guard on its own."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time

import pytest
from werkzeug import Request, Response

from tracker.crawl import CrawlOptions, crawl
from tracker.crawl.http import HttpOptions
from tracker.crawl.netguard import Refused, check_url
from tracker.sources import Source


def src(url: str) -> Source:
    return Source(name="s", url=url, type="rss", publisher="press")


def page(title: str, text: str, lang: str = "en", date: str = "") -> str:
    meta = f"<meta property='article:published_time' content='{date}'>" if date else ""
    return (f"<!DOCTYPE html><html lang='{lang}'><head><title>{title}</title>{meta}</head><body><article>"
            f"<h1>{title}</h1>" + "".join(f"<p>{text}</p>" for _ in range(3)) + "</article></body></html>")


EN = ("The regulator told operators to restrict access to the messaging service in the capital after the "
      "protests, and users reported that the application stopped working on the main mobile networks.")
FR = ("Le régulateur a demandé aux opérateurs de restreindre l'accès au service de messagerie dans la "
      "capitale après les manifestations, et les utilisateurs ont signalé que l'application ne fonctionnait "
      "plus sur les principaux réseaux mobiles du pays.")


def test_per_host_limit_and_delay_between_request_starts(db, server):
    n = 6
    items = "".join(f"<item><link>{server.url_for(f'/a/story-{i}')}</link></item>" for i in range(n))
    server.expect_request("/feed.xml").respond_with_data(
        f'<rss version="2.0"><channel><title>x</title>{items}</channel></rss>', content_type="application/rss+xml")
    lock = threading.Lock()
    state = {"now": 0, "max": 0, "starts": []}

    def handler(request: Request) -> Response:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
            state["starts"].append(time.monotonic())
        time.sleep(0.4)
        with lock:
            state["now"] -= 1
        return Response(page(f"Story {request.path}", EN + request.path), content_type="text/html")

    for i in range(n):
        server.expect_request(f"/a/story-{i}").respond_with_handler(handler)
    http = HttpOptions(per_host=2, delay=0.15, timeout=5, total_timeout=10, retries=0)
    summary = crawl(db, [src(server.url_for("/feed.xml"))], CrawlOptions(http=http, allow_private=True))

    assert summary.sources[0].new == n
    assert state["max"] == 2  # never more than two at once to one host, and the limit was reached
    starts = sorted(state["starts"])
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.1, gaps  # spaced by the delay (0.15 s, less the server's own jitter)


def test_last_modified_gives_a_conditional_get(db, server):
    stamp = "Wed, 05 Jun 2024 08:00:00 GMT"
    seen: list[str | None] = []
    item = f"<item><title>Story</title><link>{server.url_for('/a/story')}</link></item>"

    def feed(request: Request) -> Response:
        seen.append(request.headers.get("If-Modified-Since"))
        if request.headers.get("If-Modified-Since") == stamp:
            return Response(status=304)
        return Response(f'<rss version="2.0"><channel><title>x</title>{item}</channel></rss>',
                        content_type="application/rss+xml", headers={"Last-Modified": stamp})

    server.expect_request("/feed.xml").respond_with_handler(feed)
    server.expect_request("/a/story").respond_with_data(page("Story", EN, date="2024-06-05"),
                                                        content_type="text/html")
    options = CrawlOptions(http=HttpOptions(delay=0, timeout=5, retries=0), allow_private=True)
    first = crawl(db, [src(server.url_for("/feed.xml"))], options)
    second = crawl(db, [src(server.url_for("/feed.xml"))], options)
    assert (first.sources[0].status, first.sources[0].new) == ("ok", 1)
    assert second.sources[0].status == "not_modified"
    assert seen == [None, stamp]
    assert db.execute("SELECT last_modified, last_status FROM sources").fetchone() == (stamp, "not_modified")


def test_feed_date_when_the_page_has_none_and_language_from_the_text(db, server):
    items = (f"<item><title>Sans date</title><link>{server.url_for('/fr/article')}</link>"
             "<pubDate>Sat, 06 May 2023 10:00:00 GMT</pubDate></item>"
             f"<item><title>Dated</title><link>{server.url_for('/en/article')}</link>"
             "<pubDate>Sat, 06 May 2023 10:00:00 GMT</pubDate></item>")
    server.expect_request("/feed.xml").respond_with_data(
        f'<rss version="2.0"><channel><title>x</title>{items}</channel></rss>', content_type="application/rss+xml")
    # the French page says lang='en' by mistake and carries no date of its own
    server.expect_request("/fr/article").respond_with_data(page("Messagerie restreinte", FR, lang="en"),
                                                           content_type="text/html")
    server.expect_request("/en/article").respond_with_data(page("Service restricted", EN, date="2023-05-04"),
                                                           content_type="text/html")
    crawl(db, [src(server.url_for("/feed.xml"))],
          CrawlOptions(http=HttpOptions(delay=0, timeout=5, retries=0), allow_private=True))
    got = {r[0]: r[1:] for r in db.execute("SELECT url, published, language FROM articles")}
    assert got[server.url_for("/fr/article")] == ("2023-05-06", "fr")  # the feed's date, the text's language
    assert got[server.url_for("/en/article")] == ("2023-05-04", "en")  # the page's own date wins


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/x", "http://10.1.2.3/", "http://169.254.169.254/latest/",
                                 "http://[::1]/", "http://[::ffff:192.168.0.1]/", "http://localhost/admin",
                                 "http://0.0.0.0/"])
def test_internal_addresses_are_refused_unless_allowed(url):
    with pytest.raises(Refused, match="private, loopback or link-local|loopback"):
        asyncio.run(check_url(url))
    asyncio.run(check_url(url, allow_private=True))  # the demo and the tests allow them


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "file:///etc/passwd", "gopher://127.0.0.1/"])
def test_other_schemes_are_refused_even_when_private_is_allowed(url):
    with pytest.raises(Refused, match="is not http"):
        asyncio.run(check_url(url, allow_private=True))
