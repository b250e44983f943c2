"""Read RSS and Atom feeds from the fetched bytes (feedparser never does network here).

feedparser.parse takes a str or bytes that looks like a file name or a URL for one, and opens or
downloads it: a body such as "/etc/passwd", "/dev/zero" or "http://127.0.0.1/..." would make the
crawler read a local file or reach an internal service. So feedparser only ever gets a stream of
the body (io.BytesIO), and a body that does not even start like XML is refused before it. A feed
listing more than MAX_ENTRIES items is refused before parsing (feedparser holds every entry in
memory at several kB each).
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass

import feedparser

from .urls import canonical

#: items of one feed; far above any real feed, far below what memory allows.
MAX_ENTRIES = 5000
_ENTRY = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]")
_XML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<")
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")


class FeedError(Exception):
    """The body is not a usable feed; the message says what it is instead."""


@dataclass(frozen=True)
class Item:
    """A link to an article, as a feed, listing page or sitemap gives it."""

    url: str  # canonical
    original_url: str
    title: str = ""
    published: str = ""  # YYYY-MM-DD when the source gives a date


def looks_like_html(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:].lstrip()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]


def _date(entry: dict) -> str:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return time.strftime("%Y-%m-%d", value)
    raw = entry.get("published") or entry.get("updated") or ""
    if raw:
        import dateparser  # only for dates feedparser cannot read (e.g. "Seg, 24 Set 2018")

        parsed = dateparser.parse(raw, settings={"RETURN_AS_TIMEZONE_AWARE": False})
        if parsed:
            return parsed.strftime("%Y-%m-%d")
    return ""


def parse_feed(body: bytes, base_url: str) -> list[Item]:
    """Items of an RSS/Atom document; FeedError when it is HTML, broken XML or not a feed."""
    if not body.strip():
        raise FeedError("empty body where a feed was expected")
    if looks_like_html(body):
        raise FeedError("got an HTML page where a feed was expected")
    if not (_XML_START.match(body) or body.startswith(_WIDE_BOMS)):
        raise FeedError("not a feed: the body is not XML")
    if len(_ENTRY.findall(body, 0, len(body))) > MAX_ENTRIES:
        raise FeedError(f"feed lists more than {MAX_ENTRIES} items")
    # The body is judged here (HTML, XML errors), not by its Content-Type: without one in the headers,
    # feedparser flags every document, which made a valid feed with no items look broken.
    parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-location": base_url,
                                                      "content-type": "application/xml"})
    items: list[Item] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        link = entry.get("link") or ""
        if not link:
            for candidate in entry.get("links", []):
                if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                    link = candidate["href"]
                    break
        url = canonical(link, base_url)
        if not url or url in seen:
            continue
        seen.add(url)
        items.append(Item(url=url, original_url=link, title=(entry.get("title") or "").strip(),
                          published=_date(entry)))
    if parsed.bozo and not items:  # broken XML that yielded nothing usable (no entries, or none with a link)
        raise FeedError(_xml_error(parsed.get("bozo_exception")))
    if not parsed.get("version") and not parsed.entries:
        raise FeedError("not an RSS or Atom document")
    return items


def _xml_error(exc: BaseException | None) -> str:
    """The parse error as one line with its position, naming nothing but the body's own line and column."""
    if exc is None:
        return "invalid feed XML"
    where = ""
    if hasattr(exc, "getLineNumber"):
        where = f"line {exc.getLineNumber()}, column {exc.getColumnNumber()}: "
    message = exc.getMessage() if hasattr(exc, "getMessage") else str(exc)
    return f"invalid feed XML: {where}{message}"


async def _feed_links(body: bytes, url: str, context: object) -> list[Item]:
    return parse_feed(body, url)


def register_source_types(register) -> None:
    """RSS and Atom: the items of the feed (feedparser reads both; the name says what the source serves)."""
    from .types import SourceType

    register(SourceType("rss", "an RSS feed", _feed_links))
    register(SourceType("atom", "an Atom feed", _feed_links))
