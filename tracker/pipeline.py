"""The stage chain, written once: crawl, then extract and merge, with one summary at the end.

`tracker run`, `tracker demo` and bench/pipeline.py all call `run_pipeline`; `tracker extract` calls
`run_extract`, the extract-and-merge half, which reads the texts in this process or, with `workers` or a
`scheduler`, on a Dask cluster (tracker.executor, the same code `tracker backfill` runs on). The stages
stay separate library calls that tests call too; this module only chains them and adds up what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from .events.extraction import Extractor, ExtractSummary, extract_articles
from .sources import Source


@dataclass
class RunSummary:
    crawl: object  # tracker.crawl.CrawlSummary
    extract: ExtractSummary
    events_total: int
    mentions_total: int

    def as_dict(self) -> dict:
        c = self.crawl
        e = self.extract
        return {
            "sources_ok": c.ok,
            "sources_failed": c.failed,
            "sources_skipped": c.skipped,
            "new_articles": c.new_articles,
            "articles_read": e.articles,
            "new_mentions": e.new_mentions,
            "new_events": e.new_events,
            "updated_events": e.updated_events,
            "failed_articles": e.failed,
            "skipped_languages": e.skipped_languages,
            "events_total": self.events_total,
            "mentions_total": self.mentions_total,
            "extractor_version": e.extractor_version,
            "crawl": c.as_dict(),
        }


def run_extract(
    db: sqlite_utils.Database,
    *,
    redo_all: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    extract: Extractor | None = None,
    version: str | None = None,
) -> ExtractSummary:
    """Extract and merge the articles the current extractor has not read (all with `redo_all`).

    In this process by default; with `workers` (local processes) or `scheduler` (a Dask cluster's address)
    the texts are read on the cluster's workers and stored and merged here, in the same order."""
    if not workers and not scheduler:
        return extract_articles(db, redo_all=redo_all, extract=extract, version=version, progress=progress,
                                on_start=on_start)
    from .executor import cluster

    with cluster(workers or 1, scheduler, scan=False) as client:
        return extract_articles(db, redo_all=redo_all, version=version, progress=progress, on_start=on_start,
                                client=client)


def run_pipeline(
    db: sqlite_utils.Database,
    sources: list[Source],
    *,
    crawl_options: object | None = None,
    crawl_progress: Callable[[object], None] | None = None,
    extract_progress: Callable[[int], None] | None = None,
    on_extract_start: Callable[[int], None] | None = None,
    extract: Extractor | None = None,
    version: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    on_crawled: Callable[[object], None] | None = None,
) -> RunSummary:
    """Crawl `sources`, then read every article the current extractor has not read, and merge.

    `crawl_options` (a tracker.crawl.CrawlOptions) overrides the defaults, e.g. for local sites,
    `max_items`, `http.delay`, or `force` to poll sources that are not due yet. A source polled
    successfully less than its poll_minutes ago is skipped (status not_due): nothing is fetched for it,
    but articles it brought earlier and the extractor has not read yet are still read. `on_crawled` gets
    the crawl's summary before extraction starts; `workers`/`scheduler` as for `run_extract`.
    """
    from .crawl import crawl

    crawled = crawl(db, sources, crawl_options, progress=crawl_progress)
    if on_crawled:
        on_crawled(crawled)
    extracted = run_extract(db, extract=extract, version=version, progress=extract_progress,
                            on_start=on_extract_start, workers=workers, scheduler=scheduler)
    return RunSummary(
        crawl=crawled,
        extract=extracted,
        events_total=db.table("events").count,
        mentions_total=db.table("mentions").count,
    )


def format_extract_summary(s: ExtractSummary) -> str:
    lines = [(f"articles read: {s.articles} (unchanged {s.unchanged})  new mentions: {s.new_mentions}"
             f"  new events: {s.new_events}  updated events: {s.updated_events}"
             f"  failed: {len(s.failed)}  extractor {s.extractor_version}")]
    lines += [f"  failed article {f['article_id']} ({f['url']}): {f['error']}" for f in s.failed]
    lines += _skipped_lines(s)
    return "\n".join(lines)


def _skipped_lines(s: ExtractSummary) -> list[str]:
    """A line naming the languages read without a pack, when there were any (no events can come of them)."""
    if not s.skipped_languages:
        return []
    counts = ", ".join(f"{lang} {n}" for lang, n in sorted(s.skipped_languages.items()))
    return [f"  skipped, no language pack (articles): {counts}"]


def format_run_summary(s: RunSummary) -> str:
    from .crawl.run import totals_line

    d = s.as_dict()
    lines = [
        totals_line(s.crawl),
        (f"new mentions: {d['new_mentions']}  new events: {d['new_events']}  updated events: {d['updated_events']}"
        f"  (articles read: {d['articles_read']}, failed: {len(d['failed_articles'])})"),
        f"database: {d['events_total']} events from {d['mentions_total']} mentions",
    ]
    lines += [f"  failed source {r.name}: {r.error}" for r in s.crawl.sources if r.status == "failed"]
    lines += [f"  failed article {f['article_id']} ({f['url']}): {f['error']}" for f in s.extract.failed]
    lines += _skipped_lines(s.extract)
    return "\n".join(lines)
