"""`tracker train`: the event model rebuilt from the corpus's train split, deterministically.

Every candidate of every training text is a row (tracker.extract.dataset). The event model learns which
candidates state an event, the threat model which of those are only threatened, and the field rankers
(tracker.extract.rank) which of the dates, actors and reasons around an event are its own; all are LightGBM
with fixed seeds on fixed threads, so the same corpus gives the same files. The event and threat models' last
features are the scores of the n-gram regressions (tracker.extract.ngrams), stacked: each training text gets the scores
of regressions fitted on the other folds, as an unseen text would. Out-of-fold scores (five folds by
document) choose the thresholds (the most precise within the noise of the best event F1) and fit the
isotonic calibration of `confidence`;
the dev and test splits are never seen here. The files are LightGBM's text format and a JSON document.

Records from reviews (split "review", tracker.review.gold) only say what reviewers looked at: their candidates
are kept when their key is a reviewed event (a positive) or a key reviewers rejected (a negative); the others
are left out rather than taught as negatives. The models learn from them, but the thresholds and the
calibration are chosen on the corpus's texts alone: reviewed texts were picked by the review queue for being
doubtful, so their candidates are no fair sample of what extraction meets.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..corpus.store import REVIEW_SPLIT
from ..scoring import Report, score_document
from . import reasons
from .candidates import Candidate
from .dataset import ELSEWHERE, EVENT, THREAT, document_candidates, gold_keys, labels
from .features import doc_stats, feature_names, featurise
from .fields import RANKERS
from .lexicon import pack
from .model import THREAT_BEFORE, THREAT_CUE, inputs_hash, ranker_features
from .ngrams import FILE as NGRAM_FILE
from .ngrams import NAMES as NGRAM_NAMES
from .ngrams import NgramModel
from .ngrams import fit as fit_ngrams
from .parse import parse_sentences
from .rank import Ranker
from .rank import training_rows as ranker_rows

SEED = 7
FOLDS = 5
#: The id suffix of a training text's copy without its title (untitled_twins).
UNTITLED = "#untitled"
PARAMS = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 10,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0, "verbose": -1,
    "seed": SEED, "num_threads": 2, "deterministic": True, "force_row_wise": True,
}
EVENT_ROUNDS = 300
THREAT_ROUNDS = 150
#: The field rankers (tracker.extract.rank) learn to rank each event's options (LightGBM's lambdarank: on
#: dev it read actors 0.555 against 0.518 to 0.544 for a yes/no model of the same options, dates the same),
#: with leaves of at least this many options, since every option of one event shares the event's features.
RANKER_ROUNDS = 200
RANKER_LEAF = 50
THRESHOLDS = tuple(round(0.2 + 0.05 * i, 2) for i in range(13))
THREAT_THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
#: How far under the best out-of-fold event F1 a more precise threshold may score and still be chosen (the
#: out-of-fold F1 of one corpus trained under three seeds spread over 0.003: 0.639 to 0.642).
F1_TOLERANCE = 0.005
#: Events scored below this are left out of the calibration fit: far under any threshold, never output.
CALIBRATE_FROM = 0.1


@dataclass
class Doc:
    id: str
    language: str
    gold: list[dict]
    cands: list[Candidate]
    rows: list[list[float]]
    labels: list[int]
    group: str  # the id of the text it was read from: a text and its untitled twin share a fold (`fold`)
    reviewed: bool = False  # from reviews: trained on, not used to choose thresholds or calibrate

    @property
    def fold(self) -> int:
        return _fold(self.group)

    @property
    def twin(self) -> bool:
        """A text read again without its title: trained on, not used to choose thresholds or calibrate."""
        return self.group != self.id


@dataclass
class TrainReport:
    documents: int
    rows: int
    positives: int
    threats: int
    threshold: float
    threat_threshold: float
    oof: dict
    stamp: str
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("documents", "rows", "positives", "threats", "threshold",
                                              "threat_threshold", "oof", "stamp", "files", "seconds")}


def _reviewed_only(rec: dict, cands: list[Candidate], measures: set, threats: set) -> list[Candidate]:
    """A reviewed record's candidates whose key a review decided (kept as events, or rejected)."""
    refused_m, refused_t = gold_keys(rec.get("rejected") or [])
    known = measures | threats | refused_m | refused_t
    return [c for c in cands if (c.country, c.platform.lower(), c.klass) in known]


