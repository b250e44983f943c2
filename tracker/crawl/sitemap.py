"""Article links from an XML sitemap (urlset) or a sitemap index (sitemapindex)."""

from __future__ import annotations

import gzip
from dataclasses import dataclass

from lxml import etree

from .feeds import FeedError, Item, looks_like_html
from .urls import canonical


@dataclass
class Sitemap:
    items: list[Item]
    children: list[str]  # sub-sitemaps of an index


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_sitemap(body: bytes, base_url: str) -> Sitemap:
    """Entries of a sitemap, newest first when lastmod is given; FeedError when it is not one."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError) as exc:
            raise FeedError(f"broken gzip sitemap: {exc}") from None
    if looks_like_html(body):
        raise FeedError("got an HTML page where a sitemap was expected")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"invalid sitemap XML: {exc}") from None
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise FeedError(f"not a sitemap: root element <{kind}>")
    entries: list[tuple[str, str]] = []
    for node in root:
        if _local(node.tag) not in ("url", "sitemap"):
            continue
        loc = lastmod = ""
        for child in node:
            name = _local(child.tag)
            if name == "loc":
                loc = (child.text or "").strip()
            elif name == "lastmod":
                lastmod = (child.text or "").strip()[:10]
        if loc:
            entries.append((loc, lastmod))
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
