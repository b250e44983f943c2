"""Which language a text is in, when nobody said so.

The crawler decides a page's language once and stores it (tracker.crawl.page); `tracker annotate` and
`tracker eval` detect it here when their input gives none. py3langid's model is part of the package.
"""

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
