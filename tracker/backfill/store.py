"""The one writer of a backfill: what the workers found, stored and merged chunk by chunk, in plan order.

A chunk's articles, their mentions, the merges into events and the chunk's row in `archive_chunks` are
written in one transaction. A backfill killed at any moment therefore leaves whole chunks behind, and
started again it reads only the chunks without a row: no duplicate, no loss. Chunks are stored in the
order of the plan (files sorted by path, chunks by offset; articles in file order), whatever order the
workers finish in, so the events and their ids are the same for every run and every cluster.

An archived page is stored like a crawled one (same table, `fetched_at` = its WARC-Date, plus
`archive_record`), and not at all when a page with its canonical URL or the same text is already
stored, crawled or archived: its mentions were merged when that copy was read.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from ..clock import now_iso
from ..events.extraction import ExtractSummary, apply_reading
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
        [source, f.url, f.original_url, f.title, f.text, f.author, f.published or None, f.language, f.content_hash,
         f.raw_html, f.warc_date or now_iso(), f.record_id],
    )
    return cur.lastrowid if cur.rowcount else None


def store_chunk(db: sqlite_utils.Database, chunk: Chunk, result: ChunkResult, *, source: str, date_range: str,
                merged: ExtractSummary) -> tuple[int, int]:
    """Store one chunk's articles and merge their mentions, and record the chunk, in one transaction.

    Returns (articles stored, duplicates); `merged` adds up the mentions and events."""
    stored = duplicates = 0
    mentions_before = merged.new_mentions
    with db.atomic():
        for found in sorted(result.found, key=lambda f: f.offset):
            article_id = _insert(db, source, found, result.version)
            if article_id is None:
                duplicates += 1
                continue
            stored += 1
            apply_reading(db, article_id, found.mentions, result.version, merged)
        db.table("archive_chunks").insert({
            "path": chunk.path, "size": Path(chunk.path).stat().st_size, "start": chunk.start, "end": chunk.end,
            "date_range": date_range, "source": source, "records": result.records, "pages": result.pages,
            "scanned_out": result.scanned_out, "parsed": result.parsed, "stored": stored,
            "duplicates": duplicates, "mentions": merged.new_mentions - mentions_before,
            "failures": json.dumps(dict(sorted(result.failures.items()))), "extractor_version": result.version,
            "done_at": now_iso(),
        })
    return stored, duplicates
