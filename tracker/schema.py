"""The one place that says what the database holds.

Every table and column is described here once. The descriptions feed the
Datasette metadata (`tracker.metadata`), the export codebook and the docs,
so they cannot drift apart. `tracker.db` turns these definitions into
tables and migrates older databases towards them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from . import vocabulary
from .review import HIDDEN, REVIEW_STATUSES, VERDICTS

#: The generation of the file format, recorded in PRAGMA user_version: bumped by a named migration
#: (tracker.migrations) that a tracker without it could not read. Added tables and columns need no bump:
#: the shape is ensured on every open that may write.
SCHEMA_VERSION = 2

#: The two database files: the public one (served by Datasette) and the private one beside it
#: (subscribers, the digest log, reviewers), which nothing serves.
PUBLIC = "public"
PRIVATE = "private"


def _source_types() -> tuple[str, ...]:
    from .crawl.types import names

    return names()


def _outcomes() -> tuple[str, ...]:
    from .crawl.outcomes import KINDS

    return tuple(KINDS)




#: Where the values of each enumerated column come from: the contract's vocabulary or a registry, never a
#: list written here.
ENUMS: dict[str, Callable[[], tuple[str, ...]]] = {
    "action": vocabulary.actions,
    "action_class": vocabulary.action_classes,
    "status": vocabulary.statuses,
    "scope": vocabulary.scopes,
    "justification_category": vocabulary.justification_categories,
    "publisher": vocabulary.publisher_types,
    "source_type": _source_types,
    "outcome": _outcomes,
    "review_status": lambda: REVIEW_STATUSES,
    "verdict": lambda: VERDICTS,
}


@dataclass(frozen=True)
class Column:
    name: str
    type: type  # str, int, float or bytes, as sqlite-utils expects
    text: str  # what the column means (the allowed values are added from `enum`)
    not_null: bool = False
    kind: str = "text"  # text, date (YYYY, YYYY-MM or YYYY-MM-DD), datetime (UTC ISO 8601), list (JSON), enum
    enum: str | None = None  # for kind enum: the key in ENUMS of its values

    @property
    def values(self) -> tuple[str, ...]:
        return ENUMS[self.enum]() if self.enum else ()

    @property
    def description(self) -> str:
        """The meaning, and for an enumerated column "One of: ..." from its values."""
        if not self.enum:
            return self.text
        return f"{self.text} One of: {', '.join(self.values)}."


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    pk: str | tuple[str, ...] = "id"
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (column, other_table, other_column)
    unique: tuple[tuple[str, ...], ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    fts: tuple[str, ...] = ()  # columns indexed by an FTS5 table kept in sync by triggers
    internal: bool = False  # hidden in Datasette
    label: str | None = None  # column Datasette shows for foreign keys into this table
    store: str = PUBLIC  # which database file holds it: PUBLIC (served) or PRIVATE (never served)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name}.{name}")


@dataclass(frozen=True)
class Same:
    """A view column passed through unchanged from `table`: its description is written there, once."""

    table: str


@dataclass(frozen=True)
class View:
    name: str
    description: str
    sql: str
    columns: dict[str, str | Same] = field(default_factory=dict)  # column -> description, or where it is

    def descriptions(self) -> dict[str, str]:
        """Every column's description, those passed through taken from their table."""
        return {name: table(d.table).column(name).description if isinstance(d, Same) else d
                for name, d in self.columns.items()}


C = Column


def D(name: str, text: str, not_null: bool = False) -> Column:
    """A partial date column (YYYY, YYYY-MM or YYYY-MM-DD)."""
    return Column(name, str, text, not_null, kind="date")


def T(name: str, text: str, not_null: bool = False) -> Column:
    """A UTC time stamp column (ISO 8601)."""
    return Column(name, str, text, not_null, kind="datetime")


def E(name: str, enum: str, text: str, not_null: bool = False) -> Column:
    """An enumerated column whose values come from ENUMS[enum]."""
    return Column(name, str, text, not_null, kind="enum", enum=enum)

#: The columns of a table of facts about a database file (one row per fact).
_FACTS = (C("key", str, "Name of the fact.", True), C("value", str, "Its value."))

