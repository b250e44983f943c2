"""Extraction: article text in, censorship events out .

How: a language pack (models/languages/<code>/, tracker.extract.lexicon) proposes candidates, each a
sentence naming a service, a measure word and a country (tracker.extract.candidates); a trained model
(tracker.extract.model, built by `tracker train`) decides which are events and which only threatened; the
fields are read around the chosen candidate (tracker.extract.fields).

Public interface used by the rest of the project:
- extract_events(text, published=None, title=None, language=None) -> event dicts with evidence offsets
- extractor_version() -> "<package version>+model.<stamp>"
- annotate_file(in_path, out_path, workers=1) -> summary (the `tracker annotate` batch tool)
- evaluate(gold_path) -> report (the `tracker eval` scorer)
"""

from __future__ import annotations

from .annotate import AnnotateSummary, annotate_file
from .evaluate import evaluate
from .extractor import extract_events
from .version import extractor_version

__all__ = [
    "AnnotateSummary",
    "annotate_file",
    "evaluate",
    "extract_events",
    "extractor_version",
]
