"""The fixed, documented column order of every export kind.

Each exported column names the schema column it comes from, so its
description is the one in `tracker.schema` (the same text Datasette shows).
Only the few columns an export derives (a list of URLs, an article's URL
beside a mention) carry a description of their own here. The column order
is part of the public format: add columns at the end, never reorder.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import schema, vocabulary
from ..rowformats import DATE_PATTERN, LIST_SEPARATOR, formats

#: The values the --action and --status filters accept.
ACTIONS = vocabulary.actions()
STATUSES = vocabulary.statuses()

_TYPES = {str: "string", int: "integer", float: "number"}


@dataclass(frozen=True)
class ExportColumn:
    """One exported column: its name, the SQL that yields it and where its meaning is written."""

    name: str
    table: str  # schema table whose column the value comes from
    column: str  # that schema column
    sql: str  # SQL expression over the kind's FROM clause
    kind: str = "text"  # text, number, date (partial ISO date), datetime (UTC ISO 8601) or list
    enum: tuple[str, ...] = ()
    own_description: str = ""  # only for values the export derives

    @property
    def description(self) -> str:
        """The schema's description, unless the export derives the value."""
        return self.own_description or schema.table(self.table).column(self.column).description

    @property
    def type(self) -> str:
        """Frictionless Table Schema type of the column."""
        if self.kind == "datetime":
            return "datetime"
        if self.kind == "list":
            return "string"
        return _TYPES[schema.table(self.table).column(self.column).type]


@dataclass(frozen=True)
class ExportKind:
    """One thing that can be exported: a row per event, mention, event-article link or article."""

    name: str
    table: str  # schema table the rows stand for (its description introduces the file)
    columns: tuple[ExportColumn, ...]
    from_sql: str
    order_by: str  # a primary key, so the order is stable and needs no sort
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (column, other kind, other column)
    rows_are: str = ""  # "one row per ...", for the codebook

    @property
    def description(self) -> str:
        return schema.table(self.table).description

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _col(table: str, alias: str, name: str) -> ExportColumn:
    """An exported schema column: its kind and allowed values are the schema's."""
    col = schema.table(table).column(name)
    kind = {"date": "date", "datetime": "datetime", "list": "list"}.get(col.kind, "text")
    return ExportColumn(name, table, name, f"{alias}.[{name}]", kind, col.values)


def _table_columns(table: str, alias: str, names: list[str]) -> tuple[ExportColumn, ...]:
    return tuple(_col(table, alias, n) for n in names)


_SOURCE_URLS_SQL = (
    "(SELECT json_group_array(su.url) FROM (SELECT sa.url AS url FROM event_sources ses "
    "JOIN articles sa ON sa.id = ses.article_id WHERE ses.event_id = e.id "
    "GROUP BY sa.id ORDER BY sa.published, sa.id) AS su)"
)

EVENTS = ExportKind(
    "events",
    "events",
    _table_columns("events", "e", [
        "id", "country", "platform", "action", "action_class", "status", "date", "lifted_date",
        "first_reported", "last_reported", "actor", "scope", "justification", "justification_category",
        "evidence", "n_mentions", "n_sources", "n_publishers", "regulator_confirmed", "confidence",
        "updated_at",
    ]) + (
        ExportColumn(
            "source_urls", "articles", "url", _SOURCE_URLS_SQL, "list",
            own_description=(
                "Canonical URLs of the articles reporting the event, oldest publication first; in CSV "
                f"joined with \"{LIST_SEPARATOR}\" (URLs hold no spaces), in JSONL a list."
            ),
        ),
        _col("events", "e", "language"),
    ) + _table_columns("events", "e", ["review_status", "review_stale", "merged_into", "machine_values"]),
    "events AS e",
    "e.id",
    ("id",),
    rows_are="tracked event",
)

MENTIONS = ExportKind(
    "mentions",
    "mentions",
    _table_columns("mentions", "m", [
        "id", "article_id", "position", "country", "platform", "action", "action_class", "status", "actor",
        "date", "scope", "justification", "justification_category", "evidence", "evidence_start",
        "evidence_end", "confidence", "extractor_version", "created_at",
    ]) + (
        ExportColumn("article_url", "articles", "url", "ma.url",
                     own_description="Canonical URL of the article the mention was read in."),
        ExportColumn("article_published", "articles", "published", "ma.published", "date",
                     own_description="Publication date of the article the mention was read in."),
        _col("mentions", "m", "language"),
    ),
    "mentions AS m LEFT JOIN articles AS ma ON ma.id = m.article_id",
    "m.id",
    ("id",),
    (("article_id", "articles", "id"),),
    rows_are="event as the extractor read it in one article",
)

SOURCES = ExportKind(
    "sources",
    "event_sources",
    _table_columns("event_sources", "es", ["event_id", "mention_id", "article_id", "publisher"]) + (
        ExportColumn("source", "articles", "source", "sa.source"),
        ExportColumn("article_url", "articles", "url", "sa.url",
                     own_description="Canonical URL of the article reporting the event."),
        ExportColumn("article_title", "articles", "title", "sa.title",
                     own_description="Title of the article reporting the event."),
        ExportColumn("article_published", "articles", "published", "sa.published", "date",
                     own_description="Publication date of the article reporting the event."),
    ) + _table_columns("event_sources", "es", ["added_at"]),
    "event_sources AS es JOIN events AS e ON e.id = es.event_id LEFT JOIN articles AS sa ON sa.id = es.article_id",
    "es.event_id, es.mention_id",
    ("event_id", "mention_id"),
    (("event_id", "events", "id"), ("mention_id", "mentions", "id"), ("article_id", "articles", "id")),
    rows_are="link between an event and a mention it was merged from (the long form of events.source_urls)",
)

ARTICLES = ExportKind(
    "articles",
    "articles",
    _table_columns("articles", "a", [
        "id", "source", "url", "original_url", "title", "author", "published", "language", "content_hash",
        "fetched_at", "extractor_version", "text",
    ]),
    "articles AS a",
    "a.id",
    ("id",),
    rows_are="fetched article (without the stored HTML)",
)

KINDS: dict[str, ExportKind] = {k.name: k for k in (EVENTS, MENTIONS, SOURCES, ARTICLES)}
#: The formats `tracker export --format` offers (the row formats meant for files).
FORMATS = tuple(formats(files=True))
__all__ = ["DATE_PATTERN", "FORMATS", "KINDS", "LIST_SEPARATOR", "ExportColumn", "ExportKind"]