TABLES: tuple[Table, ...] = (
    Table(
        "sources",
        "Feeds and listing pages the crawler polls, as declared in feeds.toml.",
        (
            C("name", str, "Unique short name of the source, from feeds.toml.", True),
            C("url", str, "Address of the feed, listing page or sitemap; for a web archive, its file:// URL.", True),
            E("type", "source_type", "How the links to articles are found (the source types of tracker.crawl.types).", True),
            E("publisher", "publisher", "Who publishes it.", True),
            C("country", str, "ISO 3166-1 alpha-2 country of a regulator or court; empty for press and NGOs."),
            C("language", str, "Main language of the source (ISO 639-1)."),
            C("tags", str, "JSON list of free tags from feeds.toml.", kind="list"),
            C("enabled", int, "1 when the crawler polls the source, 0 when it is switched off."),
            C("poll_minutes", int, "How often the source should be polled, in minutes."),
            C("etag", str, "ETag of the last successful fetch, sent back for a conditional GET."),
            C("last_modified", str, "Last-Modified of the last successful fetch, sent back for a conditional GET."),
            T("last_polled", "UTC time (ISO 8601) of the last poll of the source."),
            C("last_status", str, "Outcome of the last poll: ok, not_modified, partial (a deadline cut it; the"
              " rest is left for the next run) or failed."),
            C("last_error", str, "Reason of the last failure (or what a partial poll left), empty after a success."),
            C("failures", int, "Consecutive failed polls; after k of them the next poll waits"
              " min(5 minutes x 2^k, 24 hours). Back to 0 after a successful poll."),
        ),
        pk="name",
        label="name",
    ),
    Table(
        "articles",
        "One article or statement fetched from a source, with its extracted text.",
        (
            C("id", int, "Row id of the article."),
            C("source", str, "Source the article was found through.", True),
            C("url", str, "Canonical URL of the article (tracking parameters dropped).", True),
            C("original_url", str, "URL as the feed or listing page gave it."),
            C("title", str, "Title of the article."),
            C("text", str, "Main text extracted with trafilatura."),
            C("author", str, "Author as the page names it."),
            D("published", "Publication date (YYYY-MM-DD) from the page, htmldate or the feed."),
            C("language", str, "Detected language of the text (ISO 639-1)."),
            C("content_hash", str, "SHA-256 of the normalised text; the same text from two URLs is stored once."),
            C("raw_html", bytes, "The fetched HTML, gzip-compressed, so extraction can be re-run offline."),
            T("fetched_at", "UTC time (ISO 8601) the page was fetched; for a page read from a web archive, the"
              " archive's WARC-Date."),
            C("extractor_version", str, "Version of the event extractor that last processed the article; empty if none."),
            C("archive_record", str, "WARC-Record-ID of the archived response the page was read from (tracker"
              " backfill); empty for a crawled page."),
        ),
        foreign_keys=(("source", "sources", "name"),),
        unique=(("url",), ("content_hash",)),
        indexes=(("source",), ("published",), ("extractor_version",)),
        fts=("title", "text"),
        label="title",
    ),
    Table(
        "fetches",
        "One row per HTTP attempt of the crawler, successful or not, and per URL refused before any request.",
        (
            C("id", int, "Row id of the attempt."),
            C("source", str, "Source the request was made for."),
            C("url", str, "Requested URL.", True),
            C("kind", str, "What was fetched: feed, article, robots or sitemap."),
            C("status", int, "HTTP status code; empty when no response came."),
            C("bytes", int, "Size of the response body in bytes, as received (before gzip/deflate decoding)."),
            C("duration_ms", int, "Time the attempt took, in milliseconds."),
            C("error", str, "Why the attempt failed; empty on success."),
            T("fetched_at", "UTC time (ISO 8601) of the attempt."),
            E("outcome", "outcome", "What came of it (tracker.crawl.outcomes says what each kind means). A redirect"
              " hop takes the outcome of the article it led to. An article URL with a final outcome (http_gone,"
              " refused, too_big, not_html, bad_encoding, redirect_loop, too_many_redirects, no_text, duplicate)"
              " is not fetched again."),
        ),
        indexes=(("source",), ("fetched_at",), ("url", "kind")),
        internal=True,
    ),
    Table(
        "archive_chunks",
        "Progress of tracker backfill: one row per chunk of a web archive read to the end and stored, so a"
        " backfill started again skips it.",
        (
            C("id", int, "Row id of the chunk."),
            C("path", str, "Absolute path of the archive file.", True),
            C("size", int, "Size of the file in bytes when it was read (a file that changed is read again).", True),
            C("start", int, "Byte offset where the chunk starts: it holds the records that start in [start, end).",
              True),
            C("end", int, "Byte offset where the chunk ends.", True),
            C("date_range", str, "The --since..--until range the chunk was read with (empty ends: no bound); a"
              " chunk read with one range is read again with another.", True),
            C("source", str, "The archive's row in sources."),
            C("records", int, "WARC records read."),
            C("pages", int, "HTTP 200 HTML responses among them."),
            C("scanned_out", int, "Pages the cheap first pass skipped (no measure word near a service name)."),
            C("parsed", int, "Pages parsed and read by the extractor."),
            C("stored", int, "New articles stored (pages that state at least one measure)."),
            C("duplicates", int, "Pages stating a measure that were already stored (same canonical URL or text)."),
            C("mentions", int, "Mentions read in the new articles (merged into events at the end of the run)."),
            C("failures", str, "JSON object: bad records by kind (truncated, corrupt, not_http, bad_encoding,"
              " too_big, binary, no_text, broken_html)."),
            C("extractor_version", str, "Version of the extractor that read the chunk."),
            T("done_at", "UTC time (ISO 8601) the chunk's articles and events were stored."),
        ),
        unique=(("path", "size", "start", "end", "date_range"),),
        internal=True,
    ),
    Table(
        "archive_readings",
        "What the extractor read in archived pages stored by tracker backfill and not merged yet: they are merged"
        " at the end of the run, in the order tracker extract reads articles, and the row goes.",
        (
            C("article_id", int, "The archived article.", True),
            C("mentions", str, "JSON list of the mentions read in it, in the extractor's order.", kind="list"),
            C("extractor_version", str, "Version of the extractor that read it."),
        ),
        pk="article_id",
        foreign_keys=(("article_id", "articles", "id"),),
        internal=True,
    ),
    Table(
        "countries",
        "Lookup of countries (and the EU) with a human name and a centroid for maps.",
        (
            C("code", str, "ISO 3166-1 alpha-2 code (EU for the European Union).", True),
            C("name", str, "English short name."),
            C("latitude", float, "Latitude of the country's centroid."),
            C("longitude", float, "Longitude of the country's centroid."),
        ),
        pk="code",
        label="name",
    ),
    Table(
        "platforms",
        "Lookup of the services that measures act on, by canonical name.",
        (
            C("name", str, "Canonical name used in events (Twitter also stands for X).", True),
            C("label", str, "Name shown to people."),
            C("company", str, "Company that runs the service, when known."),
            C("kind", str, "What sort of service it is: social, messaging, video, search, news, network, tool."),
        ),
        pk="name",
        label="label",
    ),
    Table(
        "justification_categories",
        "Lookup of the categories of stated justification (models/vocabulary.toml).",
        (
            C("code", str, "Category code used in mentions and events.", True),
            C("label", str, "Name shown to people."),
            C("description", str, "What sort of stated reason falls in the category."),
        ),
        pk="code",
        label="label",
    ),
    Table(
        "mentions",
        "One event as the extractor read it in one article.",
        (
            C("id", int, "Row id of the mention."),
            C("article_id", int, "Article the mention was read in.", True),
            C("position", int, "Order of the event among the article's events."),
            C("country", str, "ISO code of the country whose authority acts."),
            C("platform", str, "Canonical name of the service acted on."),
            E("action", "action", "What the measure does, as this article states it."),
            E("action_class", "action_class", "The action's class, used to match and merge: block, ban and "
              "restrict are one class (restrict); every other action is its own."),
            E("status", "status", "Stage of the measure as this article states it; empty when the text does not say."),
            C("actor", str, "The authority as the text names it."),
            D("date", "Date of the measure (YYYY-MM-DD, YYYY-MM or YYYY), resolved against publication."),
            E("scope", "scope", "Where the measure applies; empty when the text does not say."),
            C("justification", str, "Stated reason, an exact substring of the article text."),
            E("justification_category", "justification_category", "Category of the stated reason."),
            C("evidence", str, "The sentence that states the event, an exact substring of the article text."),
            C("evidence_start", int, "Character offset where the evidence starts in the article text."),
            C("evidence_end", int, "Character offset where the evidence ends in the article text."),
            C("confidence", float, "The extractor's own estimate, 0 to 1."),
            C("extractor_version", str, "Version of the extractor and its models that produced the mention."),
            C("language", str, "Language the article was read in (ISO 639-1); evidence, actor and reason are in it."),
            T("created_at", "UTC time (ISO 8601) the mention was written."),
        ),
        foreign_keys=(
            ("article_id", "articles", "id"),
            ("country", "countries", "code"),
            ("platform", "platforms", "name"),
            ("justification_category", "justification_categories", "code"),
        ),
        indexes=(("article_id",), ("country", "platform", "action_class")),
        label="evidence",
    ),
    Table(
        "events",
        "One measure by one authority against one service in one country, merged from its mentions.",
        (
            C("id", str, "Stable event id that survives re-runs; cite it.", True),
            C("country", str, "ISO code of the country whose authority acts."),
            C("platform", str, "Canonical name of the service acted on."),
            E("action", "action", "What the measure does."),
            E("action_class", "action_class", "Action folded for merging: the measure's class; threaten for a threat"
              " not followed by the measure, unblock for a lift whose measure is unknown."),
            E("status", "status", "Current status."),
            D("date", "Date the measure was taken or announced, to the precision the sources give."),
            D("lifted_date", "Date the measure was lifted, when it was."),
            D("first_reported", "Earliest publication date among its sources."),
            D("last_reported", "Latest publication date among its sources."),
            C("actor", str, "The authority that acts, as its sources name it."),
            E("scope", "scope", "Where the measure applies."),
            C("justification", str, "Stated reason, taken from the most reliable mention that gives one."),
            E("justification_category", "justification_category", "Category of the stated reason."),
            C("evidence", str, "The clearest sentence stating the measure."),
            C("n_mentions", int, "Number of mentions merged into the event."),
            C("n_sources", int, "Number of distinct articles reporting it."),
            C("n_publishers", int, "Number of distinct sources (publishers) reporting it."),
            C("regulator_confirmed", int, "1 when a regulator's or court's own statement reports it."),
            C("confidence", float, "Confidence that the measure happened as stated, growing with independent sources."),
            T("updated_at", "UTC time (ISO 8601) the event last changed."),
            C("language", str, "Language of the evidence sentence (ISO 639-1)."),
            E("review_status", "review_status", "What people who checked the event decided: unreviewed, or the"
              " verdict of its latest review. Rejected events, and events merged into another, leave the default"
              " lists, the digest, the feed and the export."),
            C("review_stale", int, "1 when the articles behind the event changed after its latest review, so it"
              " needs another look; 0 otherwise."),
            C("merged_into", str, "For an event a reviewer merged into another: the id of that event."),
            C("machine_values", str, "JSON object of the extractor's own values of the fields reviewers corrected;"
              " the columns show the reviewed values. Empty when nothing was corrected."),
        ),
        foreign_keys=(
            ("country", "countries", "code"),
            ("platform", "platforms", "name"),
            ("justification_category", "justification_categories", "code"),
        ),
        indexes=(("country",), ("platform",), ("date",), ("updated_at",), ("language",), ("review_status",)),
        fts=("evidence", "justification", "actor"),
        label="evidence",
    ),
    Table(
        "event_sources",
        "Which mentions, in which articles, an event was merged from.",
        (
            C("event_id", str, "Event the mention belongs to.", True),
            C("mention_id", int, "Mention merged into the event.", True),
            C("article_id", int, "Article the mention was read in.", True),
            E("publisher", "publisher", "Publisher type of the article's source."),
            T("added_at", "UTC time (ISO 8601) the mention was attached to the event."),
        ),
        pk=("event_id", "mention_id"),
        foreign_keys=(
            ("event_id", "events", "id"),
            ("mention_id", "mentions", "id"),
            ("article_id", "articles", "id"),
        ),
        indexes=(("article_id",), ("mention_id",)),
    ),
    Table(
        "event_history",
        "Status changes of an event, each with the mention that showed it.",
        (
            C("id", int, "Row id of the change."),
            C("event_id", str, "Event whose status changed.", True),
            E("status", "status", "Status the event took."),
            D("date", "Date of the change, as the mention gives it."),
            C("mention_id", int, "Mention that showed the change."),
            T("recorded_at", "UTC time (ISO 8601) the change was recorded."),
        ),
        foreign_keys=(("event_id", "events", "id"), ("mention_id", "mentions", "id")),
        indexes=(("event_id",),),
    ),
    Table(
        "reviews",
        "What people decided about events, one row per decision (confirm, correct, reject, merge). The machine"
        " never changes these rows: re-extraction and re-merging keep them and show the reviewed values.",
        (
            C("id", int, "Row id of the review."),
            C("event_id", str, "Event the review is about. A reviewed event keeps its id for good.", True),
            E("verdict", "verdict", "What the reviewer decided.", True),
            C("changes", str, "For a correction: JSON object of the fields set and their new values."),
            C("into_event_id", str, "For merged_into: the event this one was merged into."),
            C("reason", str, "Why, in the reviewer's words."),
            T("created_at", "UTC time (ISO 8601) the review was made."),
        ),
        foreign_keys=(("event_id", "events", "id"), ("into_event_id", "events", "id")),
        indexes=(("event_id",), ("into_event_id",)),
    ),
    Table(
        "review_articles",
        "What a review is anchored to: each article behind the event when it was reviewed, with the country,"
        " platform and class the extractor read there. When the article is read again, its mentions with that"
        " key go back to the reviewed event, so re-extraction never loses a review.",
        (
            C("review_id", int, "The review.", True),
            C("article_id", int, "An article behind the event at the time of the review.", True),
            C("country", str, "Country of the mention read in that article.", True),
            C("platform", str, "Platform of the mention read in that article.", True),
            E("action_class", "action_class", "Class of the mention read in that article.", True),
        ),
        pk=("review_id", "article_id", "country", "platform", "action_class"),
        foreign_keys=(("review_id", "reviews", "id"), ("article_id", "articles", "id")),
        indexes=(("article_id", "country", "platform", "action_class"),),
    ),
    Table(
        "subscribers",
        "People who receive the weekly digest, with optional filters.",
        (
            C("id", int, "Row id of the subscriber."),
            C("email", str, "Address the digest is sent to.", True),
            C("countries", str, "JSON list of country codes to include; empty list for all."),
            C("platforms", str, "JSON list of platforms to include; empty list for all."),
            C("token", str, "Secret used in the subscriber's unsubscribe link."),
            T("created_at", "UTC time (ISO 8601) the subscriber was added."),
            C("languages", str, "JSON list of language codes (ISO 639-1) to include: events read in these "
              "languages; empty list for all."),
        ),
        unique=(("email",),),
        internal=True,
        store=PRIVATE,
    ),
    Table(
        "digests",
        "One row per subscriber and ISO week: whether that week's digest went out.",
        (
            C("subscriber_id", int, "Subscriber the digest is for.", True),
            C("week", str, "ISO week of the digest, such as 2026-W47.", True),
            C("status", str, "sending (about to be sent), transmitting (the message was travelling), sent, "
              "failed (retried), refused (a permanent refusal, not retried), unknown (the connection was lost "
              "while transmitting: not resent unless asked) or empty (nothing to send that week)."),
            C("attempts", int, "How many times sending was tried."),
            C("error", str, "Why the last attempt failed."),
            C("n_events", int, "Number of events in the digest."),
            C("message_id", str, "Message-ID header of the message, fixed before the first try and kept by retries."),
            T("sent_at", "UTC time (ISO 8601) of the last attempt."),
        ),
        pk=("subscriber_id", "week"),
        foreign_keys=(("subscriber_id", "subscribers", "id"),),
        internal=True,
        store=PRIVATE,
    ),
    Table(
        "reviewers",
        "People who may review events on the website, with a salted password hash (never served).",
        (
            C("id", int, "Row id of the reviewer."),
            C("name", str, "Login name.", True),
            C("password_hash", str, "scrypt hash of the password with its salt and cost (tracker.review.accounts)."),
            T("created_at", "UTC time (ISO 8601) the account was added."),
        ),
        unique=(("name",),),
        internal=True,
        store=PRIVATE,
    ),
    Table(
        "review_authors",
        "Who made each review (the public reviews table does not say): review ids of the public database.",
        (
            C("review_id", int, "Id of the review in the public database's reviews table.", True),
            C("reviewer", str, "Name of the reviewer (an account, or the user who ran `tracker review`)."),
            C("via", str, "Where the review was made: cli or web."),
        ),
        pk="review_id",
        internal=True,
        store=PRIVATE,
    ),
    Table(
        "private_meta",
        "Facts of the private database, such as the secret that signs reviewers' sessions and forms.",
        _FACTS,
        pk="key",
        internal=True,
        store=PRIVATE,
    ),
    Table(
        "tracker_meta",
        "Facts tracker keeps about this database file, such as the hash of the lookup files last loaded.",
        _FACTS,
        pk="key",
        internal=True,
    ),
)

