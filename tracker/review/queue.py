"""What to review first: unreviewed events (and reviewed ones whose articles changed), most in need first.

The order is one SQL expression built from models/settings.toml [review.queue], used by `tracker review
queue` and by the `review_queue` query on the website, so both show the same order.
"""

from __future__ import annotations

import sqlite_utils

from ..settings import tunable
from ..vocabulary import canonical_platform

#: Columns the queue lists, in order.
COLUMNS = ("priority", "id", "review_status", "review_stale", "country", "platform", "action", "status", "date",
           "first_reported", "n_sources", "confidence", "language", "evidence")


def priority_sql(alias: str = "e", newest: str = "newest.d") -> str:
    """The queue's score of one event row (higher first); `newest` is the newest first report."""
    w = tunable("review", "queue")
    cap = max(int(w["sources_cap"]), 1)
    half = max(float(w["half_life_days"]), 0.001)
    first = f"julianday(substr(coalesce({alias}.first_reported, {newest}), 1, 10))"
    age = f"max(coalesce(julianday(substr({newest}, 1, 10)) - {first}, 0), 0)"
    return (f"(1 - coalesce({alias}.confidence, 0)) * {float(w['w_uncertainty'])!r}"
            f" + min(coalesce({alias}.n_sources, 0), {cap}) * 1.0 / {cap} * {float(w['w_sources'])!r}"
            f" + 1.0 / (1 + {age} / {half!r}) * {float(w['w_newness'])!r}"
            f" + coalesce({alias}.review_stale, 0) * {float(w['w_stale'])!r}")


def queue_sql(limit: str = ":limit") -> str:
    """The queue as SQL with the parameters :country, :platform and :language ('' for any); `limit` is the
    parameter (or number) that bounds it."""
    return (
        "with newest as (select max(first_reported) as d from events)\n"
        f"select round({priority_sql()}, 4) as priority, e.id, coalesce(e.review_status, 'unreviewed')"
        " as review_status,\n"
        "  coalesce(e.review_stale, 0) as review_stale, e.country, e.platform, e.action, e.status, e.date,"
        " e.first_reported,\n"
        "  e.n_sources, e.confidence, e.language, e.evidence\n"
        "from events e, newest\n"
        "where (coalesce(e.review_status, 'unreviewed') = 'unreviewed'\n"
        "       or (e.review_stale = 1 and e.review_status != 'merged_into'))\n"
        "  and (:country = '' or e.country = upper(trim(:country)))\n"
        "  and (:platform = '' or lower(e.platform) = lower(trim(:platform)))\n"
        "  and (:language = '' or e.language = lower(trim(:language)))\n"
        "order by priority desc, e.id\n"
        f"limit {limit}"
    )


def queue(db: sqlite_utils.Database, *, country: str | None = None, platform: str | None = None,
          language: str | None = None, limit: int = 50) -> list[dict]:
    """Events to review, most in need first (see models/settings.toml [review.queue])."""
    params = {"country": (country or "").strip(), "platform": canonical_platform(platform) if platform else "",
              "language": (language or "").strip(), "limit": int(limit)}
    return list(db.query(queue_sql(), params))
