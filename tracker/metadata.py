"""Datasette metadata for the tracker database, built from `tracker.schema`.

Every table and column description comes from the schema, so the browsing
interface explains exactly what the code stores. `tracker serve` builds it from the
schema each time it starts; a copy is kept in the checkout as db/metadata.json for
anyone who runs Datasette by hand (a test checks it equals `build_metadata()`):
regenerate it with `python -m tracker.metadata db/metadata.json` after a schema change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .schema import PUBLIC, VIEWS, tables, visible_sql

#: Name the database is served under; digests link to /tracker/events/<id>.
DATABASE = "tracker"

TITLE = "tracker: internet censorship events"
DESCRIPTION = (
    "Measures by governments and regulators that block, throttle, ban, restrict or shut down online "
    "services, found in the news and in regulators' own statements. Every event is dated, sourced and "
    "carries the sentence that states it; follow an event to its articles to check it."
)
LICENSE = "CC BY 4.0 (event data; article texts remain their publishers')"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
SOURCE = "News feeds, NGO reports and regulators' statements listed in the sources table"
SOURCE_URL = f"/{DATABASE}/sources"

#: Facets shown by default, per table.
#: {"publisher_type": ...} is the facet of tracker.datasette_plugin.PublisherTypeFacet: events by the
#: publisher types (regulator, press, ngo, court) of their sources.
PUBLISHER_TYPE_FACET = {"publisher_type": "publisher_type"}
FACETS: dict[str, list[str | dict[str, str]]] = {
    "events": ["country", "platform", "action", "status", "justification_category", "language", "review_status",
               PUBLISHER_TYPE_FACET],
    "event_list": ["country", "platform", "action", "status", "justification_category", "language",
                   "review_status", PUBLISHER_TYPE_FACET],
    "event_source_list": ["country", "platform", "status", "publisher"],
    "mentions": ["country", "platform", "action", "status", "justification_category", "language"],
    "event_sources": ["publisher"],
    "sources": ["publisher", "type"],
    "articles": ["source", "language"],
}
#: Default sort, latest first.
SORT_DESC: dict[str, str] = {
    "events": "date",
    "rejected_events": "reviewed_at",
    "event_list": "date",
    "articles": "published",
    "mentions": "date",
    "event_history": "date",
}
_FTS_SUFFIXES = ("", "_data", "_idx", "_docsize", "_config")
#: Where sqlite-utils records the named migrations applied (tracker.migrations); hidden like internal tables.
MIGRATIONS_TABLE = "_sqlite_migrations"

_EVENT_COLUMNS = (
    "e.id as event_id, e.date, e.country, e.platform, e.action, e.status, e.lifted_date, e.actor, "
    "e.justification_category, e.justification, e.evidence, e.n_sources, e.n_publishers, "
    "e.regulator_confirmed"
)

def _review_queue_sql() -> str:
    from .review.queue import queue_sql

    return queue_sql(limit="200")


#: Events reviewers did not reject or merge: the lists and queries show only these (tracker.schema.VISIBLE).
_VISIBLE = visible_sql("e")

#: Canned queries: name -> (title, description, sql, extra options).
QUERIES: dict[str, dict[str, Any]] = {
    "last_7_days": {
        "title": "Events of the last 7 days",
        "description": (
            "Events taken or reported in the seven days up to as_of (YYYY-MM-DD; leave it empty for today), "
            "latest first."
        ),
        "sql": (
            "with w as (select coalesce(nullif(:as_of, ''), date('now')) as until)\n"
            f"select {_EVENT_COLUMNS}, e.first_reported, e.last_reported\n"
            "from events e, w\n"
            "where ((e.date between date(w.until, '-7 days') and w.until)\n"
            "   or (e.last_reported between date(w.until, '-7 days') and w.until))\n"
            f"  and {_VISIBLE}\n"
            "order by coalesce(e.last_reported, e.date) desc, e.date desc, e.id"
        ),
    },
    "country_timeline": {
        "title": "Timeline of one country",
        "description": (
            "Every status change of every measure in one country, oldest first. country is an ISO code "
            "(RU) or an English name (Russia)."
        ),
        "sql": (
            "with c as (\n"
            "  select code from countries where code = upper(trim(:country)) or lower(name) = lower(trim(:country))\n"
            ")\n"
            "select h.date, e.platform, e.action, h.status, e.actor, e.evidence, e.id as event_id\n"
            "from event_history h join events e on e.id = h.event_id\n"
            "where e.country in (select code from c)\n"
            f"  and {_VISIBLE}\n"
            "union all\n"
            "select e.date, e.platform, e.action, e.status, e.actor, e.evidence, e.id as event_id\n"
            "from events e\n"
            "where e.country in (select code from c)\n"
            "  and not exists (select 1 from event_history h where h.event_id = e.id)\n"
            f"  and {_VISIBLE}\n"
            "order by 1, event_id"
        ),
    },
    "platform": {
        "title": "Everything about one platform",
        "description": (
            "All measures against one service, latest first, with the country and how many sources report "
            "each. platform is the canonical name (Twitter) or the label shown to people."
        ),
        "sql": (
            f"select {_EVENT_COLUMNS}, c.name as country_name, e.first_reported, e.last_reported\n"
            "from events e left join countries c on c.code = e.country\n"
            "where (lower(e.platform) = lower(trim(:platform))\n"
            "   or e.platform in (select name from platforms where lower(label) = lower(trim(:platform))))\n"
            f"  and {_VISIBLE}\n"
            "order by e.date desc, e.id"
        ),
    },
    "sources_of_event": {
        "title": "All sources behind one event",
        "description": (
            "Every article an event was merged from, with a link to the original and the sentence the "
            "extractor read there. event_id is the id shown on the event's page."
        ),
        "sql": (
            "select a.published, s.name as source, es.publisher, a.title, a.url, m.evidence, m.status,\n"
            "  m.date as mention_date, m.justification, a.id as article_id, m.id as mention_id\n"
            "from event_sources es\n"
            "join mentions m on m.id = es.mention_id\n"
            "join articles a on a.id = es.article_id\n"
            "left join sources s on s.name = a.source\n"
            "where es.event_id = :event_id\n"
            "order by a.published, a.id, m.id"
        ),
    },
    "in_effect": {
        "title": "Measures still in effect",
        "description": "Measures whose latest known status is in effect, with the days since they were taken.",
        "sql": (
            f"select {_EVENT_COLUMNS},\n"
            "  cast(julianday('now') - julianday(e.date) as integer) as days_so_far\n"
            "from events e\n"
            f"where e.status = 'in_effect' and e.lifted_date is null and {_VISIBLE}\n"
            "order by e.date desc, e.id"
        ),
    },
    "lifted": {
        "title": "Lifted measures and how long they lasted",
        "description": "Measures that were lifted, with the number of days between taken and lifted.",
        "sql": (
            f"select {_EVENT_COLUMNS},\n"
            "  cast(julianday(e.lifted_date) - julianday(e.date) as integer) as days_lasted\n"
            "from events e\n"
            f"where (e.status = 'lifted' or e.lifted_date is not null) and {_VISIBLE}\n"
            "order by days_lasted desc, e.id"
        ),
    },
    "top_justifications": {
        "title": "Top justifications by country",
        "description": "How often each category of stated reason is given, per country, most frequent first.",
        "sql": (
            "select e.country, c.name as country_name, e.justification_category, j.label as category,\n"
            "  count(*) as events\n"
            "from events e\n"
            "left join countries c on c.code = e.country\n"
            "left join justification_categories j on j.code = e.justification_category\n"
            "where e.justification_category is not null and e.justification_category != ''\n"
            f"  and {_VISIBLE}\n"
            "group by e.country, e.justification_category\n"
            "order by e.country, events desc, e.justification_category"
        ),
    },
    "events_map": {
        "title": "Map of events by country",
        "description": "One marker per event at its country's centroid; zoom in to split the clusters.",
        "sql": (
            "select e.id as event_id, c.name as country, e.platform, e.action, e.status, e.date,\n"
            "  c.latitude, c.longitude\n"
            "from events e join countries c on c.code = e.country\n"
            f"where c.latitude is not null and c.longitude is not null and {_VISIBLE}\n"
            "order by e.date desc, e.id"
        ),
    },
    "events_per_month": {
        "title": "Events per month by action",
        "description": "Number of measures taken each month, split by action; the chart opens with the page.",
        "sql": (
            "select substr(e.date, 1, 7) as month, e.action, count(*) as events\n"
            "from events e\n"
            f"where length(e.date) >= 7 and {_VISIBLE}\n"
            "group by month, e.action\n"
            "order by month, e.action"
        ),
        # datasette-vega reads its chart settings from the URL fragment.
        "fragment": (
            "g.mark=bar&g.x_column=month&g.x_type=ordinal&g.y_column=events&g.y_type=quantitative"
            "&g.color_column=action"
        ),
    },
    "review_queue": {
        "title": "What to review first",
        "description": (
            "Unreviewed events (and reviewed ones whose articles changed since), those the extractor is least "
            "sure of, the most reported and the newest first, as `tracker review queue` orders them. country, "
            "platform and language narrow it (leave empty for all)."
        ),
        "sql": _review_queue_sql(),
    },
    "search": {
        "title": "Search articles and evidence",
        "description": (
            "Full-text search (words, \"phrases\", OR, prefix*) over article titles and texts and over "
            "events' evidence, justification and actor."
        ),
        "sql": (
            "select 'event' as kind, e.id as id, e.date as date, e.evidence as text, null as url\n"
            "from events_fts f join events e on e.rowid = f.rowid\n"
            f"where :q != '' and events_fts match :q and {_VISIBLE}\n"
            "union all\n"
            "select 'article', cast(a.id as text), a.published, a.title, a.url\n"
            "from articles_fts f join articles a on a.rowid = f.rowid\n"
            "where :q != '' and articles_fts match :q\n"
            "order by kind desc, date desc"
        ),
    },
}


def _description_html() -> str:
    links = [
        ("events", f"/{DATABASE}/event_list", ("every event, latest first, with facets (the events table has "
                                               "them all, rejected ones too)")),
        ("map", f"/{DATABASE}/events_map", "events by country"),
        ("chart", f"/{DATABASE}/events_per_month#{QUERIES['events_per_month']['fragment']}",
         "events per month by action"),
        ("search", f"/{DATABASE}/search", "articles and evidence"),
        ("feed", "/-/events.atom", ("new and changed events as an Atom feed (filter it: "
                                    "/-/events.atom?country=RU&amp;platform=Telegram&amp;action=block)")),
        ("rejected", f"/{DATABASE}/rejected_events", "events reviewers rejected or merged, kept for study"),
        ("review queue", f"/{DATABASE}/review_queue", "what reviewers should look at first"),
    ]
    items = "".join(f'<li><a href="{href}">{name}</a>: {what}</li>' for name, href, what in links)
    return f"<p>{DESCRIPTION}</p><ul>{items}</ul>"


def _facets(name: str) -> list[str | dict[str, str]]:
    return [dict(f) if isinstance(f, dict) else f for f in FACETS[name]]


def _entry(name: str, description: str, columns: dict[str, str], *, label: str | None = None,
           hidden: bool = False) -> dict[str, Any]:
    """Metadata of one table or view: the schema's descriptions, then the browsing defaults."""
    entry: dict[str, Any] = {"description": description}
    if columns:
        entry["columns"] = columns
    if label:
        entry["label_column"] = label
    if name in SORT_DESC:
        entry["sort_desc"] = SORT_DESC[name]
    if name in FACETS:
        entry["facets"] = _facets(name)
    if hidden:
        entry["hidden"] = True
    return entry


