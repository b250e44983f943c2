"""Reviewing on the website: Datasette hooks for the reviewers' login and the controls on an event's page.

Everything else on the site stays read-only for everyone. What this adds:
- `/-/login` (GET a form, POST name and password): a reviewer account from the private database (salted
  scrypt, tracker.review.accounts) becomes Datasette's own signed `ds_actor` session cookie (HttpOnly,
  SameSite=Lax, lasting [review.login] session_hours); Datasette's `/-/logout` ends it. Failed logins are
  limited per address and per name ([review.login] in models/settings.toml);
- `/-/review` (POST only): a review from the controls on an event's page, refused (403) unless the request
  carries the session of a reviewer whose account still exists. Datasette's CSRF middleware (asgi-csrf)
  checks the token every form carries. The review is written through a connection of its own, under the
  database's one-writer lock (tracker.lock), never through Datasette, whose connections stay read-only;
- on an event's page: the reviews made (verdicts, reasons, times; never who), the machine's values beside
  corrected ones, and, for a logged-in reviewer only, Confirm, Reject, Correct and Merge forms.

The private database is read by this module directly (read-only, per request) and never attached to
Datasette, so no route or SQL of the site can reach accounts, hashes, the secret or who reviewed what.
Reviewing is off when the site serves a snapshot (--immutable) or no reviewer account exists.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils import baseconv, tilde_encode
from datasette.utils.asgi import Response

from ..datasette_plugin import event_row_id
from ..metadata import DATABASE
from . import CORRECTABLE, VERDICTS

#: The permission a reviewer holds; nobody else does.
REVIEW_ACTION = "tracker-review"
#: The paths that accept a POST (everything else on the site answers 405 to it).
POST_PATHS = frozenset({"/-/login", "/-/logout", "/-/review"})
_ACTOR_PREFIX = "reviewer:"


@dataclass
class LoginLimiter:
    """Failed logins per client address and per name within a sliding window, in memory (bounded)."""

    attempts: int
    window: float  # seconds
    failures: dict[str, deque] = field(default_factory=dict)
    max_keys: int = 100_000  # addresses and names remembered at most

    @staticmethod
    def _keys(address: str, name: str) -> tuple[str, str]:
        return f"ip:{address}", f"name:{name.lower()[:64]}"

    def _recent(self, key: str, now: float) -> deque:
        q = self.failures.get(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def wait(self, address: str, name: str, now: float | None = None) -> float:
        """Seconds before another try is allowed (0 when it is)."""
        now = time.monotonic() if now is None else now
        waits = [self.window - (now - q[0]) for key in self._keys(address, name)
                 if len(q := self._recent(key, now)) >= self.attempts]
        return max(waits, default=0.0)

    def failed(self, address: str, name: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for key in self._keys(address, name):
            self.failures[key] = self._recent(key, now)
            self.failures[key].append(now)
        if len(self.failures) > self.max_keys:  # forget the expired ones, then the oldest half
            for key in [k for k in self.failures if not self._recent(k, now)]:
                del self.failures[key]
            for key in sorted(self.failures, key=lambda k: self.failures[k][-1])[:len(self.failures) // 2]:
                del self.failures[key]


@dataclass
class ReviewSite:
    """What the hooks need to know about the instance; kept on the Datasette object, never in metadata."""

    public: Path
    private: Path
    enabled: bool
    session_seconds: float
    limiter: LoginLimiter


def configure(datasette: Any, public: Path, private: Path, *, enabled: bool) -> ReviewSite:
    from ..settings import tunable

    login = tunable("review", "login")
    site = ReviewSite(public, private, enabled, float(login["session_hours"]) * 3600,
                      LoginLimiter(int(login["attempts"]), float(login["window_minutes"]) * 60))
    datasette._tracker_review = site
    return site


def _site(datasette: Any) -> ReviewSite | None:
    site = getattr(datasette, "_tracker_review", None)
    return site if site is not None and site.enabled else None


def _ask_private(site: ReviewSite, question: Any, default: Any) -> Any:
    """`question(private database)`, read-only; `default` when there is no private database or it is one an
    older tracker wrote (then nobody can review until `tracker init` upgrades it)."""
    from ..db import DatabaseError, open_private

    if not site.private.exists():
        return default
    try:
        private = open_private(site.private, readonly=True)
    except DatabaseError:
        return default
    try:
        return question(private)
    finally:
        private.close()


def _has_reviewers(site: ReviewSite) -> bool:
    return _ask_private(site, lambda p: p.execute("SELECT 1 FROM reviewers LIMIT 1").fetchone() is not None, False)


def reviewer_of(datasette: Any, actor: dict | None) -> str | None:
    """The name of the reviewer a request's actor is, when reviewing is on and the account still exists."""
    from .accounts import is_reviewer

    site = _site(datasette)
    name = (actor or {}).get("id", "")
    if site is None or not isinstance(name, str) or not name.startswith(_ACTOR_PREFIX):
        return None
    name = name[len(_ACTOR_PREFIX):]
    return name if _ask_private(site, lambda p: is_reviewer(p, name), False) else None


