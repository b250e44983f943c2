"""Training rows from the annotated corpus: every candidate of every text, labelled by the gold events.

A candidate is labelled EVENT when the text's gold events include its key (country, platform, class),
THREAT when they include a threat of its measure, NONE otherwise. Gold events no candidate reaches are
counted, so the candidate generator's recall is measured on the same data.

The gold key says which measures a text states, its evidence which sentence states each. Where a key has
a candidate in an evidence sentence, that candidate is the labelled one: the key's other candidates (the
service named again, a headline, a later mention) are left out of training (ELSEWHERE), and a key the text
both threatens and carries out is a threat in the threat's sentence, not the measure. Labelled by the key
alone, every mention of "Twitter" in a text about its blocking taught the models that its sentence states
a block, and a threat's own sentence that it was the measure (out of fold on the train split of stop 23:
event F1 0.642 against 0.633 at the best threshold, threats 0.502 against 0.447). A reviewed article
(`tracker train --with-reviews`) is labelled by its keys alone: its evidence is the sentence the machine
quoted, which the reviewer did not vouch for.
"""

from __future__ import annotations

from ..vocabulary import action_class, canonical_platform
from .candidates import Candidate, candidates, class_of, read
from .lexicon import pack
from .text import Sentence

NONE, EVENT, THREAT = 0, 1, 2
#: A candidate of a gold key outside the sentences that state it, when a candidate of the key stands in one.
ELSEWHERE = -1


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


def told(events: list[dict], text: str) -> list[tuple[int, int, tuple, bool, dict]]:
    """(start, end, key, threatened, event) for each key of each gold event, with where its evidence stands
    in the text (start -1 when the text does not hold it)."""
    out = []
    for e in events:
        evidence = e.get("evidence") or ""
        start = text.find(evidence) if evidence else -1
        measures, threats = gold_keys([e])
        for threatened, keys in ((False, measures), (True, threats)):
            out += [(start, start + len(evidence), key, threatened, e) for key in keys]
    return out


def states(sentence: Sentence, start: int, end: int) -> bool:
    """Whether a sentence of the text (never the headline) stands in the evidence span [start, end)."""
    return not sentence.is_title and 0 <= start < sentence.end and sentence.start < end


def labels(cands: list[Candidate], events: list[dict], text: str, *, by_evidence: bool = True) -> list[int]:
    """Each candidate's training label (see the module's docstring). `by_evidence=False` labels by the key
    alone: a reviewer vouches for an event of an article, not for the sentence the machine quoted."""
    measures, threats = gold_keys(events)
    spans = told(events, text) if by_evidence else []
    keys = [(c.country, c.platform.lower(), c.klass) for c in cands]
    # per candidate: whether its sentence states its key as a measure (False), as a threat (True)
    said = [{th for a, b, k, th, _ in spans if k == key and states(c.sentence, a, b)}
            for c, key in zip(cands, keys, strict=True)]
    covered = {key for key, here in zip(keys, said, strict=True) if here}
    out = []
    for c, key, here in zip(cands, keys, said, strict=True):
        y = label(c, measures, threats)
        if y != NONE and not here and key in covered:
            y = ELSEWHERE
        elif y == EVENT and here == {True}:
            y = THREAT
        out.append(y)
    return out


def document_candidates(rec: dict) -> list[Candidate]:
    """The candidates of one corpus record (empty when its language has no pack)."""
    p = pack(rec.get("language") or "en")
    if p is None:
        return []
    doc = read(rec["text"], p, rec.get("published"), rec.get("title"))
    return candidates(doc)
