"""Article links from a press-release listing page that has no feed.

Heuristic, kept small and explainable: links in the page body (not in nav, header,
footer or aside), on the listing's own site, not navigation pages (tags, pagination,
login; courlan's filters), not files, and either long anchor text (a headline) or a
URL path that looks like an article (a slug with dashes or a numeric id).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html
from courlan import is_navigation_page, is_not_crawlable

from .feeds import FeedError, Item
from .urls import canonical, same_site

_SKIP_ANCESTORS = {"nav", "header", "footer", "aside", "form"}
_SKIP_CLASS = re.compile(r"(^|[\s_-])(nav|menu|breadcrumb|footer|header|sidebar|pagination|pager|share|social)"
                         r"([\s_-]|$)", re.IGNORECASE)
_FILE = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|jpe?g|png|gif|svg|mp[34]|css|js|xml|rss)$", re.IGNORECASE)
_ARTICLE_PATH = re.compile(r"([a-z0-9]+-){2,}[a-z0-9]+|\d{4,}", re.IGNORECASE)
_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _skipped(el: lxml.html.HtmlElement) -> bool:
    for anc in el.iterancestors():
        if anc.tag in _SKIP_ANCESTORS:
            return True
        cls = f"{anc.get('class', '')} {anc.get('id', '')} {anc.get('role', '')}"
        if cls.strip() and (_SKIP_CLASS.search(cls) or "navigation" in cls.lower()):
            return True
    return False


def parse_listing(body: bytes, base_url: str) -> list[Item]:
    """Article links found on the listing page at `base_url`, in page order."""
    try:
        doc = lxml.html.document_fromstring(body)
    except (lxml.etree.ParserError, ValueError):
        return []
    listing = canonical(base_url) or base_url
    items: list[Item] = []
    seen: set[str] = {listing}
    for a in doc.iter("a"):
        href = a.get("href")
        if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")) or _skipped(a):
            continue
        url = canonical(href, base_url)
        if not url or url in seen or not same_site(url, base_url):
            continue
        path = urlsplit(url).path
        if path in ("", "/") or _FILE.search(path) or is_navigation_page(url) or is_not_crawlable(url):
            continue
        text = " ".join(a.text_content().split())
        if len(text) < 25 and not _ARTICLE_PATH.search(path.rsplit("/", 1)[-1] or path):
            continue
        seen.add(url)
        published = ""
        container = a.getparent()
        for _ in range(3):  # a date printed next to the headline, as YYYY-MM-DD or in <time>
            if container is None:
                break
            times = container.xpath(".//time/@datetime")
            match = _DATE.search(times[0]) if times else _DATE.search(container.text_content())
            if match:
                published = match.group(0)
                break
            container = container.getparent()
        items.append(Item(url=url, original_url=href, title=text, published=published))
    return items


async def _listing_links(body: bytes, url: str, context: object) -> list[Item]:
    items = parse_listing(body, url)
    if not items:
        raise FeedError("no article links found on the listing page")
    return items


def register_source_types(register) -> None:
    """A press-release listing page without a feed: the article links in its body."""
    from .types import SourceType

    register(SourceType("html", "a press-release listing page (HTML)", _listing_links, html_only=True))
