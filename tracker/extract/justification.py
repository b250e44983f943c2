"""The stated reason for a measure, as an exact span of the text, and its category.

The span comes from the dependency parse around cue words listed in models/justification_cues.csv
("citing X", "because ...", "because of X", "due to X", "for failing to ...", "to prevent ..."); the category is the one whose
prototype reasons (models/justification_prototypes.csv) are most similar to the span, by
sentence-transformers embeddings.
"""

from __future__ import annotations

from functools import lru_cache

from spacy.tokens import Span, Token

from .knowledge import load
from .nlp import get_embedder

_MIN_TOKENS = 2
_MAX_TOKENS = 45
_TRIM = {"that", ",", ";", ":", "-", "—", "–", "and", "but", "the"}


def _bounds(toks: list[Token]) -> tuple[int, int] | None:
    """Token index range (start, end) of a span without leading/trailing glue words."""
    if not toks:
        return None
    start, end = toks[0].i, toks[-1].i + 1
    doc = toks[0].doc
    while start < end and (doc[start].lower_ in ("that",) or doc[start].is_punct):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].lower_ in _TRIM - {"the"}):
        end -= 1
    if end - start < _MIN_TOKENS or end - start > _MAX_TOKENS:
        return None
    return start, end


def _subtree(tok: Token, skip: Token | None = None) -> list[Token]:
    toks = [t for t in tok.subtree if skip is None or t.i != skip.i]
    # stop at a following clause that starts its own report (", saying ...", ", while ...")
    out = []
    for t in toks:
        if t.i > tok.i and t.dep_ in ("advcl", "relcl") and t.head.i != tok.i and t.i - tok.i > 12:
            break
        out.append(t)
    return sorted(out, key=lambda t: t.i)


def _contains(toks: list[Token], tok: Token) -> bool:
    return any(t.i == tok.i for t in toks)


def _prep_object(cue: Token) -> list[Token] | None:
    """The object of a preposition of several words that the cue opens ("because of X", "due to X",
    "owing to X", "in connection with X", "on account of X"): the next word must be a preposition, and
    a noun cue must follow one, so "the connection" or "accounts of" alone do not count."""
    doc = cue.doc
    if cue.i + 1 >= len(doc) or doc[cue.i + 1].pos_ != "ADP":
        return None
    nxt = doc[cue.i + 1]
    if cue.pos_ in ("NOUN", "PROPN") and (cue.i == 0 or doc[cue.i - 1].pos_ != "ADP"):
        return None
    for tok in (nxt, cue):
        objs = [c for c in tok.children if c.dep_ in ("pobj", "pcomp") and c.i > nxt.i]
        if objs:
            return _subtree(objs[0])
    return None


def _span_for(cue: Token, mode: str, trigger: Token) -> list[Token] | None:
    if mode == "object":
        objs = [c for c in cue.children if c.dep_ in ("dobj", "pobj", "obj")]
        if not objs:
            return None
        return _subtree(objs[0])
    if mode == "clause":
        if cue.lemma_ in ("say",):
            comps = [c for c in cue.children if c.dep_ in ("ccomp",)]
            if not comps:
                return None
            toks = _subtree(comps[0])
            return None if _contains(toks, trigger) else toks
        if cue.dep_ == "mark":
            verb = cue.head
            toks = [t for t in _subtree(verb) if t.i > cue.i]
            return None if _contains(toks, trigger) else toks
        if cue.lower_ == "because" and cue.i + 1 < len(cue.doc) and cue.nbor().lower_ == "of":
            return _prep_object(cue)
        if cue.pos_ == "ADJ" or cue.lemma_ == "need":
            toks = _subtree(cue)
            if len(toks) <= 2 or _contains(toks, trigger):
                return None
            return toks
        return None
    if mode == "prep":
        return _prep_object(cue)
    if mode == "gerund":
        comps = [c for c in cue.children if c.dep_ == "pcomp" and c.tag_ == "VBG"]
        if not comps:
            return None
        return _subtree(comps[0])
    if mode == "purpose":
        if cue.pos_ != "VERB" or not any(c.dep_ == "aux" and c.lower_ == "to" for c in cue.children):
            return None
        if cue.dep_ not in ("advcl", "xcomp", "acl", "relcl", "ccomp"):
            return None
        toks = _subtree(cue)
        return None if _contains(toks, trigger) else toks
    if mode == "grounds":
        if cue.lower_ != "grounds":
            return None
        return [t for t in _subtree(cue) if t.dep_ != "prep" or t.i > cue.i]
    if mode == "accuse":
        for c in cue.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                objs = [g for g in c.children if g.dep_ in ("pobj", "pcomp")]
                if objs:
                    return _subtree(objs[0])
            if c.dep_ == "ccomp":
                return _subtree(c)
        return None
    return None


