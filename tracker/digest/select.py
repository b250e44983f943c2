"""Which events are new or changed in an ISO week, filtered per subscriber, grouped by country.

"New or changed in week W" (W runs Monday 00:00 to the next Monday 00:00, UTC) means one of:

* **new** -- the event's `first_reported` date (earliest publication among its sources) falls in W;
* **lifted** / **status** -- the event moved to a later stage in W: an `event_history` row was
  recorded (`recorded_at`) in W for a status past the event's first one (threatened < announced <
  in_effect < lifted), such as a measure being lifted or a threat carried out;
* **found** -- the event was first reported before W but only reached the database in W (its first
  `event_sources.added_at` is in W): nothing is lost when a late crawl runs after a digest went out;
* **sources** -- the event gained a source in W (`event_sources.added_at`): more outlets, or the
  regulator itself, now report it.

`events.updated_at` is only a quick pre-filter (an event changed in W has `updated_at` on or after
W's start): it keeps just the latest change, so it cannot say what happened in W on its own.

A change only counts when it is recent news: the change's own date (`event_history.date`, at
whatever precision it has), the new source's publication date, or the late event's
`first_reported`, must be no older than `recent_days` (models/settings.toml) before W starts. Without that guard,
back-filling an archive or re-running the extractor (which stamps old rows with today's time)
would fill one week's digest with years-old measures. Each event appears once, under its most
telling change (new > lifted > status > found > sources). Events reviewers rejected or merged into another
are never in a digest.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlite_utils
from datasette.utils import tilde_encode

from ..events.dates import on_or_after
from ..metadata import DATABASE
from ..schema import visible_sql
from ..settings import tunable
from ..vocabulary import status_rank
from .subscribers import Subscriber

#: How old a change's own date may be (days before the week starts) and still count as news.
#: How many sources each event links to.

_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)
_CHANGE_RANK = {"new": 0, "lifted": 1, "status": 2, "found": 3, "sources": 4}


class WeekError(ValueError):
    """A week string that is not an ISO week such as 2026-W47."""


@dataclass(frozen=True)
class Week:
    year: int
    number: int

    @property
    def start(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def end(self) -> date:
        """The Monday after the week (exclusive bound)."""
        return self.start + timedelta(days=7)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(7)]

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    def contains(self, day: str | None) -> bool:
        """True when an ISO date or timestamp string falls in the week."""
        return bool(day) and self.start.isoformat() <= day[:10] < self.end.isoformat()


def parse_week(text: str) -> Week:
    """Read an ISO week such as 2026-W47; WeekError says what was wrong."""
    m = _WEEK.match(text or "")
    if not m:
        raise WeekError(f"not an ISO week: {text!r} (expected YYYY-Www, such as 2026-W47)")
    year, number = int(m.group(1)), int(m.group(2))
    try:
        date.fromisocalendar(year, number, 1)
    except ValueError:
        raise WeekError(f"{text!r}: year {year} has no ISO week {number}") from None
    return Week(year, number)


def week_of(day: date) -> Week:
    iso = day.isocalendar()
    return Week(iso.year, iso.week)


def last_full_week(today: date | None = None) -> Week:
    """The ISO week before the one `today` (UTC) falls in: the latest week that is over."""
    today = today or datetime.now(UTC).date()
    return week_of(today - timedelta(days=7))


def event_url(base_url: str, event_id: str) -> str:
    """The event's page in Datasette (the id tilde-encoded as Datasette reads it back)."""
    return f"{base_url.rstrip('/')}/{DATABASE}/events/{tilde_encode(event_id)}"


@dataclass(frozen=True)
class SourceLink:
    title: str
    url: str
    published: str
    publisher: str
    source: str
    language: str = ""  # the article's language (its title is in it)


