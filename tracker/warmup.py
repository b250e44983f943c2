"""Loads, on import, what every worker needs: imported by the process a local cluster forks its workers from.

On Linux a local Dask cluster (tracker.executor.cluster) starts its workers from a forkserver that
imports this module first. The extractor, every language pack and parser, and the scan's automaton
(which `tracker extract --workers` does not use; once the lemmatizers' dictionaries it is built from are
loaded it adds about 34 MB and 0.7 s) are loaded there once, and each worker starts as a copy of that
process with all of it in memory (shared with the others until written), instead of every worker loading
it again on cores they share.
"""

from __future__ import annotations

import os

from .backfill.work import warm

#: The process that loaded the models (a worker forked from it has another pid).
LOADED_IN = os.getpid()

try:
    warm(scan=True)
except Exception:  # noqa: BLE001 - each worker warms again as it joins (the executor's plugin) and says why
    LOADED_IN = 0
