"""Record reviews, and lay them over the machine's values every time an event is recomputed.

Invariants:
- a review row is never changed or deleted by the machine; an event that a review names (as its event or as
  the event merged into) is never deleted: when it loses every source it stays, flagged for another look;
- the columns of `events` show the reviewed values; the extractor's own values of the corrected fields are
  kept in `events.machine_values`, so `refresh_event` can recompute an event from its mentions and lay the
  reviews over it again without losing either;
- a review is anchored to (article, country, platform, class) of every mention behind the event when it was
  made (`review_articles`). When such an article is read again, its mentions with one of those keys go back
  to the reviewed event (or, for a merge, to the event it was merged into), so re-extraction and re-merging
  keep reviewed events and their ids;
- `review_stale` is 1 when the articles behind an event differ from those its latest review saw.

Who reviewed is not written here: it goes to the private database (`record_author`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import sqlite_utils

from .. import vocabulary
from ..clock import now_iso
from ..errors import TrackerError
from ..events.dates import PARTIAL_DATE, span
from . import CORRECTABLE, VERDICTS

#: How many merges a chain may hold (A into B into C ...) before it is taken for a loop.
_MAX_CHAIN = 50
_MAX_TEXT = 500


class ReviewError(TrackerError):
    """A review that cannot be made as asked; the message says which event or field and why."""


@dataclass(frozen=True)
class Review:
    id: int
    event_id: str
    verdict: str
    changes: dict
    into_event_id: str | None
    reason: str | None
    created_at: str
    reviewer: str | None = None  # only when the private database was read

    def as_dict(self) -> dict:
        return {"id": self.id, "event_id": self.event_id, "verdict": self.verdict, "changes": self.changes or None,
                "into_event_id": self.into_event_id, "reason": self.reason, "created_at": self.created_at,
                "reviewer": self.reviewer}


# ---- corrections -------------------------------------------------------------------------------------


def _check_date(field: str, value: str) -> str:
    if not PARTIAL_DATE.match(value) or span(value) is None:
        raise ReviewError(f"--set {field}={value}: expected a real date as YYYY, YYYY-MM or YYYY-MM-DD")
    return value


def _check_choice(field: str, value: str, allowed: tuple[str, ...]) -> str:
    value = value.lower()
    if value not in allowed:
        raise ReviewError(f"--set {field}={value}: must be one of {', '.join(allowed)}")
    return value


def check_value(db: sqlite_utils.Database, field: str, raw: str) -> str | None:
    """One corrected value, checked against the vocabulary; an empty value clears the field."""
    if field not in CORRECTABLE:
        raise ReviewError(f"--set {field}=...: cannot correct {field!r} (one of {', '.join(CORRECTABLE)})")
    value = (raw or "").strip()
    if not value:
        if field in ("country", "platform", "action"):
            raise ReviewError(f"--set {field}=: an event needs a {field}")
        return None
    if field == "country":
        from ..export.filters import known_countries

        value = value.upper()
        if value not in known_countries(db):
            raise ReviewError(f"--set country={value}: not an ISO 3166-1 alpha-2 code (or EU)")
        return value
    if field == "platform":
        return vocabulary.canonical_platform(value)
    choices = {"action": vocabulary.actions(), "status": vocabulary.statuses(), "scope": vocabulary.scopes(),
               "justification_category": vocabulary.justification_categories()}
    if field in choices:
        return _check_choice(field, value, choices[field])
    if field in ("date", "lifted_date"):
        return _check_date(field, value)
    if len(value) > _MAX_TEXT:
        raise ReviewError(f"--set {field}=...: at most {_MAX_TEXT} characters")
    return value


def parse_changes(db: sqlite_utils.Database, pairs: list[str] | tuple[str, ...]) -> dict[str, str | None]:
    """`field=value` strings (as --set gives them) as checked corrections."""
    changes: dict[str, str | None] = {}
    for pair in pairs:
        field, sep, value = pair.partition("=")
        if not sep:
            raise ReviewError(f"--set {pair!r}: expected FIELD=VALUE, such as date=2021-03-10")
        changes[field.strip()] = check_value(db, field.strip(), value)
    return changes


def event_class(action: str | None, status: str | None) -> str | None:
    """The class an event row carries for an action and status: threaten for a threat, unblock for a lift
    whose measure is unknown, else the measure's class (a lifted block stays restrict)."""
    if (status or "") == "threatened":
        return "threaten"
    return vocabulary.measure_class(action)


# ---- laying reviews over the machine -----------------------------------------------------------------


def json_object(text: str | None) -> dict:
    """A JSON object cell as a dict ({} when empty or not an object)."""
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _dumps(value: dict) -> str | None:
    return json.dumps(value, sort_keys=True, ensure_ascii=False) if value else None