def untitled_twins(records: list[dict]) -> list[dict]:
    """Each titled record, and the same text again without its title. Every corpus text has a headline,
    but a text to annotate may come without one (contracts section 2: `title` may be null; a page whose
    headline the crawler did not find), and a model that never saw a text without one reads its events
    far less surely: on dev, the model trained on titled texts alone fell from F1 0.630 to 0.584 with the
    titles taken away (Arabic 0.569 to 0.386). The twin shares its text's fold, so no text is scored out
    of fold by a model that read it, and the thresholds and calibration are chosen on the texts as written
    (`Doc.twin`)."""
    out = []
    for rec in records:  # each twin beside its text, so a progress bar moves evenly
        out.append(rec)
        if rec.get("title"):
            out.append({**rec, "id": rec["id"] + UNTITLED, "title": None, "twin_of": rec["id"]})
    return out


def build(records: list[dict], progress: Callable[[int], None] | None = None) -> list[Doc]:
    docs = []
    for rec in records:
        cands = document_candidates(rec)
        stats = doc_stats(cands)  # over every candidate, as extraction sees the text
        measures, threats = gold_keys(rec["events"])
        if rec.get("split") == REVIEW_SPLIT:
            cands = _reviewed_only(rec, cands, measures, threats)
        parse_sentences(cands)
        docs.append(Doc(rec["id"], rec["language"], rec["events"], cands, [featurise(c, stats) for c in cands],
                        labels(cands, rec["events"], rec["text"], by_evidence=rec.get("split") != REVIEW_SPLIT),
                        group=rec.get("twin_of", rec["id"]), reviewed=rec.get("split") == REVIEW_SPLIT))
        if progress and "twin_of" not in rec:  # one step per text read, its twin with it
            progress(1)
    return docs


def document_examples(docs: list[Doc]) -> list[tuple[object, bool]]:
    """The document regression's texts, each with whether it states a measure. A reviewed text whose reviews
    only rejected is left out: the reviewers refused what the machine read, which says nothing of the rest
    of the text (a review vouches for a measure it confirms, so a confirmed one counts)."""
    return [(d.cands[0].doc, bool(d.gold)) for d in docs if d.cands and (d.gold or not d.reviewed)]


def fit_ngram_model(docs: list[Doc]) -> NgramModel:
    """The n-gram regressions. An untitled twin's sentences are its text's, so each text counts twice: every
    gram of one text passes the regressions' two-text floor (ngrams.json 4.3 MB -> 12.9 MB) and each text
    weighs double against the regularisation. Fitted on the texts as written instead, the model read dev
    event F1 0.630 and 0.621 (seeds 7, 8) against 0.637 and 0.640, without titles 0.623 and 0.612 against
    0.615 and 0.629 (stop 28). A floor that counts a text and its twin as one text (a gram kept when two
    texts hold it; ngrams.json 4.3 MB) read worse too: dev 0.635 and 0.634, English 0.633 and 0.635 against
    0.649 and 0.651, without titles 0.627 and 0.627 (stop 29). The grams of one text carry English."""
    kept = [(c, y) for d in docs for c, y in zip(d.cands, d.labels, strict=True) if y != ELSEWHERE]
    return fit_ngrams([c for c, _ in kept], [y for _, y in kept], {EVENT, THREAT}, THREAT, document_examples(docs))


def stack_ngrams(docs: list[Doc]) -> None:
    """Fill every row's n-gram columns with scores of regressions fitted on the other folds."""
    k_cols = len(NGRAM_NAMES)
    for k in range(FOLDS):
        model = fit_ngram_model([d for d in docs if d.fold != k])
        for d in docs:
            if d.fold == k and d.cands:
                d.rows = [r[:-k_cols] + s for r, s in zip(d.rows, model.scores(d.cands), strict=True)]


def _fold(doc_id: str) -> int:
    return int(hashlib.sha256(doc_id.encode()).hexdigest(), 16) % FOLDS


def _fit(rows: list[list[float]], labels: list[int], rounds: int, params: dict | None = None,
         groups: list[int] | None = None, seed: int = SEED):
    import lightgbm as lgb
    import numpy as np

    data = lgb.Dataset(np.asarray(rows, dtype=float), np.asarray(labels), group=groups, free_raw_data=True)
    return lgb.train({**PARAMS, **(params or {}), "seed": seed}, data, num_boost_round=rounds)


