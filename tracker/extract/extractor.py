"""The extractor's one entry point: a text, its language and its date in; the events it states out.

The language is given (the crawler stores it; a corpus record carries it) or detected; a text in a language
without a pack (tracker.languages) yields no events, and `skipped(language)` says why, so callers report it.
"""

from __future__ import annotations

from ..languages import detect
from .engine import extract
from .lexicon import pack


def skipped(language: str | None) -> str | None:
    """Why a text in `language` yields no events, or None when its language has a pack."""
    if language is None:
        return None
    if pack(language) is None:
        return f"no language pack for {language!r}: skipped"
    return None


def extract_events(text: str, published: str | None = None, title: str | None = None,
                   language: str | None = None) -> list[dict]:
    """Every censorship measure the text states, one dict per (country, service, class), each with the
    contract's fields, `evidence_start`/`evidence_end` offsets and a calibrated `confidence`; none for an
    empty text or one in a language without a pack. A text too short to tell its language is read in
    English."""
    if not isinstance(text, str) or not text.strip():
        return []
    lang = language or detect(text) or "en"
    if skipped(lang):
        return []
    return extract(text, lang, published, title)
