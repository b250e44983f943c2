"""The extractor's version: the package version plus the trained model's stamp, recorded with every output.

`tracker extract` re-reads the articles an older version read; the stamp changes whenever `tracker train`
rebuilds the model (and the gate fails when the model's inputs changed without a new stamp).
"""

from __future__ import annotations

from .. import __version__
from .model import load_model


def extractor_version() -> str:
    return f"{__version__}+model.{load_model().stamp}"
