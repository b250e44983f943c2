"""Read events back for people: the rows `tracker events` lists, filtered."""

from __future__ import annotations

import sqlite_utils

from ..vocabulary import canonical_platform
from .dates import PARTIAL_DATE, on_or_after_sql


def list_events(db: sqlite_utils.Database, *, country: str | None = None, platform: str | None = None,
                since: str | None = None, limit: int | None = None) -> list[dict]:
    """Events newest first; `since` keeps those whose date (or first report) is on or after it.

    Dates are compared at the event's own precision, so an event of "2021-03" counts as on or after
    "2021-03-15". The platform matches case-insensitively, and X stands for Twitter.
    """
    where, args = [], []
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


def format_events(rows: list[dict], width: int = 60) -> str:
    """A plain-text table, one line per event."""
    if not rows:
        return "no events"
    header = ("id", "status", "date", "action", "sources", "conf", "evidence")
    table = [
        (r["id"], r["status"] or "", r["date"] or "", r["action"] or "", str(r["n_sources"] or 0),
         f"{(r['confidence'] or 0):.2f}", _cut(r["evidence"] or "", width))
        for r in rows
    ]
    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in table]
    lines.append(f"{len(rows)} event{'s' if len(rows) != 1 else ''}")
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
