"""Read events back for people: the rows `tracker events` lists, filtered."""

from __future__ import annotations

import sqlite_utils

from ..schema import visible_sql
from ..vocabulary import canonical_platform
from .dates import PARTIAL_DATE, on_or_after_sql


def list_events(db: sqlite_utils.Database, *, country: str | None = None, platform: str | None = None,
                since: str | None = None, limit: int | None = None, include_rejected: bool = False) -> list[dict]:
    """Events newest first; `since` keeps those whose date (or first report) is on or after it. Events
    reviewers rejected or merged into another are left out unless `include_rejected`.

    Dates are compared at the event's own precision, so an event of "2021-03" counts as on or after
    "2021-03-15". The platform matches case-insensitively, and X stands for Twitter.
    """
    where, args = [] if include_rejected else [visible_sql("e")], []
    if country:
        where.append("e.country = ?")
        args.append(country.strip().upper())
    if platform:
        where.append("lower(e.platform) = lower(?)")
        args.append(canonical_platform(platform))
    if since:
        if not PARTIAL_DATE.match(since.strip()):
            raise ValueError(f"--since {since!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")
        where.append(on_or_after_sql("coalesce(e.date, e.first_reported)", "?"))
        args.append(since.strip())
    sql = (
        "SELECT e.*, c.name AS country_name, p.label AS platform_label FROM events e"
        " LEFT JOIN countries c ON c.code = e.country LEFT JOIN platforms p ON p.name = e.platform"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY coalesce(e.date, e.first_reported) DESC, e.id"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    return list(db.query(sql, args))