@dataclass(frozen=True)
class DigestEvent:
    id: str
    country: str
    country_name: str
    platform: str
    platform_label: str
    action: str
    status: str
    date: str
    lifted_date: str
    first_reported: str
    last_reported: str
    actor: str
    scope: str
    justification: str
    justification_category: str
    n_sources: int
    regulator_confirmed: bool
    change: str  # new, lifted, status, found or sources
    change_day: date  # the day of the week the change belongs to (for the chart)
    new_status: str  # for status changes: the status taken
    sources: tuple[SourceLink, ...]
    url: str
    also_in: tuple[str, ...] = ()  # for new events: countries with the same measure on the platform before
    evidence: str = ""  # the clearest sentence stating the measure, in the language it was read in
    language: str = ""  # ISO 639-1 code of that language (evidence, actor and justification are in it)

    @property
    def change_label(self) -> str:
        if self.change == "new":
            return "new"
        if self.change == "lifted":
            return "lifted"
        if self.change == "status":
            return f"now {self.new_status.replace('_', ' ')}" if self.new_status else "status changed"
        if self.change == "found":
            return "newly found"
        return "more sources"


@dataclass
class CountryGroup:
    code: str
    name: str
    events: list[DigestEvent] = field(default_factory=list)


@dataclass
class WeekSelection:
    """What one subscriber's digest holds for one week."""

    week: Week
    events: list[DigestEvent]

    @property
    def groups(self) -> list[CountryGroup]:
        """Events by country, busiest country first."""
        groups: dict[str, CountryGroup] = {}
        for ev in self.events:
            groups.setdefault(ev.country, CountryGroup(ev.country, ev.country_name)).events.append(ev)
        return sorted(groups.values(), key=lambda g: (-len(g.events), g.name))

    @property
    def summary(self) -> dict:
        """Counts by action and by kind of change, and the countries with most activity."""
        by_action = Counter(ev.action for ev in self.events)
        by_change = Counter(ev.change for ev in self.events)
        top = [(g.code, g.name, len(g.events)) for g in self.groups[:3]]
        return {
            "n_events": len(self.events),
            "n_countries": len({ev.country for ev in self.events}),
            "by_action": sorted(by_action.items(), key=lambda kv: (-kv[1], kv[0])),
            "by_change": [(k, by_change[k]) for k in _CHANGE_RANK if by_change.get(k)],
            "top_countries": top,
        }

    def filtered(self, subscriber: Subscriber | None) -> WeekSelection:
        if subscriber is None:
            return self
        return WeekSelection(self.week, [e for e in self.events
                                         if subscriber.wants(e.country, e.platform, e.language)])


def _cutoff(week: Week) -> str:
    return (week.start - timedelta(days=tunable("digest", "recent_days"))).isoformat()


def _recent(day: str | None, cutoff: str) -> bool:
    """A date at any precision (YYYY, YYYY-MM, YYYY-MM-DD) that is not older than the cutoff; unknown counts."""
    return not day or on_or_after(day, cutoff)


def _day_in(week: Week, *candidates: str | None) -> date:
    for c in candidates:
        if week.contains(c):
            return date.fromisoformat(c[:10])
    return week.start


