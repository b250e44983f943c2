"""Sentence-embedding similarity of evidence sentences, for the merges dates cannot decide.

The model (all-MiniLM-L6-v2, installed as a package) is the extractor's own
(`tracker.extract.nlp.get_embedder`, loaded once per process): it loads only
when an unclear case comes up, so runs that never need it stay fast, and the
process holds one copy.
"""

from __future__ import annotations

from collections import OrderedDict

_cache: OrderedDict[str, object] = OrderedDict()
_CACHE_SIZE = 5000


def _embed(texts: list[str]) -> list:
    found = {t: _cache[t] for t in texts if t in _cache}
    missing = [t for t in dict.fromkeys(texts) if t not in found]
    if missing:
        from tracker.extract.nlp import get_embedder  # here, not at import: the extractor package loads spaCy

        vectors = get_embedder().encode(missing, normalize_embeddings=True, show_progress_bar=False)
        for text, vec in zip(missing, vectors, strict=True):
            found[text] = _cache[text] = vec
            if len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return [found[t] for t in texts]


def prepare(texts: list[str | None]) -> None:
    """Embed in one batch the texts the next comparisons will need: one call to the encoder costs about as
    much for a few dozen short sentences as for one."""
    wanted = [t for t in texts if t]
    if wanted:
        _embed(wanted)


def best_similarity(text: str, others: list[str]) -> float:
    """Highest cosine similarity between `text` and any of `others` (0 when there is nothing to compare)."""
    others = [o for o in others if o]
    if not text or not others:
        return 0.0
    vecs = _embed([text, *others])
    first = vecs[0]
    return max(float(first @ v) for v in vecs[1:])
