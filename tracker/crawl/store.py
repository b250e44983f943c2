"""Crawler writes to SQLite: sources, articles, fetches.

Each write is its own short transaction, so a run killed at any moment leaves only
whole rows behind, and the next run sees exactly which articles are still missing.
A source's ETag / Last-Modified are saved only once its articles are all handled:
otherwise a 304 on the next run would hide the articles an interrupted run missed.
"""

from __future__ import annotations

import gzip
import json

import sqlite_utils

from ..config import Source
from .article import Extracted
from .feeds import Item
from .http import Attempt, now_iso

#: fetch errors that will not heal by themselves: such article URLs are not fetched again.
_PERMANENT = ("(status IN (401, 403, 404, 410, 451) OR error LIKE 'not HTML%' OR error LIKE '%byte cap%'"
              " OR error LIKE 'refused:%' OR error LIKE 'redirect loop%' OR error LIKE 'more than % redirects')")


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
        with self.conn:
            self.conn.execute(
                "INSERT INTO fetches (source, url, kind, status, bytes, duration_ms, error, fetched_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (a.source, a.url, a.kind, a.status, a.bytes, a.duration_ms, a.error, a.fetched_at),
            )

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
                              f" AND {_PERMANENT}", urls)
        return stored | dead

    def save_article(self, source: str, item: Item, ex: Extracted, raw_html: bytes, fetched_at: str) -> str:
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
        """Record the outcome of polling a source (begun at `polled_at`, default now); validators only
        when every article was handled."""
        with self.conn:
            if status == "ok" and keep_validators:
                self.conn.execute("UPDATE sources SET etag = ?, last_modified = ? WHERE name = ?",
                                  (etag, last_modified, name))
            elif status == "ok":
                self.conn.execute("UPDATE sources SET etag = NULL, last_modified = NULL WHERE name = ?",
                                  (name,))
            self.conn.execute("UPDATE sources SET last_polled = ?, last_status = ?, last_error = ?"
                              " WHERE name = ?", (polled_at or now_iso(), status, error, name))
