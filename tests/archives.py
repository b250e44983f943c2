"""Web archives for the backfill tests, written with warcio (one gzip member per record, as Common Crawl does).

The stories state true facts: Uganda's block of Facebook before the January 2021 election and its lifting
in February, and Sri Lanka's block of social media after the Easter bombings of April 2019. The other pages
are ordinary news, and the records an archive also holds: redirects, images, non-HTTP records, junk.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Story:
    url: str
    published: str
    title: str
    text: str


UG_BLOCK = Story(
    "https://news.example.org/2021/01/uganda-blocks-facebook", "2021-01-13", "Uganda blocks Facebook before the vote",
    "Ugandan authorities ordered internet providers to block Facebook on Tuesday, two days before the presidential "
    "election.\n\nUsers in Kampala said the site would not load without a VPN.")
# The lift is told plainly ("unblocked"): these stories test reading archives, not one model, and "Uganda lifted
# its block on Facebook" scores near the threshold (0.39 against 0.40 with the model of stop 28).
UG_LIFT = Story(
    "https://news.example.org/2021/02/facebook-back-in-uganda", "2021-02-11", "Access restored",
    "Ugandan authorities unblocked Facebook on Wednesday, restoring access for millions of users.\n\n"
    "The commission said operators had been told to restore the service.")
LK_BLOCK = Story(
    "https://wire.example.net/2019/04/sri-lanka-social-media", "2019-04-21", "Sri Lanka blocks social media",
    "Sri Lanka's government blocked Facebook, WhatsApp and Instagram on Sunday after the Easter bombings, "
    "saying false reports were spreading.\n\nThe block was lifted on 30 April, the president's office said.")
MARKETS = Story(
    "https://news.example.org/2021/01/kampala-markets", "2021-01-15", "Kampala markets reopen",
    "Markets in Kampala were busy on Thursday as traders returned after the holiday.\n\n"
    "Prices of maize and beans were stable, traders said, and buses ran on time.")
CONCERT = Story(
    "https://news.example.org/2021/01/concert", "2021-01-16", "Singer announces tour",
    "The singer announced a tour of twelve cities in a video posted on YouTube on Friday.\n\n"
    "Tickets go on sale next week, her label said.")
EVENTS = (UG_BLOCK, UG_LIFT, LK_BLOCK)
ORDINARY = (MARKETS, CONCERT)


def page(story: Story, extra: str = "") -> str:
    """A news page around the story: navigation, share links and a footer naming services, as sites have."""
    e = html.escape
    paras = "".join(f"<p>{e(p)}</p>" for p in story.text.split("\n\n"))
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(story.title)}</title>"
            f"<meta property='article:published_time' content='{story.published}'>"
            "<script>var blockAds = true; window.twitterWidget = {display: 'block'};</script></head><body>"
            "<nav><a href='/'>Home</a> <a href='/tech'>Tech</a></nav>"
            f"<article><h1>{e(story.title)}</h1>{paras}{extra}</article>"
            "<footer>Follow us on Facebook and X. Do not block our cookies.</footer></body></html>")


@dataclass
class Record:
    """One WARC record to write: an HTTP response by default."""

    url: str
    body: bytes
    status: str = "200 OK"
    content_type: str = "text/html; charset=utf-8"
    date: str = "2024-05-01T10:00:00Z"
    kind: str = "response"  # or "resource", "metadata": no HTTP
    http: bool = True


def story_record(story: Story, date: str = "2024-05-01T10:00:00Z", url: str | None = None) -> Record:
    return Record(url or story.url, page(story).encode("utf-8"), date=date)


def junk_records() -> list[Record]:
    """What archives hold besides pages: a redirect, an image, a record that is no HTTP response, a binary body
    served as HTML, and a page with no text."""
    return [
        Record("https://news.example.org/old", b"", status="301 Moved Permanently"),
        Record("https://news.example.org/logo.jpg", b"\xff\xd8\xff\xe0" + bytes(300), content_type="image/jpeg"),
        Record("https://news.example.org/robots.txt", b"User-agent: *", kind="resource", http=False,
               content_type="text/plain"),
        Record("https://news.example.org/not-http", b"this is not an HTTP message", http=False,
               content_type="text/plain"),
        Record("https://news.example.org/binary", b"%PDF-1.4\n" + bytes(500)),
        Record("https://news.example.org/empty", b"<html><body><div></div></body></html>"),
    ]


def write_warc(path: Path, records: list[Record], gzip: bool = True) -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tracker tests"}))
        for r in records:
            headers = None
            if r.http:
                headers = StatusAndHeaders(r.status, [("Content-Type", r.content_type),
                                                      ("Content-Length", str(len(r.body)))], protocol="HTTP/1.1")
            warc_headers = {"WARC-Date": r.date}
            if not r.http:
                warc_headers["Content-Type"] = r.content_type
            # warcio reads HTTP headers out of a response's payload: a response that is no HTTP message is
            # written as a resource and retyped
            kind = "resource" if (r.kind == "response" and not r.http) else r.kind
            record = writer.create_warc_record(r.url, kind, payload=io.BytesIO(r.body), http_headers=headers,
                                               warc_headers_dict=warc_headers)
            if kind != r.kind:
                record.rec_headers.replace_header("WARC-Type", r.kind)
            writer.write_record(record)
    return path
