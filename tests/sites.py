"""The repository's own feeds and article pages (tests/fixtures/feeds, tests/fixtures/pages), put on the
local test server.

Each feed names a made-up host (https://rights-watch.example, ...); `local_feed` rewrites that host to
the test server's address, so the crawler follows the feed's links to 127.0.0.1. tests/fixtures/README.md
says what each file is and which publisher's shape it imitates.
"""

from __future__ import annotations

import io
from pathlib import Path

from pytest_httpserver import HTTPServer

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FEEDS = FIXTURES / "feeds"
PAGES = FIXTURES / "pages"

#: the article pages the crawl tests serve, in the order they use them: a report of a measure being
#: lifted (OpenGraph date), a technical outage that is no censorship (JSON-LD date) and a health story
#: that mentions deleted posts (microdata date)
ARTICLES = ("wikipedia-turkey-restored.html", "social-outage.html", "beijing-plague-cases.html")


def feed(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def article_pages() -> list[bytes]:
    return [page(name) for name in ARTICLES]


def local_feed(name: str, host: str, server: HTTPServer) -> tuple[bytes, list[str]]:
    """Feed `name` with `host` (scheme and name, e.g. "https://monitor.example") replaced by the test
    server's address; returns the body and its items' paths in feed order."""
    import feedparser

    base = server.url_for("").rstrip("/")
    body = feed(name).replace(host.encode(), base.encode())
    links = [e.link for e in feedparser.parse(io.BytesIO(body)).entries]
    assert all(link.startswith(base) for link in links), links
    return body, [link[len(base):] for link in links]