def machine_of(row: dict) -> dict:
    """The extractor's values of an event row: its columns with `machine_values` laid back over them."""
    return {**row, **json_object(row.get("machine_values"))}


def _reviews_rows(db: sqlite_utils.Database, event_id: str) -> list[dict]:
    return list(db.query("SELECT * FROM reviews WHERE event_id = ? ORDER BY id", [event_id]))


def _anchored_articles(db: sqlite_utils.Database, review_id: int) -> set[int]:
    return {r[0] for r in db.execute("SELECT DISTINCT article_id FROM review_articles WHERE review_id = ?",
                                     [review_id])}


def overlay(db: sqlite_utils.Database, event_id: str, machine: dict, articles: set[int],
            old: dict | None) -> dict:
    """The row to store for an event: `machine` (values computed from its mentions) with its reviews laid over
    them, and the review columns. `old` is the stored row (it holds the machine's country and platform)."""
    before = machine_of(old or {})
    base = {"country": before.get("country"), "platform": before.get("platform"), **machine}
    reviews = _reviews_rows(db, event_id)
    if not reviews:
        return {**base, "review_status": "unreviewed", "review_stale": 0, "merged_into": None,
                "machine_values": None}
    changes: dict = {}
    for r in reviews:
        if r["verdict"] == "corrected":
            changes.update(json_object(r["changes"]))
    shown = dict(base)
    for name, value in changes.items():
        if name in CORRECTABLE:
            shown[name] = value
    if ("action" in changes or "status" in changes) and event_class(shown.get("action"), shown.get("status")):
        shown["action_class"] = event_class(shown.get("action"), shown.get("status"))
    kept = {k: base.get(k) for k in shown if shown.get(k) != base.get(k)}
    latest = reviews[-1]
    merged = latest["verdict"] == "merged_into"
    stale = 0 if merged else int(_anchored_articles(db, latest["id"]) != articles)
    return {**shown, "review_status": latest["verdict"], "review_stale": stale,
            "merged_into": latest["into_event_id"] if merged else None, "machine_values": _dumps(kept)}


def referenced(db: sqlite_utils.Database, event_id: str) -> bool:
    """True when a review names the event (as its own or as the one merged into): it must never go."""
    return db.execute("SELECT 1 FROM reviews WHERE event_id = ? OR into_event_id = ? LIMIT 1",
                      [event_id, event_id]).fetchone() is not None


def keep_without_sources(db: sqlite_utils.Database, event_id: str, old: dict) -> dict:
    """The row of a reviewed event left without any mention: the last values stay, the counts go to 0 and
    (unless it was merged into another) it is flagged for another look."""
    machine = {k: v for k, v in machine_of(old).items() if k not in ("country", "platform")}
    for name in ("review_status", "review_stale", "merged_into", "machine_values", "id", "updated_at"):
        machine.pop(name, None)
    values = overlay(db, event_id, machine, set(), old)
    values.update(n_mentions=0, n_sources=0, n_publishers=0)
    if values["review_status"] != "merged_into":
        values["review_stale"] = 1
    return values


def resolve(db: sqlite_utils.Database, event_id: str) -> str:
    """The event an id stands for now: itself, or the end of its chain of merges."""
    seen = [event_id]
    current = event_id
    for _ in range(_MAX_CHAIN):
        row = db.execute("SELECT merged_into FROM events WHERE id = ?", [current]).fetchone()
        if row is None or not row[0] or row[0] in seen:
            return current
        current = row[0]
        seen.append(current)
    return current


def pinned_event(db: sqlite_utils.Database, mention: dict) -> str | None:
    """The event a review anchored this mention's key in this article to, if any (latest review wins)."""
    if not (mention.get("country") and mention.get("platform") and mention.get("action_class")):
        return None
    row = db.execute(
        "SELECT r.event_id, r.verdict, r.into_event_id FROM review_articles ra JOIN reviews r ON r.id = ra.review_id"
        " WHERE ra.article_id = ? AND ra.country = ? AND ra.platform = ? AND ra.action_class = ?"
        " ORDER BY r.id DESC LIMIT 1",
        [mention["article_id"], mention["country"], mention["platform"], mention["action_class"]]).fetchone()
    if row is None:
        return None
    event_id, verdict, into = row
    target = into if verdict == "merged_into" and into else event_id
    return resolve(db, target)


# ---- recording ---------------------------------------------------------------------------------------


def _event_row(db: sqlite_utils.Database, event_id: str) -> dict:
    row = next(db.query("SELECT * FROM events WHERE id = ?", [event_id]), None)
    if row is None:
        raise ReviewError(f"no event {event_id!r} (see `tracker review queue` or `tracker events`)")
    return row


