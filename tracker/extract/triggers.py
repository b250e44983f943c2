"""Finding trigger phrases (models/triggers.csv) in parsed sentences and in plain token streams.

Matching is by lemma, with a table of inflected forms generated from the lemmas so that the cheap
prefilter (tokenizer only, no tagger) can look for the same words, and so that participles the
tagger reads as adjectives ("remained blocked") still count.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Span, Token

from .knowledge import Trigger, load

_IRREGULAR = {
    "cut": ["cut", "cuts", "cutting"],
    "shut": ["shut", "shuts", "shutting"],
    "take": ["take", "takes", "took", "taken", "taking"],
    "pull": ["pull", "pulls", "pulled", "pulling"],
    "forbid": ["forbid", "forbids", "forbade", "forbidden", "forbidding"],
    "withdraw": ["withdraw", "withdraws", "withdrew", "withdrawn", "withdrawing"],
    "strike": ["strike", "strikes", "struck", "striking"],
    "set": ["set", "sets", "setting"],
}


def inflections(lemma: str) -> set[str]:
    """Surface forms of an English lemma: a generous guess, good enough for a prefilter."""
    if lemma in _IRREGULAR:
        return set(_IRREGULAR[lemma])
    forms = {lemma, lemma + "s", lemma + "es"}
    if lemma.endswith("e"):
        forms |= {lemma + "d", lemma[:-1] + "ing"}
    elif lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in "aeiou":
        forms |= {lemma[:-1] + "ied", lemma[:-1] + "ies", lemma + "ing"}
    else:
        forms |= {lemma + "ed", lemma + "ing", lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return forms


@lru_cache(maxsize=1)
def surface_map() -> dict[str, set[str]]:
    """Lower-case surface form -> lemmas it may stand for (all trigger and cue words)."""
    out: dict[str, set[str]] = {}
    kb = load()
    lemmas = {w for t in kb.triggers for w in t.lemmas if w != "*"}
    for lemma in lemmas:
        for form in inflections(lemma):
            out.setdefault(form, set()).add(lemma)
    return out


def head_forms() -> set[str]:
    """Surface forms of the first word of every distinctive trigger (not the weak ones), for the prefilter."""
    kb = load()
    firsts = {t.lemmas[0] for t in kb.triggers if t.kind in ("verb", "noun", "lift")}
    smap = surface_map()
    return {form for form, lemmas in smap.items() if lemmas & firsts}


def lemmas_of(tok: Token) -> set[str]:
    out = {tok.lemma_.lower()}
    out |= surface_map().get(tok.lower_, set())
    return out


@dataclass
class Hit:
    head: Token
    end: int  # index after the last matched token
    trigger: Trigger

    @property
    def kind(self) -> str:
        return self.trigger.kind


_VERBISH = {"VERB", "ADJ", "AUX"}
_NOUNISH = {"NOUN", "PROPN"}


def _pos_ok(tok: Token, trig: Trigger) -> bool:
    if trig.kind == "noun":
        return tok.pos_ in _NOUNISH
    if tok.pos_ == "ADJ":
        return tok.lower_.endswith(("ed", "cut", "shut"))
    return tok.pos_ in _VERBISH or (tok.pos_ == "NOUN" and tok.dep_ in ("ROOT", "conj") and tok.tag_ == "VBZ")


@lru_cache(maxsize=1)
def _by_first() -> dict[str, list[Trigger]]:
    """Triggers by the lemma of their first word, built once instead of once per sentence."""
    out: dict[str, list[Trigger]] = {}
    for trig in load().triggers:
        out.setdefault(trig.lemmas[0], []).append(trig)
    return out


def find(sent: Span) -> list[Hit]:
    """Trigger hits in a sentence, longest pattern per head token."""
    by_first = _by_first()
    toks = list(sent)
    hits: list[Hit] = []
    for i, tok in enumerate(toks):
        cands = [t for lemma in lemmas_of(tok) for t in by_first.get(lemma, [])]
        best: Hit | None = None
        for trig in cands:
            if not _pos_ok(tok, trig):
                continue
            end = _match_rest(toks, i + 1, trig.lemmas[1:])
            if end is None:
                continue
            length = len(trig.lemmas)
            if best is None or length > len(best.trigger.lemmas):
                best = Hit(tok, toks[end - 1].i + 1 if end > i + 1 else tok.i + 1, trig)
        if best:
            hits.append(best)
    return hits


def _match_rest(toks: list[Token], start: int, rest: tuple[str, ...]) -> int | None:
    pos = start
    gap = 0
    for lemma in rest:
        if lemma == "*":
            gap = 4
            continue
        found = None
        for j in range(pos, min(len(toks), pos + gap + 1)):
            if lemma in lemmas_of(toks[j]):
                found = j
                break
        if found is None:
            return None
        pos = found + 1
        gap = 0
    return pos
