"""Which sources are due: each source is polled at its own pace (`poll_minutes` in feeds.toml).

A cron job can start `tracker crawl` or `tracker run` every few minutes; a source whose last
successful poll (it ended `ok` or `not_modified`) began less than `poll_minutes` ago is left
alone. A source that was never polled, whose last poll failed, whose URL changed since, or that
declares no `poll_minutes` is due at once. The grace keeps a cron job on the same interval as a
source from missing every other turn because the previous poll began a few seconds late.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlite_utils

from ..config import Source

#: a source is due this long before its interval has fully run out.
POLL_GRACE = timedelta(seconds=60)


def _parse(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def next_polls(db: sqlite_utils.Database, sources: list[Source], now: datetime | None = None,
               grace: timedelta = POLL_GRACE) -> dict[str, datetime]:
    """Sources not due yet, each with the time it becomes due; sources absent from the answer are due.

    Reads the crawl state in the `sources` table (url, last_polled, last_status) as the last run left it.
    """
    now = now or datetime.now(UTC)
    if "sources" not in db.table_names():
        return {}
    state = {name: (url, polled, status) for name, url, polled, status in
             db.conn.execute("SELECT name, url, last_polled, last_status FROM sources")}  # one row per source
    waiting: dict[str, datetime] = {}
    for s in sources:
        if not s.poll_minutes:
            continue
        url, polled, status = state.get(s.name, (None, None, None))
        last = _parse(polled)
        if url != s.url or status not in ("ok", "not_modified") or last is None or last > now:
            continue
        due = last + timedelta(minutes=s.poll_minutes)
        if now < due - grace:
            waiting[s.name] = due
    return waiting
