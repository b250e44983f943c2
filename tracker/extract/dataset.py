"""Training rows from the annotated corpus: every candidate of every text, labelled by the gold events.

A candidate is labelled EVENT when the text's gold events include its key (country, platform, class),
THREAT when they include a threat of its measure, NONE otherwise. Gold events no candidate reaches are
counted, so the candidate generator's recall is measured on the same data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..vocabulary import action_class, canonical_platform
from .candidates import Candidate, candidates, class_of, read
from .features import doc_stats, featurise
from .lexicon import pack

NONE, EVENT, THREAT = 0, 1, 2


@dataclass
class Rows:
    x: list[list[float]] = field(default_factory=list)
    y: list[int] = field(default_factory=list)
    doc: list[str] = field(default_factory=list)  # document id of each row
    language: list[str] = field(default_factory=list)
    gold_events: int = 0
    reached: int = 0  # gold events some candidate's key reaches

    def extend(self, other: Rows) -> None:
        self.x += other.x
        self.y += other.y
        self.doc += other.doc
        self.language += other.language
        self.gold_events += other.gold_events
        self.reached += other.reached


def gold_keys(events: list[dict]) -> tuple[set[tuple], set[tuple]]:
    """(keys of measures, keys of threats with the class of the measure threatened)."""
    measures, threats = set(), set()
    for e in events:
        platform = canonical_platform(e["platform"])
        klass = action_class(e["action"], e["status"])
        if klass == "threaten":
            threats.add((e["country"], platform.lower(), class_of(e["action"], platform)))
        else:
            measures.add((e["country"], platform.lower(), klass))
    return measures, threats


def label(c: Candidate, measures: set[tuple], threats: set[tuple]) -> int:
    key = (c.country, c.platform.lower(), c.klass)
    if key in measures:
        return EVENT
    if key in threats:
        return THREAT
    return NONE


def document_candidates(rec: dict) -> list[Candidate]:
    """The candidates of one corpus record (empty when its language has no pack)."""
    p = pack(rec.get("language") or "en")
    if p is None:
        return []
    doc = read(rec["text"], p, rec.get("published"), rec.get("title"))
    return candidates(doc)


def rows_for(records: list[dict]) -> Rows:
    rows = Rows()
    for rec in records:
        cands = document_candidates(rec)
        measures, threats = gold_keys(rec["events"])
        stats = doc_stats(cands)
        for c in cands:
            rows.x.append(featurise(c, stats))
            rows.y.append(label(c, measures, threats))
            rows.doc.append(rec["id"])
            rows.language.append(rec["language"])
        reachable = {(c.country, c.platform.lower(), c.klass) for c in cands}
        rows.gold_events += len(measures) + len(threats)
        rows.reached += len(measures & reachable) + len(threats & reachable)
    return rows
