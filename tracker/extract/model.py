"""The trained event model, read once from models/extractor/ (written by `tracker train`).

Gradient-boosted models (LightGBM, saved in its text format: no pickle, no code): one says whether a
candidate states an event (its measure, threatened or not), the second whether that event is only
threatened, and one per field ranker which of the values around an event is its date, its actor or its
stated reason (tracker.extract.rank; the reason's options start after words learned from the corpus,
reasons.json). The first two read, besides the language-independent features, the scores of
logistic regressions over the candidate's word n-grams and over its whole text's (tracker.extract.ngrams,
plain JSON weights).
The first model's score is calibrated (isotonic, fitted on out-of-fold predictions over the training
split), so `confidence` is an observed precision, not a raw score. model.json holds the feature names,
the thresholds, the calibration and the version stamp.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import TrackerError
from ..paths import models_dir
from .features import feature_names
from .fields import RANKERS
from .ngrams import FILE as NGRAM_FILE
from .ngrams import NgramModel
from .reasons import FILE as REASONS_FILE

MODEL_DIR = "extractor"
#: Where the strongest threat cue just before the measure word sits in a feature row, and how strong it must
#: be to make the event a threat on its own.
THREAT_BEFORE = feature_names().index("threat_before")
THREAT_CUE = 0.8
FILES = ("event.txt", "threat.txt", NGRAM_FILE, REASONS_FILE, "model.json", *(f"{name}.txt" for name in RANKERS))
#: Threads LightGBM scores one text's candidates with (see Model.predict).
PREDICT_THREADS = 1


class ModelError(TrackerError):
    """The trained model is missing or does not fit this code; `tracker train` rebuilds it."""


@dataclass
class Model:
    event: object  # lightgbm.Booster
    threat: object
    rankers: dict[str, object]  # field -> its ranker's model (tracker.extract.rank)
    threshold: float
    threat_threshold: float
    calibration: tuple[tuple[float, ...], tuple[float, ...]]  # isotonic knots: raw scores, probabilities
    stamp: str
    ngrams: NgramModel  # the n-gram regressions whose scores are the last features (tracker.extract.ngrams)
    openers: dict[str, dict[str, float]]  # per language, the words reasons follow (tracker.extract.reasons)

    def calibrate(self, raw: float) -> float:
        xs, ys = self.calibration
        if not xs:
            return raw
        i = bisect_right(xs, raw)
        if i == 0:
            return ys[0]
        if i >= len(xs):
            return ys[-1]
        x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
        return y0 + (y1 - y0) * (raw - x0) / (x1 - x0) if x1 > x0 else y1

    def threatened(self, row: list[float], threat_score: float) -> bool:
        """Only threatened: the threat model says so, or a strong threat cue stands right before the measure
        word ("warned it would block", "could face fines"), which the threat model, trained on few threats,
        does not always weigh enough."""
        return threat_score >= self.threat_threshold or row[THREAT_BEFORE] >= THREAT_CUE

    def predict(self, rows: list[list[float]]) -> list[tuple[float, float, float]]:
        """(raw event score, calibrated confidence, threat score) for each feature row."""
        if not rows:
            return []
        import numpy as np

        x = np.asarray(rows, dtype=float)
        # One thread: a text has a handful of candidates, and starting LightGBM's OpenMP threads for them
        # cost 30 ms a text on a busy 2-core machine against 0.2 ms on one (bench/extract.py); every row's
        # score is the same sum of trees either way.
        raw = self.event.predict(x, num_threads=PREDICT_THREADS)
        threat = self.threat.predict(x, num_threads=PREDICT_THREADS)
        return [(float(r), self.calibrate(float(r)), float(t)) for r, t in zip(raw, threat, strict=True)]


def ranker_features() -> dict[str, list[str]]:
    """The feature names of every field ranker, as model.json records them."""
    return {name: list(r.features) for name, r in sorted(RANKERS.items())}


def model_dir() -> Path:
    return models_dir() / MODEL_DIR


#: Shared knowledge files the features read (besides every file of models/languages/).
SHARED_INPUTS = ("platforms.csv", "platform_aliases.csv", "countries.csv", "country_aliases.csv",
                 "authorities.csv", "regions.csv", "vocabulary.toml")


#: The entries of model.json that decide what the model outputs besides its files.
DECISIONS = ("threshold", "threat_threshold", "calibration")


def inputs_hash(folder: Path | None = None, decisions: dict | None = None) -> str:
    """SHA-256 over everything that decides what the model does: its weights, its thresholds and
    calibration (`decisions`, else read from the folder's model.json), and the knowledge its features are
    computed from. The model's stamp is this hash's head, so a changed input needs a retrained, restamped
    model (tests/test_gate.py checks), and two models that read a text differently never share a stamp."""
    import hashlib

    folder = folder or model_dir()
    if decisions is None:
        meta = folder / "model.json"
        decisions = json.loads(meta.read_text(encoding="utf-8")) if meta.is_file() else {}
    chosen = {k: decisions.get(k) for k in DECISIONS}
    root = models_dir()
    files = [folder / "event.txt", folder / "threat.txt", *(folder / f"{name}.txt" for name in sorted(RANKERS)),
             folder / NGRAM_FILE, folder / REASONS_FILE,
             *(root / name for name in SHARED_INPUTS),
             *sorted((root / "languages").rglob("*.csv"))]
    digest = hashlib.sha256(json.dumps(chosen, sort_keys=True).encode())
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(root) if path.is_relative_to(root) else path.name).encode())
            digest.update(b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def load_model(folder: str | None = None) -> Model:
    import lightgbm as lgb

    path = Path(folder) if folder else model_dir()
    missing = [name for name in FILES if not (path / name).is_file()]
    if missing:
        raise ModelError(f"no trained extractor model in {path} (missing {', '.join(missing)}): run `tracker train`")
    meta = json.loads((path / "model.json").read_text(encoding="utf-8"))
    if meta.get("features") != feature_names() or meta.get("ranker_features") != ranker_features():
        raise ModelError(f"the model in {path} was trained on other features than this code computes: "
                         "run `tracker train`")
    return Model(
        event=lgb.Booster(model_str=(path / "event.txt").read_text(encoding="utf-8")),
        threat=lgb.Booster(model_str=(path / "threat.txt").read_text(encoding="utf-8")),
        rankers={name: lgb.Booster(model_str=(path / f"{name}.txt").read_text(encoding="utf-8")) for name in RANKERS},
        threshold=float(meta["threshold"]),
        threat_threshold=float(meta["threat_threshold"]),
        calibration=(tuple(meta["calibration"]["raw"]), tuple(meta["calibration"]["probability"])),
        stamp=meta["stamp"],
        ngrams=NgramModel.read(path / NGRAM_FILE),
        openers=json.loads((path / REASONS_FILE).read_text(encoding="utf-8")),
    )
