"""The one error type a user can act on.

Library code raises a `TrackerError` (or a subclass) whose message is one line naming what was wrong
and where; the CLI prints it as `Error: ...` and exits non-zero, with no traceback. Anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations


class TrackerError(Exception):
    """Something the user can fix: a missing or foreign file, a bad value, a locked database."""