def select_week(db: sqlite_utils.Database, week: Week, *, base_url: str) -> WeekSelection:
    """Every event new or changed in `week` (see the module docstring), unfiltered."""
    s, e, cutoff = week.start.isoformat(), week.end.isoformat(), _cutoff(week)
    changes: dict[str, tuple[str, date, str]] = {}  # event id -> (change, day, new status)

    def note(eid: str, change: str, day: date, status: str = "") -> None:
        old = changes.get(eid)
        if old is None or _CHANGE_RANK[change] < _CHANGE_RANK[old[0]]:
            changes[eid] = (change, day, status)

    for r in db.query(
        "select id, first_reported from events where substr(first_reported, 1, 10) >= ? "
        "and substr(first_reported, 1, 10) < ?", [s, e]):
        note(r["id"], "new", _day_in(week, r["first_reported"]))

    rank = "case {col} " + " ".join(f"when '{st}' then {i}" for st, i in status_rank().items()) + " else 2 end"
    for r in db.query(
        f"""select h.event_id, h.status, h.date, h.recorded_at from event_history h
            join events ev on ev.id = h.event_id
            where ev.updated_at >= ? and substr(h.recorded_at, 1, 10) >= ? and substr(h.recorded_at, 1, 10) < ?
              and exists (select 1 from event_history h2 where h2.event_id = h.event_id
                          and {rank.format(col='h2.status')} < {rank.format(col='h.status')})
            order by h.recorded_at, h.id""", [s, s, e]):
        if _recent(r["date"], cutoff):
            kind = "lifted" if r["status"] == "lifted" else "status"
            note(r["event_id"], kind, _day_in(week, r["date"], r["recorded_at"]), r["status"] or "")

    for r in db.query(
        """select ev.id, ev.first_reported, min(es.added_at) as found from events ev
           join event_sources es on es.event_id = ev.id
           where ev.updated_at >= ? and substr(ev.first_reported, 1, 10) < ?
           group by ev.id having substr(found, 1, 10) >= ? and substr(found, 1, 10) < ?""", [s, s, s, e]):
        if r["first_reported"] and _recent(r["first_reported"], cutoff):
            note(r["id"], "found", _day_in(week, r["found"]))

    for r in db.query(
        """select es.event_id, es.added_at, a.published from events ev
           join event_sources es on es.event_id = ev.id
           join articles a on a.id = es.article_id
           where ev.updated_at >= ? and substr(es.added_at, 1, 10) >= ? and substr(es.added_at, 1, 10) < ?""",
            [s, s, e]):
        if r["published"] and _recent(r["published"], cutoff):
            note(r["event_id"], "sources", _day_in(week, r["published"], r["added_at"]))

    hidden = {r[0] for r in db.execute(f"select e.id from events e where not ({visible_sql('e')})")}
    events = [_load_event(db, eid, change, base_url) for eid, change in changes.items() if eid not in hidden]
    events.sort(key=lambda ev: (_CHANGE_RANK[ev.change], ev.change_day, ev.country, ev.platform, ev.id))
    return WeekSelection(week, events)


def _load_event(db: sqlite_utils.Database, eid: str, change: tuple[str, date, str], base_url: str) -> DigestEvent:
    row = next(db.query(
        """select ev.*, c.name as country_name, p.label as platform_label from events ev
           left join countries c on c.code = ev.country left join platforms p on p.name = ev.platform
           where ev.id = ?""", [eid]))
    sources = tuple(
        SourceLink(title=r["title"] or r["url"], url=r["url"], published=r["published"] or "",
                   publisher=r["publisher"] or "", source=r["source"] or "", language=r["language"] or "")
        for r in db.query(
            """select a.title, a.url, a.published, a.source, a.language, s.publisher from event_sources es
               join articles a on a.id = es.article_id left join sources s on s.name = a.source
               where es.event_id = ? group by a.id
               order by s.publisher in ('regulator', 'court') desc, a.published desc, a.id
               limit ?""", [eid, tunable("digest", "max_sources")]))
    also_in: tuple[str, ...] = ()
    if change[0] == "new":
        also_in = tuple(r["country"] for r in db.query(
            f"""select country, min(first_reported) as first from events e
               where platform = ? and action_class = ? and country != ? and first_reported < ?
                 and {visible_sql('e')}
               group by country order by first""",
            [row["platform"], row["action_class"], row["country"], row["first_reported"]]))
    return DigestEvent(
        id=eid, country=row["country"] or "", country_name=row["country_name"] or row["country"] or "unknown",
        platform=row["platform"] or "", platform_label=row["platform_label"] or row["platform"] or "",
        action=row["action"] or "", status=row["status"] or "", date=row["date"] or "",
        lifted_date=row["lifted_date"] or "", first_reported=row["first_reported"] or "",
        last_reported=row["last_reported"] or "", actor=row["actor"] or "", scope=row["scope"] or "",
        justification=row["justification"] or "", justification_category=row["justification_category"] or "",
        n_sources=row["n_sources"] or 0, regulator_confirmed=bool(row["regulator_confirmed"]),
        change=change[0], change_day=change[1], new_status=change[2], sources=sources,
        url=event_url(base_url, eid), also_in=also_in, evidence=row["evidence"] or "",
        language=(row["language"] or "").lower(),
    )
