"""Stream the rows of an export straight from SQLite.

Rows come off the cursor one at a time (never fetchall), in primary-key order,
so an export of a million events runs in constant memory and two exports of
the same data are byte-identical.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlite_utils

from .columns import KINDS, ExportKind
from .filters import Filters, _Params, event_where, joined, mention_where, where


def select_sql(kind: ExportKind, conditions: list[str]) -> str:
    cols = ", ".join(f"{c.sql} AS [{c.name}]" for c in kind.columns)
    return f"SELECT {cols} FROM {kind.from_sql} WHERE {joined(conditions)} ORDER BY {kind.order_by}"


def query(kind: str, f: Filters, *, package: bool = False) -> tuple[str, dict[str, object]]:
    """SQL and parameters of export `kind`; `package` selects the package's linked subsets."""
    params = _Params()
    spec = KINDS[kind]
    if package and kind == "mentions":
        conditions = [package_mentions_condition(f, params)]
    elif package and kind == "articles":
        conditions = [f"a.id IN (SELECT m.article_id FROM mentions AS m WHERE {package_mentions_condition(f, params)})"]
    else:
        conditions = where(kind, f, params)
    return select_sql(spec, conditions), params.values


def package_mentions_condition(f: Filters, params: _Params) -> str:
    """Mentions of a package: those merged into its events plus those matching the filters themselves.

    Taking every mention of an included event keeps the foreign keys of the sources file whole.
    """
    own = mention_where(f, params)
    if not own:
        return "1"
    events = joined(event_where(f, params))
    linked = (f"m.id IN (SELECT es.mention_id FROM event_sources AS es JOIN events AS e ON e.id = es.event_id "
              f"WHERE {events})")
    return f"({linked}) OR ({joined(own)})"


def iter_rows(db: sqlite_utils.Database, kind: str, f: Filters, *, package: bool = False) -> Iterator[tuple]:
    """Rows of export `kind` as tuples in the kind's column order, streamed from a cursor."""
    sql, params = query(kind, f, package=package)
    cursor = db.conn.execute(sql, params)
    try:
        yield from cursor
    finally:
        cursor.close()


def count_rows(db: sqlite_utils.Database, kind: str, f: Filters, *, package: bool = False) -> int:
    """How many rows the export will have (for progress bars)."""
    sql, params = query(kind, f, package=package)
    return db.conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
