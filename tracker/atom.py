"""An Atom feed of new and changed events, for following the tracker without email.

`/-/events.atom` lists the events changed most recently (`events.updated_at`: a new event, a new source, a
status change, a review's correction), newest first, one entry per event whose `updated` is that time, so a
feed reader shows an event again when it changes. Filters go in the URL and combine like the export's:
`?country=RU&country=TR` (or `country=RU,TR`), `platform=Telegram` (X is Twitter), `action=block`, and
`limit` (1 to 200, default 50). Events reviewers rejected or merged into another are never in it. A filter
that is not understood is an error (400) naming it, rather than a feed that silently shows everything.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from . import vocabulary
from .errors import TrackerError
from .schema import visible_sql

PATH = "/-/events.atom"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
ATOM_NS = "http://www.w3.org/2005/Atom"
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_KNOWN = ("country", "platform", "action", "limit")
#: Characters XML 1.0 cannot carry (an article's text might hold them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class FeedError(TrackerError):
    """A feed filter that cannot be used; the message names it."""


@dataclass(frozen=True)
class FeedFilters:
    countries: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT
    given: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def describe(self) -> str:
        return "; ".join(f"{k} {', '.join(v)}" for k, v in self.given.items())


def _values(args: Mapping[str, list[str]], name: str) -> list[str]:
    return [v.strip() for raw in args.get(name, []) for v in raw.split(",") if v.strip()]


def parse_filters(args: Mapping[str, list[str]]) -> FeedFilters:
    """The feed's filters from the query string (name -> list of values); FeedError for a bad one."""
    unknown = sorted(set(args) - set(_KNOWN))
    if unknown:
        raise FeedError(f"unknown filter {', '.join(map(repr, unknown))} (use {', '.join(_KNOWN)})")
    countries = tuple(dict.fromkeys(c.upper() for c in _values(args, "country")))
    bad = [c for c in countries if not _COUNTRY.match(c)]
    if bad:
        raise FeedError(f"country {', '.join(map(repr, bad))}: use ISO 3166-1 alpha-2 codes such as RU (or EU)")
    platforms = tuple(dict.fromkeys(vocabulary.canonical_platform(p) for p in _values(args, "platform")))
    actions = tuple(dict.fromkeys(a.lower() for a in _values(args, "action")))
    bad = [a for a in actions if a not in vocabulary.actions()]
    if bad:
        raise FeedError(f"action {', '.join(map(repr, bad))}: one of {', '.join(vocabulary.actions())}")
    limit = DEFAULT_LIMIT
    if args.get("limit"):
        raw = args["limit"][-1].strip()
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
            raise FeedError(f"limit {raw!r}: a whole number from 1 to {MAX_LIMIT}")
        limit = int(raw)
    given = {k: v for k, v in (("country", countries), ("platform", platforms), ("action", actions)) if v}
    return FeedFilters(countries, platforms, actions, limit, given)


def feed_query(f: FeedFilters) -> tuple[str, dict[str, object]]:
    """SQL and parameters of the feed's rows, newest change first."""
    where = [visible_sql("e")]
    params: dict[str, object] = {"limit": f.limit}
    for column, values, nocase in (("country", f.countries, ""), ("platform", f.platforms, " COLLATE NOCASE"),
                                   ("action", f.actions, "")):
        if values:
            names = [f"{column}{i}" for i in range(len(values))]
            params.update(zip(names, values, strict=True))
            where.append(f"e.{column}{nocase} IN ({', '.join(':' + n for n in names)})")
    sql = ("SELECT e.id, e.country, c.name AS country_name, e.platform, p.label AS platform_label, e.action,"
           " e.status, e.date, e.lifted_date, e.actor, e.justification, e.evidence, e.n_sources,"
           " e.first_reported, e.updated_at, e.review_status FROM events e"
           " LEFT JOIN countries c ON c.code = e.country LEFT JOIN platforms p ON p.name = e.platform"
           f" WHERE {' AND '.join(where)}"
           " ORDER BY coalesce(e.updated_at, e.first_reported) DESC, e.id LIMIT :limit")
    return sql, params


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _stamp(value: str | None) -> str:
    """An Atom date-time from a stored time stamp or a partial date."""
    if not value:
        return "1970-01-01T00:00:00Z"
    if "T" in value:
        return value if value.endswith("Z") else value + "Z"
    parts = (value.split("-") + ["01", "01"])[:3]
    return f"{parts[0]}-{parts[1]}-{parts[2]}T00:00:00Z"


def _title(r: Mapping) -> str:
    where = r["country_name"] or r["country"] or "?"
    what = r["platform_label"] or r["platform"] or "?"
    status = (r["status"] or "").replace("_", " ")
    return f"{where}: {what}, {r['action'] or 'measure'}" + (f" ({status})" if status else "") + \
        (f", {r['date']}" if r["date"] else "")


def _summary(r: Mapping) -> str:
    lines = [r["evidence"] or ""]
    facts = [("date", r["date"]), ("lifted", r["lifted_date"]), ("actor", r["actor"]),
             ("stated reason", r["justification"]), ("sources", r["n_sources"]),
             ("review", r["review_status"] if r["review_status"] not in (None, "unreviewed") else None)]
    lines += [f"{k}: {v}" for k, v in facts if v not in (None, "")]
    return "\n".join(lines)


def feed_xml(rows: Iterable[Mapping], *, event_url, self_url: str, list_url: str, filters: FeedFilters) -> bytes:
    """The Atom document; `event_url(id)` gives an event's page address."""
    ET.register_namespace("", ATOM_NS)
    q = f"{{{ATOM_NS}}}"
    feed = ET.Element(q + "feed")
    rows = list(rows)
    title = "tracker: new and changed censorship events" + (f" ({filters.describe()})" if filters.given else "")
    ET.SubElement(feed, q + "title").text = title
    ET.SubElement(feed, q + "id").text = self_url
    ET.SubElement(feed, q + "updated").text = max((_stamp(r["updated_at"] or r["first_reported"]) for r in rows),
                                                  default=_stamp(None))
    ET.SubElement(feed, q + "link", rel="self", href=self_url, type="application/atom+xml")
    ET.SubElement(feed, q + "link", rel="alternate", href=list_url, type="text/html")
    ET.SubElement(ET.SubElement(feed, q + "author"), q + "name").text = "tracker"
    ET.SubElement(feed, q + "generator").text = "tracker"
    for r in rows:
        entry = ET.SubElement(feed, q + "entry")
        url = event_url(r["id"])
        ET.SubElement(entry, q + "id").text = url
        ET.SubElement(entry, q + "title").text = _text(_title(r))
        ET.SubElement(entry, q + "updated").text = _stamp(r["updated_at"] or r["first_reported"])
        ET.SubElement(entry, q + "published").text = _stamp(r["first_reported"])
        ET.SubElement(entry, q + "link", rel="alternate", href=url, type="text/html")
        for scheme, term in (("country", r["country"]), ("platform", r["platform"]), ("action", r["action"])):
            if term:
                ET.SubElement(entry, q + "category", term=_text(term), scheme=f"tracker:{scheme}")
        ET.SubElement(entry, q + "summary", type="text").text = _text(_summary(r))
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")
