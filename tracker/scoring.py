"""Scoring predicted events against gold events exactly as contracts section 4 says.

Per document, predicted and gold events match one to one on (country, platform, class); the
class folds the action (threats -> threaten; lifts -> unblock; block/ban/restrict -> restrict).
Field accuracies are counted on matched pairs.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from .vocabulary import action_class, canonical_platform

_STOP = {
    "the", "a", "an", "of", "and", "in", "on", "for", "to", "by", "at", "its", "their", "his", "her", "s",
    "that", "this", "with", "from", "as", "is", "was", "be", "it", "or",
}
_TOKEN = re.compile(r"\w+", re.UNICODE)


def event_class(ev: dict) -> str:
    """Contracts section 4's class of an event (an unknown action is a class of its own, never matched)."""
    return action_class(ev.get("action"), ev.get("status")) or f"unknown action {ev.get('action')!r}"


def _platform(name: str | None) -> str:
    return canonical_platform(name or "").lower()


def event_key(ev: dict) -> tuple[str, str, str]:
    return ((ev.get("country") or "").upper(), _platform(ev.get("platform")), event_class(ev))


def date_ok(pred: str | None, gold: str | None) -> bool:
    if not gold:
        return not pred
    return bool(pred) and str(pred)[: len(gold)] == gold


def actor_ok(pred: str | None, gold: str | None) -> bool:
    if not gold:
        return not pred
    if not pred:
        return False
    words = lambda s: {w for w in _TOKEN.findall(s.lower()) if w not in _STOP}
    return bool(words(pred) & words(gold))


def token_f1(a: str, b: str) -> float:
    ta, tb = _TOKEN.findall(a.lower()), _TOKEN.findall(b.lower())
    if not ta or not tb:
        return 0.0
    common: dict[str, int] = defaultdict(int)
    for t in ta:
        common[t] += 1
    overlap = 0
    for t in tb:
        if common[t] > 0:
            overlap += 1
            common[t] -= 1
    if overlap == 0:
        return 0.0
    p, r = overlap / len(ta), overlap / len(tb)
    return 2 * p * r / (p + r)


def justification_ok(pred: str | None, gold: str | None) -> bool:
    if not gold:
        return not pred
    return bool(pred) and token_f1(pred, gold) >= 0.5


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _prf(tp: int, fp: int, fn: int) -> dict:
    p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 3), "recall": round(r, 3),
            "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0}


@dataclass
class Report:
    documents: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    doc_tp: int = 0
    doc_fp: int = 0
    doc_fn: int = 0
    date_right: int = 0
    actor_right: int = 0
    justification_right: int = 0
    category_right: int = 0
    errors: list[dict] = field(default_factory=list)
    field_errors: list[dict] = field(default_factory=list)
    by_class: dict[str, list[int]] = field(default_factory=dict)  # class -> [tp, fp, fn]

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {
            "documents": self.documents,
            "events": {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 3),
                       "recall": round(self.recall, 3), "f1": round(self.f1, 3)},
            "documents_relevance": {
                "precision": round(_ratio(self.doc_tp, self.doc_tp + self.doc_fp), 3),
                "recall": round(_ratio(self.doc_tp, self.doc_tp + self.doc_fn), 3),
            },
            "classes": {k: _prf(*v) for k, v in sorted(self.by_class.items())},
            "matched_fields": {
                "date": round(_ratio(self.date_right, self.tp), 3),
                "actor": round(_ratio(self.actor_right, self.tp), 3),
                "justification": round(_ratio(self.justification_right, self.tp), 3),
                "justification_category": round(_ratio(self.category_right, self.tp), 3),
            },
        }


def _pair_score(p: dict, g: dict) -> int:
    return (2 * date_ok(p.get("date"), g.get("date")) + justification_ok(p.get("justification"), g.get("justification"))
            + actor_ok(p.get("actor"), g.get("actor")))


def score_document(doc_id: str, pred: list[dict], gold: list[dict], report: Report) -> None:
    report.documents += 1
    if pred and gold:
        report.doc_tp += 1
    elif pred:
        report.doc_fp += 1
    elif gold:
        report.doc_fn += 1
    by_key_p: dict[tuple, list[dict]] = defaultdict(list)
    by_key_g: dict[tuple, list[dict]] = defaultdict(list)
    for ev in pred:
        by_key_p[event_key(ev)].append(ev)
    for ev in gold:
        by_key_g[event_key(ev)].append(ev)
    for key in set(by_key_p) | set(by_key_g):
        ps, gs = list(by_key_p.get(key, [])), list(by_key_g.get(key, []))
        while ps and gs:
            p, g = max(((p, g) for p in ps for g in gs), key=lambda pg: _pair_score(*pg))
            ps.remove(p)
            gs.remove(g)
            report.tp += 1
            report.by_class.setdefault(key[2], [0, 0, 0])[0] += 1
            checks = {
                "date": date_ok(p.get("date"), g.get("date")),
                "actor": actor_ok(p.get("actor"), g.get("actor")),
                "justification": justification_ok(p.get("justification"), g.get("justification")),
                "justification_category": p.get("justification_category") == g.get("justification_category"),
            }
            report.date_right += checks["date"]
            report.actor_right += checks["actor"]
            report.justification_right += checks["justification"]
            report.category_right += checks["justification_category"]
            for name, ok in checks.items():
                if not ok:
                    report.field_errors.append({"id": doc_id, "key": list(key), "field": name,
                                                "predicted": p.get(name), "gold": g.get(name)})
        for p in ps:
            report.fp += 1
            report.by_class.setdefault(key[2], [0, 0, 0])[1] += 1
            report.errors.append({"id": doc_id, "kind": "false", "key": list(key), "event": p})
        for g in gs:
            report.fn += 1
            report.by_class.setdefault(key[2], [0, 0, 0])[2] += 1
            report.errors.append({"id": doc_id, "kind": "miss", "key": list(key), "event": g})