def _check_request(db: sqlite_utils.Database, row: dict, verdict: str, changes: dict | None, reason: str | None,
                   into: str | None) -> str | None:
    """Refuse a review that cannot be made; returns the event merged into (resolved) for a merge."""
    if verdict not in VERDICTS:
        raise ReviewError(f"unknown verdict {verdict!r} (one of {', '.join(VERDICTS)})")
    if row["review_status"] == "merged_into":
        raise ReviewError(f"event {row['id']} was merged into {row['merged_into']}; review that event instead")
    if verdict == "corrected" and not changes:
        raise ReviewError(f"correcting {row['id']}: give at least one field to set (--set FIELD=VALUE)")
    if verdict in ("rejected", "corrected") and not (reason or "").strip():
        doing = {"rejected": "rejecting", "corrected": "correcting"}[verdict]
        raise ReviewError(f"{doing} {row['id']}: give a reason (--reason TEXT)")
    if verdict != "merged_into":
        return None
    if not into:
        raise ReviewError(f"merging {row['id']}: name the event it is merged into")
    _event_row(db, into)
    target = resolve(db, into)
    if target == row["id"]:
        raise ReviewError(f"cannot merge {row['id']} into itself" + (f" (via {into})" if into != target else ""))
    return target


def record_review(db: sqlite_utils.Database, event_id: str, verdict: str, *, changes: dict | None = None,
                  reason: str | None = None, into: str | None = None) -> int:
    """Record one review, lay it over the event (and, for a merge, move the event's sources into the other
    one) in one transaction; returns the review's id. ReviewError when it cannot be made."""
    from ..events.merge import refresh_event

    row = _event_row(db, event_id)
    target = _check_request(db, row, verdict, changes, reason, into)
    reason = (reason or "").strip() or None
    if reason and len(reason) > 2000:
        raise ReviewError("--reason: at most 2,000 characters")
    with db.atomic():
        cur = db.execute(
            "INSERT INTO reviews (event_id, verdict, changes, into_event_id, reason, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [event_id, verdict, _dumps(changes or {}) if verdict == "corrected" else None, target, reason,
             now_iso()])
        review_id = cur.lastrowid
        db.execute(
            "INSERT OR IGNORE INTO review_articles (review_id, article_id, country, platform, action_class)"
            " SELECT DISTINCT ?, m.article_id, m.country, m.platform, m.action_class FROM event_sources es"
            " JOIN mentions m ON m.id = es.mention_id WHERE es.event_id = ? AND m.country IS NOT NULL"
            " AND m.platform IS NOT NULL AND m.action_class IS NOT NULL", [review_id, event_id])
        if target:
            db.execute("UPDATE event_sources SET event_id = ? WHERE event_id = ?", [target, event_id])
            refresh_event(db, target)
        refresh_event(db, event_id)
    return review_id


def record_author(private: sqlite_utils.Database, review_id: int, reviewer: str, via: str) -> None:
    """Who made a review, in the private database (never served)."""
    with private.conn:
        private.execute("INSERT OR REPLACE INTO review_authors (review_id, reviewer, via) VALUES (?, ?, ?)",
                        [review_id, reviewer, via])


def review_event(db: sqlite_utils.Database, private: sqlite_utils.Database | None, event_id: str, verdict: str,
                 *, reviewer: str, via: str = "cli", changes: dict | None = None, reason: str | None = None,
                 into: str | None = None) -> Review:
    """Record a review in the public database, then who made it in the private one."""
    review_id = record_review(db, event_id, verdict, changes=changes, reason=reason, into=into)
    if private is not None:
        record_author(private, review_id, reviewer, via)
    return replace(reviews(db, review_id=review_id)[0], reviewer=reviewer)


# ---- reading -----------------------------------------------------------------------------------------


def reviews(db: sqlite_utils.Database, *, event_id: str | None = None, review_id: int | None = None,
            limit: int | None = None, private: sqlite_utils.Database | None = None) -> list[Review]:
    """Reviews, newest first; with `private`, each with its reviewer's name."""
    where, args = [], []
    if event_id:
        where.append("event_id = ?")
        args.append(event_id)
    if review_id is not None:
        where.append("id = ?")
        args.append(review_id)
    sql = "SELECT * FROM reviews" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    rows = list(db.query(sql, args))
    authors: dict[int, str] = {}
    if private is not None and rows:
        marks = ",".join("?" * len(rows))
        authors = dict(private.execute(f"SELECT review_id, reviewer FROM review_authors WHERE review_id IN ({marks})",
                                       [r["id"] for r in rows]).fetchall())
    return [Review(r["id"], r["event_id"], r["verdict"], json_object(r["changes"]), r["into_event_id"], r["reason"],
                   r["created_at"], authors.get(r["id"])) for r in rows]
