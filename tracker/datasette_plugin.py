"""Datasette hooks for the tracker: an event's page lists its sources, nothing writes, and no visitor
can exhaust the server or learn where its files are.

Writes are refused twice: any request other than GET/HEAD/OPTIONS gets 405
from an ASGI wrapper (the reviewers' three form posts aside, see tracker.review.web), and the permissions that
would allow writing are denied.
Every connection Datasette opens gets SQLite limits (the longest string or blob a query may build, the
longest SQL text) and an authorizer that refuses ATTACH and answers `pragma database_list` with nothing,
so researchers' own SQL can read the tables but neither allocate gigabytes in one step (which the time
limit cannot interrupt) nor see the file's absolute path. Every response carries security headers.

Registered by `tracker.serve` on the Datasette it builds, so no entry point is
needed. The sources come from the same SQL as the `sources_of_event` canned query.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import path_with_added_args, path_with_removed_args, sqlite3, urlsafe_components

from .metadata import DATABASE, QUERIES

#: The longest string or blob one SQL value may be (SQLITE_LIMIT_LENGTH): above any stored text or
#: compressed page, far below what would take the server's memory.
MAX_VALUE_BYTES = 32 * 1024 * 1024
#: The longest SQL text a visitor may send (SQLITE_LIMIT_SQL_LENGTH); the canned queries are under 2 kB.
MAX_SQL_BYTES = 50_000
#: What the whole server process may take for SQLite's own memory (PRAGMA hard_heap_limit).
MAX_SQLITE_HEAP = 512 * 1024 * 1024

#: Sent with every response. Datasette's pages use inline scripts and styles, and the chart plugin (Vega)
#: compiles its expressions with `Function`, so those stay allowed; scripts, styles, data and forms come
#: from this origin only (map tiles from OpenStreetMap), and no other site may frame the pages.
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"content-security-policy",
     (b"default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
      b"img-src 'self' data: https://*.tile.openstreetmap.org; connect-src 'self'; object-src 'none'; "
      b"base-uri 'self'; form-action 'self'; frame-ancestors 'none'")),
)

#: Permissions that would change the database; refused whatever the configuration says.
WRITE_ACTIONS = frozenset({
    "insert-row", "delete-row", "update-row", "create-table", "alter-table", "drop-table",
})


def _safe_link(url: str | None) -> str | None:
    """Only http(s) addresses become links (an article URL could be anything)."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


async def event_sources(datasette: Any, event_id: str) -> list[dict[str, Any]]:
    """Sources behind one event, oldest first, ready for the row template."""
    db = datasette.get_database(DATABASE)
    result = await db.execute(QUERIES["sources_of_event"]["sql"], {"event_id": event_id})
    rows = [dict(r) for r in result.rows]
    for row in rows:
        row["link"] = _safe_link(row.get("url"))
    return rows


#: Columns that hold an event id, outside the events table itself (which links its rows already).
EVENT_ID_COLUMNS = frozenset({"id", "event_id", "merged_into", "into_event_id"})


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """An event id in a view or a query becomes a link to the event's page (its sources, its reviews)."""
    if (database != DATABASE or table == "events" or column not in EVENT_ID_COLUMNS or not isinstance(value, str)
            or not value.startswith("ev-")):
        return None
    from markupsafe import Markup, escape

    from .digest.select import event_url

    return Markup(f'<a href="{escape(event_url("", value))}">{escape(value)}</a>')


#: Columns of events whose codes have a human name in a lookup table (via the schema's foreign keys).
LABELLED_COLUMNS = ("country", "platform", "justification_category")


async def event_labels(datasette: Any, event_id: str) -> dict[str, str]:
    """Human names for the event's codes (RU -> Russia), shown beside them on its page."""
    db = datasette.get_database(DATABASE)
    row = (await db.execute(f"select {', '.join(LABELLED_COLUMNS)} from events where id = ?", [event_id])).first()
    labels: dict[str, str] = {}
    for column in LABELLED_COLUMNS if row is not None else ():
        value = row[column]
        if value is None:
            continue
        label = (await datasette.expand_foreign_keys(DATABASE, "events", column, [value])).get((column, value))
        if label and label != value:
            labels[column] = label
    return labels


