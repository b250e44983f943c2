"""The small chart on top of a digest: events per day of the week, stacked by action.

Drawn with matplotlib's Agg backend (no display needed) into PNG bytes that the
message embeds inline.
"""

from __future__ import annotations

import io
from collections import Counter

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from .select import WeekSelection

#: One colour per action, the same in every digest so readers learn them.
ACTION_COLOURS = {
    "block": "#c0392b", "ban": "#8e44ad", "restrict": "#e67e22", "throttle": "#f1c40f",
    "shutdown": "#2c3e50", "unblock": "#27ae60", "fine": "#2980b9", "takedown_order": "#7f8c8d",
}
_OTHER = "#95a5a6"
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def counts_by_day(selection: WeekSelection) -> dict[str, list[int]]:
    """action -> seven counts, Monday first, from each event's day of change."""
    counts: Counter[tuple[str, int]] = Counter(
        (ev.action or "other", ev.change_day.weekday()) for ev in selection.events)
    actions = sorted({a for a, _ in counts}, key=lambda a: (a not in ACTION_COLOURS, a))
    return {a: [counts[(a, d)] for d in range(7)] for a in actions}


def render_chart(selection: WeekSelection) -> bytes:
    """PNG bytes of the per-day chart (an empty week draws empty axes)."""
    data = counts_by_day(selection)
    fig, ax = plt.subplots(figsize=(5.6, 2.2), dpi=100)
    try:
        labels = [f"{name}\n{day.day}" for name, day in zip(_DAY_NAMES, selection.week.days, strict=True)]
        bottom = [0] * 7
        for action, values in data.items():
            ax.bar(range(7), values, bottom=bottom, label=action.replace("_", " "),
                   color=ACTION_COLOURS.get(action, _OTHER), width=0.65)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_xticks(range(7), labels, fontsize=8)
        ax.set_ylim(0, max([*bottom, 1]) * 1.15)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(axis="y", labelsize=8)
        ax.set_title(f"Events per day, {selection.week}", fontsize=9)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if data:
            ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)
