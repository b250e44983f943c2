"""Reviewed events back into the model: `tracker export gold DIR` and the records `tracker train --with-reviews`
adds to the training split.

Every article behind a confirmed, corrected or rejected event becomes one corpus record (corpus/README.md)
with split "review". A review only vouches for what it looked at, so the record says no more:
- `events` holds the article's mentions of confirmed and corrected events, in the contract's gold format,
  with the reviewed values (a corrected actor or reason that is not a substring of this article's text is
  left out). A threat merged into a measure is left out: the event's page shows the measure and its lift,
  not the threats before it, so the verdict does not vouch for them (in bench/review_loop.py's stand-in
  reviews, 14 of 32 such threat mentions of confirmed measures were not threats in the corpus, against 10 of
  56 merged lifts);
- `rejected` holds the keys the reviewers refused: mentions of rejected events, and the extractor's own key
  where a correction changed the country, platform, action or status;
- mentions of events nobody reviewed are not in the record at all: training uses only the candidates whose
  key the record names (tracker.extract.train), instead of taking the unreviewed ones as negatives.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from .. import vocabulary
from ..corpus.store import REVIEW_SPLIT, SPLITS, load
from ..errors import TrackerError
from ..outputs import output_file
from .store import machine_of

#: File `export gold` writes into its folder.
GOLD_FILE = "reviewed.jsonl"
POSITIVE = ("confirmed", "corrected")
#: Fields a correction carries into the mentions that state the measure itself.
_MEASURE_FIELDS = ("action", "status", "date", "actor", "scope", "justification", "justification_category")
_KEY_FIELDS = ("country", "platform", "action", "status")


class GoldError(TrackerError):
    """Reviewed records cannot be written or read as asked."""


@dataclass
class GoldSummary:
    articles: int = 0
    events: int = 0
    rejected: int = 0
    reviewed_events: int = 0
    path: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _status(m: dict) -> str:
    if m.get("status") in vocabulary.statuses():
        return m["status"]
    return {"threaten": "threatened", "unblock": "lifted"}.get(m.get("action_class") or "", "in_effect")


def _gold_event(m: dict, event: dict, text: str, states_measure: bool) -> dict:
    """A mention as a gold event, with the reviewers' corrections of its event (the measure's fields only
    when the mention `states_measure`: its class is the machine's class of the event)."""
    corrected = set(json.loads(event["machine_values"])) if event.get("machine_values") else set()
    out = {name: m.get(name) for name in vocabulary.event_fields() if name != "confidence"}
    out["status"] = _status(m)
    for name in ("country", "platform"):
        if name in corrected:
            out[name] = event[name]
    for name in _MEASURE_FIELDS:
        if name in corrected and states_measure:
            out[name] = event[name]
            if name == "status" and not out["status"]:
                out["status"] = _status(m)
    for name in vocabulary.substring_fields():
        if out.get(name) is not None and out[name] not in text:
            out[name] = None
    if (out["justification"] is None) != (out["justification_category"] is None):
        out["justification"] = out["justification_category"] = None  # the corpus gives both or neither
    if out["action"] == "unblock" or out["status"] == "lifted":
        out["action"], out["status"] = "unblock", "lifted"
    return out


def _key(ev: dict) -> tuple:
    return (ev.get("country"), (ev.get("platform") or "").lower(), vocabulary.action_class(ev.get("action"),
                                                                                          ev.get("status")))


def _refused(m: dict) -> dict:
    return {"country": m.get("country"), "platform": m.get("platform"), "action": m.get("action"),
            "status": _status(m), "evidence": m.get("evidence")}