def event_row_id(view_name: str, database: str, table: str, request: Any) -> str | None:
    """The event id when a page is one event's row page (where its sources and review controls go)."""
    if view_name != "row" or database != DATABASE or table != "events" or request is None:
        return None
    pks = request.url_vars.get("pks")
    return urlsafe_components(pks)[0] if pks else None


@hookimpl
def extra_template_vars(template: str, database: str, table: str, view_name: str, request: Any,
                        datasette: Any) -> Any:
    event_id = event_row_id(view_name, database, table, request)
    if event_id is None:
        return {}

    async def inner() -> dict[str, Any]:
        return {
            "tracker_event_id": event_id,
            "tracker_event_sources": await event_sources(datasette, event_id),
            "tracker_event_labels": await event_labels(datasette, event_id),
        }

    return inner


#: Table pages: column descriptions fold into a <details> and become header tooltips, so rows come first.
_FOLD_DESCRIPTIONS_JS = """
document.querySelectorAll("dl.column-descriptions").forEach(function (dl) {
  var described = {};
  dl.querySelectorAll("dt").forEach(function (dt) {
    var dd = dt.nextElementSibling;
    if (dd) { described[dt.textContent.trim()] = dd.textContent.trim(); }
  });
  document.querySelectorAll("th[data-column]").forEach(function (th) {
    var text = described[th.getAttribute("data-column")];
    if (text) { th.title = text; }
  });
  var details = document.createElement("details");
  details.className = "tracker-column-descriptions";
  var summary = document.createElement("summary");
  summary.textContent = "What each column means (" + Object.keys(described).length + " columns)";
  dl.parentNode.insertBefore(details, dl);
  details.appendChild(summary);
  details.appendChild(dl);
});
"""


@hookimpl
def extra_body_script(view_name: str) -> str:
    return _FOLD_DESCRIPTIONS_JS if view_name == "table" else ""


#: Tables and views with one row per event under an `id` column, where the publisher type facet applies.
EVENT_TABLES = frozenset({"events", "event_list"})


class PublisherTypeFacet(Facet):
    """Facet on events by the publisher types of their sources (regulator, press, ngo, court).

    The publisher type lives in event_sources, not in events, so no column facet
    can count it: this one counts distinct events per type over the current
    filtered rows, and a click adds a `_where` on event_sources to the page.
    Configured in the metadata as {"publisher_type": "publisher_type"}.
    """

    type = "publisher_type"
    name = "publisher_type"

    @staticmethod
    def where_clause(value: str) -> str:
        quoted = "'" + value.replace("'", "''") + "'"
        return f"id in (select event_id from event_sources where publisher = {quoted})"

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        configs = self.get_configs()
        if not configs or self.table not in EVENT_TABLES:
            return [], []
        facet_size = self.get_facet_size()
        sql = (
            f"with inner_rows as ({self.sql})\n"
            "select es.publisher as value, count(distinct inner_rows.id) as count\n"
            "from inner_rows join event_sources es on es.event_id = inner_rows.id\n"
            "where es.publisher is not null\n"
            f"group by es.publisher order by count desc, value limit {facet_size + 1}"
        )
        try:
            result = await self.ds.execute(self.database, sql, self.params, truncate=False,
                                           custom_time_limit=self.ds.setting("facet_time_limit_ms"))
        except QueryInterrupted:
            return [], [self.name]
        except sqlite3.OperationalError:  # asked for on a table without an id or without event_sources
            return [], []
        qs_pairs = self.get_querystring_pairs()
        values = []
        for row in result.rows[:facet_size]:
            where = self.where_clause(row["value"])
            selected = ("_where", where) in qs_pairs
            path = (path_with_removed_args(self.request, {"_where": where}) if selected
                    else path_with_added_args(self.request, {"_where": where}))
            values.append({
                "value": row["value"], "label": row["value"], "count": row["count"], "selected": selected,
                "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path)),
            })
        source = configs[0]["source"]
        return [{
            "name": self.name,
            "type": "column",  # shown like the column facets beside it
            "hideable": source != "metadata",
            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet_publisher_type"})),
            "results": values,
            "truncated": len(result.rows) > facet_size,
        }], []


@hookimpl
def register_facet_classes() -> list[type]:
    return [PublisherTypeFacet]


