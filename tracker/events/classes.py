"""Fold an action and a status into the class used for matching (contracts section 4)."""

from __future__ import annotations

#: Classes of a measure that can be in effect and later lifted.
LIFTABLE = ("restrict", "throttle", "shutdown")
#: Classes an event can have: a measure, a threat not (yet) followed by one, or a lift whose measure is unknown.
MEASURES = ("restrict", "throttle", "shutdown", "fine", "takedown_order")

#: Life stages of a measure, in order; an event's status is the furthest one its sources report.
STATUS_RANK = {"threatened": 0, "announced": 1, "in_effect": 2, "lifted": 3}

_FOLD = {
    "block": "restrict",
    "ban": "restrict",
    "restrict": "restrict",
    "throttle": "throttle",
    "shutdown": "shutdown",
    "fine": "fine",
    "takedown_order": "takedown_order",
    "unblock": "unblock",
}


def measure_class(action: str | None) -> str | None:
    """Class of the measure an action names, whatever its status (a threat to block -> restrict)."""
    return _FOLD.get((action or "").strip().lower())


def action_class(action: str | None, status: str | None) -> str | None:
    """Contracts section 4: threatened -> threaten; unblock or lifted -> unblock; else the measure's class."""
    status = (status or "").strip().lower()
    if status == "threatened":
        return "threaten"
    if status == "lifted" or (action or "").strip().lower() == "unblock":
        return "unblock"
    return measure_class(action)
