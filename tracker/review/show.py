"""An event as a reviewer needs to see it: values, the machine's values where corrected, sources, reviews."""

from __future__ import annotations

import sqlite_utils

from ..metadata import QUERIES
from .store import ReviewError, json_object, reviews

#: Fields shown first, in the contract's order, then the counts and the review columns.
FIELDS = ("id", "country", "platform", "action", "action_class", "status", "date", "lifted_date", "actor", "scope",
          "justification", "justification_category", "evidence", "first_reported", "last_reported", "n_sources",
          "n_publishers", "regulator_confirmed", "confidence", "language", "review_status", "review_stale",
          "merged_into", "updated_at")


def event_for_review(db: sqlite_utils.Database, event_id: str,
                     private: sqlite_utils.Database | None = None) -> dict:
    """The event's fields, the machine's values of corrected fields, its sources and its reviews (with who
    made them when the private database is given)."""
    row = next(db.query("SELECT * FROM events WHERE id = ?", [event_id]), None)
    if row is None:
        raise ReviewError(f"no event {event_id!r} (see `tracker review queue` or `tracker events`)")
    sources = [dict(r) for r in db.query(QUERIES["sources_of_event"]["sql"], {"event_id": event_id})]
    return {
        "event": {name: row.get(name) for name in FIELDS},
        "machine_values": json_object(row.get("machine_values")),
        "sources": sources,
        "reviews": [r.as_dict() for r in reviews(db, event_id=event_id, private=private)],
    }
