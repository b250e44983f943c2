"""Check corpus records against the contract and docs/annotation.md, one clear line per problem."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .. import vocabulary as vocab
from .store import REGIONS, REVIEW_SPLIT, SPLITS, iter_records

PUBLISHED = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
GENRES = ("wire_report", "news_brief", "explainer", "feature", "regulator_statement", "ministry_statement",
          "court_ruling", "ngo_report", "monitor_alert", "live_blog", "op_ed", "company_statement",
          "product_news", "how_to", "roundup", "interview", "analysis")
_GOLD_FIELDS = set(vocab.event_fields()) - {"confidence"}


@dataclass(frozen=True)
class Problem:
    where: str  # FILE:LINE
    doc_id: str | None
    message: str
    warning: bool = False

    def __str__(self) -> str:
        who = f" id {self.doc_id}:" if self.doc_id else ""
        return f"{self.where}:{who} {'warning: ' if self.warning else ''}{self.message}"


def _valid_date(value: str) -> bool:
    parts = [int(p) for p in value.split("-")]
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def _check_meta(rec: dict) -> list[str]:
    errs = []
    reviewed = rec.get("split") == REVIEW_SPLIT  # written from reviews: no region or genre was ever decided
    required = ("id", "text", "url", "published", "language", "publisher") + (() if reviewed else ("region", "genre"))
    for key in required:
        if not isinstance(rec.get(key), str) or not rec[key].strip():
            errs.append(f"'{key}' is missing or empty")
    if errs:
        return errs
    if not PUBLISHED.match(rec["published"]) or not _valid_date(rec["published"]):
        errs.append(f"'published' must be a real YYYY-MM-DD date, got {rec['published']!r}")
    if not rec["url"].startswith(("http://", "https://")):
        errs.append(f"'url' must be the http(s) address of the report, got {rec['url']!r}")
    if not LANGUAGE.match(rec["language"]):
        errs.append(f"'language' must be an ISO 639-1 code, got {rec['language']!r}")
    if rec["publisher"] not in vocab.publisher_types():
        errs.append(f"'publisher' must be one of {', '.join(vocab.publisher_types())}, got {rec['publisher']!r}")
    if not (reviewed and rec.get("region") is None) and rec.get("region") not in REGIONS:
        errs.append(f"'region' must be one of {', '.join(REGIONS)}, got {rec['region']!r}")
    if not (reviewed and rec.get("genre") is None) and rec.get("genre") not in GENRES:
        errs.append(f"'genre' must be one of {', '.join(GENRES)}, got {rec['genre']!r}")
    if rec.get("split") is not None and rec["split"] not in (*SPLITS, REVIEW_SPLIT):
        errs.append(f"'split' must be one of {', '.join((*SPLITS, REVIEW_SPLIT))} or absent, got {rec['split']!r}")
    if rec.get("title") is not None and not isinstance(rec["title"], str):
        errs.append("'title' must be a string or null")
    unknown = set(rec) - {"id", "language", "title", "published", "url", "publisher", "region", "genre",
                          "text", "events", "split", "notes"} - ({"rejected"} if reviewed else set())
    if unknown:
        errs.append(f"unknown key(s) {', '.join(sorted(unknown))}")
    if len(rec["text"]) < 150 and not reviewed:
        errs.append(f"'text' is only {len(rec['text'])} characters; write at least a short paragraph")
    if not isinstance(rec.get("events"), list):
        errs.append("'events' must be a list ([] for a text that reports no event)")
    return errs


def _check_event(ev: object, text: str, published: str) -> tuple[list[str], list[str]]:
    """(errors, warnings) of one gold event."""
    if not isinstance(ev, dict):
        return ["is not an object"], []
    errs, warns = [], []
    missing = _GOLD_FIELDS - set(ev)
    extra = set(ev) - _GOLD_FIELDS
    if missing:
        errs.append(f"missing field(s) {', '.join(sorted(missing))} (write null when the text does not say)")
    if extra:
        errs.append(f"unknown field(s) {', '.join(sorted(extra))}")
    if missing:
        return errs, warns
    if ev["country"] not in vocab.countries():
        errs.append(f"country {ev['country']!r} is not an ISO 3166-1 alpha-2 code (or EU) in models/countries.csv")
    platform = ev["platform"]
    if not isinstance(platform, str) or not platform.strip():
        errs.append("platform is empty")
    elif vocab.canonical_platform(platform) != platform:
        errs.append(f"platform {platform!r} is spelt {vocab.canonical_platform(platform)!r} in the contract")
    elif platform not in vocab.platforms():
        warns.append(f"platform {platform!r} is not in models/platforms.csv (fine for a real service; add it)")
    if ev["action"] not in vocab.actions():
        errs.append(f"action {ev['action']!r} is not one of {', '.join(vocab.actions())}")
    if ev["status"] not in vocab.statuses():
        errs.append(f"status {ev['status']!r} is not one of {', '.join(vocab.statuses())}")
    elif (ev["action"] == "unblock") != (ev["status"] == "lifted"):
        errs.append("an unblock is always status 'lifted', and 'lifted' is only for an unblock "
                    "(a measure later lifted stays in_effect; its lifting is its own unblock event)")
    errs += _check_substrings(ev, text)
    e2, w2 = _check_values(ev, published)
    return errs + e2, warns + w2


def _check_substrings(ev: dict, text: str) -> list[str]:
    """evidence, actor and justification are exact substrings of the text (the contract's rule)."""
    errs = []
    for key in vocab.substring_fields():
        value = ev[key]
        if value is None and key != "evidence":
            continue
        if not isinstance(value, str) or not value.strip():
            errs.append(f"{key} must be a non-empty string{'' if key == 'evidence' else ' or null'}")
        elif value not in text:
            errs.append(f"{key} is not an exact substring of the text: {value[:80]!r}")
        elif value != value.strip():
            errs.append(f"{key} has leading or trailing spaces: {value[:80]!r}")
    return errs


def _check_values(ev: dict, published: str) -> tuple[list[str], list[str]]:
    """Date, scope and category of one gold event."""
    errs: list[str] = []
    warns: list[str] = []
    if ev["date"] is not None:
        if not isinstance(ev["date"], str) or not PARTIAL_DATE.match(ev["date"]) or not _valid_date(ev["date"]):
            errs.append(f"date must be YYYY, YYYY-MM or YYYY-MM-DD, got {ev['date']!r}")
        elif ev["date"] > published and ev["status"] not in ("announced", "threatened") and \
                ev["date"][: len(published[:7])] > published[: len(ev["date"])]:
            warns.append(f"date {ev['date']} is after publication {published} for a measure in effect")
    if ev["scope"] is not None and ev["scope"] not in vocab.scopes():
        errs.append(f"scope {ev['scope']!r} is not one of {', '.join(vocab.scopes())} or null")
    cat = ev["justification_category"]
    if cat is not None and cat not in vocab.justification_categories():
        errs.append(f"justification_category {cat!r} is not one of {', '.join(vocab.justification_categories())}")
    if (cat is None) != (ev["justification"] is None):
        errs.append("justification and justification_category are both null or both set")
    return errs, warns


def check_record(rec: object, where: str) -> list[Problem]:
    """Every problem of one parsed record."""
    if not isinstance(rec, dict):
        return [Problem(where, None, "expected a JSON object")]
    doc_id = rec.get("id") if isinstance(rec.get("id"), str) else None
    problems = [Problem(where, doc_id, m) for m in _check_meta(rec)]
    if problems:
        return problems
    keys = Counter()
    for i, ev in enumerate(rec["events"], 1):
        errs, warns = _check_event(ev, rec["text"], rec["published"])
        problems += [Problem(where, doc_id, f"event {i}: {m}") for m in errs]
        problems += [Problem(where, doc_id, f"event {i}: {m}", warning=True) for m in warns]
        if isinstance(ev, dict) and not errs:
            keys[(ev["country"], ev["platform"], vocab.action_class(ev["action"], ev["status"]), ev["date"])] += 1
    for key, n in keys.items():
        if n > 1:
            problems.append(Problem(where, doc_id, f"{n} events share country, platform, class and date {key}: "
                                                   "one measure is one event (docs/annotation.md 3.9)"))
    return problems


@dataclass
class CheckResult:
    problems: list[Problem]
    records: list[dict]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]


