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
from collections.abc import Callable
from dataclasses import dataclass

import trafilatura
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from ..languages import decide
from .charset import decode_html

_SPACE = re.compile(r"\s+")
_LIST_ITEM = re.compile(r"- \S")  # how trafilatura writes a list item in its text
_DATE_PARAMS = {"extensive_search": False, "original_date": True}
_MAGIC = ((b"%PDF-", "a PDF"), (b"PK\x03\x04", "a zip archive"), (b"\x89PNG", "a PNG image"),
          (b"GIF8", "a GIF image"), (b"\xff\xd8\xff", "a JPEG image"), (b"\x1f\x8b", "gzip data"),
          (b"OggS", "an Ogg file"))
#: main text shorter than this is boilerplate (a "Home" link, a cookie notice), not an article.
MIN_TEXT_CHARS = 40
_TEXT_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")
#: characters trafilatura drops as unprintable that are part of how a language is written: the zero-width
#: non-joiner inside Persian words (پیام‌رسان), the joiner in Indic scripts and emoji
_JOINERS = ("\u200c", "\u200d")
#: printable stand-ins for them while trafilatura works, rare enough to be absent from a page
_STAND_INS = ("\u2e3b", "\u2e3a", "\u2042", "\u2bd1", "\u2e4e", "\u2e4f")


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


def paragraphs(text: str, title: str = "") -> str:
    """trafilatura's text with a blank line between its blocks, a list's items kept together, and
    without a first line that only repeats the title.

    trafilatura writes one block (paragraph, heading, list item, table row) a line; the extractor reads
    paragraphs from blank lines, as the corpus it was trained on writes them, so without this every page
    read as one long paragraph (dev texts so flattened lose 4 to 7 points of event precision,
    bench/crawled.py). The title is stored and read on its own; a headline kept in the text too would be
    read twice.
    """
    blocks: list[str] = []
    item = False
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        is_item = bool(_LIST_ITEM.match(line))
        if blocks and is_item and item:
            blocks[-1] += "\n" + line
        else:
            blocks.append(line)
        item = is_item
    if len(blocks) > 1 and _repeats(blocks[0], title):
        del blocks[0]
    return "\n\n".join(blocks)


def _repeats(line: str, title: str) -> bool:
    """The line is the title, or the title with the site's name after a separator."""
    line, title = _SPACE.sub(" ", line).strip().casefold(), _SPACE.sub(" ", title).strip().casefold()
    if not line or not title.startswith(line):
        return False
    rest = title[len(line):].lstrip()
    return not rest or rest[0] in "|-–—:·•"


def _hide_joiners(html: str) -> tuple[str, Callable[[str | None], str | None]]:
    """The page with its zero-width joiners swapped for printable stand-ins, and how to swap them back."""
    pairs = []
    free = iter(c for c in _STAND_INS if c not in html)
    for joiner in _JOINERS:
        if joiner in html:
            stand_in = next(free, "")
            if not stand_in:
                break  # a page with every stand-in in it keeps trafilatura's reading
            html = html.replace(joiner, stand_in)
            pairs.append((stand_in, joiner))

    def restore(value: str | None) -> str | None:
        for stand_in, joiner in pairs:
            value = value.replace(stand_in, joiner) if value else value
        return value
    return html, restore


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
    hidden, restore = _hide_joiners(html)
    doc = trafilatura.bare_extraction(_tree(hidden), url=url, with_metadata=True, include_comments=False,
                                      date_extraction_params=_DATE_PARAMS)
    if doc is None:
        raise PageError("no main text found in the page")
    doc.text, doc.title, doc.author = (restore(v) for v in (doc.text, doc.title, doc.author))
    text = paragraphs(doc.text or "", doc.title or "")
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
