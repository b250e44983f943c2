"""Open the tracker database and bring it to the current schema.

Migrations are derived from `tracker.schema`: missing tables, columns,
indexes and full-text indexes are added, so a database written by an older
version opens and is upgraded in place. Changes that are not additive get an
explicit step in `_STEPS`. The version reached is kept in PRAGMA user_version.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from . import lookups
from .schema import SCHEMA_VERSION, TABLES, VIEWS, Table

DEFAULT_DB = Path("db/tracker.db")

#: Non-additive migrations: version reached -> function applied to a database below it.
_STEPS: dict[int, Callable[[sqlite_utils.Database], None]] = {}


class SchemaError(RuntimeError):
    """The database was written by a newer tracker than this one."""


def open_db(path: str | Path = DEFAULT_DB, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path`, in WAL mode, migrated."""
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA foreign_keys = ON")
    if str(path) != ":memory:":
        db.enable_wal()
    db.execute("PRAGMA busy_timeout = 30000")
    if migrate:
        migrate_db(db)
    return db


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate_db(db: sqlite_utils.Database) -> int:
    """Upgrade `db` to SCHEMA_VERSION; returns the version it had before."""
    before = schema_version(db)
    if before > SCHEMA_VERSION:
        raise SchemaError(
            f"database schema version {before} is newer than this tracker's ({SCHEMA_VERSION}); upgrade tracker"
        )
    if before == SCHEMA_VERSION and _complete(db):
        return before
    with db.conn:
        for version in sorted(_STEPS):
            if before < version:
                _STEPS[version](db)
        for t in TABLES:
            _ensure_table(db, t)
        for view in VIEWS:
            db.execute(f"DROP VIEW IF EXISTS [{view.name}]")
            db.execute(f"CREATE VIEW [{view.name}] AS {view.sql}")
        lookups.seed(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return before


def _complete(db: sqlite_utils.Database) -> bool:
    names = set(db.table_names())
    return all(t.name in names for t in TABLES)


def _ensure_table(db: sqlite_utils.Database, t: Table) -> None:
    tbl = db.table(t.name)
    columns = {c.name: c.type for c in t.columns}
    if not tbl.exists():
        pk = t.pk if isinstance(t.pk, str) else list(t.pk)
        not_null = {c.name for c in t.columns if c.not_null}
        if isinstance(pk, str):
            not_null.discard(pk)
        tbl.create(
            columns,
            pk=pk,
            not_null=not_null,
            foreign_keys=[tuple(fk) for fk in t.foreign_keys],
        )
    else:
        tbl.add_missing_columns([{name: _sample(kind) for name, kind in columns.items()}])
    existing = {tuple(ix.columns) for ix in tbl.indexes}
    for cols in t.unique:
        if cols not in existing:
            tbl.create_index(list(cols), unique=True, if_not_exists=True)
    for cols in t.indexes:
        if cols not in existing:
            tbl.create_index(list(cols), if_not_exists=True)
    if t.fts and not tbl.detect_fts():
        tbl.enable_fts(list(t.fts), create_triggers=True, tokenize="porter")


def _sample(kind: type) -> object:
    return {str: "", int: 0, float: 0.0, bytes: b""}[kind]


def dumps(value: object) -> str:
    """JSON for list-valued cells, compact and readable in Datasette."""
    return json.dumps(value, ensure_ascii=False)
