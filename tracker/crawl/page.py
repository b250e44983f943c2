"""Main text and metadata of an article page (trafilatura, htmldate, py3langid).

The page arrives as bytes and is decoded here (`charset`: HTTP charset, the document's, then
detection) before any parser sees it; trafilatura and htmldate are handed a parsed lxml tree,
never a string or bytes they may take for a file name or a URL to download (htmldate fetches a
string that starts with "http"). Bytes that are not a page at all (a PDF, an image, an archive,
anything with NUL bytes) are refused before parsing. The date comes from the page's own markup first (trafilatura's metadata), then from a
fuller htmldate pass, then from the feed or listing page that linked it. Both passes
stay off the "guess from any date in the text" mode, which picks up dates the article
merely mentions.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import trafilatura
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from ..languages import decide
from .charset import decode_html

_SPACE = re.compile(r"\s+")
_DATE_PARAMS = {"extensive_search": False, "original_date": True}
_MAGIC = ((b"%PDF-", "a PDF"), (b"PK\x03\x04", "a zip archive"), (b"\x89PNG", "a PNG image"),
          (b"GIF8", "a GIF image"), (b"\xff\xd8\xff", "a JPEG image"), (b"\x1f\x8b", "gzip data"),
          (b"OggS", "an Ogg file"))
#: main text shorter than this is boilerplate (a "Home" link, a cookie notice), not an article.
MIN_TEXT_CHARS = 40
_TEXT_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")


class PageError(Exception):
    """The page has no main text worth storing."""


@dataclass(frozen=True)
class PageText:
    title: str
    text: str
    author: str
    published: str
    language: str
    content_hash: str


def content_hash(text: str) -> str:
    """SHA-256 of the text with case and whitespace normalised: the same story from two URLs matches."""
    return hashlib.sha256(_SPACE.sub(" ", text).strip().casefold().encode("utf-8")).hexdigest()


def binary_kind(body: bytes) -> str:
    """What a body is when it is not text at all ("a PDF", "binary data"), else ''."""
    head = body[:1024].lstrip()
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if b"\x00" in head and not body.startswith(_TEXT_BOMS):
        return "binary data"
    return ""


def _tree(text: str) -> HtmlElement:
    tree = load_html(text)  # trafilatura's own parser settings; a str is never fetched or opened
    if tree is None:
        raise PageError("not an HTML document")
    return tree


def read_page(html: bytes | str, url: str, fallback_date: str = "", fallback_title: str = "",
              content_type: str = "", source_language: str = "") -> PageText:
    """Extract one article page; PageError when no main text is found.

    Bytes are decoded with the HTTP `content_type` charset first (see `charset`); a str is taken
    as the page's text.
    """
    if isinstance(html, bytes):
        what = binary_kind(html)
        if what:
            raise PageError(f"{what} where an HTML page was expected")
        html = decode_html(html, content_type)
    if not html.strip():
        raise PageError("empty page")
    doc = trafilatura.bare_extraction(_tree(html), url=url, with_metadata=True, include_comments=False,
                                      date_extraction_params=_DATE_PARAMS)
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if len(text) < MIN_TEXT_CHARS:
        raise PageError("no main text found in the page")
    published = (doc.date or "")[:10]
    if not published:
        try:
            published = find_date(_tree(html), url=url, extensive_search=False, original_date=True) or ""
        except Exception:  # noqa: BLE001 - htmldate on odd markup; the feed date is the fallback
            published = ""
    published = published or fallback_date
    return PageText(
        title=(doc.title or fallback_title or "").strip(),
        text=text,
        author=(doc.author or "").strip(),
        published=published[:10],
        language=decide(text, getattr(doc, "language", None) or _declared_lang(html), source_language),
        content_hash=content_hash(text),
    )


_LANG_ATTR = re.compile(rb"<html[^>]*\slang=[\"']?([A-Za-z]{2})", re.IGNORECASE)


def _declared_lang(html: str) -> str:
    head = html[:4096].encode("utf-8", "replace")
    m = _LANG_ATTR.search(head)
    return m.group(1).decode().lower() if m else ""
