"""Language detection: the rules read English only, so other languages yield no events."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]{2,}")


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when there are too few words to tell."""
    sample = text[:5000]
    if len(_WORD.findall(sample)) < 4:
        return None
    import py3langid

    lang, _score = py3langid.classify(sample)
    return lang


def is_english(text: str) -> bool:
    """True unless the text is confidently in another language."""
    lang = detect_language(text)
    return lang in (None, "en")