def _fit_pair(docs: list[Doc], seed: int = SEED):
    kept = [(r, y) for d in docs for r, y in zip(d.rows, d.labels, strict=True) if y != ELSEWHERE]
    rows, ys = [r for r, _ in kept], [y for _, y in kept]
    event = _fit(rows, [int(y in (EVENT, THREAT)) for y in ys], EVENT_ROUNDS, seed=seed)
    pos = [(r, y) for r, y in zip(rows, ys, strict=True) if y in (EVENT, THREAT)]
    threat = _fit([r for r, _ in pos], [int(y == THREAT) for _, y in pos], THREAT_ROUNDS, {"min_data_in_leaf": 5},
                  seed=seed)
    return event, threat


def fit_ranker(docs: list[Doc], ranker: Ranker, seed: int = SEED):
    """A field ranker's model, fitted on the options of every candidate that states a gold event (in the
    sentence the gold gives as its evidence, when a candidate of its key stands there: dataset.labels)."""
    rows: list[list[float]] = []
    right: list[int] = []
    groups: list[int] = []
    for d in docs:
        stated = [c for c, y in zip(d.cands, d.labels, strict=True) if y != ELSEWHERE]
        r, y, g = ranker_rows(ranker, stated, d.gold)
        rows += r
        right += y
        groups += g
    return _fit(rows, right, RANKER_ROUNDS, {"objective": "lambdarank", "min_data_in_leaf": RANKER_LEAF}, groups,
                seed)


def learn_openers(records: list[dict]) -> dict[str, dict[str, float]]:
    """The words stated reasons follow, per language, in the training texts (tracker.extract.reasons)."""
    from .text import sentences

    texts = []
    for rec in records:
        p = pack(rec.get("language") or "en")
        if p is not None:
            texts.append((p.lang.code, rec["text"], rec["events"],
                          sentences(rec["text"], p.lang.code, None, p.lang.ordinal_dots)))
    return reasons.learn(texts)


def _event(c: Candidate, threatened: bool) -> dict:
    action = {"restrict": "block", "shutdown": "shutdown"}.get(c.klass, c.klass)
    status = "threatened" if threatened else ("lifted" if c.klass == "unblock" else "in_effect")
    return {"country": c.country, "platform": c.platform, "action": action, "status": status}


def _decided(d: Doc, scores: list[tuple[float, float]], t: float, tt: float) -> dict[tuple, tuple[float, dict]]:
    """The events one text gives at thresholds (t, tt), by key, each with its raw score: the highest-scored
    candidate of a (country, service, class) key, as engine.decide and Model.threatened decide."""
    keep: dict[tuple, tuple[float, dict]] = {}
    for c, row, (raw, threat) in zip(d.cands, d.rows, scores, strict=True):
        if raw < t:
            continue
        threatened = threat >= tt or row[THREAT_BEFORE] >= THREAT_CUE
        key = (c.country, c.platform, "threaten" if threatened else c.klass)
        if raw > keep.get(key, (-1.0, {}))[0]:
            keep[key] = (raw, _event(c, threatened))
    return keep


def score_docs(docs: list[Doc], scores: dict[str, list[tuple[float, float]]], t: float, tt: float) -> Report:
    """Contracts section 4's event scores of the key decisions at thresholds (t, tt)."""
    report = Report()
    for d in docs:
        score_document(d.id, [ev for _, ev in _decided(d, scores[d.id], t, tt).values()], d.gold, report)
    return report


def _out_of_fold(docs: list[Doc], seed: int = SEED) -> dict[str, list[tuple[float, float]]]:
    import numpy as np

    scores: dict[str, list[tuple[float, float]]] = {}
    for k in range(FOLDS):
        train = [d for d in docs if d.fold != k]
        held = [d for d in docs if d.fold == k]
        event, threat = _fit_pair(train, seed)
        for d in held:
            if not d.rows:
                scores[d.id] = []
                continue
            x = np.asarray(d.rows, dtype=float)
            scores[d.id] = list(zip(event.predict(x).tolist(), threat.predict(x).tolist(), strict=True))
    return scores


