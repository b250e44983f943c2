"""Extraction: article text in, censorship events out (contracts sections 1, 2 and 4).

Public interface used by the rest of the project:
- extract_events(text, published=None, title=None) -> list of event dicts with evidence offsets
- detect_language(text) -> ISO 639-1 code (non-English texts yield no events)
- extractor_version() -> "<package version>+models.<stamp>"
- annotate_file(in_path, out_path, workers=1) -> summary (the `tracker annotate` batch tool)
- evaluate(gold_path) -> report (the `tracker eval` scorer)
"""

from __future__ import annotations

from .annotate import AnnotateSummary, annotate_file
from .evaluate import evaluate
from .extractor import extract_events
from .language import detect_language
from .version import extractor_version

__all__ = [
    "AnnotateSummary",
    "annotate_file",
    "detect_language",
    "evaluate",
    "extract_events",
    "extractor_version",
]
