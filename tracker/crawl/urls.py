"""Canonical article URLs, so one article is stored and fetched once.

courlan drops fragments and tracking parameters (utm_*, fbclid, ...), lower-cases the
host and removes default ports; relative links are resolved against the page first.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from courlan import clean_url, normalize_url


def canonical(url: str, base: str | None = None) -> str | None:
    """Canonical form of `url` (resolved against `base`), or None when it is not an http(s) URL."""
    if not url or not url.strip():
        return None
    url = url.strip()
    if base:
        url = urljoin(base, url)
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    cleaned = clean_url(url)
    if not cleaned:
        return None
    try:
        return normalize_url(cleaned, strict=True)
    except ValueError:
        return None


def same_site(url: str, other: str) -> bool:
    """True when both URLs are on the same host, ignoring a leading www."""
    def host(u: str) -> str:
        h = (urlsplit(u).hostname or "").lower()
        return h.removeprefix("www.")

    return host(url) == host(other)