@hookimpl
def permission_allowed(datasette: Any, actor: dict | None, action: str) -> bool | None:
    if action != REVIEW_ACTION:
        return None
    return reviewer_of(datasette, actor) is not None


def _safe_next(target: str | None) -> str:
    """A local path to go back to after logging in (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return f"/{DATABASE}"


def _client(request: Any) -> str:
    client = request.scope.get("client") or ("?", 0)
    return str(client[0])


async def login(datasette: Any, request: Any) -> Response:
    """GET: the login form. POST: check the name and password, then start a session."""
    site = _site(datasette)
    if site is None or not await asyncio.to_thread(_has_reviewers, site):
        return Response.text("Reviewing is not enabled on this site.\n", status=404)
    if request.method != "POST":
        return await _login_page(datasette, request, request.args.get("next"), "", 200)
    form = await request.post_vars()
    name, password = (form.get("name") or "").strip(), form.get("password") or ""
    target = _safe_next(form.get("next"))
    address = _client(request)
    wait = site.limiter.wait(address, name)
    if wait > 0:
        return await _login_page(datasette, request, target, f"Too many failed logins: try again in "
                                 f"{int(wait // 60) + 1} minutes.", 429)
    if not await asyncio.to_thread(_authenticate, site, name, password):
        site.limiter.failed(address, name)
        return await _login_page(datasette, request, target, "Wrong name or password.", 403)
    expires = baseconv.base62.encode(int(time.time() + site.session_seconds))
    actor = {"id": _ACTOR_PREFIX + name, "display": name}
    response = Response.redirect(target)
    response.set_cookie("ds_actor", datasette.sign({"a": actor, "e": expires}, "actor"), httponly=True,
                        samesite="lax", max_age=int(site.session_seconds))
    datasette.add_message(request, f"Logged in as {name}: the events' pages now show review controls.",
                          datasette.INFO)
    return response


def _authenticate(site: ReviewSite, name: str, password: str) -> bool:
    from .accounts import authenticate

    return _ask_private(site, lambda p: authenticate(p, name, password), False)


async def _login_page(datasette: Any, request: Any, target: str | None, error: str, status: int) -> Response:
    html = await datasette.render_template("tracker_login.html", {"next": _safe_next(target), "error": error},
                                           request=request)
    return Response.html(html, status=status)


def event_path(event_id: str) -> str:
    return f"/{DATABASE}/events/{tilde_encode(event_id)}"


def _changes(form: dict, current: dict) -> list[str]:
    """`field=value` for every field of the correct form whose value differs from what the event shows."""
    out = []
    for name in CORRECTABLE:
        key = f"set_{name}"
        if key not in form:
            continue
        value = (form[key] or "").strip()
        shown = "" if current.get(name) is None else str(current[name])
        if value != shown:
            out.append(f"{name}={value}")
    return out


def write_review(site: ReviewSite, reviewer: str, form: dict) -> str:
    """Record the review a form asks for, under the one-writer lock; returns what was done, for the page."""
    from ..db import open_db, open_private
    from ..lock import writer_lock
    from ..settings import get_settings
    from .store import ReviewError, parse_changes, review_event

    event_id, verdict = (form.get("event_id") or "").strip(), form.get("verdict") or ""
    if verdict not in VERDICTS:
        raise ReviewError(f"unknown verdict {verdict!r}")
    with writer_lock(site.public, min(get_settings().lock_wait, 10.0)):
        db = open_db(site.public, private=site.private)
        try:
            pdb = open_private(site.private, create=True)
            try:
                current = next(db.query("SELECT * FROM events WHERE id = ?", [event_id]), {})
                changes = parse_changes(db, _changes(form, current)) if verdict == "corrected" else None
                done = review_event(db, pdb, event_id, verdict, reviewer=reviewer, via="web", changes=changes,
                                    reason=form.get("reason"), into=(form.get("into") or "").strip() or None)
            finally:
                pdb.close()
        finally:
            db.close()
    return f"{done.verdict.replace('_', ' ')} {event_id}" + (f" into {done.into_event_id}" if done.into_event_id
                                                            else "")


async def review(datasette: Any, request: Any) -> Response:
    """POST /-/review: one reviewer's decision from an event's page."""
    from ..errors import TrackerError

    if request.method != "POST":
        return Response.text("Reviews are sent from an event's page.\n", status=405, headers={"Allow": "POST"})
    reviewer = reviewer_of(datasette, request.actor)
    if reviewer is None:
        return Response.text("Forbidden: log in as a reviewer to review events.\n", status=403)
    form = await request.post_vars()
    back = event_path((form.get("event_id") or "").strip())
    try:
        done = await asyncio.to_thread(write_review, _site(datasette), reviewer, form)
    except TrackerError as exc:
        datasette.add_message(request, f"Not saved: {exc}", datasette.ERROR)
        return Response.redirect(back)
    datasette.add_message(request, f"Saved: {done}.", datasette.INFO)
    return Response.redirect(back)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/login$", login), (r"^/-/review$", review)]


async def _event_review_vars(datasette: Any, request: Any, event_id: str) -> dict[str, Any]:
    from .. import vocabulary
    from .store import json_object

    db = datasette.get_database(DATABASE)
    row = (await db.execute("select * from events where id = ?", [event_id])).first()
    if row is None:
        return {}
    rows = (await db.execute("select id, verdict, changes, into_event_id, reason, created_at from reviews "
                             "where event_id = ? order by id desc", [event_id])).rows
    reviews = [{**dict(r), "changes": json_object(r["changes"])} for r in rows]
    site = _site(datasette)
    reviewer = await asyncio.to_thread(reviewer_of, datasette, request.actor)
    can_log_in = site is not None and reviewer is None and await asyncio.to_thread(_has_reviewers, site)
    choices = {"action": vocabulary.actions(), "status": vocabulary.statuses(), "scope": vocabulary.scopes(),
               "justification_category": vocabulary.justification_categories()}
    fields = [{"name": n, "value": "" if row[n] is None else str(row[n]), "choices": choices.get(n)}
              for n in CORRECTABLE]
    return {
        "tracker_review": {
            "status": row["review_status"] or "unreviewed",
            "stale": bool(row["review_stale"]),
            "merged_into": row["merged_into"],
            "merged_into_path": event_path(row["merged_into"]) if row["merged_into"] else None,
            "machine_values": json_object(row["machine_values"]),
            "reviews": reviews,
            "reviewer": reviewer,
            "fields": fields,
            "login_path": f"/-/login?next={quote(event_path(event_id))}" if can_log_in else None,
        }
    }


@hookimpl
def extra_template_vars(view_name: str, database: str, table: str, request: Any, datasette: Any) -> Any:
    event_id = event_row_id(view_name, database, table, request)
    if event_id is None:
        return {}

    async def inner() -> dict[str, Any]:
        return await _event_review_vars(datasette, request, event_id)

    return inner
