"""Crawler writes to SQLite: sources, articles, fetches.

Each write is its own short transaction, so a run killed at any moment leaves only
whole rows behind, and the next run sees exactly which articles are still missing.
A source's ETag / Last-Modified are saved only once its articles are all handled:
otherwise a 304 on the next run would hide the articles an interrupted run missed.
Whether an article URL is fetched again is read from `fetches.outcome` (see `outcomes`).
"""

from __future__ import annotations

import gzip
import json

import sqlite_utils

from ..sources import Source
from .feeds import Item
from .http import Attempt, now_iso
from .outcomes import FINAL
from .page import PageText

_FINAL = "outcome IN ({})".format(", ".join(f"'{kind}'" for kind in sorted(FINAL)))


class Store:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.conn = db.conn

    def sync_sources(self, sources: list[Source]) -> None:
        """Insert or update the declared fields of each source, keeping its crawl state."""
        with self.conn:
            for s in sources:
                self.conn.execute(
                    "INSERT INTO sources (name, url, type, publisher, country, language, tags, enabled,"
                    " poll_minutes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT(name) DO UPDATE SET url=excluded.url, type=excluded.type,"
                    " publisher=excluded.publisher, country=excluded.country, language=excluded.language,"
                    " tags=excluded.tags, enabled=excluded.enabled, poll_minutes=excluded.poll_minutes",
                    (s.name, s.url, s.type, s.publisher, s.country, s.language,
                     json.dumps(list(s.tags), ensure_ascii=False), int(s.enabled), s.poll_minutes),
                )

    def validators(self, name: str, url: str) -> tuple[str | None, str | None]:
        """ETag and Last-Modified kept for the source, if they belong to its current URL."""
        row = self.conn.execute("SELECT url, etag, last_modified FROM sources WHERE name = ?",
                                (name,)).fetchone()
        if not row or row[0] != url:
            return None, None
        return row[1] or None, row[2] or None

    def record_attempt(self, a: Attempt) -> None:
        """Write one attempt; its row id goes back into `a.row_id`."""
        with self.conn:
            cur = self.conn.execute(
                "INSERT INTO fetches (source, url, kind, status, bytes, duration_ms, error, fetched_at, outcome)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (a.source, a.url, a.kind, a.status, a.bytes, a.duration_ms, a.error, a.fetched_at, a.outcome),
            )
        a.row_id = cur.lastrowid

    def settle(self, chain: list[Attempt], outcome: str, error: str = "") -> None:
        """Give every attempt of one article's fetch (redirect hops included) the article's final outcome.

        The feed's URL for the article is the first hop, so that is the URL found final next run.
        `error` replaces the message of the last attempt (the one the outcome is about), if given.
        """
        ids = [a.row_id for a in chain if a.row_id is not None]
        if not ids:
            return
        with self.conn:
            self.conn.execute(f"UPDATE fetches SET outcome = ? WHERE id IN ({','.join('?' * len(ids))})",
                              (outcome, *ids))
            if error:
                self.conn.execute("UPDATE fetches SET error = ? WHERE id = ?", (error, ids[-1]))

    def _existing(self, sql: str, urls: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(urls), 500):
            chunk = urls[i:i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(sql.format(marks=marks), chunk))
        return found

    def skip_urls(self, urls: list[str]) -> set[str]:
        """URLs already stored, or whose last article fetch failed for good."""
        stored = self._existing("SELECT url FROM articles WHERE url IN ({marks})", urls)
        dead = self._existing("SELECT DISTINCT url FROM fetches WHERE kind = 'article' AND url IN ({marks})"
                              f" AND {_FINAL}", urls)
        return stored | dead

    def save_article(self, source: str, item: Item, ex: PageText, raw_html: bytes, fetched_at: str) -> str:
        """Store one article in its own transaction: 'new', 'duplicate_url' or 'duplicate_content'."""
        with self.conn:
            cur = self.conn.execute(
                "INSERT OR IGNORE INTO articles (source, url, original_url, title, text, author, published,"
                " language, content_hash, raw_html, fetched_at, extractor_version)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
                (source, item.url, item.original_url, ex.title, ex.text, ex.author, ex.published or None,
                 ex.language, ex.content_hash, gzip.compress(raw_html, 6), fetched_at),
            )
            if cur.rowcount:
                return "new"
        if self.conn.execute("SELECT 1 FROM articles WHERE url = ?", (item.url,)).fetchone():
            return "duplicate_url"
        return "duplicate_content"

    def finish_source(self, name: str, status: str, error: str = "", etag: str | None = None,
                      last_modified: str | None = None, keep_validators: bool = True,
                      polled_at: str | None = None) -> None:
        """Record the outcome of polling a source (begun at `polled_at`, default now).

        ok: the validators are saved when every article was handled, else cleared; partial (a
        deadline cut the poll): cleared; failed: left as they were, and the failure counted.
        """
        with self.conn:
            if status == "ok" and keep_validators:
                self.conn.execute("UPDATE sources SET etag = ?, last_modified = ? WHERE name = ?",
                                  (etag, last_modified, name))
            elif status in ("ok", "partial"):
                self.conn.execute("UPDATE sources SET etag = NULL, last_modified = NULL WHERE name = ?",
                                  (name,))
            failures = "COALESCE(failures, 0) + 1" if status == "failed" else "0"
            self.conn.execute(f"UPDATE sources SET last_polled = ?, last_status = ?, last_error = ?,"
                              f" failures = {failures} WHERE name = ?", (polled_at or now_iso(), status, error, name))
