"""The cheap first pass: tokenizer plus phrase matcher, no tagger or parser.

Most news is not about censorship. A paragraph is worth parsing only when it contains a trigger
word and a service is named close by: in the paragraph itself, in the one before it, or in the
title. Ordinary news often has a measure word in one paragraph ("the league suspended the striker")
and a service far away in another ("said on Facebook"); reports of a measure name what it acts on
next to it. The whole internet and mobile data are services here too (models/platform_aliases.csv),
so shutdowns without a named platform still count. This keeps irrelevant articles almost free
(see bench/extract.py).
"""

from __future__ import annotations

from collections.abc import Sequence
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


def worth_parsing(scans: Sequence[Scan], title: Scan | None = None) -> list[int]:
    """Indexes of the paragraphs to parse: those with a trigger word whose own text, the paragraph
    before, or the title names a service (the same rule decides whether an article is relevant)."""
    title_named = bool(title and title.platforms)
    out = []
    for n, s in enumerate(scans):
        if s.triggers and (title_named or s.platforms or (n > 0 and scans[n - 1].platforms)):
            out.append(n)
    return out
