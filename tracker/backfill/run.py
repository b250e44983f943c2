"""`tracker backfill`: web archives read on a Dask cluster, their articles and events stored here.

The plan: the files (globs expanded, sorted), each cut into chunks (`warc.plan`); the chunks already
stored with the same date range are left out (`archive_chunks`). The chunks go to the workers
(`executor.ordered`, which reads them with `work.process_chunk`) and come back in plan order to the one
writer (`store.store_chunk`). When every chunk is already stored, no cluster is started at all.
"""

from __future__ import annotations

import glob
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from ..errors import TrackerError
from ..events.extraction import ExtractSummary
from .source import ensure_source
from .store import done_chunks, merge_readings, range_key, store_chunk, unmerged
from .warc import ArchiveError, Chunk, plan
from .work import STAGES, ChunkResult, Options, extractor, process_chunk

#: File names taken from a folder given as PATH.
_ARCHIVE_SUFFIXES = (".warc", ".warc.gz")


class BackfillError(TrackerError):
    """The backfill cannot start as asked (no such file, nothing to read)."""


@dataclass
class BackfillSummary:
    files: int = 0
    chunks: int = 0  # in the plan
    chunks_done_before: int = 0  # already stored by an earlier run
    chunks_read: int = 0  # read and stored by this run
    chunks_failed: int = 0  # a worker failed on them; left for the next run
    records: int = 0
    pages: int = 0
    scanned_out: int = 0
    parsed: int = 0
    out_of_range: int = 0
    no_events: int = 0
    stored: int = 0
    duplicates: int = 0
    mentions: int = 0  # read in the new articles
    merged: ExtractSummary = field(default_factory=ExtractSummary)
    skipped: dict[str, int] = field(default_factory=dict)  # ordinary records passed over: not_200, not_html
    failures: dict[str, int] = field(default_factory=dict)  # bad records, bad files and failed chunks by kind
    errors: list[str] = field(default_factory=list)  # one line per bad file or failed chunk
    seconds: dict[str, float] = field(default_factory=dict)  # worker seconds per stage; store and merge (here)
    wall_seconds: float = 0.0
    startup_seconds: float = 0.0  # planning, starting or joining the cluster, loading the workers' models
    workers: int = 0
    peak_worker_rss: int = 0  # bytes, the largest of any worker
    extractor_version: str = ""

    @property
    def records_per_second(self) -> float:
        return self.records / self.wall_seconds if self.wall_seconds > 0 else 0.0

    @property
    def failed(self) -> bool:
        return bool(self.chunks_failed or self.failures.get("not_warc"))

    def add(self, result: ChunkResult) -> None:
        self.chunks_read += 1
        for name in ("records", "pages", "scanned_out", "parsed", "out_of_range", "no_events"):
            setattr(self, name, getattr(self, name) + getattr(result, name))
        for mine, theirs in ((self.skipped, result.skipped), (self.failures, result.failures),
                             (self.seconds, result.seconds)):
            for kind, n in theirs.items():
                mine[kind] = mine.get(kind, 0) + n
        self.peak_worker_rss = max(self.peak_worker_rss, result.peak_rss)

    def as_dict(self) -> dict:
        m = self.merged
        return {
            "files": self.files, "chunks": self.chunks, "chunks_done_before": self.chunks_done_before,
            "chunks_read": self.chunks_read, "chunks_failed": self.chunks_failed, "records": self.records,
            "pages": self.pages, "skipped_by_scan": self.scanned_out, "parsed": self.parsed,
            "out_of_range": self.out_of_range, "no_events": self.no_events, "articles_stored": self.stored,
            "duplicates": self.duplicates, "mentions_read": self.mentions, "new_mentions": m.new_mentions, "new_events": m.new_events,
            "updated_events": m.updated_events, "skipped": dict(sorted(self.skipped.items())),
            "failures": dict(sorted(self.failures.items())), "errors": self.errors,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()}, "wall_seconds": round(self.wall_seconds, 3),
            "startup_seconds": round(self.startup_seconds, 3),
            "records_per_second": round(self.records_per_second, 1), "workers": self.workers,
            "peak_worker_rss_mb": round(self.peak_worker_rss / 2**20, 1), "extractor_version": self.extractor_version,
        }


def expand(patterns: list[str] | tuple[str, ...]) -> list[Path]:
    """The archive files named by paths, globs and folders (their *.warc and *.warc.gz), sorted, each once."""
    files: set[Path] = set()
    for pattern in patterns:
        matches = sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else [pattern]
        if not matches:
            raise BackfillError(f"{pattern}: no file matches")
        for name in matches:
            path = Path(name)
            if path.is_dir():
                files.update(p for p in path.rglob("*") if p.is_file() and p.name.endswith(_ARCHIVE_SUFFIXES))
            elif path.is_file():
                files.add(path)
            else:
                raise BackfillError(f"{name}: no such file")
    return sorted(p.resolve() for p in files)


@dataclass
class Plan:
    chunks: list[Chunk]
    sources: dict[str, str]  # path -> source name
    todo: list[Chunk]


def make_plan(db: sqlite_utils.Database, files: list[Path], chunk_bytes: int, date_range: str, publisher: str,
              summary: BackfillSummary) -> Plan:
    chunks: list[Chunk] = []
    sources: dict[str, str] = {}
    for path in files:
        try:
            chunks += plan(path, chunk_bytes)
        except ArchiveError as exc:
            summary.failures["not_warc"] = summary.failures.get("not_warc", 0) + 1
            summary.errors.append(str(exc))
            continue
        with db.atomic():
            sources[str(path)] = ensure_source(db, path, publisher)
    done = done_chunks(db, chunks, date_range)
    todo = [c for c in chunks if (c.path, c.start, c.end) not in done]
    summary.files = len(sources)
    summary.chunks, summary.chunks_done_before = len(chunks), len(chunks) - len(todo)
    return Plan(chunks, sources, todo)


