"""Which learner decides the candidates: the comparison behind the shipped choice, on the dev split.

Every learner sees the same candidates (the language packs' proposals for the train and dev texts) and is
trained on the train split only; thresholds are chosen on out-of-fold scores of the train split, as
`tracker train` chooses them, and each learner is then scored once on the dev split by the contract's
scorer (event precision, recall, F1; per language too). The test split is never read. The train texts are
read as written, with their headlines; since stop 28 `tracker train` also reads each without it
(train.untitled_twins), which takes about 1.6 times as long (97 s against 153 to 167 s on stop 28's
machine). The learners were compared without that, as here.

- lightgbm            gradient-boosted trees over the language-independent features alone
- logistic            logistic regression over the same features, standardised
- lightgbm+ngrams     lightgbm plus two more features: the out-of-fold scores of logistic regressions over
                      word n-grams of the candidate's sentence window, with the service, measure word and
                      countries replaced by placeholders (tracker.extract.ngrams; what ships)
- lightgbm+ngrams+spans
                      lightgbm+ngrams plus two more: out-of-fold scores of logistic regressions over
                      all-MiniLM-L6-v2's last-layer token vectors, averaged over the candidate's sentence,
                      its service, its measure word and the words between (1,536 numbers), for the
                      Latin-script languages (the encoder's word pieces do not spell the others: NaN)
- lightgbm+minilm     lightgbm plus 16 principal components of the sentence's all-MiniLM-L6-v2 embedding
                      (an English encoder; other languages get what it makes of them)

    .venv/bin/python bench/learners.py               # all five (MiniLM encoding takes a few minutes)
    .venv/bin/python bench/learners.py --skip minilm --skip logistic --seed 8   # LightGBM's seed
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np

from tracker.corpus import load
from tracker.extract import train as T
from tracker.extract.dataset import ELSEWHERE, EVENT, THREAT


def add_ngrams(train: list[T.Doc], dev: list[T.Doc]) -> None:
    """The shipped stacking: out-of-fold n-gram scores on train (the folds of tracker train), the regressions
    fitted on all of train for dev."""
    T.stack_ngrams(train)
    model = T.fit_ngram_model(train)
    for d in dev:
        if d.cands:
            d.rows = [r[:-len(T.NGRAM_NAMES)] + sc for r, sc in zip(d.rows, model.scores(d.cands), strict=True)]


def add_minilm(train: list[T.Doc], dev: list[T.Doc], components: int = 16) -> None:
    from sklearn.decomposition import PCA

    from tracker.extract.nlp import get_embedder

    texts = sorted({c.sentence.text for d in train + dev for c in d.cands})
    vectors = get_embedder().encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    emb = dict(zip(texts, vectors, strict=True))
    pca = PCA(n_components=components, random_state=T.SEED).fit(
        np.asarray([emb[c.sentence.text] for d in train for c in d.cands]))
    for d in train + dev:
        if d.cands:
            z = pca.transform(np.asarray([emb[c.sentence.text] for c in d.cands])).tolist()
            d.rows = [r + list(v) for r, v in zip(d.rows, z, strict=True)]


#: Languages whose words the English encoder's word pieces spell (the spans learner reads only these).
LATIN = frozenset({"en", "es", "pt", "fr", "id", "tr"})
#: Inverse regularisation of the spans learner's regressions: 0.01 to 0.05 read alike on dev, 0.2 less.
SPANS_C = 0.02


def _span_vectors(docs: list[T.Doc]) -> dict[str, np.ndarray]:
    """Each Latin-script candidate's sentence, service, measure word and words between, as averages of the
    encoder's last-layer token vectors (a list line's measure word is read in its opener's sentence)."""
    import torch

    from tracker.extract.nlp import get_embedder

    module = get_embedder()[0]
    need = {(d.id, s.index): s for d in docs if d.language in LATIN for c in d.cands
            for s in (c.sentence, c.doc.sentences[c.trigger_sentence])}
    keys = sorted(need, key=lambda k: len(need[k].text))
    hidden = {}
    with torch.inference_mode():
        for i in range(0, len(keys), 32):
            part = keys[i:i + 32]
            batch = module.tokenizer([need[k].text for k in part], padding=True, truncation=True, max_length=256,
                                     return_offsets_mapping=True, return_tensors="pt")
            offsets = batch.pop("offset_mapping").tolist()
            out = module.auto_model(**batch).last_hidden_state
            for j, k in enumerate(part):
                n = int(batch["attention_mask"][j].sum())
                hidden[k] = (out[j, 1:n - 1].numpy(), offsets[j][1:n - 1])

    def pieces(key, start: int, end: int) -> list[int]:
        base = need[key].start
        return [i for i, (a, b) in enumerate(hidden[key][1]) if b > a and a < end - base and b > start - base]

    def vector(d: T.Doc, c) -> np.ndarray:
        here, there = (d.id, c.sentence.index), (d.id, c.trigger_sentence)
        h, zero = hidden[here][0], np.zeros(hidden[here][0].shape[1], dtype=np.float32)
        svc, trig = pieces(here, c.service.start, c.service.end), pieces(there, c.trigger.start, c.trigger.end)
        between = zero
        if here == there and svc and trig:
            lo, hi = (max(svc) + 1, min(trig)) if max(svc) < min(trig) else (max(trig) + 1, min(svc))
            between = h[lo:hi].mean(axis=0) if hi > lo else zero
        return np.concatenate([h.mean(axis=0) if len(h) else zero, h[svc].mean(axis=0) if svc else zero,
                               hidden[there][0][trig].mean(axis=0) if trig else zero, between])

    return {d.id: np.asarray([vector(d, c) for c in d.cands]) for d in docs if d.language in LATIN and d.cands}


