"""`tracker eval`: run the extractor over a gold corpus and score it (tracker.scoring, contracts section 4)."""

from __future__ import annotations

import json
from pathlib import Path

from ..scoring import Report, score_document
from .extractor import extract_events


def evaluate(gold_path: str | Path) -> Report:
    """Run the extractor over a gold JSONL file (contracts section 3) and score it."""
    report = Report()
    path = Path(gold_path)
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
            if not isinstance(rec, dict) or "text" not in rec or "events" not in rec:
                raise ValueError(f"{path}:{n}: a gold line needs 'text' and 'events'")
            pred = extract_events(rec["text"], rec.get("published"), rec.get("title"))
            score_document(str(rec.get("id", n)), pred, rec["events"] or [], report)
    return report
