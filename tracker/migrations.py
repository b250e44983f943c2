"""Named migrations: the changes to a database file that adding tables and columns cannot make.

Each is a function `mNNN_what(db)` registered in its file's set (sqlite-utils' Migrations, recorded in
the `_sqlite_migrations` table), applied once, in order, inside a transaction, by `tracker.db.ensure`.
Additive changes need none: the shape of `tracker.schema` is ensured on every open that may write.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .schema import PRIVATE, tables

#: Tables an older tracker kept in the public file and that now live in the private one.
MOVED_TO_PRIVATE = tuple(t.name for t in tables(PRIVATE) if t.name in ("subscribers", "digests"))


def migrations_for(kind: str, private: Path | None) -> Migrations:
    """The migration set of one kind of file; `private` is where the public file's private rows go."""
    if kind == PRIVATE:
        return Migrations("tracker-private")
    public = Migrations("tracker-public")

    @public()
    def m001_private_tables_to_own_file(db: sqlite_utils.Database) -> None:
        """Subscribers and the digest log leave the served file for the private one (issue 11).

        Rows are copied with their ids first (a rerun after a crash copies them again, harmlessly), then
        the tables are dropped with secure_delete on, so their pages are overwritten, not just freed."""
        present = [name for name in MOVED_TO_PRIVATE if db.table(name).exists()]
        if not present:
            return
        if private is None:
            raise RuntimeError("moving private tables needs the private database's path")
        from .db import open_private

        target = open_private(private, create=True)
        try:
            with target.conn:
                for name in present:
                    rows = list(db.query(f"SELECT * FROM [{name}]"))
                    if rows:
                        target.table(name).insert_all(rows, replace=True)
        finally:
            target.close()
        db.execute("PRAGMA secure_delete = ON")
        for name in reversed(present):  # digests refer to subscribers
            db.execute(f"DROP TABLE [{name}]")

    @public()
    def m002_fetch_outcomes_from_old_messages(db: sqlite_utils.Database) -> None:
        """Rows written before `fetches.outcome` existed get the outcome their status or message meant, so
        an article that failed for good is still not fetched again (the crawler reads only the outcome)."""
        if not db.table("fetches").exists():
            return
        if "outcome" not in {c.name for c in db.table("fetches").columns}:
            db.table("fetches").add_column("outcome", str)
        db.execute("""UPDATE fetches SET outcome = CASE
            WHEN status IN (401, 403, 404, 410, 451) THEN 'http_gone'
            WHEN error LIKE 'not HTML%' THEN 'not_html'
            WHEN error LIKE '%byte cap%' THEN 'too_big'
            WHEN error LIKE 'refused:%' THEN 'refused'
            WHEN error LIKE 'redirect loop%' THEN 'redirect_loop'
            WHEN error LIKE 'more than % redirects' THEN 'too_many_redirects'
            WHEN error LIKE 'disallowed by robots.txt%' THEN 'disallowed'
            WHEN error LIKE 'timeout%' THEN 'timeout'
            WHEN status = 200 THEN 'ok'
            WHEN status = 304 THEN 'not_modified'
            WHEN status IN (301, 302, 303, 307, 308) THEN 'redirect'
            WHEN status >= 400 THEN 'http_error'
            ELSE 'connect_error' END
            WHERE outcome IS NULL""")

    @public()
    def m003_events_unreviewed(db: sqlite_utils.Database) -> None:
        """Events stored before reviews existed are unreviewed (issue 15), so every event carries a
        review_status and the lists that leave rejected events out need no special case for NULL."""
        if not db.table("events").exists():
            return
        have = {c.name for c in db.table("events").columns}
        for name, col_type in (("review_status", str), ("review_stale", int)):
            if name not in have:
                db.table("events").add_column(name, col_type)
        db.execute("UPDATE events SET review_status = 'unreviewed' WHERE review_status IS NULL")
        db.execute("UPDATE events SET review_stale = 0 WHERE review_stale IS NULL")

    return public


