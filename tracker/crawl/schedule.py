"""Which sources are due: each source is polled at its own pace (`poll_minutes` in feeds.toml),
and a source that keeps failing is backed off.

A cron job can start `tracker crawl` or `tracker run` every few minutes; a source whose last
successful poll (it ended `ok` or `not_modified`) began less than `poll_minutes` ago is left
alone. A source that was never polled, whose last poll failed, whose URL changed since, or that
declares no `poll_minutes` is due at once. The grace keeps a cron job on the same interval as a
source from missing every other turn because the previous poll began a few seconds late.

Backoff: a source whose last k polls failed in a row (`sources.failures`) is due again
min(BACKOFF_BASE x 2^k, BACKOFF_MAX) after its last poll began: 10 minutes after one failure,
then 20, 40 minutes ... up to a day; a success sets k back to 0. A source whose last poll was
cut by a deadline (`partial`) is due at once: the rest of its articles wait for it.
`--force` and `--source` poll a source whatever this says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlite_utils

from ..sources import Source

#: a source is due this long before its interval has fully run out.
POLL_GRACE = timedelta(seconds=60)
BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=24)


@dataclass(frozen=True)
class Wait:
    """A source that is not due: until when, and why (not_due or backing_off after `failures`)."""

    until: datetime
    reason: str
    failures: int = 0


def backoff(failures: int, base: timedelta = BACKOFF_BASE) -> timedelta:
    """How long after its last poll began a source that failed `failures` times in a row waits."""
    if failures <= 0:
        return timedelta(0)
    return min(base * 2 ** min(failures, 20), BACKOFF_MAX)


def _parse(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def waits(db: sqlite_utils.Database, sources: list[Source], now: datetime | None = None,
          grace: timedelta = POLL_GRACE, base: timedelta = BACKOFF_BASE) -> dict[str, Wait]:
    """Sources not due yet, each with when it becomes due and why; sources absent from the answer are due.

    Reads the crawl state in the `sources` table (url, last_polled, last_status, failures) as the last run
    left it.
    """
    now = now or datetime.now(UTC)
    if "sources" not in db.table_names():
        return {}
    has_failures = "failures" in db.table("sources").columns_dict
    failures_col = "failures" if has_failures else "0"
    state = {name: (url, polled, status, failures or 0) for name, url, polled, status, failures in
             db.conn.execute(f"SELECT name, url, last_polled, last_status, {failures_col} FROM sources")}
    waiting: dict[str, Wait] = {}
    for s in sources:
        url, polled, status, failures = state.get(s.name, (None, None, None, 0))
        last = _parse(polled)
        if url != s.url or last is None or last > now:
            continue
        if status == "failed" and failures > 0:
            due = last + backoff(failures, base)
            if now < due - grace:
                waiting[s.name] = Wait(due, "backing_off", failures)
            continue
        if not s.poll_minutes or status not in ("ok", "not_modified"):
            continue
        due = last + timedelta(minutes=s.poll_minutes)
        if now < due - grace:
            waiting[s.name] = Wait(due, "not_due")
    return waiting


def next_polls(db: sqlite_utils.Database, sources: list[Source], now: datetime | None = None,
               grace: timedelta = POLL_GRACE) -> dict[str, datetime]:
    """Sources not due yet (by poll_minutes or backoff), each with the time it becomes due."""
    return {name: w.until for name, w in waits(db, sources, now, grace).items()}