def backfill(
    db: sqlite_utils.Database,
    paths: list[str] | tuple[str, ...],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    since: str | None = None,
    until: str | None = None,
    publisher: str = "press",
    chunk_bytes: int | None = None,
    scan: bool = True,
    on_plan: Callable[[Plan], None] | None = None,
    progress: Callable[[Chunk, ChunkResult | None, BackfillSummary], None] | None = None,
    on_merge: Callable[[int], None] | None = None,
    merge_progress: Callable[[int], None] | None = None,
) -> BackfillSummary:
    """Read the archives at `paths` on a Dask cluster and store their articles and events in `db`.

    `since`/`until`: first and last day (YYYY-MM-DD) of publication kept. `scan=False` parses every page
    (slow: for measuring what the scan skips). Resumable: the chunks already stored are not read again, and
    the readings a killed run stored are merged with this run's (tracker.backfill.store)."""
    from ..executor import check_versions, cluster, ordered, worker_count
    from ..settings import tunable

    started = time.perf_counter()
    summary = BackfillSummary()
    files = expand(paths)
    date_range = range_key(since, until)
    the_plan = make_plan(db, files, chunk_bytes or int(tunable("backfill", "chunk_bytes")), date_range, publisher,
                         summary)
    if on_plan:
        on_plan(the_plan)
    options = Options(since=since, until=until, scan=scan)
    summary.seconds = {s: 0.0 for s in (*STAGES, "store", "merge")}
    encoder = None
    if the_plan.todo:
        with ThreadPoolExecutor(1, thread_name_prefix="tracker-writer-load") as loads:
            # the writer's own loading, done while the cluster starts and the workers read
            version = loads.submit(lambda: extractor()[1])
            if sum(c.size for c in the_plan.todo) >= int(tunable("backfill", "preload_encoder_bytes")):
                encoder = loads.submit(_load_encoder)
            with cluster(workers, scheduler) as client:
                summary.workers = worker_count(client)
                summary.extractor_version = version.result()
                check_versions(client, summary.extractor_version)
                summary.startup_seconds = time.perf_counter() - started
                for chunk, result, error in ordered(client, process_chunk, the_plan.todo, options):
                    _take(db, chunk, result, error, the_plan, date_range, summary)
                    if progress:
                        progress(chunk, result, summary)
            t0 = time.perf_counter()
            if encoder is not None:
                encoder.exception()  # waits; a failed load is the merge's to report, if it needs the encoder
    else:
        t0 = time.perf_counter()
    if on_merge:
        on_merge(unmerged(db))
    merge_readings(db, summary.merged, merge_progress)  # this run's readings, and any a killed run left
    summary.seconds["merge"] = time.perf_counter() - t0
    summary.wall_seconds = time.perf_counter() - started
    return summary


def _load_encoder() -> None:
    """The sentence encoder the merge compares evidence with (tracker.events.similarity) takes seconds to
    load: on an archive big enough that the merge will need it, the writer loads it while the workers read,
    on a core it would leave idle with one worker a core, instead of after them."""
    from ..extract.nlp import get_embedder

    get_embedder()


def _take(db: sqlite_utils.Database, chunk: Chunk, result: ChunkResult | None, error: BaseException | None,
          the_plan: Plan, date_range: str, summary: BackfillSummary) -> None:
    """Store one chunk's result (or count its failure)."""
    if error is not None or result is None:
        summary.chunks_failed += 1
        summary.failures["chunk_failed"] = summary.failures.get("chunk_failed", 0) + 1
        summary.errors.append(f"{chunk.path} bytes {chunk.start}-{chunk.end}: {type(error).__name__}: {error}")
        return
    summary.add(result)
    t0 = time.perf_counter()
    stored, duplicates, mentions = store_chunk(db, chunk, result, source=the_plan.sources[chunk.path],
                                               date_range=date_range)
    summary.seconds["store"] += time.perf_counter() - t0
    summary.stored += stored
    summary.duplicates += duplicates
    summary.mentions += mentions


def format_summary(s: BackfillSummary) -> str:
    """The end-of-run summary as text."""
    m = s.merged
    lines = [
        (f"files: {s.files}  chunks: {s.chunks} ({s.chunks_done_before} stored before, {s.chunks_read} read now, "
         f"{s.chunks_failed} failed)  workers: {s.workers}"),
        (f"records read: {s.records:,}  HTML pages: {s.pages:,}  skipped by the scan: {s.scanned_out:,}  "
         f"parsed: {s.parsed:,}  outside the dates: {s.out_of_range:,}"),
        (f"articles stored: {s.stored:,}  already stored: {s.duplicates:,}  new mentions: {m.new_mentions:,}  "
         f"new events: {m.new_events:,}  updated events: {m.updated_events:,}"),
        (f"time: {s.wall_seconds:,.1f}s  records/s: {s.records_per_second:,.1f}  "
         + "  ".join(f"{k} {v:,.1f}s" for k, v in s.seconds.items())),
    ]
    if s.skipped:
        lines.append("passed over: " + ", ".join(f"{k} {v:,}" for k, v in sorted(s.skipped.items())))
    lines.append("failures: " + (", ".join(f"{k} {v:,}" for k, v in sorted(s.failures.items())) or "none"))
    lines += [f"  {e}" for e in s.errors]
    return "\n".join(lines)

