"""The one writer of a backfill: what the workers found, stored chunk by chunk, then merged in reading order.

Two steps. (1) A chunk's new articles, what the extractor read in each (`archive_readings`) and the chunk's
row in `archive_chunks` are written in one transaction, in the order of the plan (files sorted by path,
chunks by offset), whatever order the workers finish in. (2) At the end of the run the readings are merged
into events one article at a time (mentions written, merged, reading deleted; a batch of articles to a
transaction), in the order `tracker extract` reads articles (READING_ORDER: publication date, then text).
Merging depends on order (a lift read before its measure, a threat before the block), so this makes the
events the ones a crawl of the same pages makes, and the same for every cluster. A backfill killed at any moment leaves whole
chunks and whole merges behind; started again it reads only the chunks without a row and merges what is
left, in the same order: no duplicate, no loss, the same events.

An archived page is stored like a crawled one (same table, `fetched_at` = its WARC-Date, plus
`archive_record`), and not at all when a page with its canonical URL or the same text is already
stored, crawled or archived: its mentions were merged when that copy was read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from ..clock import now_iso
from ..events.extraction import READING_ORDER, ExtractSummary, apply_reading, frozen_heap
from .warc import Chunk
from .work import ChunkResult, Found


def range_key(since: str | None, until: str | None) -> str:
    """How a chunk's date range is recorded: 'since..until', an empty end for no bound."""
    return f"{since or ''}..{until or ''}"


def done_chunks(db: sqlite_utils.Database, chunks: list[Chunk], date_range: str) -> set[tuple[str, int, int]]:
    """(path, start, end) of the chunks already stored with this date range and the file at its current size."""
    sizes = {c.path: Path(c.path).stat().st_size for c in chunks}
    done: set[tuple[str, int, int]] = set()
    for path, size in sizes.items():
        for start, end in db.execute("SELECT start, end FROM archive_chunks WHERE path = ? AND size = ? AND"
                                     " date_range = ?", [path, size, date_range]):
            done.add((path, start, end))
    return done


def _insert(db: sqlite_utils.Database, source: str, f: Found, version: str) -> int | None:
    """The new article's id, or None when it is already stored (same canonical URL or same text)."""
    cur = db.execute(
        "INSERT OR IGNORE INTO articles (source, url, original_url, title, text, author, published, language,"
        " content_hash, raw_html, fetched_at, extractor_version, archive_record)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)",
        [source, f.url, f.original_url, f.page.title, f.page.text, f.page.author, f.page.published or None,
         f.page.language, f.page.content_hash, f.raw_html, f.warc_date or now_iso(), f.record_id],
    )
    return cur.lastrowid if cur.rowcount else None


def store_chunk(db: sqlite_utils.Database, chunk: Chunk, result: ChunkResult, *, source: str,
                date_range: str) -> tuple[int, int, int]:
    """Store one chunk's new articles and their readings, and record the chunk, in one transaction.

    Returns (articles stored, duplicates, mentions read in the new articles)."""
    stored = duplicates = mentions = 0
    with db.atomic():
        for found in sorted(result.found, key=lambda f: f.offset):
            article_id = _insert(db, source, found, result.version)
            if article_id is None:
                duplicates += 1
                continue
            stored += 1
            mentions += len(found.mentions)
            db.execute("INSERT INTO archive_readings (article_id, mentions, extractor_version) VALUES (?, ?, ?)",
                       [article_id, json.dumps(found.mentions, ensure_ascii=False), result.version])
        db.table("archive_chunks").insert({
            "path": chunk.path, "size": Path(chunk.path).stat().st_size, "start": chunk.start, "end": chunk.end,
            "date_range": date_range, "source": source, "records": result.records, "pages": result.pages,
            "scanned_out": result.scanned_out, "parsed": result.parsed, "stored": stored,
            "duplicates": duplicates, "mentions": mentions,
            "failures": json.dumps(dict(sorted(result.failures.items()))), "extractor_version": result.version,
            "done_at": now_iso(),
        })
    return stored, duplicates, mentions


def unmerged(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM archive_readings").fetchone()[0]


def merge_readings(db: sqlite_utils.Database, merged: ExtractSummary,
                   progress: Callable[[int], None] | None = None, batch: int | None = None) -> None:
    """Merge every stored reading into events, in READING_ORDER, `batch` articles per transaction (each
    article's merge and the deletion of its reading go together, so a killed merge leaves whole articles;
    a commit a batch spares the disk a sync per article)."""
    from ..settings import tunable

    batch = batch or int(tunable("backfill", "merge_batch"))
    ids = [r[0] for r in db.execute(f"SELECT id FROM articles WHERE id IN (SELECT article_id FROM"
                                    f" archive_readings) ORDER BY {READING_ORDER}")]
    with frozen_heap():
        _merge_in_batches(db, ids, batch, merged, progress)


def _merge_in_batches(db: sqlite_utils.Database, ids: list[int], batch: int, merged: ExtractSummary,
                      progress: Callable[[int], None] | None) -> None:
    for first in range(0, len(ids), batch):
        part = ids[first:first + batch]
        with db.atomic():
            for article_id in part:
                mentions, version = db.execute("SELECT mentions, extractor_version FROM archive_readings WHERE"
                                               " article_id = ?", [article_id]).fetchone()
                apply_reading(db, article_id, json.loads(mentions), version, merged)
                db.execute("DELETE FROM archive_readings WHERE article_id = ?", [article_id])
        if progress:
            progress(len(part))
