"""Where the project's data files live.

`models/` sits beside the package in the checkout (the package is installed in
editable mode); TRACKER_MODELS_DIR points elsewhere for other layouts.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT_DIR = PACKAGE_DIR.parent


def models_dir() -> Path:
    """Directory holding gazetteers, patterns and prototypes."""
    return Path(os.environ.get("TRACKER_MODELS_DIR") or ROOT_DIR / "models")


def model_file(name: str) -> Path:
    """Path of one file under models/, with a clear error if it is missing."""
    path = models_dir() / name
    if not path.exists():
        raise FileNotFoundError(f"model data file {path} is missing (set TRACKER_MODELS_DIR?)")
    return path