# Cues whose clause only states a reason: what they introduce ("citing the platform's removal of
# accounts", "for failing to block ...") is the cause of the measure, never a measure of its own.
# "say" is left out: "blocked X and said it would also restrict Y" reports two measures.
_REASON_ONLY_MODES = ("object", "clause", "gerund", "grounds", "accuse", "purpose", "prep")
_MIN_REASON_WEIGHT = 0.7


def reason_token_ids(sent: Span, trigger: Token) -> set[int]:
    """Indices of the tokens inside the reasons stated for `trigger` (strong cues only)."""
    kb = load()
    out: set[int] = set()
    for tok in sent:
        cue = kb.reasons.get(tok.lemma_.lower()) or kb.reasons.get(tok.lower_)
        if cue is None or cue.weight < _MIN_REASON_WEIGHT or cue.mode not in _REASON_ONLY_MODES:
            continue
        if tok.i == trigger.i or (cue.mode == "clause" and tok.lemma_ == "say"):
            continue
        toks = _span_for(tok, cue.mode, trigger)
        if not toks or _contains(toks, trigger):
            continue
        out.update(t.i for t in toks if t.i != tok.i)
    return out


def _tree_distance(a: Token, b: Token) -> int:
    pa = [a, *a.ancestors]
    pb = [b, *b.ancestors]
    ib = {t.i: n for n, t in enumerate(pb)}
    for n, t in enumerate(pa):
        if t.i in ib:
            return n + ib[t.i]
    return 99


_TIME_NOUNS = {"weekend", "day", "week", "month", "year", "hour", "night", "morning", "evening", "afternoon",
               "period", "summer", "winter", "spring", "autumn", "holiday", "minute", "decade"}
# cues that also just tell time ("after the vote", "since Monday", "as protests grew")
_TEMPORAL_CUES = {"after", "since", "as", "following"}


def _is_timeline(cue: Token, toks: list[Token]) -> bool:
    """A span that tells when rather than why: a time phrase ("over the weekend"), or a temporal clause
    that dates itself or narrates another step of the story ("after the internet came back")."""
    root = next((t for t in toks if t.head.i == t.i or not _contains(toks, t.head)), toks[0])
    if root.ent_type_ in ("DATE", "TIME") or root.lemma_.lower() in _TIME_NOUNS:
        return True
    if cue.lower_ not in _TEMPORAL_CUES and cue.lemma_.lower() not in _TEMPORAL_CUES:
        return False
    if any(t.ent_type_ in ("DATE", "TIME") for t in toks):
        return True
    steps = _story_steps()
    return any(t.lemma_.lower() in steps for t in toks)


@lru_cache(maxsize=1)
def _story_steps() -> frozenset[str]:
    """Lemmas that narrate a step of the story: the first word of every trigger, and "come back" verbs."""
    kb = load()
    return frozenset({t.lemmas[0] for t in kb.triggers} | kb.words("back_verb"))


def find_reason(sent: Span, trigger: Token) -> tuple[int, int, float] | None:
    """Character span (start, end) in the document of the stated reason, and the cue's weight."""
    kb = load()
    best = None
    for tok in sent:
        cue = kb.reasons.get(tok.lemma_.lower()) or kb.reasons.get(tok.lower_)
        if cue is None:
            continue
        toks = _span_for(tok, cue.mode, trigger)
        if not toks or _is_timeline(tok, toks):
            continue
        bounds = _bounds(toks)
        if bounds is None:
            continue
        doc = sent.doc
        score = cue.weight - 0.03 * _tree_distance(tok, trigger)
        if best is None or score > best[2]:
            best = (doc[bounds[0]].idx, doc[bounds[1] - 1].idx + len(doc[bounds[1] - 1].text), score)
    return best


@lru_cache(maxsize=1)
def _prototype_matrix():
    kb = load()
    model = get_embedder()
    cats = [c for c, _ in kb.prototypes]
    vecs = model.encode([t for _, t in kb.prototypes], normalize_embeddings=True, convert_to_numpy=True)
    return cats, vecs


def categorise(reasons: list[str]) -> list[str]:
    """Category of each reason: the category of its most similar prototypes (mean of the best two)."""
    if not reasons:
        return []
    cats, protos = _prototype_matrix()
    model = get_embedder()
    vecs = model.encode(reasons, normalize_embeddings=True, convert_to_numpy=True)
    sims = vecs @ protos.T
    out = []
    for row in sims:
        per: dict[str, list[float]] = {}
        for cat, s in zip(cats, row, strict=True):
            per.setdefault(cat, []).append(float(s))
        scored = {c: sum(sorted(v, reverse=True)[:2]) / min(2, len(v)) for c, v in per.items()}
        out.append(max(scored, key=scored.get))
    return out
