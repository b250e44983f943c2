"""Partial dates (YYYY, YYYY-MM, YYYY-MM-DD) as day ranges, so reports of different precision compare.

The one home of partial-date rules: the events store, `tracker events`, the export filters and the
digest all read and compare partial dates with these helpers.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

Span = tuple[dt.date, dt.date]

#: The shape of a partial date as people type it (span() then checks the calendar).
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def span(value: str | None) -> Span | None:
    """First and last day a partial date can stand for; None when empty or not a date."""
    if not value:
        return None
    parts = str(value).strip()[:10].split("-")
    try:
        year = int(parts[0])
        if len(parts) == 1:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        month = int(parts[1])
        if len(parts) == 2:
            return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        day = dt.date(year, month, int(parts[2]))
        return day, day
    except (ValueError, IndexError):
        return None


def gap(a: Span, b: Span) -> int:
    """Days between two ranges; 0 when they overlap."""
    if a[1] < b[0]:
        return (b[0] - a[1]).days
    if b[1] < a[0]:
        return (a[0] - b[1]).days
    return 0


def hull(spans: list[Span]) -> Span | None:
    """Smallest range covering all the given ones."""
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


def best_date(values: list[str | None]) -> str | None:
    """The earliest of the most precise dates: a coarse date that contains a finer one adds nothing.

    "2020-06" and "2020-06-29" give "2020-06-29"; "2022-02-25" and "2022-03-04" give "2022-02-25".
    """
    dated = [(v, s) for v in values if v and (s := span(v))]
    kept = [
        (v, s) for v, s in dated
        if not any(o != s and s[0] <= o[0] and o[1] <= s[1] for _, o in dated)
    ]
    if not kept:
        return None
    kept.sort(key=lambda vs: (vs[1][0], vs[1][1], vs[0]))
    return kept[0][0]


def on_or_after(value: str, day: str) -> bool:
    """True when a partial date, at its own precision, is on or after `day`: "2021-03" is on or after
    "2021-03-15". A timestamp counts by its day."""
    value = value[:10]
    return value >= day[: len(value)]


def on_or_after_sql(expr: str, day: str) -> str:
    """The SQL of on_or_after for the partial date `expr` (not empty) and the date (parameter) `day`.

    The partial date is padded to the end of its period: "2021-03" -> "2021-03-99" sorts after every March day.
    """
    return f"(({expr}) || substr('-99-99', 1, 10 - length({expr}))) >= {day}"
