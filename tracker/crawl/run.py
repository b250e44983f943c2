"""One crawl run: poll the sources concurrently, store new articles, summarise.

Per source: conditional GET of the feed / listing / sitemap (a 304 ends there, no
parsing), the article links not yet stored, robots.txt, one fetch per new article,
extraction in a worker thread, one transaction per article. Any failure of a source is
caught, written down and summarised; the other sources carry on. A source polled
successfully less than its `poll_minutes` ago is not due (see schedule) and gets no request,
unless `force` is set.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import sqlite_utils

from ..config import Source
from ..settings import get_settings
from .article import ExtractionError, extract_article
from .feeds import FeedError, Item, parse_feed
from .http import Attempt, Fetcher, FetchError, HttpOptions, now_iso, raise_for_status
from .listing import parse_listing
from .robots import RobotsCache
from .schedule import next_polls
from .sitemap import parse_sitemap
from .store import Store


@dataclass(frozen=True)
class CrawlOptions:
    http: HttpOptions = field(default_factory=HttpOptions)
    allow_private: bool | None = None  # None: TRACKER_ALLOW_PRIVATE decides
    max_items: int = 50  # new articles fetched per source and run
    sources_at_once: int = 8
    robots: bool = True
    max_child_sitemaps: int = 5
    force: bool = False  # poll every given source, due or not


@dataclass
class SourceResult:
    name: str
    status: str = "failed"  # ok, not_modified, failed or not_due (skipped: polled recently)
    error: str = ""
    next_poll: str = ""  # when a not_due source becomes due (UTC, ISO 8601)
    items: int = 0  # links the source listed
    new: int = 0  # articles stored
    duplicates: int = 0  # same URL or same text already stored
    skipped: int = 0  # refused by robots.txt or failed articles
    bytes: int = 0


@dataclass
class CrawlSummary:
    sources: list[SourceResult]
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        return sum(r.status in ("ok", "not_modified") for r in self.sources)

    @property
    def failed(self) -> int:
        return sum(r.status == "failed" for r in self.sources)

    @property
    def not_due(self) -> int:
        """Sources skipped because their last successful poll is more recent than their poll_minutes."""
        return sum(r.status == "not_due" for r in self.sources)

    @property
    def new_articles(self) -> int:
        return sum(r.new for r in self.sources)

    @property
    def bytes(self) -> int:
        return sum(r.bytes for r in self.sources)

    def as_dict(self) -> dict:
        return {
            "sources_ok": self.ok,
            "sources_failed": self.failed,
            "sources_skipped": self.not_due,
            "new_articles": self.new_articles,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 2),
            "sources": [asdict(r) for r in self.sources],
        }


def crawl(db: sqlite_utils.Database, sources: list[Source], options: CrawlOptions | None = None,
          progress: Callable[[SourceResult], None] | None = None) -> CrawlSummary:
    """Crawl `sources` into `db` and return the summary (see module docstring)."""
    options = options or CrawlOptions()
    return asyncio.run(_Run(db, options, progress).crawl(sources))


class _Run:
    def __init__(self, db: sqlite_utils.Database, options: CrawlOptions,
                 progress: Callable[[SourceResult], None] | None):
        self.store = Store(db)
        self.options = options
        self.progress = progress or (lambda result: None)
        self.allow_private = (get_settings().allow_private if options.allow_private is None
                              else options.allow_private)
        self.results: dict[str, SourceResult] = {}
        self.claimed: set[str] = set()  # article URLs taken by some source in this run

    def _on_attempt(self, attempt: Attempt) -> None:
        self.store.record_attempt(attempt)
        result = self.results.get(attempt.source)
        if result is not None:
            result.bytes += attempt.bytes

    async def crawl(self, sources: list[Source]) -> CrawlSummary:
        start = time.monotonic()
        waiting = {} if self.options.force else next_polls(self.store.db, sources)
        self.store.sync_sources(sources)
        self.results = {s.name: SourceResult(s.name) for s in sources}
        for name, due in waiting.items():
            result = self.results[name]
            result.status, result.next_poll = "not_due", due.strftime("%Y-%m-%dT%H:%M:%SZ")
            self.progress(result)
        todo = [s for s in sources if s.name not in waiting]
        gate = asyncio.Semaphore(self.options.sources_at_once)
        async with Fetcher(self.options.http, allow_private=self.allow_private,
                           on_attempt=self._on_attempt) as fetcher:
            self.fetcher = fetcher
            self.robots = RobotsCache(fetcher)

            async def one(source: Source) -> None:
                async with gate:
                    await self._source(source)
                self.progress(self.results[source.name])

            await asyncio.gather(*(one(s) for s in todo))
        return CrawlSummary([self.results[s.name] for s in sources], time.monotonic() - start)

    async def _source(self, source: Source) -> None:
        result = self.results[source.name]
        started = now_iso()  # last_polled is when the poll began: the schedule counts from there
        try:
            await self._poll(source, result, started)
        except (FetchError, FeedError) as exc:
            result.status, result.error = "failed", str(exc)
            self.store.finish_source(source.name, "failed", str(exc), polled_at=started)
        except Exception as exc:  # noqa: BLE001 - one broken source never stops the run
            result.status, result.error = "failed", f"{exc.__class__.__name__}: {exc}"
            self.store.finish_source(source.name, "failed", result.error, polled_at=started)

    async def _poll(self, source: Source, result: SourceResult, started: str) -> None:
        if self.options.robots:
            reason = await self.robots.check(source.url, source.name)
            if reason:
                raise FetchError(reason, transient=False)
        etag, last_modified = self.store.validators(source.name, source.url)
        kind = "sitemap" if source.type == "sitemap" else "feed"
        resp = await self.fetcher.get(source.url, kind=kind, source=source.name, etag=etag,
                                      last_modified=last_modified, html_only=source.type == "html")
        raise_for_status(resp)
        if resp.status == 304:
            result.status = "not_modified"
            self.store.finish_source(source.name, "not_modified", polled_at=started)
            return
        items = await self._items(source, resp.body, resp.url)
        result.items = len(items)
        skip = self.store.skip_urls([i.url for i in items])
        todo = [i for i in items if i.url not in skip and i.url not in self.claimed][: self.options.max_items]
        self.claimed.update(i.url for i in todo)
        outcomes = await asyncio.gather(*(self._article(source, item) for item in todo))
        result.new = outcomes.count("new")
        result.duplicates = outcomes.count("duplicate_url") + outcomes.count("duplicate_content")
        result.skipped = len(outcomes) - result.new - result.duplicates
        result.status = "ok"
        self.store.finish_source(source.name, "ok", etag=resp.headers.get("etag"),
                                 last_modified=resp.headers.get("last-modified"),
                                 keep_validators="retry" not in outcomes, polled_at=started)

    async def _items(self, source: Source, body: bytes, url: str) -> list[Item]:
        if source.is_feed:
            return parse_feed(body, url)
        if source.type == "html":
            items = parse_listing(body, url)
            if not items:
                raise FeedError("no article links found on the listing page")
            return items
        sitemap = parse_sitemap(body, url)
        items = list(sitemap.items)
        for child in sitemap.children[: self.options.max_child_sitemaps]:
            resp = await self.fetcher.get(child, kind="sitemap", source=source.name)
            raise_for_status(resp)
            items.extend(parse_sitemap(resp.body, resp.url).items)
        return items

    async def _article(self, source: Source, item: Item) -> str:
        """Fetch, extract and store one article: new, duplicate_*, retry (transient) or failed."""
        if self.options.robots:
            reason = await self.robots.check(item.url, source.name)
            if reason:
                if reason.startswith("robots.txt unavailable"):
                    return "retry"
                self.store.record_attempt(Attempt(item.url, "article", source.name, error=reason))
                return "failed"
        fetched_at = now_iso()
        try:
            resp = await self.fetcher.get(item.url, kind="article", source=source.name, html_only=True)
            raise_for_status(resp)
        except FetchError as exc:
            return "retry" if exc.transient else "failed"
        try:
            extracted = await asyncio.to_thread(extract_article, resp.body, item.url, item.published,
                                                item.title)
        except ExtractionError:
            return "failed"
        return self.store.save_article(source.name, item, extracted, resp.body, fetched_at)


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def format_summary(summary: CrawlSummary) -> str:
    """The summary as a plain-text table, one line per source then the totals."""
    header = ("source", "status", "links", "new", "dup", "skipped", "bytes", "error / note")
    rows = [(r.name, r.status, str(r.items), str(r.new), str(r.duplicates), str(r.skipped), _size(r.bytes),
             f"next poll {r.next_poll}" if r.status == "not_due" else r.error[:70]) for r in summary.sources]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.append("")
    lines.append(f"{totals_line(summary)}  bytes: {_size(summary.bytes)}  time: {summary.seconds:.1f}s")
    return "\n".join(lines)


def totals_line(summary: CrawlSummary) -> str:
    """The sources' outcomes and the new articles on one line, as the crawl and run summaries both print them."""
    skipped = f"  skipped (not due): {summary.not_due}" if summary.not_due else ""
    return f"sources ok: {summary.ok}  failed: {summary.failed}{skipped}  new articles: {summary.new_articles}"