def article_record(db: sqlite_utils.Database, article: dict) -> dict:
    """One reviewed article as a corpus record (split "review")."""
    text = article["text"] or ""
    rows = db.query(
        "SELECT m.*, es.event_id FROM mentions m JOIN event_sources es ON es.mention_id = m.id"
        " WHERE m.article_id = ? ORDER BY m.position, m.id", [article["id"]])
    events: list[dict] = []
    rejected: list[dict] = []
    seen: set[tuple] = set()
    reviewed: set[str] = set()
    for m in rows:
        event = next(db.query("SELECT * FROM events WHERE id = ?", [m["event_id"]]))
        status = event.get("review_status")
        if status == "rejected":
            rejected.append(_refused(m))
            reviewed.add(event["id"])
        elif status in POSITIVE:
            reviewed.add(event["id"])
            klass = machine_of(event).get("action_class")
            if m.get("action_class") == "threaten" != klass:
                continue  # a threat merged into the measure it announced: not what the verdict judged
            gold = _gold_event(m, event, text, m.get("action_class") == klass)
            if _key(gold) != _key(m):
                rejected.append(_refused(m))
            if _key(gold) not in seen:
                seen.add(_key(gold))
                events.append(gold)
    return {
        "id": f"review-{article['id']}", "language": article["language"] or "en", "title": article["title"],
        "published": article["published"] or (article["fetched_at"] or "")[:10] or None, "url": article["url"],
        "publisher": article["publisher"], "region": None, "genre": None, "text": text, "events": events,
        "rejected": rejected, "split": REVIEW_SPLIT, "notes": "reviewed events: " + ", ".join(sorted(reviewed)),
    }


def gold_records(db: sqlite_utils.Database) -> Iterator[dict]:
    """The records of every article behind a confirmed, corrected or rejected event, by article id."""
    articles = db.query(
        "SELECT a.id, a.url, a.title, a.text, a.published, a.fetched_at, a.language, s.publisher FROM articles a"
        " LEFT JOIN sources s ON s.name = a.source WHERE a.id IN (SELECT es.article_id FROM event_sources es"
        " JOIN events e ON e.id = es.event_id WHERE e.review_status IN ('confirmed', 'corrected', 'rejected'))"
        " ORDER BY a.id")
    for article in list(articles):
        if (article["text"] or "").strip():
            yield article_record(db, article)


def export_gold(db: sqlite_utils.Database, directory: Path) -> GoldSummary:
    """Write the reviewed articles into `directory`/reviewed.jsonl (made if missing; replaced whole)."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GoldError(f"{directory}: cannot make the folder: {exc.strerror or exc}") from None
    summary = GoldSummary(path=str(directory / GOLD_FILE))
    reviewed: set[str] = set()
    with output_file(directory / GOLD_FILE) as fh:
        for rec in gold_records(db):
            fh.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
            summary.articles += 1
            summary.events += len(rec["events"])
            summary.rejected += len(rec["rejected"])
            reviewed.update(rec["notes"].split(": ", 1)[1].split(", "))
    summary.reviewed_events = len(reviewed - {""})
    return summary


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip().lower()


@dataclass
class ReviewSet:
    records: list[dict] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # ids whose text is a dev or test text


def load_reviews(directory: Path, corpus: Path | None = None) -> ReviewSet:
    """Reviewed records of `directory` (files or a folder of *.jsonl) for training. A record whose text is
    also a dev or test text of `corpus` is dropped, so reviews never leak into what measures the model."""
    directory = Path(directory)
    if not directory.exists():
        raise GoldError(f"{directory}: no reviewed records there (write them with `tracker export gold DIR`)")
    held_out = set()
    if corpus is not None:
        held_out = {_norm(r["text"]) for r in load([corpus]) if r.get("split") in SPLITS[1:]}
    out = ReviewSet()
    for rec in load([directory]):
        if not isinstance(rec.get("text"), str) or not isinstance(rec.get("events"), list):
            raise GoldError(f"{directory}: record {rec.get('id')!r} lacks 'text' or 'events'")
        if _norm(rec["text"]) in held_out:
            out.dropped.append(str(rec.get("id")))
            continue
        out.records.append({**rec, "split": REVIEW_SPLIT, "rejected": list(rec.get("rejected") or [])})
    return out