def build_metadata() -> dict[str, Any]:
    """The whole Datasette metadata document, deterministic for a given schema."""
    entries: dict[str, Any] = {}
    for t in tables(PUBLIC):  # the private file is never served, so it has no metadata
        entries[t.name] = _entry(t.name, t.description, {c.name: c.description for c in t.columns},
                                 label=t.label, hidden=t.internal)
        for suffix in _FTS_SUFFIXES if t.fts else ():
            entries[f"{t.name}_fts{suffix}"] = {"hidden": True}
    entries[MIGRATIONS_TABLE] = {"hidden": True}
    entries["events"]["description_html"] = (
        f"{entries['events']['description']} Open an event to see its sources and their evidence, or "
        f'use <a href="/{DATABASE}/sources_of_event">all sources behind one event</a>.'
    )
    for view in VIEWS:
        entries[view.name] = _entry(view.name, view.description, view.descriptions())
    queries = {
        name: {k: q[k] for k in ("title", "description", "sql", "fragment") if k in q}
        for name, q in QUERIES.items()
    }
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "description_html": _description_html(),
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "source": SOURCE,
        "source_url": SOURCE_URL,
        "databases": {
            DATABASE: {
                "description": DESCRIPTION,
                "description_html": _description_html(),
                "tables": entries,
                "queries": queries,
            }
        },
        "plugins": {
            "datasette-cluster-map": {"latitude_column": "latitude", "longitude_column": "longitude"},
        },
    }


def dumps_metadata(metadata: dict[str, Any] | None = None) -> str:
    """The metadata as the text kept in db/metadata.json."""
    return json.dumps(metadata if metadata is not None else build_metadata(), indent=2, ensure_ascii=False) + "\n"


def write_metadata(path: Path) -> Path:
    """Regenerate db/metadata.json from the schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_metadata(), encoding="utf-8")
    return path


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(write_metadata(Path(sys.argv[1] if len(sys.argv) > 1 else "db/metadata.json")))
