"""One weekly digest run, idempotent through the `digests` table of the private database.

Mail is sent once. Before a message is sent its row is written as `sending` with the Message-ID it
will carry; the moment the message itself starts to travel the row becomes `transmitting`, and the
server's acceptance makes it `sent`. So a run killed, or a connection lost, at any point leaves a row
that says what is known:
- `sending` (nothing was transmitted) or `failed` (a temporary refusal, a lost connection before the
  message went out): sent again by the next run, with the same Message-ID;
- `transmitting` (lost while the message travelled: it may have arrived): the next run marks it
  `unknown` and does not send it again unless told to (`resend_unknown`);
- `refused` (a permanent 5xx answer): never retried for that week;
- `sent` or `empty` (nothing to send, when empty weeks are skipped): done.
A refused recipient or a lost connection affects that subscriber only and the run goes on with the
others; when the server cannot be reached at all, everyone left is marked failed without waiting on it
again.

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

from ..clock import now_iso
from ..settings import Settings, get_settings
from .chart import render_chart
from .compose import compose_digest, sender_address
from .select import Week, WeekSelection, last_full_week, select_week
from .send import PERMANENT, UNKNOWN, DeliveryError, Mailer, SmtpConfig
from .subscribers import Subscriber, list_subscribers

MODES = ("send", "preview", "plan")
#: Stands in for a subscriber when a preview is asked of a database that has none.
PREVIEW_SUBSCRIBER = Subscriber(id=0, email="preview@localhost", token="preview-only")


@dataclass
class DigestResult:
    subscriber_id: int
    email: str
    status: str  # sent, failed, refused, unknown, empty, already, preview; in plan mode pending or retry
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
        """Digests this run could not deliver, or cannot tell whether it delivered."""
        return [r for r in self.results if r.status in ("failed", "refused", "unknown")]

    def as_dict(self) -> dict:
        return {"week": self.week, "mode": self.mode, "n_events_week": self.n_events_week,
                "counts": self.counts, "results": [asdict(r) for r in self.results]}


#: Longest address part of a preview file name (file systems take 255 bytes a name).
MAX_SLUG = 60


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:MAX_SLUG] or "subscriber"


def digest_row(private: sqlite_utils.Database, subscriber_id: int, week: Week | str) -> dict | None:
    rows = list(private.query("select * from digests where subscriber_id = ? and week = ?",
                              [subscriber_id, str(week)]))
    return rows[0] if rows else None


def _record(private: sqlite_utils.Database, sub: Subscriber, week: Week, status: str, n_events: int, *,
            error: str = "", message_id: str = "", tried: bool = True) -> int:
    old = digest_row(private, sub.id, week)
    attempts = (old["attempts"] or 0 if old else 0) + (1 if tried else 0)
    with private.conn:
        private.table("digests").upsert({
            "subscriber_id": sub.id, "week": str(week), "status": status, "attempts": attempts,
            "error": error, "n_events": n_events, "message_id": message_id, "sent_at": now_iso(),
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


def run_digest(db: sqlite_utils.Database, private: sqlite_utils.Database | None, *, week: Week | None = None,
               mode: str = "plan", out_dir: Path | None = None, settings: Settings | None = None,
               timeout: float = 30.0, today: date | None = None, resend_unknown: bool = False,
               progress: Callable[[DigestResult], None] | None = None) -> DigestRun:
    """Compose and send (or preview, or plan) `week`'s digest for every subscriber.

    Events come from `db` (the public database); subscribers and the digest log from `private`
    (None: no subscriber yet, which only a preview accepts)."""
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
    if private is None and mode != "preview":
        raise ValueError("no private database: add a subscriber first (tracker subscribers add)")
    subscribers = list_subscribers(private) if private is not None else []
    if mode == "preview":
        assert out_dir is not None
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        subscribers = subscribers or [PREVIEW_SUBSCRIBER]
    mailer = Mailer(SmtpConfig.from_settings(settings, timeout=timeout)) if mode == "send" else None
    worker = _Worker(private, week, mode, settings, mailer, Path(out_dir) if out_dir else None)
    worker.resend_unknown = resend_unknown
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

    def __init__(self, private: sqlite_utils.Database | None, week: Week, mode: str, settings: Settings,
                 mailer: Mailer | None, out_dir: Path | None) -> None:
        self.private, self.week, self.mode, self.settings = private, week, mode, settings
        self.mailer, self.out_dir = mailer, out_dir
        self.sender = sender_address(settings)
        self.charts = _Charts()
        self.unreachable: str | None = None  # set once the server could not be reached in this run
        self.resend_unknown = False

    def one(self, sub: Subscriber, mine: WeekSelection) -> DigestResult:
        week, n = self.week, len(mine.events)
        result = DigestResult(sub.id, sub.email, "pending", n)
        row = digest_row(self.private, sub.id, week) if self.mode != "preview" and self.private else None
        if row and self._settled(row, result):
            return result
        if n == 0 and self.settings.digest_skip_empty:
            result.status = "empty"
            if self.mode == "send":
                result.attempts = _record(self.private, sub, week, "empty", 0, tried=False)
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
                result.attempts = _record(self.private, sub, week, "failed", n, error=result.error)
            return result
        if self.mode == "preview":
            assert self.out_dir is not None
            path = self.out_dir / f"{week}-{sub.id:04d}-{_slug(sub.email)}.eml"
            path.write_bytes(msg.as_bytes())
            result.status, result.path, result.message_id = "preview", str(path), msg["Message-ID"]
            return result
        if row and row["message_id"]:  # a retry carries the Message-ID of the first try
            msg.replace_header("Message-ID", row["message_id"])
        return self._send(sub, msg, n, result)

    def _settled(self, row: dict, result: DigestResult) -> bool:
        """Fill `result` and return True when the row says this digest must not be sent now."""
        status = row["status"]
        if status == "transmitting" and self.mode == "send":
            error = ("connection lost in an earlier run while the message was being transmitted; it may have "
                     f"been delivered (Message-ID {row['message_id']}), so it is not sent again unless asked")
            _record(self.private, Subscriber(id=result.subscriber_id, email=result.email), self.week, "unknown",
                    row["n_events"] or 0, error=error, message_id=row["message_id"] or "", tried=False)
            result.status, result.error, result.message_id = "unknown", error, row["message_id"] or ""
            result.attempts = row["attempts"] or 0
            return True
        if status in ("sent", "empty", "refused") or (status == "unknown" and not self.resend_unknown):
            result.status, result.attempts = "already", row["attempts"] or 0
            result.message_id, result.n_events = row["message_id"] or "", row["n_events"] or 0
            result.error = "" if status in ("sent", "empty") else f"{status}: {row['error'] or ''}"
            return True
        return False

    def _send(self, sub: Subscriber, msg, n: int, result: DigestResult) -> DigestResult:
        assert self.mailer is not None
        week, message_id = self.week, msg["Message-ID"]
        result.attempts = _record(self.private, sub, week, "sending", n, message_id=message_id)
        try:
            if self.unreachable:
                raise DeliveryError(f"not tried: {self.unreachable}", unreachable=True)
            self.mailer.send(msg, sub.email, self.sender,
                             on_data=lambda: _record(self.private, sub, week, "transmitting", n,
                                                     message_id=message_id, tried=False))
        except DeliveryError as exc:
            if exc.unreachable and not self.unreachable:
                self.unreachable = str(exc)
            status = {PERMANENT: "refused", UNKNOWN: "unknown"}.get(exc.outcome, "failed")
            result.status, result.error = status, str(exc)
            _record(self.private, sub, week, status, n, error=str(exc), message_id=message_id, tried=False)
        else:
            result.status, result.message_id = "sent", message_id
            _record(self.private, sub, week, "sent", n, message_id=message_id, tried=False)
        return result
