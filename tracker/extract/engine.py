"""Extraction v2: candidates from the language pack, decisions from the trained model, fields around them.

One event per (country, service, class) in a text (contracts section 4's key): of the candidates the
model accepts for a key, the one it scores highest gives the evidence sentence and the fields, and its
calibrated score is the event's `confidence`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .candidates import Candidate, candidates, read
from .features import doc_stats, featurise
from .fields import read_fields
from .lexicon import pack
from .model import Model, load_model
from .parse import parse_sentences


@dataclass
class Decision:
    candidate: Candidate
    confidence: float
    threatened: bool

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.candidate.country, self.candidate.platform, "threaten" if self.threatened else
                self.candidate.klass)


def decide(cands: list[Candidate], model: Model) -> list[Decision]:
    """The accepted candidates, one per key (the most confident), in text order."""
    if not cands:
        return []
    stats = doc_stats(cands)
    parse_sentences(cands)
    rows = [featurise(c, stats, ng) for c, ng in zip(cands, model.ngrams.scores(cands), strict=True)]
    scores = model.predict(rows)
    best: dict[tuple, tuple[float, Decision]] = {}
    for c, row, (raw, confidence, threat) in zip(cands, rows, scores, strict=True):
        if raw < model.threshold:
            continue
        d = Decision(c, confidence, model.threatened(row, threat))
        # the model's own score ranks a key's candidates (as training does): the calibrated confidence is a
        # step function, whose ties would hand the event to whichever candidate came first
        if d.key not in best or raw > best[d.key][0]:
            best[d.key] = (raw, d)
    return sorted((d for _, d in best.values()), key=lambda d: (d.candidate.sentence.start, d.candidate.service.start))


def to_event(d: Decision, model: Model) -> dict:
    c = d.candidate
    f = read_fields(c, d.threatened, model.rankers, model.openers)
    sent = c.sentence
    return {
        "country": c.country,
        "platform": c.platform,
        "action": f.action,
        "status": f.status,
        "actor": f.actor,
        "date": f.date,
        "scope": f.scope,
        "justification": f.justification,
        "justification_category": f.justification_category,
        "evidence": sent.text,
        "confidence": round(min(0.99, max(0.01, d.confidence)), 3),
        "evidence_start": sent.start,
        "evidence_end": sent.end,
    }


def extract(text: str, language: str, published: str | None = None, title: str | None = None,
            model: Model | None = None) -> list[dict]:
    """Every event the text states, read in `language`'s pack; [] when the language has no pack."""
    p = pack(language)
    if p is None or not text.strip():
        return []
    doc = read(text, p, published, title)
    model = model or load_model()
    return [to_event(d, model) for d in decide(candidates(doc), model)]
