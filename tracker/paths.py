"""Where the package's own data lives.

The knowledge files (models/ at the top of the checkout) ship inside the wheel as the package
`tracker.models` and are found through importlib.resources, so an installed tracker reads its own copy
wherever it is installed; TRACKER_MODELS_DIR points at another copy (an edited set, a test's).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def models_dir() -> Path:
    """Directory holding gazetteers, patterns, settings and trained weights."""
    override = os.environ.get("TRACKER_MODELS_DIR")
    if override:
        return Path(override)
    try:
        return Path(str(resources.files("tracker.models")))
    except ModuleNotFoundError:  # a source checkout run without installing (python -m tracker.corpus)
        return PACKAGE_DIR.parent / "models"


def model_file(name: str) -> Path:
    """Path of one file under models/, with a clear error if it is missing."""
    path = models_dir() / name
    if not path.exists():
        raise FileNotFoundError(f"model data file {path} is missing (set TRACKER_MODELS_DIR?)")
    return path
