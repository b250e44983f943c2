"""`tracker eval`: run the extractor over gold texts and score it (tracker.scoring, contracts section 4).

Gold texts are a JSONL file of the contract's gold format, or the corpus (files or folders of it), filtered
by split and language. The scores come per language and in all, with per-class and per-field figures, and
the calibration of `confidence`: the observed precision of the predicted events in each band of confidence,
and the expected calibration error over them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from ..errors import TrackerError
from ..languages import detect
from ..scoring import Report, score_document
from .extractor import extract_events

#: Confidence bands of the calibration table.
BANDS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)


class GoldError(TrackerError):
    """A gold file cannot be read; the message names the file and line."""


@dataclass
class Evaluation:
    all: Report = field(default_factory=Report)
    languages: dict[str, Report] = field(default_factory=lambda: defaultdict(Report))
    calibration: list[tuple[float, bool]] = field(default_factory=list)  # (confidence, matched) per prediction

    def bands(self) -> list[dict]:
        rows = []
        for low, high in pairwise(BANDS):
            inside = [(c, ok) for c, ok in self.calibration if low <= c < high]
            if inside:
                rows.append({"band": f"{low:.1f}-{min(high, 1.0):.1f}", "predictions": len(inside),
                             "mean_confidence": round(sum(c for c, _ in inside) / len(inside), 3),
                             "observed_precision": round(sum(ok for _, ok in inside) / len(inside), 3)})
        return rows

    @property
    def ece(self) -> float:
        """Expected calibration error: the bands' |confidence - precision|, weighted by their predictions."""
        n = len(self.calibration)
        return round(sum(b["predictions"] * abs(b["mean_confidence"] - b["observed_precision"])
                         for b in self.bands()) / n, 3) if n else 0.0

    def as_dict(self) -> dict:
        return {**self.all.as_dict(),
                "languages": {k: v.as_dict() for k, v in sorted(self.languages.items())},
                "calibration": {"bands": self.bands(), "ece": self.ece}}


def read_gold(paths: list[Path], split: str | None = None, language: str | None = None) -> list[dict]:
    """Gold records of JSONL files or folders of them, optionally of one split or language."""
    files: list[Path] = []
    for p in paths:
        files.extend(sorted(p.glob("*.jsonl")) if p.is_dir() else [p])
    out = []
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise GoldError(f"{path}: cannot read: {exc}") from None
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GoldError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
            if not isinstance(rec, dict) or "text" not in rec or "events" not in rec:
                raise GoldError(f"{path}:{n}: a gold line needs 'text' and 'events'")
            rec.setdefault("id", f"{path.name}:{n}")
            if split and rec.get("split") != split:
                continue
            if language and (rec.get("language") or "en") != language:
                continue
            out.append(rec)
    return out


def evaluate_records(records: list[dict], extract=extract_events) -> Evaluation:
    result = Evaluation()
    for rec in records:
        lang = rec.get("language") or detect(rec["text"]) or "en"
        pred = extract(rec["text"], rec.get("published"), rec.get("title"), language=lang)
        doc_id = str(rec["id"])
        before = len(result.all.errors)
        score_document(doc_id, pred, rec["events"] or [], result.all)
        false = {id(e["event"]) for e in result.all.errors[before:] if e["kind"] == "false"}
        result.calibration += [(float(p.get("confidence") or 0.0), id(p) not in false) for p in pred]
        score_document(doc_id, pred, rec["events"] or [], result.languages[lang])
    return result


def evaluate(gold_path: str | Path, *, split: str | None = None, language: str | None = None) -> Report:
    """Run the extractor over a gold JSONL file (contracts section 3) and score it."""
    return evaluate_records(read_gold([Path(gold_path)], split, language)).all
