"""Events store: mentions read in articles, merged into tracked, citable events.

Data flows one way: `mentions` writes what the extractor read in one article,
`merge` attaches each mention to an event (or starts one) and recomputes it,
`extraction` drives both over the articles an extractor version has not seen.
"""

from __future__ import annotations

from ..vocabulary import action_class
from .mentions import write_mentions
from .merge import merge_mention, refresh_event

__all__ = ["action_class", "merge_mention", "refresh_event", "write_mentions"]
