"""One weekly digest run, idempotent through the `digests` table.

For every subscriber and the chosen ISO week, the run looks at the `digests` row:
`sent` (or `empty`, when empty weeks are skipped) means done, and nothing is sent twice;
no row or `failed` means the digest is composed and sent now. Each outcome is written
right after its attempt, so a crash loses at most the row of the message in flight.
A refused recipient or a lost connection marks that subscriber `failed` (attempts and the
error kept) and the run goes on with the others; when the server cannot be reached at
all, everyone left is marked failed without waiting on it again. Failed digests are
retried by the next run for the same week.

Modes: `send` delivers; `preview` writes .eml files and records nothing; `plan` only
reports what `send` would do.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import sqlite_utils
from jinja2 import TemplateError

from ..settings import Settings, get_settings
from .chart import render_chart
from .compose import compose_digest, sender_address
from .select import Week, WeekSelection, last_full_week, select_week
from .send import DeliveryError, Mailer, SmtpConfig
from .subscribers import Subscriber, list_subscribers

MODES = ("send", "preview", "plan")
#: Stands in for a subscriber when a preview is asked of a database that has none.
PREVIEW_SUBSCRIBER = Subscriber(id=0, email="preview@localhost", token="preview-only")


@dataclass
class DigestResult:
    subscriber_id: int
    email: str
    status: str  # sent, failed, empty, already, preview; in plan mode pending or retry
    n_events: int
    attempts: int = 0
    error: str = ""
    message_id: str = ""
    path: str = ""


@dataclass
class DigestRun:
    week: str
    mode: str
    n_events_week: int
    results: list[DigestResult] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(r.status for r in self.results))

    @property
    def failed(self) -> list[DigestResult]:
        return [r for r in self.results if r.status == "failed"]

    def as_dict(self) -> dict:
        return {"week": self.week, "mode": self.mode, "n_events_week": self.n_events_week,
                "counts": self.counts, "results": [asdict(r) for r in self.results]}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "subscriber"


def digest_row(db: sqlite_utils.Database, subscriber_id: int, week: Week | str) -> dict | None:
    rows = list(db.query("select * from digests where subscriber_id = ? and week = ?",
                         [subscriber_id, str(week)]))
    return rows[0] if rows else None


def _record(db: sqlite_utils.Database, sub: Subscriber, week: Week, status: str, n_events: int, *,
            error: str = "", message_id: str = "", tried: bool = True) -> int:
    old = digest_row(db, sub.id, week)
    attempts = (old["attempts"] or 0 if old else 0) + (1 if tried else 0)
    with db.conn:
        db.table("digests").upsert({
            "subscriber_id": sub.id, "week": str(week), "status": status, "attempts": attempts,
            "error": error, "n_events": n_events, "message_id": message_id, "sent_at": _now(),
        }, pk=("subscriber_id", "week"))
    return attempts


class _Charts:
    """Renders each distinct chart once per run (subscribers with the same events share it)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, ...], bytes] = {}

    def __call__(self, selection: WeekSelection) -> bytes:
        key = tuple(ev.id for ev in selection.events)
        if key not in self._cache:
            self._cache[key] = render_chart(selection)
        return self._cache[key]


def run_digest(db: sqlite_utils.Database, *, week: Week | None = None, mode: str = "plan",
               out_dir: Path | None = None, settings: Settings | None = None, timeout: float = 30.0,
               today: date | None = None, progress: Callable[[DigestResult], None] | None = None) -> DigestRun:
    """Compose and send (or preview, or plan) `week`'s digest for every subscriber."""
    if mode not in MODES:
        raise ValueError(f"unknown digest mode {mode!r}; use one of {', '.join(MODES)}")
    if mode == "preview" and out_dir is None:
        raise ValueError("preview mode needs an output directory")
    settings = settings or get_settings()
    week = week or last_full_week(today)
    if mode == "send" and week.end > (today or datetime.now(UTC).date()):
        # a digest is sent once: sending a week that is not over would leave out its last days for good
        raise ValueError(f"week {week} is not over until {week.end.isoformat()}; preview it with --out instead")
    selection = select_week(db, week, base_url=settings.base_url)
    run = DigestRun(str(week), mode, len(selection.events))
    subscribers = list_subscribers(db)
    if mode == "preview":
        assert out_dir is not None
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        subscribers = subscribers or [PREVIEW_SUBSCRIBER]
    mailer = Mailer(SmtpConfig.from_settings(settings, timeout=timeout)) if mode == "send" else None
    worker = _Worker(db, week, mode, settings, mailer, Path(out_dir) if out_dir else None)
    try:
        for sub in subscribers:
            result = worker.one(sub, selection.filtered(sub))
            run.results.append(result)
            if progress:
                progress(result)
    finally:
        if mailer is not None:
            mailer.close()
    return run


class _Worker:
    """Handles one subscriber at a time for `run_digest`, keeping what the run has learnt."""

    def __init__(self, db: sqlite_utils.Database, week: Week, mode: str, settings: Settings,
                 mailer: Mailer | None, out_dir: Path | None) -> None:
        self.db, self.week, self.mode, self.settings = db, week, mode, settings
        self.mailer, self.out_dir = mailer, out_dir
        self.sender = sender_address(settings)
        self.charts = _Charts()
        self.unreachable: str | None = None  # set once the server could not be reached in this run

    def one(self, sub: Subscriber, mine: WeekSelection) -> DigestResult:
        db, week, n = self.db, self.week, len(mine.events)
        result = DigestResult(sub.id, sub.email, "pending", n)
        row = digest_row(db, sub.id, week) if self.mode != "preview" else None
        if row and row["status"] in ("sent", "empty"):
            result.status, result.attempts = "already", row["attempts"] or 0
            result.message_id, result.n_events = row["message_id"] or "", row["n_events"] or 0
            return result
        if n == 0 and self.settings.digest_skip_empty:
            result.status = "empty"
            if self.mode == "send":
                result.attempts = _record(db, sub, week, "empty", 0, tried=False)
            return result
        if self.mode == "plan":
            result.status = "retry" if row else "pending"
            result.attempts = (row["attempts"] or 0) if row else 0
            result.error = (row["error"] or "") if row else ""
            return result
        try:
            msg = compose_digest(mine, sub, self.settings, chart=self.charts(mine) if n else None)
        except (TemplateError, ValueError, TypeError, KeyError, AttributeError) as exc:
            # odd data in one event must not stop everyone else's digest; the error is kept
            result.status, result.error = "failed", f"could not compose: {type(exc).__name__}: {exc}"
            if self.mode == "send":
                result.attempts = _record(db, sub, week, "failed", n, error=result.error)
            return result
        if self.mode == "preview":
            assert self.out_dir is not None
            path = self.out_dir / f"{week}-{sub.id:04d}-{_slug(sub.email)}.eml"
            path.write_bytes(msg.as_bytes())
            result.status, result.path, result.message_id = "preview", str(path), msg["Message-ID"]
            return result
        assert self.mailer is not None
        try:
            if self.unreachable:
                raise DeliveryError(f"not tried: {self.unreachable}", unreachable=True)
            self.mailer.send(msg, sub.email, self.sender)
        except DeliveryError as exc:
            if exc.unreachable and not self.unreachable:
                self.unreachable = str(exc)
            result.status, result.error = "failed", str(exc)
            result.attempts = _record(db, sub, week, "failed", n, error=str(exc))
        else:
            result.status, result.message_id = "sent", msg["Message-ID"]
            result.attempts = _record(db, sub, week, "sent", n, message_id=result.message_id)
        return result
