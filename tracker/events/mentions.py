"""Write what the extractor read in one article as `mentions` rows.

The caller wraps this and the merge in one transaction per article, so an
interrupted run never leaves an article half written: either all its
mentions (and their merges) are in, or none are and it is processed again.
"""

from __future__ import annotations

import datetime as dt
import logging

import sqlite_utils

from ..vocabulary import action_class

log = logging.getLogger(__name__)

#: Contracts section 1 fields copied into a mention as they come.
FIELDS = ("country", "platform", "action", "status", "actor", "date", "scope", "justification",
          "justification_category", "evidence")


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def normalise(event: dict, text: str, language: str | None = None) -> dict:
    """One extractor event as mention columns (without article, position or version)."""
    row = {name: _clean(event.get(name)) for name in FIELDS}
    row["language"] = _clean(event.get("language") or language)
    if row["country"]:
        row["country"] = row["country"].upper()
    if row["action"]:
        row["action"] = row["action"].lower()
    if row["status"]:
        row["status"] = row["status"].lower()
    row["action_class"] = action_class(row["action"], row["status"])
    start, end = event.get("evidence_start"), event.get("evidence_end")
    evidence = row["evidence"]
    if evidence and not (isinstance(start, int) and isinstance(end, int) and text[start:end] == evidence):
        found = text.find(evidence)
        start, end = (found, found + len(evidence)) if found >= 0 else (None, None)
    row["evidence_start"], row["evidence_end"] = (start, end) if evidence else (None, None)
    conf = event.get("confidence")
    row["confidence"] = float(conf) if isinstance(conf, (int, float)) else None
    return row


def _ensure_lookups(db: sqlite_utils.Database, row: dict) -> None:
    """Services and countries outside the seeded lists get a lookup row named after themselves."""
    if row["platform"] and not db.execute("SELECT 1 FROM platforms WHERE name = ?", [row["platform"]]).fetchone():
        db.execute("INSERT INTO platforms (name, label) VALUES (?, ?)", [row["platform"], row["platform"]])
    if row["country"] and not db.execute("SELECT 1 FROM countries WHERE code = ?", [row["country"]]).fetchone():
        db.execute("INSERT INTO countries (code, name) VALUES (?, ?)", [row["country"], row["country"]])
    cat = row["justification_category"]
    if cat and not db.execute("SELECT 1 FROM justification_categories WHERE code = ?", [cat]).fetchone():
        log.warning("unknown justification category %r dropped (evidence: %.60s)", cat, row["evidence"] or "")
        row["justification_category"] = None


def content_key(row: dict) -> tuple:
    """What makes two mentions of one article the same reading (ids, versions and times aside)."""
    return tuple(row.get(name) for name in (*FIELDS, "action_class", "evidence_start", "evidence_end", "language"))


def write_mentions(db: sqlite_utils.Database, article_id: int, rows: list[dict], version: str) -> list[int]:
    """Insert the normalised `rows` of one article; returns the new mention ids in order."""
    ids = []
    created = now()
    mentions = db.table("mentions")
    for position, row in enumerate(rows):
        _ensure_lookups(db, row)
        mentions.insert({**row, "article_id": article_id, "position": position, "extractor_version": version,
                         "created_at": created})
        ids.append(mentions.last_rowid)
    return ids


def detach_article(db: sqlite_utils.Database, article_id: int) -> set[str]:
    """Remove an article's mentions and their links; returns the events they were part of."""
    mids = [r[0] for r in db.execute("SELECT id FROM mentions WHERE article_id = ?", [article_id])]
    if not mids:
        return set()
    marks = ",".join("?" * len(mids))
    events = {r[0] for r in db.execute(f"SELECT DISTINCT event_id FROM event_sources WHERE mention_id IN ({marks})",
                                       mids)}
    db.execute(f"DELETE FROM event_sources WHERE mention_id IN ({marks})", mids)
    db.execute(f"UPDATE event_history SET mention_id = NULL WHERE mention_id IN ({marks})", mids)
    db.execute(f"DELETE FROM mentions WHERE id IN ({marks})", mids)
    return events