async def atom_feed(datasette: Any, request: Any) -> Any:
    """/-/events.atom: new and changed events as an Atom feed, filtered through the URL (tracker.atom)."""
    from datasette.utils.asgi import Response

    from . import atom

    try:
        filters = atom.parse_filters({k: request.args.getlist(k) for k in request.args})
    except atom.FeedError as exc:
        return Response.text(f"Bad feed filter: {exc}\n", status=400)
    sql, params = atom.feed_query(filters)
    rows = (await datasette.get_database(DATABASE).execute(sql, params)).rows
    base = datasette.absolute_url(request, "/")

    def event_url(event_id: str) -> str:
        from .digest.select import event_url as page

        return page(base, event_id)

    self_url = datasette.absolute_url(request, request.full_path)
    body = atom.feed_xml(rows, event_url=event_url, self_url=self_url,
                         list_url=datasette.absolute_url(request, f"/{DATABASE}/event_list"), filters=filters)
    return Response(body, content_type="application/atom+xml; charset=utf-8")


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    from .atom import PATH

    return [("^" + PATH.replace(".", r"\.") + "$", atom_feed)]


#: The only HTTP methods served; everything else is answered 405 before Datasette sees it.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _authorizer(action: int, arg1: str | None, arg2: str | None, dbname: str | None, source: str | None) -> int:
    """Refuse ATTACH; make `database_list` (which names the file's absolute path) a no-op."""
    if action == sqlite3.SQLITE_ATTACH:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() == "database_list":
        return sqlite3.SQLITE_IGNORE
    return sqlite3.SQLITE_OK


@hookimpl
def prepare_connection(conn: Any) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.execute(f"PRAGMA hard_heap_limit = {MAX_SQLITE_HEAP}")
    conn.set_authorizer(_authorizer)


def hide_paths(datasette: Any) -> None:
    """Leave file paths out of /-/databases: the instance lists its databases by name only."""
    listed = datasette._connected_databases

    def without_paths() -> list[dict[str, Any]]:
        return [{k: v for k, v in d.items() if k != "path"} for d in listed()]

    datasette._connected_databases = without_paths


async def _send_text(send: Any, status: int, body: bytes, extra: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *extra, *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})


#: The largest body a reviewer's form may have (a review with every field and a long reason is a few kB).
MAX_FORM_BYTES = 64 * 1024


async def _small_body(receive: Any) -> Any:
    """The request body read whole, up to MAX_FORM_BYTES, replayed to the app; None when it is larger, so
    nobody can make the server hold a huge upload in memory."""
    chunks: list[bytes] = []
    size, more = 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > MAX_FORM_BYTES:
            return None
        more = message.get("more_body", False)
    body = b"".join(chunks)
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _review_post(scope: dict) -> bool:
    """The reviewers' forms (login, logout, a review) are the only POSTs let through; tracker.review.web
    refuses each one without a reviewer's session, and Datasette checks their CSRF tokens."""
    from .review.web import POST_PATHS

    return scope.get("method", "").upper() == "POST" and scope.get("path") in POST_PATHS


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    def wrap(app: Any) -> Any:
        async def guarded(scope: dict, receive: Any, send: Any) -> None:
            if scope.get("type") != "http":
                await app(scope, receive, send)
                return
            if scope.get("method", "GET").upper() not in READ_METHODS and not _review_post(scope):
                body = b"This tracker instance is read-only: only GET and HEAD requests are served.\n"
                await _send_text(send, 405, body, [(b"allow", b"GET, HEAD")])
                return
            if _review_post(scope):
                receive = await _small_body(receive)
                if receive is None:
                    await _send_text(send, 413, b"A form of the reviewers is at most 64 kB.\n", [])
                    return

            async def with_headers(message: dict) -> None:
                if message["type"] == "http.response.start":
                    names = {name.lower() for name, _ in message.get("headers", [])}
                    message = {**message, "headers": [*message.get("headers", []),
                                                      *(h for h in SECURITY_HEADERS if h[0] not in names)]}
                await send(message)

            await app(scope, receive, with_headers)

        return guarded

    return wrap


@hookimpl
def permission_allowed(action: str) -> bool | None:
    if action in WRITE_ACTIONS:
        return False
    return None
