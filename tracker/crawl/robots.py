"""robots.txt, fetched once per host per run and kept parsed (protego).

Rules follow RFC 9309: a 4xx robots.txt means no restrictions; a robots.txt that cannot
be fetched (5xx, timeout) means "crawl nothing there for now"; the articles are retried
on the next run. A Crawl-delay widens the fetcher's spacing for that host.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from protego import Protego

from .http import Fetcher, FetchError

MAX_CRAWL_DELAY = 30.0


class RobotsCache:
    def __init__(self, fetcher: Fetcher, user_agent: str = "tracker-crawler"):
        self.fetcher = fetcher
        self.user_agent = user_agent
        self._rules: dict[str, Protego | None | str] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def check(self, url: str, source: str) -> str | None:
        """None when `url` may be fetched, else the reason it may not."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in self._rules:
                self._rules[origin] = await self._load(origin, source)
        rules = self._rules[origin]
        if isinstance(rules, str):
            return rules
        if rules is None or rules.can_fetch(url, self.user_agent):
            return None
        return "disallowed by robots.txt"

    async def _load(self, origin: str, source: str) -> Protego | None | str:
        try:
            resp = await self.fetcher.get(origin + "/robots.txt", kind="robots", source=source)
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                return None
            return f"robots.txt unavailable ({exc.reason})"
        if resp.status != 200:
            if 400 <= resp.status < 500:
                return None
            return f"robots.txt unavailable (HTTP {resp.status})"
        text = resp.body.decode("utf-8", errors="replace")
        try:
            rules = Protego.parse(text)
        except Exception:  # noqa: BLE001 - an unparseable robots.txt restricts nothing
            return None
        delay = rules.crawl_delay(self.user_agent)
        if delay:
            self.fetcher.host_delay(urlsplit(origin).netloc.lower(), min(float(delay), MAX_CRAWL_DELAY))
        return rules
