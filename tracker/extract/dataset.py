"""Training rows from the annotated corpus: every candidate of every text, labelled by the gold events.

A candidate is labelled EVENT when the text's gold events include its key (country, platform, class),
THREAT when they include a threat of its measure, NONE otherwise. Gold events no candidate reaches are
counted, so the candidate generator's recall is measured on the same data.
"""

from __future__ import annotations

from ..vocabulary import action_class, canonical_platform
from .candidates import Candidate, candidates, class_of, read
from .lexicon import pack

NONE, EVENT, THREAT = 0, 1, 2


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
