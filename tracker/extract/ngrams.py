"""Word n-grams around a candidate and in its whole text, scored by logistic regressions whose outputs the
event model reads.

The features of tracker.extract.features are language-independent measures; what they cannot see is the
wording around the measure ("was not blocked", "lifts its ban on", "has suspended accounts of", "could
face"). Here each candidate becomes its sentence window as words (lemmas where the pack gives them), with the
service, the measure word and the countries replaced by placeholders, every word tagged with its language;
its 1- to 3-grams feed two logistic regressions: is this an event, and is that event only threatened. On
the dev split this added about 0.02 event F1 over the features alone (bench/learners.py).

A third regression reads the whole text's 1- and 2-grams: does it report a measure at all. Hard negatives
(a rumour denied, a platform's own moderation, a bill debated, an outage) tell a measure in sentences that
read like events, and say what they are elsewhere in the text. Added at stop 25: dev event F1 0.617 to
0.642 and document precision 0.874 to 0.911 (with the candidates of stop 25; out of fold 0.643 to 0.649).

A language-neutral copy of each window, added to the candidate heads' grams (cue words as their lexicon kind,
other words as one "_", no language tag: "<threat> _ <measure>" shared by every language), read worse on dev
at stop 29: event F1 0.632 and 0.631 (seeds 7, 8) against 0.637 and 0.640.

The three scores are the last features of the event and threat models (stacking: in training, each text's
scores come from regressions fitted without it). The weights are plain JSON (models/extractor/ngrams.json):
gram -> weight.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .candidates import Candidate, Doc

#: Words kept on each side of the service and the measure word.
WINDOW = 6
NAMES = ("ngram_event", "ngram_threat", "ngram_document")
FILE = "ngrams.json"
#: Inverse regularisation of the candidate regressions (liblinear, L2); 1.0 was best of 0.3, 1 and 3 on dev.
C = 1.0
#: The document head's: 0.3 read best on dev (event F1 0.642; 0.1, 1 and 3: 0.630, 0.640, 0.631) and tied
#: with 0.1 out of fold (0.649; 1 and 3: 0.647, 0.646).
DOCUMENT_C = 0.3


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


def document_words(doc: Doc) -> list[str]:
    """The whole text as words (lemmas where the pack gives them, numbers as one word), tagged with its
    language: what the document head reads."""
    words = []
    for sent in doc.sentences:
        for t in sent.tokens:
            w = t.lemma or t.lower
            if w[:1].isalnum():
                words.append(f"{doc.language}:" + ("<num>" if w[:1].isdigit() else w))
    return words


def document_grams(doc: Doc) -> set[str]:
    """The distinct 1- and 2-grams of a text's words."""
    return grams(document_words(doc), (1, 2))


def grams(words: list[str], sizes: tuple[int, ...] = (1, 2, 3)) -> set[str]:
    """The distinct n-grams of a word list, for each n of `sizes` (a candidate's window: 1 to 3)."""
    return {" ".join(words[i:i + n]) for n in sizes for i in range(len(words) - n + 1)}


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
    document: Head  # does the whole text report a measure at all (hard negatives read like events)

    def scores(self, cands: list[Candidate]) -> list[list[float]]:
        """[event, threat, document score] for each candidate (the last feature columns)."""
        out = []
        docs: dict[int, float] = {}
        for c in cands:
            gs = grams(marked(c))
            if id(c.doc) not in docs:
                docs[id(c.doc)] = self.document.score(document_grams(c.doc))
            out.append([self.event.score(gs), self.threat.score(gs), docs[id(c.doc)]])
        return out

    def to_json(self) -> str:
        def head(h: Head) -> dict:
            return {"intercept": round(h.intercept, 6),
                    "weights": {g: round(w, 6) for g, w in sorted(h.weights.items()) if abs(w) >= 1e-4}}

        return json.dumps({"event": head(self.event), "threat": head(self.threat),
                           "document": head(self.document)}, ensure_ascii=False,
                          indent=0, sort_keys=True) + "\n"

    @classmethod
    def read(cls, path: Path) -> NgramModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(*(Head(float(data[k]["intercept"]), {g: float(w) for g, w in data[k]["weights"].items()})
                     for k in ("event", "threat", "document")))


def _fit_head(texts: list[set[str]], labels: list[int], c: float = C) -> Head:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    if len(set(labels)) < 2:  # nothing to learn (no threat among the positives): a constant score
        p = min(max(sum(labels) / max(len(labels), 1), 1e-3), 1 - 1e-3)
        return Head(math.log(p / (1 - p)), {})
    vec = CountVectorizer(analyzer=sorted, binary=True, min_df=2)  # grams of two candidates (texts) or more
    x = vec.fit_transform(texts)
    lr = LogisticRegression(C=c, max_iter=2000, solver="liblinear", random_state=7).fit(x, labels)
    return Head(float(lr.intercept_[0]), dict(zip(vec.get_feature_names_out().tolist(), lr.coef_[0].tolist(),
                                                  strict=True)))


def fit(cands: list[Candidate], labels: list[int], event: set[int], threat: int,
        documents: list[tuple[Doc, bool]]) -> NgramModel:
    """The heads from training candidates; `event` are the labels that count as events, `threat` the one
    that marks a threatened event (the threat head learns from events only); `documents` are the texts
    with whether each holds an event."""
    texts = [grams(marked(c)) for c in cands]
    ys = [int(y in event) for y in labels]
    pos = [(t, int(y == threat)) for t, y in zip(texts, labels, strict=True) if y in event]
    return NgramModel(_fit_head(texts, ys), _fit_head([t for t, _ in pos], [y for _, y in pos]),
                      _fit_head([document_grams(d) for d, _ in documents], [int(y) for _, y in documents],
                                DOCUMENT_C))
