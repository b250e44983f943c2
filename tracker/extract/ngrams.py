"""Word n-grams around a candidate, scored by two logistic regressions whose outputs the event model reads.

The features of tracker.extract.features are language-independent measures; what they cannot see is the
wording around the measure ("was not blocked", "lifts its ban on", "has suspended accounts of", "could
face"). Here each candidate becomes its sentence window as words (lemmas where the pack gives them), with the
service, the measure word and the countries replaced by placeholders, every word tagged with its language;
its 1- to 3-grams feed two logistic regressions: is this an event, and is that event only threatened. Their
scores are the last two features of the event and threat models (stacking: in training, each text's scores
come from regressions fitted without it). On the dev split this added about 0.02 event F1 over the features
alone (bench/learners.py). The weights are plain JSON (models/extractor/ngrams.json): gram -> weight.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .candidates import Candidate

#: Words kept on each side of the service and the measure word.
WINDOW = 6
NAMES = ("ngram_event", "ngram_threat")
FILE = "ngrams.json"
#: Inverse regularisation of both regressions (liblinear, L2); 1.0 was best of 0.3, 1 and 3 on dev.
C = 1.0


def marked(c: Candidate, window: int = WINDOW) -> list[str]:
    """The candidate's sentence window as words: the service, measure word and countries as placeholders."""
    toks, ms = c.sentence.tokens, c.doc.matches[c.sentence.index]
    tags: list[str | None] = [None] * len(toks)
    for m in ms:
        if m.kind == "platform":
            tag = "<svc>" if (m.first, m.value) == (c.service.first, c.service.value) else "<other-svc>"
        elif m.kind in ("country", "authority"):
            tag = f"<{m.kind}{'' if m.value == c.country else '-other'}>"
        elif m.kind == "trigger" and m.first == c.trigger.first:
            tag = "<measure>"
        else:
            continue
        for i in range(m.first, min(m.last, len(toks))):
            tags[i] = tag
    words: list[str] = []
    for i, t in enumerate(toks):
        if tags[i] and i and tags[i - 1] == tags[i]:
            continue
        w = tags[i] or t.lemma or t.lower
        words.append("<num>" if w[:1].isdigit() else w)
    at = [i for i, w in enumerate(words) if w in ("<measure>", "<svc>")]
    lo, hi = (0, 2 * window) if c.from_list_head or not at else (max(0, min(at) - window), max(at) + window + 1)
    return [f"{c.doc.language}:{w}" for w in words[lo:hi]]


def grams(words: list[str]) -> set[str]:
    """The distinct 1-, 2- and 3-grams of a word list."""
    return {" ".join(words[i:i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)}


@dataclass
class Head:
    """One logistic regression over n-grams: intercept plus the weight of each gram present."""

    intercept: float
    weights: dict[str, float]

    def score(self, gs: Iterable[str]) -> float:
        # fsum: exactly rounded whatever the order, and a set's order follows the hash seed
        z = math.fsum([self.intercept, *(self.weights.get(g, 0.0) for g in gs)])
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@dataclass
class NgramModel:
    event: Head
    threat: Head

    def scores(self, cands: list[Candidate]) -> list[list[float]]:
        """[event score, threat score] for each candidate (the last two feature columns)."""
        out = []
        for c in cands:
            gs = grams(marked(c))
            out.append([self.event.score(gs), self.threat.score(gs)])
        return out

    def to_json(self) -> str:
        def head(h: Head) -> dict:
            return {"intercept": round(h.intercept, 6),
                    "weights": {g: round(w, 6) for g, w in sorted(h.weights.items()) if abs(w) >= 1e-4}}

        return json.dumps({"event": head(self.event), "threat": head(self.threat)}, ensure_ascii=False,
                          indent=0, sort_keys=True) + "\n"

    @classmethod
    def read(cls, path: Path) -> NgramModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(*(Head(float(data[k]["intercept"]), {g: float(w) for g, w in data[k]["weights"].items()})
                     for k in ("event", "threat")))


def _fit_head(texts: list[set[str]], labels: list[int]) -> Head:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    if len(set(labels)) < 2:  # nothing to learn (no threat among the positives): a constant score
        p = min(max(sum(labels) / max(len(labels), 1), 1e-3), 1 - 1e-3)
        return Head(math.log(p / (1 - p)), {})
    vec = CountVectorizer(analyzer=sorted, binary=True, min_df=2)  # grams of two candidates or more
    x = vec.fit_transform(texts)
    lr = LogisticRegression(C=C, max_iter=2000, solver="liblinear", random_state=7).fit(x, labels)
    return Head(float(lr.intercept_[0]), dict(zip(vec.get_feature_names_out().tolist(), lr.coef_[0].tolist(),
                                                  strict=True)))


def fit(cands: list[Candidate], labels: list[int], event: set[int], threat: int) -> NgramModel:
    """Both heads from training candidates; `event` are the labels that count as events, `threat` the one
    that marks a threatened event (the threat head learns from events only)."""
    texts = [grams(marked(c)) for c in cands]
    ys = [int(y in event) for y in labels]
    pos = [(t, int(y == threat)) for t, y in zip(texts, labels, strict=True) if y in event]
    return NgramModel(_fit_head(texts, ys), _fit_head([t for t, _ in pos], [y for _, y in pos]))
