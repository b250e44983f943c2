"""Web archives as a source type: an archived page's source is the archive file it was read from.

Registered like the crawler's types (tracker.crawl.types), so `sources.type` and the schema's description
know it; it has no links to poll, so feeds.toml refuses it and names the command that reads it.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

#: The `sources.type` of an archive.
TYPE = "warc"


def register_source_types(register) -> None:
    from ..crawl.types import SourceType

    register(SourceType(TYPE, "a web archive (WARC or WARC.gz file)", None, fetch_kind="archive",
                        command="backfill"))


def source_name(path: Path) -> str:
    """The `sources.name` of an archive file: its file name, prefixed so it never meets a feeds.toml name."""
    return f"warc:{path.name}"


def ensure_source(db: sqlite_utils.Database, path: Path, publisher: str) -> str:
    """The archive's row in `sources` (made once; never polled: not enabled, not in feeds.toml)."""
    name = source_name(path)
    db.execute("INSERT INTO sources (name, url, type, publisher, country, language, tags, enabled)"
               " VALUES (?, ?, ?, ?, '', '', '[]', 0) ON CONFLICT(name) DO NOTHING",
               [name, path.resolve().as_uri(), TYPE, publisher])
    return name