#: Browsing views; kept here so their descriptions feed the metadata too.
#: The condition that keeps an event in the public lists, the digest, the feed and the export: not rejected
#: and not merged into another by a reviewer (tracker.review). Written once; `visible_sql` gives it an alias.
VISIBLE = "coalesce({e}review_status, 'unreviewed') NOT IN (" + ", ".join(f"'{s}'" for s in HIDDEN) + ")"


def visible_sql(alias: str = "e") -> str:
    """VISIBLE for the events table under `alias` ("" for no alias)."""
    return VISIBLE.format(e=f"{alias}." if alias else "")


VIEWS: tuple[View, ...] = (
    View(
        "event_list",
        "Events with the human names of their country, service and justification category, and the "
        "country's centroid for maps: one row per measure. Events reviewers rejected or merged into another "
        "are left out (see rejected_events).",
        """SELECT e.id, e.country, c.name AS country_name, e.platform, p.label AS platform_label,
  e.action, e.action_class, e.status, e.date, e.lifted_date, e.first_reported, e.last_reported, e.actor,
  e.scope, e.justification, e.justification_category, j.label AS justification_label, e.evidence,
  e.n_mentions, e.n_sources, e.n_publishers, e.regulator_confirmed, e.confidence, e.updated_at,
  c.latitude, c.longitude, e.language, e.review_status, e.review_stale
FROM events e
LEFT JOIN countries c ON c.code = e.country
LEFT JOIN platforms p ON p.name = e.platform
LEFT JOIN justification_categories j ON j.code = e.justification_category
WHERE """ + visible_sql("e"),
        {
            "id": "Stable event id; cite it.",
            "country": Same("events"),
            "country_name": "English name of the country.",
            "platform": Same("events"),
            "platform_label": "Name of the service shown to people.",
            "action": Same("events"),
            "action_class": "Action folded for merging (threaten or unblock while the measure itself is unknown).",
            "status": Same("events"),
            "date": "Date the measure was taken or announced.",
            "lifted_date": Same("events"),
            "first_reported": Same("events"),
            "last_reported": Same("events"),
            "actor": Same("events"),
            "scope": Same("events"),
            "justification": "Stated reason, from the most reliable mention that gives one.",
            "justification_category": "Code of the category of the stated reason.",
            "justification_label": "Name of the category of the stated reason.",
            "evidence": Same("events"),
            "n_mentions": Same("events"),
            "n_sources": Same("events"),
            "n_publishers": Same("events"),
            "regulator_confirmed": Same("events"),
            "confidence": Same("events"),
            "updated_at": Same("events"),
            "latitude": "Latitude of the country's centroid, for maps.",
            "longitude": "Longitude of the country's centroid, for maps.",
            "language": Same("events"),
            "review_status": Same("events"),
            "review_stale": Same("events"),
        },
    ),
    View(
        "event_source_list",
        "Every article behind every event: the mention merged, the article it was read in and its publisher"
        " (events reviewers rejected or merged are left out).",
        """SELECT es.event_id, e.country, e.platform, es.mention_id, m.action, m.status, m.date, m.actor,
  m.evidence, m.confidence, es.article_id, a.title, a.url, a.published, a.source, es.publisher, es.added_at
FROM event_sources es
JOIN events e ON e.id = es.event_id
JOIN mentions m ON m.id = es.mention_id
JOIN articles a ON a.id = es.article_id
WHERE """ + visible_sql("e"),
        {
            "event_id": "Event the article reports.",
            "country": "ISO code of the event's country.",
            "platform": "Service the event acts on.",
            "mention_id": Same("event_sources"),
            "action": "Action as this article states it.",
            "status": "Status as this article states it.",
            "date": "Date as this article gives it, resolved against its publication date.",
            "actor": "Authority as this article names it.",
            "evidence": "Sentence of this article that states the event.",
            "confidence": "The extractor's own estimate for this mention, 0 to 1.",
            "article_id": Same("event_sources"),
            "title": Same("articles"),
            "url": "Canonical URL of the article.",
            "published": "Publication date of the article.",
            "source": "Source the article came through.",
            "publisher": "Publisher type of the source: regulator, press, ngo or court.",
            "added_at": Same("event_sources"),
        },
    ),
    View(
        "event_timeline",
        "The status changes of every event in date order, each with the article that showed it (events"
        " reviewers rejected or merged are left out).",
        """SELECT h.event_id, e.country, e.platform, e.action, h.status, h.date, m.evidence, a.url, a.published,
  h.recorded_at
FROM event_history h
JOIN events e ON e.id = h.event_id
LEFT JOIN mentions m ON m.id = h.mention_id
LEFT JOIN articles a ON a.id = m.article_id
WHERE """ + visible_sql("e") + """
ORDER BY h.event_id, h.date, h.id""",
        {
            "event_id": Same("event_history"),
            "country": "ISO code of the event's country.",
            "platform": "Service the event acts on.",
            "action": "What the measure does.",
            "status": "Status the event took: threatened, announced, in_effect or lifted.",
            "date": Same("event_history"),
            "evidence": "Sentence that showed the change.",
            "url": "Article that showed the change.",
            "published": "Publication date of that article.",
            "recorded_at": Same("event_history"),
        },
    ),
    View(
        "rejected_events",
        "Events reviewers rejected or merged into another, with the latest review's reason: kept, because "
        "the extractor's mistakes are worth studying too.",
        """SELECT e.id, e.review_status, e.merged_into, r.reason, r.created_at AS reviewed_at, e.country,
  e.platform, e.action, e.status, e.date, e.actor, e.evidence, e.n_sources, e.confidence, e.machine_values
FROM events e
LEFT JOIN reviews r ON r.id = (SELECT max(id) FROM reviews WHERE event_id = e.id)
WHERE NOT (""" + visible_sql("e") + """)""",
        {
            "id": Same("events"),
            "review_status": Same("events"),
            "merged_into": Same("events"),
            "reason": "The reason the latest review gave.",
            "reviewed_at": "UTC time (ISO 8601) of the latest review.",
            "country": Same("events"),
            "platform": Same("events"),
            "action": Same("events"),
            "status": Same("events"),
            "date": Same("events"),
            "actor": Same("events"),
            "evidence": Same("events"),
            "n_sources": Same("events"),
            "confidence": Same("events"),
            "machine_values": Same("events"),
        },
    ),
)


def tables(store: str = PUBLIC) -> tuple[Table, ...]:
    """The tables one database file holds."""
    return tuple(t for t in TABLES if t.store == store)


def table(name: str) -> Table:
    """Look a table definition up by name."""
    for t in TABLES:
        if t.name == name:
            return t
    raise KeyError(name)
