"""One crawl run: poll the sources concurrently, store new articles, summarise.

Per source: the address check (internal addresses are refused before anything, robots.txt
included), a conditional GET of the feed / listing / sitemap (a 304 ends there, no parsing),
the article links not yet stored nor final (see `outcomes`), robots.txt, one fetch per
article, extraction in a worker thread, one transaction per article. Articles are taken in
batches until `max_items` *new* articles are stored: junk (no text, duplicates, refusals,
errors) does not use that allowance, only the `max_fetches` one. Any failure of a source is
caught, written down and summarised; the other sources carry on.

Runs end: each source has `source_seconds` and the whole run `run_seconds`. When a deadline
passes, the requests in flight are cancelled, what was stored stays, the source is recorded
`partial` with the number of articles left, and it is due again at the next run; a source not
started before the run's deadline is `deferred` and keeps its state. A source polled
successfully less than its `poll_minutes` ago is not due, and one that keeps failing is backed
off (see schedule); neither gets a request, unless `force` is set.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta

import sqlite_utils

from ..clock import STAMP
from ..settings import get_settings, tunable
from ..sources import Source
from .feeds import FeedError, Item
from .http import Attempt, Fetcher, FetchError, HttpOptions, now_iso, raise_for_status
from .page import PageError, read_page
from .robots import RobotsCache
from .schedule import Wait, waits
from .store import Store
from .types import source_type


def _crawl(key: str):
    return field(default_factory=lambda: tunable("crawl", key))


@dataclass(frozen=True)
class CrawlOptions:
    """What bounds a crawl run; the defaults come from models/settings.toml ([crawl])."""

    http: HttpOptions = field(default_factory=HttpOptions)
    allow_private: bool | None = None  # None: TRACKER_ALLOW_PRIVATE decides
    max_items: int = _crawl("max_items")  # new articles stored per source and run (junk, duplicates don't count)
    max_fetches: int = _crawl("max_fetches")  # article links tried per source and run, junk included
    sources_at_once: int = _crawl("sources_at_once")
    robots: bool = True
    max_child_sitemaps: int = _crawl("max_child_sitemaps")
    force: bool = False  # poll every given source, due or not, backing off or not
    source_seconds: float = _crawl("source_seconds")  # deadline of one source's poll; the rest waits
    run_seconds: float = _crawl("run_seconds")  # deadline of the whole run; sources not started are deferred
    backoff_minutes: float = _crawl("backoff_minutes")  # k failures in a row wait min(this x 2^k, 24 h)


@dataclass
class SourceResult:
    name: str
    status: str = "failed"  # ok, not_modified, partial, failed; skipped: not_due, backing_off, deferred
    error: str = ""
    next_poll: str = ""  # when a not_due or backing_off source becomes due (UTC, ISO 8601)
    items: int = 0  # links the source listed
    new: int = 0  # articles stored
    duplicates: int = 0  # same URL or same text already stored
    skipped: int = 0  # tried without a new article: refused, robots.txt, no text, errors
    left: int = 0  # links not tried this run (max_items, max_fetches or a deadline): the next run takes them
    bytes: int = 0
    failures: int = 0  # failed polls in a row, for a backing_off source


@dataclass
class CrawlSummary:
    sources: list[SourceResult]
    seconds: float = 0.0

    def _count(self, *statuses: str) -> int:
        return sum(r.status in statuses for r in self.sources)

    @property
    def ok(self) -> int:
        """Sources polled successfully, including those a deadline cut after some articles."""
        return self._count("ok", "not_modified", "partial")

    @property
    def failed(self) -> int:
        return self._count("failed")

    @property
    def not_due(self) -> int:
        """Sources skipped because their last successful poll is more recent than their poll_minutes."""
        return self._count("not_due")

    @property
    def backing_off(self) -> int:
        """Sources skipped because they failed their last polls and their backoff has not run out."""
        return self._count("backing_off")

    @property
    def deferred(self) -> int:
        """Sources not started before the run's deadline."""
        return self._count("deferred")

    @property
    def skipped(self) -> int:
        """Sources that got no request: not due, backing off or deferred."""
        return self.not_due + self.backing_off + self.deferred

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
            "sources_skipped": self.skipped,
            "sources_backing_off": self.backing_off,
            "sources_deferred": self.deferred,
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


