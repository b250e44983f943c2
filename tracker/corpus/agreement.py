"""Agreement between two annotations of the same texts: the ceiling the extractor is measured against.

The second pass (corpus/agreement/*.jsonl, made without seeing the first) is scored against the first
(the corpus) exactly as the extractor is (contracts section 4), per language and in all.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ..scoring import Report, score_document
from .store import CorpusError, load


def agreement(corpus: list[Path], second: list[Path]) -> dict[str, Report]:
    """Reports keyed by language, and "all"; the first pass is the reference."""
    first = {r["id"]: r for r in load(corpus)}
    reports: dict[str, Report] = defaultdict(Report)
    for rec in load(second):
        ref = first.get(rec["id"])
        if ref is None:
            raise CorpusError(f"{rec['id']}: in the second pass but not in the corpus")
        if ref["text"] != rec["text"]:
            raise CorpusError(f"{rec['id']}: the second pass annotated another text")
        for key in (ref["language"], "all"):
            score_document(rec["id"], rec["events"], ref["events"], reports[key])
    return dict(reports)
