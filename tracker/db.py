"""Open tracker's databases: the public one (served) and the private one beside it (never served).

Three steps on every open that may write, all idempotent and cheap:
1. named migrations (`tracker.migrations`, sqlite-utils' Migrations) for changes that are not additive;
2. the shape from `tracker.schema`: missing tables, columns, indexes, full-text indexes and views;
3. the lookup tables, reloaded when a hash of their files in models/ changes.

A file is only ever changed when it carries tracker's mark (PRAGMA application_id), or is a tracker
database written before the mark existed: any other SQLite file is refused untouched. Only the commands
that start a database create one; the others refuse a missing file, and read-only commands open the file
read-only and refuse one that needs upgrading rather than changing it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import sqlite_utils

from . import lookups
from .errors import TrackerError
from .schema import PRIVATE, PUBLIC, SCHEMA_VERSION, VIEWS, Table, tables

DEFAULT_DB = Path("db/tracker.db")
#: PRAGMA application_id of each kind of file ("TRK1", "TRKP").
APPLICATION_IDS = {PUBLIC: 0x54524B31, PRIVATE: 0x54524B50}
_SQLITE_MAGIC = b"SQLite format 3\x00"
#: Tables a tracker database made before the application id existed always has.
_LEGACY_TABLES = {"sources", "articles", "mentions", "events"}


class DatabaseError(TrackerError):
    """The database file cannot be used as asked; the message names the file and why."""


def private_path_for(public: str | Path) -> Path:
    """Where the private database of `public` lives when none is given: `<name>.private.db` beside it."""
    public = Path(public)
    return public.with_name(f"{public.stem}.private.db")


def open_db(path: str | Path = DEFAULT_DB, *, create: bool = False, readonly: bool = False,
            private: str | Path | None = None) -> sqlite_utils.Database:
    """Open the public database at `path`.

    create: make the file when it is missing (init, crawl, run, demo); otherwise a missing file is an
    error. readonly: open it read-only, and refuse one that needs upgrading. `private` is where private
    tables found in an old public file are moved (default: `private_path_for(path)`).
    """
    return _open(Path(path), PUBLIC, create=create, readonly=readonly,
                 private=Path(private) if private else private_path_for(path))


def open_private(path: str | Path, *, create: bool = False, readonly: bool = False) -> sqlite_utils.Database:
    """Open the private database (subscribers, digest log, reviewers) at `path`."""
    return _open(Path(path), PRIVATE, create=create, readonly=readonly, private=None)


def check_file(path: Path, kind: str = PUBLIC, create: bool = False) -> bool:
    """True when the file exists and looks like SQLite; DatabaseError when it cannot be opened as asked."""
    if not path.exists():
        if not create:
            hint = ("run `tracker init --db {p}` or `tracker crawl` first" if kind == PUBLIC
                    else "it is made when the first subscriber or reviewer is added")
            raise DatabaseError(f"no {kind} database at {path}: " + hint.format(p=path))
        return False
    if not path.is_file():
        raise DatabaseError(f"{path} is not a file")
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise DatabaseError(f"cannot read {path}: {exc.strerror or exc}") from None
    if head and head != _SQLITE_MAGIC:
        raise DatabaseError(f"{path} is not an SQLite database")
    return bool(head)


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if not readonly:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"cannot create the folder {path.parent}: {exc.strerror or exc}") from None
    try:
        if readonly:
            conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=30,
                                   check_same_thread=False)
        else:
            # IMMEDIATE: a write transaction takes the write lock when it begins, not at its first write,
            # so two writers never both read and then fail to upgrade ("database is locked").
            conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level="IMMEDIATE")
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"cannot open {path}: {exc}") from None
    return conn


def _open(path: Path, kind: str, *, create: bool, readonly: bool, private: Path | None) -> sqlite_utils.Database:
    existed = check_file(path, kind, create and not readonly)
    conn = _connect(path, readonly)
    db = sqlite_utils.Database(conn)
    try:
        state = _identify(db, path, kind, existed)
        if readonly:
            _require_current(db, path, kind, state)
        else:
            db.enable_wal()
            ensure(db, kind, private=private)
    except BaseException:
        conn.close()
        raise
    return db


def _identify(db: sqlite_utils.Database, path: Path, kind: str, existed: bool) -> str:
    """'tracker', 'legacy' (a tracker file from before the mark) or 'new' (empty); DatabaseError otherwise."""
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    names = set(db.table_names())
    if app_id == APPLICATION_IDS[kind]:
        state = "tracker"
    elif app_id == 0 and not names and not existed:
        return "new"
    elif app_id == 0 and not names and version == 0:
        return "new"  # an empty SQLite file, such as one `sqlite3 FILE ''` leaves
    elif app_id == 0 and kind == PUBLIC and version <= 1 and _LEGACY_TABLES <= names:
        state = "legacy"
    else:
        other = next((k for k, v in APPLICATION_IDS.items() if v == app_id), None)
        what = f"tracker's {other} database" if other else "not a tracker database"
        raise DatabaseError(f"{path} is {what}; expected tracker's {kind} database, so it was left untouched")
    if version > SCHEMA_VERSION:
        raise DatabaseError(f"{path} was written by a newer tracker (format {version}, this one reads up to "
                            f"{SCHEMA_VERSION}); upgrade tracker")
    return state


def _require_current(db: sqlite_utils.Database, path: Path, kind: str, state: str) -> None:
    from .migrations import migrations_for

    stale = (state != "tracker" or db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION
             or migrations_for(kind, None).pending(db) or _missing_shape(db, kind))
    if stale:
        raise DatabaseError(f"{path} was written by an older tracker; upgrade it first with "
                            f"`tracker init --db {path}` (this command only reads it)")


def _missing_shape(db: sqlite_utils.Database, kind: str) -> list[str]:
    """Tables and columns the schema has and the file lacks."""
    missing = []
    for t in tables(kind):
        have = {c.name for c in db.table(t.name).columns} if db.table(t.name).exists() else set()
        missing += [f"{t.name}.{c.name}" for c in t.columns if c.name not in have]
    return missing


def ensure(db: sqlite_utils.Database, kind: str = PUBLIC, *, private: Path | None = None) -> None:
    """Migrations, then shape, then lookups; idempotent, run on every open that may write."""
    from .migrations import migrations_for

    db.execute(f"PRAGMA application_id = {APPLICATION_IDS[kind]}")
    migrations_for(kind, private).apply(db)
    with db.conn:
        for t in tables(kind):
            _ensure_table(db, t)
        if kind == PUBLIC:
            _ensure_views(db)
            _ensure_lookups(db)
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _ensure_table(db: sqlite_utils.Database, t: Table) -> None:
    tbl = db.table(t.name)
    columns = {c.name: c.type for c in t.columns}
    if not tbl.exists():
        pk = t.pk if isinstance(t.pk, str) else list(t.pk)
        not_null = {c.name for c in t.columns if c.not_null}
        if isinstance(pk, str):
            not_null.discard(pk)
        tbl.create(columns, pk=pk, not_null=not_null, foreign_keys=[tuple(fk) for fk in t.foreign_keys])
    else:
        have = {c.name for c in tbl.columns}
        if set(columns) - have:
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


def _ensure_views(db: sqlite_utils.Database) -> None:
    """Create each view, or replace it when its SQL changed."""
    current = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'").fetchall())
    for view in VIEWS:
        sql = f"CREATE VIEW [{view.name}] AS {view.sql}"
        if current.get(view.name) != sql:
            db.execute(f"DROP VIEW IF EXISTS [{view.name}]")
            db.execute(sql)


def _ensure_lookups(db: sqlite_utils.Database) -> None:
    """Reload the lookup tables when their files in models/ changed since they were last loaded."""
    digest = hashlib.sha256()
    for path in lookups.files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    stamp = digest.hexdigest()
    row = db.execute("SELECT value FROM tracker_meta WHERE key = 'lookups_sha256'").fetchone()
    if row and row[0] == stamp:
        return
    lookups.seed(db)
    db.table("tracker_meta").upsert({"key": "lookups_sha256", "value": stamp}, pk="key")


def _sample(kind: type) -> object:
    return {str: "", int: 0, float: 0.0, bytes: b""}[kind]


def schema_version(db: sqlite_utils.Database) -> int:
    """The file format generation recorded in the database (PRAGMA user_version)."""
    return db.execute("PRAGMA user_version").fetchone()[0]


def dumps(value: object) -> str:
    """JSON for list-valued cells, compact and readable in Datasette."""
    return json.dumps(value, ensure_ascii=False)


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when two paths name one file (links resolved), whether or not it exists yet."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()