def _choose_thresholds(docs: list[Doc], oof: dict) -> tuple[float, float, Report]:
    """The event and threat thresholds: of those whose out-of-fold event F1 is within F1_TOLERANCE of the
    best, the highest event threshold (then the best F1). Event F1 is flat over a wide band of thresholds
    while precision climbs through it, and a researcher cites what the tracker states: within the noise of
    F1 the more precise reading wins."""
    scored = [(t, tt, score_docs(docs, oof, t, tt)) for t in THRESHOLDS for tt in THREAT_THRESHOLDS]
    top = max(rep.f1 for _, _, rep in scored)
    return max((c for c in scored if c[2].f1 >= top - F1_TOLERANCE), key=lambda c: (c[0], c[2].f1))


def _calibration(docs: list[Doc], oof: dict, tt: float) -> dict[str, list[float]]:
    """Isotonic map from raw event score to observed precision, fitted on the out-of-fold *events*: a
    key's best candidate, right when the scorer matches it to a gold event. `confidence` describes an
    event, and an event's score is the highest of its key's candidates, which runs above the precision of a
    single candidate at that score: fitted on candidates instead, the map was over-confident (expected
    calibration error on dev 0.113 against 0.059 for this, same model)."""
    from sklearn.isotonic import IsotonicRegression

    raw, truth = [], []
    for d in docs:
        events = _decided(d, oof[d.id], CALIBRATE_FROM, tt)
        report = Report()
        score_document(d.id, [ev for _, ev in events.values()], d.gold, report)
        false = {id(e["event"]) for e in report.errors if e["kind"] == "false"}
        for score, ev in events.values():
            raw.append(score)
            truth.append(int(id(ev) not in false))
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, truth)
    return {"raw": [round(float(x), 6) for x in iso.X_thresholds_],
            "probability": [round(float(y), 6) for y in iso.y_thresholds_]}


def train(records: list[dict], out: Path, *, progress: Callable[[int], None] | None = None,
          seed: int = SEED) -> TrainReport:
    """Train on `records` (the train split, plus reviewed texts) and write the model into `out`. `seed` is
    LightGBM's (bagging and feature sampling): another seed gives another model of the same data, which is
    how the noise of a retraining is read (two seeds differ by up to 0.01 of dev event F1)."""
    import time

    start = time.monotonic()
    docs = build(untitled_twins(records), progress)
    stack_ngrams(docs)
    oof = _out_of_fold(docs, seed)
    corpus = [d for d in docs if not d.reviewed and not d.twin] or docs
    threshold, threat_threshold, report = _choose_thresholds(corpus, oof)
    calibration = _calibration(corpus, oof, threat_threshold)
    event, threat = _fit_pair(docs, seed)
    out.mkdir(parents=True, exist_ok=True)
    openers = learn_openers(records)
    with reasons.using(openers):
        rankers = {f"{name}.txt": fit_ranker(docs, r, seed).model_to_string() for name, r in sorted(RANKERS.items())}
    files = {
        "event.txt": event.model_to_string(),
        "threat.txt": threat.model_to_string(),
        **rankers,
        NGRAM_FILE: fit_ngram_model(docs).to_json(),
        reasons.FILE: reasons.to_json(openers),
    }
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    inputs = inputs_hash(out, {"threshold": threshold, "threat_threshold": threat_threshold,
                               "calibration": calibration})
    stamp = inputs[:12]
    meta = {
        "stamp": stamp,
        "features": feature_names(),
        "ranker_features": ranker_features(),
        "threshold": threshold,
        "threat_threshold": threat_threshold,
        "calibration": calibration,
        "trained_on": {"documents": len(docs), "corpus_sha256": corpus_hash(records)},
        "params": {**PARAMS, "seed": seed, "event_rounds": EVENT_ROUNDS, "threat_rounds": THREAT_ROUNDS, "folds": FOLDS,
                   "ranker_rounds": RANKER_ROUNDS, "ranker_min_data_in_leaf": RANKER_LEAF},
        "out_of_fold": report.as_dict()["events"],
        "inputs_sha256": inputs,
    }
    files["model.json"] = json.dumps(meta, indent=1, sort_keys=True) + "\n"
    (out / "model.json").write_text(files["model.json"], encoding="utf-8")
    ys = [y for d in docs for y in d.labels]
    return TrainReport(len(records), len(ys), sum(y in (EVENT, THREAT) for y in ys), sum(y == THREAT for y in ys),
                       threshold, threat_threshold, report.as_dict()["events"], stamp, sorted(files),
                       round(time.monotonic() - start, 1))


def corpus_hash(records: list[dict]) -> str:
    digest = hashlib.sha256()
    for rec in sorted(records, key=lambda r: r["id"]):
        digest.update(json.dumps(rec, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()