def check_files(paths: Iterable[str | Path]) -> CheckResult:
    """Check every record of `paths`, including ids and texts unique across all of them."""
    problems: list[Problem] = []
    records: list[dict] = []
    seen_ids: dict[str, str] = {}
    seen_texts: dict[str, str] = {}
    for path, n, rec in iter_records(paths):
        where = f"{path}:{n}"
        if isinstance(rec, Exception):
            problems.append(Problem(where, None, f"not valid JSON ({rec})"))
            continue
        found = check_record(rec, where)
        problems += found
        if not isinstance(rec, dict):
            continue
        doc_id = rec.get("id")
        if isinstance(doc_id, str):
            if doc_id in seen_ids:
                problems.append(Problem(where, doc_id, f"duplicate id (also at {seen_ids[doc_id]})"))
            seen_ids[doc_id] = where
        text = rec.get("text")
        if isinstance(text, str):
            norm = " ".join(text.lower().split())
            if norm in seen_texts:
                problems.append(Problem(where, doc_id, f"same text as {seen_texts[norm]}"))
            seen_texts[norm] = where
        if not any(not p.warning for p in found):
            records.append(rec)
    return CheckResult(problems, records)


def stats(records: list[dict]) -> dict:
    """Counts that say whether the corpus has the mix docs/annotation.md asks for."""
    n = len(records)
    negatives = sum(1 for r in records if not r["events"])
    classes = Counter(vocab.action_class(e["action"], e["status"]) for r in records for e in r["events"])
    return {
        "texts": n,
        "events": sum(len(r["events"]) for r in records),
        "negatives": negatives,
        "negative_share": round(negatives / n, 3) if n else 0.0,
        "languages": dict(Counter(r["language"] for r in records).most_common()),
        "regions": dict(Counter(r["region"] for r in records).most_common()),
        "publishers": dict(Counter(r["publisher"] for r in records).most_common()),
        "genres": dict(Counter(r["genre"] for r in records).most_common()),
        "classes": dict(classes.most_common()),
        "actions": dict(Counter(e["action"] for r in records for e in r["events"]).most_common()),
        "splits": dict(Counter(r.get("split") or "unassigned" for r in records).most_common()),
    }
