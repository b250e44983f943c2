"""Article links from an XML sitemap (urlset) or a sitemap index (sitemapindex).

Bounded, as the sitemap protocol bounds them: a gzip sitemap inflates through `inflate.gunzip`
up to `max_bytes` (never `gzip.decompress`, which a 3.6 kB bomb takes past 1.5 GB), and the
XML is read incrementally (lxml iterparse, each entry cleared once read), refused past
MAX_ENTRIES entries (the protocol's 50,000 per file), so neither the tree nor the list of
links can grow with a hostile file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from lxml import etree

from .feeds import FeedError, Item, looks_like_html
from .inflate import InflateError, TooBig, gunzip
from .urls import canonical

#: entries of one sitemap file, as the sitemap protocol limits them.
MAX_ENTRIES = 50_000
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


@dataclass
class Sitemap:
    items: list[Item]
    children: list[str]  # sub-sitemaps of an index


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _entries(body: bytes, max_entries: int) -> tuple[str, list[tuple[str, str]]]:
    """The root element's name and the (loc, lastmod) of each <url> / <sitemap> entry."""
    kind = ""
    entries: list[tuple[str, str]] = []
    events = etree.iterparse(io.BytesIO(body), events=("start", "end"), resolve_entities=False,
                             no_network=True, huge_tree=False, load_dtd=False)
    depth = 0
    try:
        for event, node in events:
            depth += 1 if event == "start" else -1
            if event == "start":
                if not kind:
                    kind = _local(node.tag)
                    if kind not in ("urlset", "sitemapindex"):
                        raise FeedError(f"not a sitemap: root element <{kind}>")
                continue
            if depth != 1:  # only the root's children are entries; their children are read below
                continue
            if _local(node.tag) in ("url", "sitemap"):
                loc = lastmod = ""
                for child in node:
                    name = _local(child.tag)
                    if name == "loc":
                        loc = (child.text or "").strip()
                    elif name == "lastmod":
                        lastmod = (child.text or "").strip()[:10]
                if loc:
                    if len(entries) >= max_entries:
                        raise FeedError(f"sitemap lists more than {max_entries} entries (the protocol's limit)")
                    entries.append((loc, lastmod))
            node.clear()
            while node.getprevious() is not None:
                del node.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"invalid sitemap XML: {exc.msg}") from None
    return kind, entries


def parse_sitemap(body: bytes, base_url: str, max_bytes: int = DEFAULT_MAX_BYTES,
                  max_entries: int = MAX_ENTRIES) -> Sitemap:
    """Entries of a sitemap, newest first when lastmod is given; FeedError when it is not one."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_bytes)
        except TooBig:
            raise FeedError(f"gzip sitemap inflates past the {max_bytes} byte cap") from None
        except InflateError as exc:
            raise FeedError(f"broken gzip sitemap: {exc}") from None
    if looks_like_html(body):
        raise FeedError("got an HTML page where a sitemap was expected")
    kind, entries = _entries(body, max_entries)
    entries.sort(key=lambda e: e[1], reverse=True)  # stable: undated entries keep their order at the end
    if kind == "sitemapindex":
        return Sitemap([], [u for u, _ in entries if canonical(u, base_url)])
    items, seen = [], set()
    for loc, lastmod in entries:
        url = canonical(loc, base_url)
        if url and url not in seen:
            seen.add(url)
            items.append(Item(url=url, original_url=loc, published=lastmod))
    return Sitemap(items, [])


async def _sitemap_links(body: bytes, url: str, context) -> list[Item]:
    """The sitemap's entries, or those of the first children of a sitemap index, at most MAX_ENTRIES."""
    sitemap = parse_sitemap(body, url, max_bytes=context.max_bytes)
    items = list(sitemap.items)
    for child in sitemap.children[: context.max_children]:
        child_body, child_url = await context.fetch(child, "sitemap")
        items.extend(parse_sitemap(child_body, child_url, max_bytes=context.max_bytes).items)
    return items[:MAX_ENTRIES]


def register_source_types(register) -> None:
    """An XML sitemap or sitemap index (gzip too)."""
    from .types import SourceType

    register(SourceType("sitemap", "an XML sitemap or sitemap index", _sitemap_links, fetch_kind="sitemap"))