class _Links:
    """What a source type may use while it finds links (tracker.crawl.types.LinkContext)."""

    def __init__(self, run: _Run, source: Source) -> None:
        self.run, self.source = run, source
        self.max_bytes = run.options.http.max_bytes
        self.max_children = run.options.max_child_sitemaps

    async def fetch(self, url: str, kind: str) -> tuple[bytes, str]:
        resp = await self.run.fetcher.get(url, kind=kind, source=self.source.name)
        raise_for_status(resp)
        return resp.body, resp.url


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
        self.listed: set[str] = set()  # sources whose links were read in this run
        self.retrying: set[str] = set()  # sources with an article that failed for a passing reason
        self.run_deadline = 0.0

    def _on_attempt(self, attempt: Attempt) -> None:
        self.store.record_attempt(attempt)
        result = self.results.get(attempt.source)
        if result is not None:
            result.bytes += attempt.bytes

    def _skip(self, result: SourceResult, wait: Wait) -> None:
        result.status, result.next_poll = wait.reason, wait.until.strftime(STAMP)
        if wait.reason == "backing_off":
            result.failures = wait.failures
            result.error = f"backing off until {result.next_poll} after {wait.failures} failed polls in a row"
        self.progress(result)

    async def crawl(self, sources: list[Source]) -> CrawlSummary:
        start = time.monotonic()
        loop = asyncio.get_running_loop()
        self.run_deadline = loop.time() + self.options.run_seconds
        waiting = {} if self.options.force else waits(
            self.store.db, sources, base=timedelta(minutes=self.options.backoff_minutes))
        self.store.sync_sources(sources)
        self.results = {s.name: SourceResult(s.name) for s in sources}
        for name, wait in waiting.items():
            self._skip(self.results[name], wait)
        todo = [s for s in sources if s.name not in waiting]
        gate = asyncio.Semaphore(self.options.sources_at_once)
        async with Fetcher(self.options.http, allow_private=self.allow_private,
                           on_attempt=self._on_attempt) as fetcher:
            self.fetcher = fetcher
            self.robots = RobotsCache(fetcher)

            async def one(source: Source) -> None:
                async with gate:
                    if loop.time() >= self.run_deadline:
                        result = self.results[source.name]
                        result.status = "deferred"
                        result.error = f"run deadline of {self.options.run_seconds:g}s reached before its turn"
                    else:
                        await self._source(source)
                self.progress(self.results[source.name])

            await asyncio.gather(*(one(s) for s in todo))
        return CrawlSummary([self.results[s.name] for s in sources], time.monotonic() - start)

    def _fail(self, source: Source, result: SourceResult, started: str, error: str) -> None:
        result.status, result.error = "failed", error
        self.store.finish_source(source.name, "failed", error, polled_at=started)

    async def _source(self, source: Source) -> None:
        result = self.results[source.name]
        started = now_iso()  # last_polled is when the poll began: the schedule counts from there
        loop = asyncio.get_running_loop()
        deadline = min(loop.time() + self.options.source_seconds, self.run_deadline)
        timer = asyncio.timeout_at(deadline)
        try:
            async with timer:
                await self._poll(source, result, started)
        except TimeoutError as exc:
            if not timer.expired():
                self._fail(source, result, started, f"TimeoutError: {exc}")
            else:
                self._cut(source, result, started, by_run=deadline >= self.run_deadline)
        except (FetchError, FeedError) as exc:
            self._fail(source, result, started, str(exc))
        except Exception as exc:  # noqa: BLE001 - one broken source never stops the run
            self._fail(source, result, started, f"{exc.__class__.__name__}: {exc}")

    def _cut(self, source: Source, result: SourceResult, started: str, by_run: bool) -> None:
        """A deadline passed: keep what was stored, say what is left, let the next run go on."""
        seconds = self.options.run_seconds if by_run else self.options.source_seconds
        what = f"{'run' if by_run else 'source'} deadline of {seconds:g}s reached"
        if source.name in self.listed:
            result.status = "partial"
            result.error = f"{what}: {result.left} articles left for the next run"
            self.store.finish_source(source.name, "partial", result.error, polled_at=started)
        elif by_run:  # not the source's fault: no failure counted, its state stays as it was
            result.status, result.error = "deferred", f"{what} before the source was read"
        else:
            self._fail(source, result, started, f"{what} before the source was read")

    async def _poll(self, source: Source, result: SourceResult, started: str) -> None:
        stype = source_type(source.type)
        kind = stype.fetch_kind
        await self.fetcher.check(source.url, kind=kind, source=source.name)  # before robots.txt, before all
        if self.options.robots:
            reason = await self.robots.check(source.url, source.name)
            if reason:
                raise FetchError(reason, "disallowed")
        etag, last_modified = self.store.validators(source.name, source.url)
        resp = await self.fetcher.get(source.url, kind=kind, source=source.name, etag=etag,
                                      last_modified=last_modified, html_only=stype.html_only)
        raise_for_status(resp)
        if resp.status == 304:
            result.status = "not_modified"
            self.store.finish_source(source.name, "not_modified", polled_at=started)
            return
        items = await stype.links(resp.body, resp.url, _Links(self, source))
        result.items = len(items)
        skip = self.store.skip_urls([i.url for i in items])
        todo = [i for i in items if i.url not in skip and i.url not in self.claimed]
        result.left = len(todo)
        self.listed.add(source.name)
        await self._articles(source, result, todo)
        result.status = "ok"
        done = result.left == 0 and source.name not in self.retrying
        self.store.finish_source(source.name, "ok", etag=resp.headers.get("etag"),
                                 last_modified=resp.headers.get("last-modified"),
                                 keep_validators=done, polled_at=started)

    async def _articles(self, source: Source, result: SourceResult, todo: list[Item]) -> None:
        """Take the links in batches until `max_items` new articles are stored or `max_fetches` are used."""
        o = self.options
        queue, budget = list(todo), o.max_fetches
        while queue and result.new < o.max_items and budget > 0:
            n = min(o.max_items - result.new, budget, len(queue))
            batch, queue = queue[:n], queue[n:]
            budget -= n
            self.claimed.update(i.url for i in batch)
            await asyncio.gather(*(self._counted(source, result, item) for item in batch))

    async def _counted(self, source: Source, result: SourceResult, item: Item) -> None:
        outcome = await self._article(source, item)
        result.left -= 1
        if outcome == "new":
            result.new += 1
        elif outcome == "duplicate":
            result.duplicates += 1
        else:
            result.skipped += 1
            if outcome == "retry":
                self.retrying.add(source.name)

    async def _article(self, source: Source, item: Item) -> str:
        """Fetch, extract and store one article: new, duplicate, final (never again), disallowed or retry."""
        name = source.name
        try:
            await self.fetcher.check(item.url, kind="article", source=name)  # refused: recorded, final
        except FetchError as exc:
            return "final" if exc.final else "retry"
        if self.options.robots:
            reason = await self.robots.check(item.url, name)
            if reason:
                if reason.startswith("robots.txt unavailable"):
                    return "retry"
                self.store.record_attempt(Attempt(item.url, "article", name, error=reason, outcome="disallowed"))
                return "disallowed"
        fetched_at = now_iso()
        try:
            resp = await self.fetcher.get(item.url, kind="article", source=name, html_only=True)
            raise_for_status(resp)
        except FetchError as exc:
            if not exc.final:
                return "retry"
            self.store.settle(exc.chain, exc.outcome)
            return "final"
        try:
            extracted = await asyncio.to_thread(read_page, resp.body, item.url, item.published,
                                                item.title, resp.headers.get("content-type", ""), source.language)
        except PageError as exc:
            self.store.settle(resp.chain, "no_text", f"no text: {exc}")
            return "final"
        saved = self.store.save_article(name, item, extracted, resp.body, fetched_at)
        if saved == "new":
            return "new"
        self.store.settle(resp.chain, "duplicate", "duplicate: " + (
            "URL already stored" if saved == "duplicate_url" else "same text as a stored article"))
        return "duplicate"


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _note(r: SourceResult) -> str:
    if r.status == "not_due":
        return f"next poll {r.next_poll}"
    if r.status in ("ok", "not_modified") and r.left:
        return f"{r.left} links left for the next run"
    return r.error[:70]


def format_summary(summary: CrawlSummary) -> str:
    """The summary as a plain-text table, one line per source then the totals."""
    header = ("source", "status", "links", "new", "dup", "skipped", "left", "bytes", "error / note")
    rows = [(r.name, r.status, str(r.items), str(r.new), str(r.duplicates), str(r.skipped), str(r.left),
             _size(r.bytes), _note(r)) for r in summary.sources]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.append("")
    lines.append(f"{totals_line(summary)}  bytes: {_size(summary.bytes)}  time: {summary.seconds:.1f}s")
    return "\n".join(lines)


def totals_line(summary: CrawlSummary) -> str:
    """The sources' outcomes and the new articles on one line, as the crawl and run summaries both print them."""
    skipped = "".join(f"  {label}: {n}" for label, n in (
        ("skipped (not due)", summary.not_due), ("skipped (backing off)", summary.backing_off),
        ("skipped (run deadline)", summary.deferred)) if n)
    return f"sources ok: {summary.ok}  failed: {summary.failed}{skipped}  new articles: {summary.new_articles}"
