"""The time stamps tracker writes: UTC, ISO 8601, to the second (`2026-11-29T22:21:33Z`)."""

from __future__ import annotations

from datetime import UTC, datetime

#: strftime format of every stored time stamp.
STAMP = "%Y-%m-%dT%H:%M:%SZ"


def now_iso() -> str:
    """The current UTC time as tracker stores it."""
    return datetime.now(UTC).strftime(STAMP)
