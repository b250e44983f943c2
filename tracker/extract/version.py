"""The extractor's version: package version plus the models/ stamp, recorded with every output."""

from __future__ import annotations

from .. import __version__
from .knowledge import load


def extractor_version() -> str:
    return f"{__version__}+models.{load().version}"
