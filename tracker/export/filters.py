"""Check the export filters and turn them into SQL conditions.

Every check runs before any output is opened, so a bad filter never leaves a
partial file. Date filters accept YYYY, YYYY-MM or YYYY-MM-DD and select rows
whose date, at its own precision, overlaps the requested range: an event dated
"2021-03" is in `--since 2021-03-15`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlite_utils

from ..events.dates import PARTIAL_DATE, on_or_after_sql, span
from ..schema import visible_sql
from ..vocabulary import canonical_platform
from .columns import ACTIONS, STATUSES


class FilterError(ValueError):
    """A filter the user gave is malformed or names something unknown."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option}: {message}")
        self.option = option
        self.message = message


@dataclass(frozen=True)
class Filters:
    """Checked filters: full dates bounding the range, upper-case countries, canonical values."""

    since: str | None = None  # first day of the range, YYYY-MM-DD
    until: str | None = None  # last day of the range, YYYY-MM-DD
    countries: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    given: dict[str, object] = field(default_factory=dict, compare=False)  # as the user wrote them
    include_rejected: bool = False  # keep events reviewers rejected or merged into another

    def describe(self) -> str:
        """Human summary for the codebook and the citation."""
        if not self.given:
            return "none (everything in the database)"
        return "; ".join(f"{k} {', '.join(v) if isinstance(v, tuple) else v}" for k, v in self.given.items())


def parse_date(value: str, option: str, *, end: bool) -> str:
    """First (or, with `end`, last) day of a YYYY, YYYY-MM or YYYY-MM-DD value."""
    text = value.strip()
    if not PARTIAL_DATE.match(text):
        raise FilterError(option, f"{value!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    month = int(text[5:7] or 1)
    if not 1 <= month <= 12:
        raise FilterError(option, f"{value!r} has no month {month:02d}")
    days = span(text)
    if days is None:
        raise FilterError(option, f"{value!r} is not a real day")
    return (days[1] if end else days[0]).isoformat()


def known_countries(db: sqlite_utils.Database) -> set[str]:
    """Codes the countries table, the data or the ISO 3166-1 list (via Babel, when installed) know."""
    codes = {r[0] for r in db.execute("SELECT code FROM countries")}
    for table in ("events", "mentions"):
        codes |= {r[0] for r in db.execute(f"SELECT DISTINCT country FROM {table} WHERE country IS NOT NULL")}
    try:
        from babel import Locale

        codes |= {c for c in Locale("en").territories if len(c) == 2 and c.isalpha() and c != "ZZ"}
    except ImportError:  # pragma: no cover - babel comes with courlan
        pass
    return {c.upper() for c in codes if c}


def parse_filters(
    db: sqlite_utils.Database,
    *,
    since: str | None = None,
    until: str | None = None,
    countries: tuple[str, ...] | list[str] = (),
    platforms: tuple[str, ...] | list[str] = (),
    actions: tuple[str, ...] | list[str] = (),
    statuses: tuple[str, ...] | list[str] = (),
    include_rejected: bool = False,
) -> Filters:
    """Check the raw filter values against the vocabulary and the database; raise FilterError."""
    given: dict[str, object] = {}
    start = end = None
    if since:
        start = parse_date(since, "--since", end=False)
        given["since"] = since
    if until:
        end = parse_date(until, "--until", end=True)
        given["until"] = until
    if start and end and start > end:
        raise FilterError("--since", f"{since} is after --until {until}")
    codes = tuple(dict.fromkeys(c.strip().upper() for c in countries))
    if codes:
        known = known_countries(db)
        bad = [c for c in codes if c not in known]
        if bad:
            raise FilterError("--country", f"unknown country code {', '.join(map(repr, bad))} "
                                           "(use ISO 3166-1 alpha-2 such as RU, or EU)")
        given["country"] = codes
    names = tuple(dict.fromkeys(canonical_platform(p) for p in platforms))
    if any(not p for p in names):
        raise FilterError("--platform", "empty platform name")
    if names:
        given["platform"] = names
    for option, values, allowed, key in (("--action", actions, ACTIONS, "action"),
                                         ("--status", statuses, STATUSES, "status")):
        bad = [v for v in values if v not in allowed]
        if bad:
            raise FilterError(option, f"unknown value {', '.join(map(repr, bad))} (one of {', '.join(allowed)})")
        if values:
            given[key] = tuple(dict.fromkeys(values))
    if include_rejected:
        given["include_rejected"] = "yes"
    return Filters(start, end, codes, names, tuple(dict.fromkeys(actions)), tuple(dict.fromkeys(statuses)),
                   given, include_rejected)


class _Params:
    """Collects named SQL parameters so several conditions can share one query."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def add(self, value: object) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f":{name}"

    def many(self, values: tuple[str, ...]) -> str:
        return ", ".join(self.add(v) for v in values)


def date_conditions(expr: str, f: Filters, params: _Params) -> list[str]:
    """`expr` (a partial ISO date) overlaps [since, until]; undated rows drop out under a date filter."""
    out = []
    if f.since:
        out.append(on_or_after_sql(expr, params.add(f.since)))
    if f.until:
        out.append(f"({expr}) <= {params.add(f.until)}")
    return out


def value_conditions(alias: str, f: Filters, params: _Params) -> list[str]:
    """Country, platform (case-insensitive), action and status of the row aliased `alias`."""
    out = []
    if f.countries:
        out.append(f"{alias}.country IN ({params.many(f.countries)})")
    if f.platforms:
        out.append(f"{alias}.platform COLLATE NOCASE IN ({params.many(f.platforms)})")
    if f.actions:
        out.append(f"{alias}.action IN ({params.many(f.actions)})")
    if f.statuses:
        out.append(f"{alias}.status IN ({params.many(f.statuses)})")
    return out


#: Date each kind filters on (also in the README and the codebook).
EVENT_DATE = "coalesce(e.date, e.first_reported)"
MENTION_DATE = "coalesce(m.date, (SELECT pa.published FROM articles AS pa WHERE pa.id = m.article_id))"
ARTICLE_DATE = "a.published"

DATE_FILTER_DOC = {
    "events": "the event's date (when the measure was taken or announced), or its first report when undated",
    "mentions": "the mention's date, or the article's publication date when the text gives none",
    "sources": "the date of the event the row belongs to (as for events)",
    "articles": "the article's publication date",
}


def event_where(f: Filters, params: _Params) -> list[str]:
    """Events of the export: the filters, and (unless asked) not rejected or merged by a reviewer."""
    kept = [] if f.include_rejected else [visible_sql("e")]
    return date_conditions(EVENT_DATE, f, params) + value_conditions("e", f, params) + kept


def mention_where(f: Filters, params: _Params) -> list[str]:
    return date_conditions(MENTION_DATE, f, params) + value_conditions("m", f, params)


def article_where(f: Filters, params: _Params) -> list[str]:
    out = date_conditions(ARTICLE_DATE, f, params)
    inner = value_conditions("m", f, params)
    if inner:
        out.append(f"EXISTS (SELECT 1 FROM mentions AS m WHERE m.article_id = a.id AND {' AND '.join(inner)})")
    return out


def where(kind: str, f: Filters, params: _Params) -> list[str]:
    """Conditions selecting the rows of export `kind` (events, mentions, sources, articles)."""
    if kind in ("events", "sources"):
        return event_where(f, params)
    if kind == "mentions":
        return mention_where(f, params)
    if kind == "articles":
        return article_where(f, params)
    raise FilterError("KIND", f"unknown export kind {kind!r}")


def joined(conditions: list[str]) -> str:
    return " AND ".join(f"({c})" for c in conditions) or "1"
