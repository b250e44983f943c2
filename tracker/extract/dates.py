"""Dates of measures, resolved against the publication date to the precision the text gives.

"on Friday" -> the last Friday up to publication; "4 March" -> that day in the publication year
(the year before if that would be far in the future); "in September 2022" -> "2022-09";
"last November" -> the month; a bare year -> None (too coarse for an event date, by convention).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ]
    )
    for m in names
}
WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}

_M = r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _M + r"(?:,?\s+(\d{4}))?\b", re.IGNORECASE)
_MONTH_DAY = re.compile(r"\b" + _M + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?", re.IGNORECASE)
_MONTH_YEAR = re.compile(r"\b" + _M + r",?\s+(\d{4})\b", re.IGNORECASE)
_MONTH = re.compile(r"\b" + _M + r"\b", re.IGNORECASE)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_WEEKDAY = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")


def parse_published(value: str | None) -> date | None:
    if not value:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(value))
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month_shift(y: int, m: int, delta: int) -> tuple[int, int]:
    idx = y * 12 + (m - 1) + delta
    return idx // 12, idx % 12 + 1


def _pick_year(month: int, day: int | None, pub: date | None) -> int | None:
    """Year of a day or month given without one: the publication year unless that is well ahead."""
    if pub is None:
        return None
    year = pub.year
    probe = _safe(year, month, day or 1)
    if probe and (probe - pub).days > 45:
        year -= 1
    return year


def resolve(expr: str, pub: date | None) -> str | None:
    """The date an expression names, as YYYY-MM-DD or YYYY-MM, or None when it names no usable date."""
    s = expr.strip()
    low = s.lower()
    m = _ISO.search(s)
    if m:
        d = _safe(int(m[1]), int(m[2]), int(m[3]))
        return d.isoformat() if d else None
    m = _DAY_MONTH.search(s)
    if m:
        day, month = int(m[1]), MONTHS[m[2].lower().rstrip(".")]
        year = int(m[3]) if m[3] else _pick_year(month, day, pub)
        d = _safe(year, month, day) if year else None
        return d.isoformat() if d else None
    m = _MONTH_DAY.search(s)
    if m and not (m[3] is None and _MONTH_YEAR.search(s)):
        month, day = MONTHS[m[1].lower().rstrip(".")], int(m[2])
        year = int(m[3]) if m[3] else _pick_year(month, day, pub)
        d = _safe(year, month, day) if year else None
        if d:
            return d.isoformat()
    m = _MONTH_YEAR.search(s)
    if m:
        return f"{int(m[2]):04d}-{MONTHS[m[1].lower().rstrip('.')]:02d}"
    if pub is None:
        return None
    if re.search(r"\b(today|tonight|this (morning|afternoon|evening))\b", low):
        return pub.isoformat()
    if re.search(r"\byesterday\b", low):
        return (pub - timedelta(days=1)).isoformat()
    if re.search(r"\btomorrow\b", low):
        return (pub + timedelta(days=1)).isoformat()
    m = _WEEKDAY.search(s)
    if m:
        wd = WEEKDAYS[m[1].lower()]
        back = (pub.weekday() - wd) % 7
        if re.search(r"\bnext\b", low):
            return (pub + timedelta(days=(wd - pub.weekday()) % 7 or 7)).isoformat()
        if re.search(r"\blast\b", low) and back == 0:
            back = 7
        return (pub - timedelta(days=back)).isoformat()
    if re.search(r"\b(this|earlier this|later this) month\b", low):
        return f"{pub.year:04d}-{pub.month:02d}"
    if re.search(r"\blast month\b", low):
        y, mo = _month_shift(pub.year, pub.month, -1)
        return f"{y:04d}-{mo:02d}"
    if re.search(r"\blast week\b", low):
        d = pub - timedelta(days=7)
        return f"{d.year:04d}-{d.month:02d}"
    m = _MONTH.search(s)
    if m and not _YEAR.search(s):
        word = m[1].lower()
        if word == "may" and not re.search(r"\b(in|since|from|early|late|mid|last|of|until)[- ]+may\b", low):
            return None
        month = MONTHS[word.rstrip(".")]
        year = pub.year if month <= pub.month else pub.year - 1
        if re.search(r"\blast\b", low) and month == pub.month:
            year -= 1
        return f"{year:04d}-{month:02d}"
    return None


_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10}
_SAME_DAY = re.compile(r"^(?:on |by |later |earlier |early |late )?(?:that|the same) (day|night|evening|morning|afternoon)\b")
_NEXT_DAY = re.compile(r"^(?:on )?the (next|following) (day|morning|evening|night|afternoon)\b|^the day after\b")
_DAYS_LATER = re.compile(r"^(\w+) days? (later|after)\b")


_RELATIVE = re.compile(r"\b(?:(?:that|the same) (?:day|night|evening|morning|afternoon)|the (?:next|following) "
                       r"(?:day|morning|evening|night|afternoon)|the day after|(?:\w+) days? later)\b", re.IGNORECASE)


def resolve_relative(expr: str, anchor: str | None) -> str | None:
    """Dates told relative to the one the story just gave ("that night", "the following day",
    "two days later"), resolved against that anchor (YYYY-MM-DD; coarser anchors only for "that day")."""
    if not anchor:
        return None
    low = expr.strip().lower()
    if _SAME_DAY.search(low):
        return anchor
    if len(anchor) != 10:
        return None
    base = date.fromisoformat(anchor)
    if _NEXT_DAY.search(low):
        return (base + timedelta(days=1)).isoformat()
    m = _DAYS_LATER.search(low)
    if m:
        n = _NUMBERS.get(m[1]) or (int(m[1]) if m[1].isdigit() else None)
        if n:
            return (base + timedelta(days=n)).isoformat()
    return None


def find_dates(text: str) -> list[tuple[int, int]]:
    """Character spans of date expressions spaCy may have missed (day-month forms)."""
    spans = []
    for rx in (_DAY_MONTH, _MONTH_DAY, _MONTH_YEAR, _WEEKDAY, _RELATIVE):
        spans.extend((m.start(), m.end()) for m in rx.finditer(text))
    return spans