def add_spans(train: list[T.Doc], dev: list[T.Doc]) -> None:
    """Two columns after the n-gram ones: the spans regressions' scores, out of fold on train."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    vectors = _span_vectors(train + dev)

    def fit(docs: list[T.Doc]):
        heads = []
        for threat in (False, True):
            xs, ys = [], []
            for d in (d for d in docs if d.id in vectors):
                for v, y in zip(vectors[d.id], d.labels, strict=True):
                    if y != ELSEWHERE and (not threat or y in (EVENT, THREAT)):
                        xs.append(v)
                        ys.append(int(y == THREAT) if threat else int(y in (EVENT, THREAT)))
            heads.append(make_pipeline(StandardScaler(), LogisticRegression(C=SPANS_C, max_iter=3000)).fit(xs, ys))
        return heads

    def fill(docs: list[T.Doc], heads) -> None:
        for d in docs:
            if not d.cands:
                continue
            if d.id in vectors:
                cols = np.column_stack([h.predict_proba(vectors[d.id])[:, 1] for h in heads]).tolist()
            else:
                cols = [[float("nan")] * 2 for _ in d.cands]
            d.rows = [r + c for r, c in zip(d.rows, cols, strict=True)]

    for k in range(T.FOLDS):
        fill([d for d in train if d.fold == k], fit([d for d in train if d.fold != k]))
    fill(dev, fit(train))


class Logistic:
    """A logistic regression with the shape of the LightGBM boosters train.py fits (predict on rows)."""

    def __init__(self, rows, labels):
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        # parse features are missing (NaN) for languages without a parser: 0 plus a missing-value flag
        self.model = make_pipeline(SimpleImputer(strategy="constant", fill_value=0.0, add_indicator=True,
                                                 keep_empty_features=True),
                                   StandardScaler(), LogisticRegression(C=0.5, max_iter=5000))
        self.model.fit(np.asarray(rows, dtype=float), labels)

    def predict(self, x):
        return self.model.predict_proba(x)[:, 1]


def _fit_pair(docs: list[T.Doc], learner: str, seed: int = T.SEED):
    if learner != "logistic":
        return T._fit_pair(docs, seed)
    kept = [(r, y) for d in docs for r, y in zip(d.rows, d.labels, strict=True) if y != ELSEWHERE]
    rows, ys = [r for r, _ in kept], [y for _, y in kept]
    pos = [(r, y) for r, y in zip(rows, ys, strict=True) if y in (EVENT, THREAT)]
    return Logistic(rows, [int(y in (EVENT, THREAT)) for y in ys]), \
        Logistic([r for r, _ in pos], [int(y == THREAT) for _, y in pos])


def _scores(docs: list[T.Doc], pair) -> dict[str, list[tuple[float, float]]]:
    event, threat = pair
    out = {}
    for d in docs:
        x = np.asarray(d.rows, dtype=float)
        out[d.id] = list(zip(event.predict(x).tolist(), threat.predict(x).tolist(), strict=True)) if d.rows else []
    return out


def evaluate(train: list[T.Doc], dev: list[T.Doc], learner: str, seed: int = T.SEED) -> dict:
    oof: dict = {}
    for k in range(T.FOLDS):
        oof.update(_scores([d for d in train if d.fold == k],
                           _fit_pair([d for d in train if d.fold != k], learner, seed)))
    best = None
    for t in T.THRESHOLDS:
        for tt in (0.2, 0.3, 0.4, 0.5):
            rep = T.score_docs(train, oof, t, tt)
            if best is None or rep.f1 > best[2].f1:
                best = (t, tt, rep)
    assert best is not None
    scores = _scores(dev, _fit_pair(train, learner, seed))
    by_lang: dict[str, list[T.Doc]] = defaultdict(list)
    for d in dev:
        by_lang[d.language].append(d)
    return {"oof": best[2].f1, "dev": T.score_docs(dev, scores, best[0], best[1]),
            "languages": {lang: T.score_docs(ds, scores, best[0], best[1]).f1 for lang, ds in sorted(by_lang.items())}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--skip", action="append", default=[], choices=["logistic", "ngrams", "spans", "minilm"])
    ap.add_argument("--seed", type=int, default=T.SEED, help="LightGBM's seed for every learner")
    args = ap.parse_args()
    corpus = [ROOT / "corpus" / "texts"]
    start = time.monotonic()
    train_recs, dev_recs = load(corpus, split="train"), load(corpus, split="dev")
    train, dev = T.build(train_recs), T.build(dev_recs)
    base = {d.id: d.rows for d in train + dev}
    results = []
    for learner in ("lightgbm", "logistic", "lightgbm+ngrams", "lightgbm+ngrams+spans", "lightgbm+minilm"):
        if any(s in learner.split("+") for s in args.skip):
            continue
        for d in train + dev:  # the shared features; each learner adds its own columns
            d.rows = base[d.id]
        if "ngrams" in learner:
            add_ngrams(train, dev)
        if learner.endswith("spans"):
            add_spans(train, dev)
        elif learner.endswith("minilm"):
            add_minilm(train, dev)
        results.append((learner, evaluate(train, dev, learner, args.seed)))
        print(f"{learner}: done at {time.monotonic() - start:.0f}s", file=sys.stderr)
    langs = sorted(results[0][1]["languages"])
    print(f"train {len(train_recs)} texts, dev {len(dev_recs)} texts; LightGBM seed {args.seed}")
    print()
    print("| learner | out-of-fold F1 (train) | dev precision | dev recall | dev F1 | " + " | ".join(langs) + " |")
    print("|---|---:|---:|---:|---:|" + "---:|" * len(langs))
    for learner, r in results:
        d = r["dev"]
        print(f"| {learner} | {r['oof']:.3f} | {d.precision:.3f} | {d.recall:.3f} | {d.f1:.3f} | "
              + " | ".join(f"{r['languages'][lang]:.3f}" for lang in langs) + " |")


if __name__ == "__main__":
    main()
