"""The cheap first pass: tokenizer plus phrase matcher, no tagger or parser.

Most news is not about censorship. A paragraph is worth parsing only when it contains a trigger
word; an article is worth anything only when it also names a service. This keeps irrelevant
articles almost free (see bench/extract.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from spacy.matcher import PhraseMatcher

from .knowledge import load
from .nlp import get_nlp
from .triggers import head_forms

TRIG = "TRIG"
PLAT = "PLAT"
CTRY = "CTRY"


@lru_cache(maxsize=1)
def _matcher() -> PhraseMatcher:
    nlp = get_nlp()
    kb = load()
    lower = PhraseMatcher(nlp.vocab, attr="LOWER")
    lower.add(TRIG, [nlp.make_doc(w) for w in sorted(head_forms())])
    lower.add(PLAT, [nlp.make_doc(a.text.lower()) for a in kb.platforms if not a.exact])
    return lower


@lru_cache(maxsize=1)
def _exact_matcher() -> PhraseMatcher:
    nlp = get_nlp()
    kb = load()
    exact = PhraseMatcher(nlp.vocab, attr="ORTH")
    exact.add(PLAT, [nlp.make_doc(a.text) for a in kb.platforms if a.exact])
    for code in sorted({a.value for a in kb.countries}):
        exact.add(CTRY + ":" + code, [nlp.make_doc(a.text) for a in kb.countries if a.value == code])
    return exact


@dataclass
class Scan:
    """What the cheap pass saw in one piece of text."""

    triggers: int = 0
    platforms: list[tuple[int, str]] = field(default_factory=list)  # (char offset, alias text)
    countries: list[tuple[int, str]] = field(default_factory=list)  # (char offset, code)


def scan(text: str) -> Scan:
    nlp = get_nlp()
    doc = nlp.make_doc(text)
    out = Scan()
    vocab = nlp.vocab.strings
    for match_id, start, end in _matcher()(doc):
        label = vocab[match_id]
        if label == TRIG:
            out.triggers += 1
        else:
            out.platforms.append((doc[start].idx, doc[start:end].text))
    for match_id, start, end in _exact_matcher()(doc):
        label = vocab[match_id]
        if label == PLAT:
            out.platforms.append((doc[start].idx, doc[start:end].text))
        else:
            out.countries.append((doc[start].idx, label.split(":", 1)[1]))
    out.platforms.sort()
    out.countries.sort()
    return out
