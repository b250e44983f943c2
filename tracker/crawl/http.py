"""Polite, bounded HTTP fetching with httpx.

Politeness: at most `per_host` requests at a time to one host and `delay` seconds
between the starts of two requests to it. Bounds: a connect/read timeout plus a total
deadline per request, a body size cap enforced while streaming, a redirect limit with
loop detection. 429 and 5xx answers are retried with exponential backoff, waiting what
Retry-After asks when it says so. Every HTTP attempt (each retry, each redirect hop)
is reported to `on_attempt`, which the crawler writes to the `fetches` table.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Self
from urllib.parse import urljoin, urlsplit

import httpx

from .netguard import Refused, check_url

USER_AGENT = "tracker-crawler/0.1 (+https://github.com/tracker-project/tracker; censorship event tracker)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class HttpOptions:
    """Knobs of the fetcher; the defaults suit real sites, tests shrink them."""

    timeout: float = 20.0  # connect / read / write / pool timeout, seconds
    total_timeout: float = 60.0  # whole request including body, seconds
    retries: int = 2  # extra attempts after a 429 / 5xx / connection error
    backoff: float = 1.0  # first backoff, doubled each retry
    max_retry_after: float = 120.0  # a longer Retry-After gives up instead of waiting
    per_host: int = 2
    delay: float = 1.0  # seconds between request starts to one host
    concurrency: int = 16  # connections in total
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = USER_AGENT


@dataclass
class Attempt:
    """One HTTP request and its outcome, as the `fetches` table stores it."""

    url: str
    kind: str
    source: str
    status: int | None = None
    bytes: int = 0
    duration_ms: int = 0
    error: str = ""
    fetched_at: str = field(default_factory=lambda: now_iso())


@dataclass
class Response:
    url: str  # final URL after redirects
    status: int  # 200 or 304
    headers: httpx.Headers
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class FetchError(Exception):
    """The fetch failed for good this time; `transient` says whether a later run may succeed."""

    def __init__(self, reason: str, status: int | None = None, transient: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.transient = transient


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds a Retry-After header asks to wait (delta-seconds or an HTTP date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class _HostGate:
    """Per-host concurrency limit and spacing between request starts."""

    def __init__(self, per_host: int, delay: float):
        self.sem = asyncio.Semaphore(per_host)
        self.delay = delay
        self.lock = asyncio.Lock()
        self.next_start = 0.0

    async def __aenter__(self) -> None:
        await self.sem.acquire()
        async with self.lock:
            wait = self.next_start - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self.next_start = time.monotonic() + self.delay

    async def __aexit__(self, *exc: object) -> None:
        self.sem.release()


class Fetcher:
    """Async HTTP client shared by one crawl run."""

    def __init__(self, options: HttpOptions | None = None, *, allow_private: bool = False,
                 on_attempt: Callable[[Attempt], None] | None = None):
        self.options = options or HttpOptions()
        self.allow_private = allow_private
        self.on_attempt = on_attempt or (lambda attempt: None)
        self._gates: dict[str, _HostGate] = {}
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Self:
        o = self.options
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(o.timeout),
            limits=httpx.Limits(max_connections=o.concurrency, max_keepalive_connections=o.concurrency),
            headers={"User-Agent": o.user_agent},
            follow_redirects=False,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    def host_delay(self, host: str, delay: float) -> None:
        """Raise the spacing for `host` (robots.txt Crawl-delay), never lower it."""
        gate = self._gate(host)
        gate.delay = max(gate.delay, delay)

    def _gate(self, host: str) -> _HostGate:
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = _HostGate(self.options.per_host, self.options.delay)
        return gate

    async def get(self, url: str, *, kind: str, source: str, etag: str | None = None,
                  last_modified: str | None = None, html_only: bool = False) -> Response:
        """GET `url` following redirects; return a 200 or 304 Response or raise FetchError."""
        seen: set[str] = set()
        current = url
        for _hop in range(self.options.max_redirects + 1):
            if current in seen:
                raise FetchError(f"redirect loop at {current}", transient=False)
            seen.add(current)
            try:
                await check_url(current, self.allow_private)
            except Refused as exc:
                self.on_attempt(Attempt(current, kind, source, error=f"refused: {exc}"))
                raise FetchError(f"refused: {exc}", transient=False) from None
            resp = await self._with_retries(current, kind, source, etag, last_modified, html_only)
            if resp.status in (301, 302, 303, 307, 308):
                location = resp.headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {resp.status} without Location", resp.status, transient=False)
                current = urljoin(current, location)
                continue
            resp.url = current
            return resp
        raise FetchError(f"more than {self.options.max_redirects} redirects", transient=False)

    async def _with_retries(self, url: str, kind: str, source: str, etag: str | None,
                            last_modified: str | None, html_only: bool) -> Response:
        o = self.options
        for attempt in range(o.retries + 1):
            last = attempt == o.retries
            try:
                resp = await self._once(url, kind, source, etag, last_modified, html_only)
            except httpx.TimeoutException:
                raise FetchError(f"timeout after {o.timeout:g}s") from None
            except httpx.TransportError as exc:
                if last:
                    raise FetchError(f"connection failed: {exc.__class__.__name__}: {exc}") from None
                await asyncio.sleep(o.backoff * 2**attempt)
                continue
            if resp.status not in RETRY_STATUS:
                return resp
            wait = retry_after_seconds(resp.headers.get("retry-after"))
            if wait is not None and wait > o.max_retry_after:
                raise FetchError(f"HTTP {resp.status}, Retry-After {wait:.0f}s is longer than "
                                 f"{o.max_retry_after:g}s", resp.status)
            if last:
                raise FetchError(f"HTTP {resp.status} after {o.retries + 1} attempts", resp.status)
            if wait is None:
                wait = o.backoff * 2**attempt * (1 + random.random() / 4)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    async def _once(self, url: str, kind: str, source: str, etag: str | None,
                    last_modified: str | None, html_only: bool) -> Response:
        """One request: returns any status; raises FetchError for size / type refusals."""
        assert self._client is not None, "use `async with Fetcher(...)`"
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        record = Attempt(url, kind, source)
        host = urlsplit(url).netloc.lower()
        start = time.monotonic()
        try:
            async with self._gate(host):
                start = time.monotonic()
                return await asyncio.wait_for(self._stream(url, headers, html_only, record),
                                              self.options.total_timeout)
        except TimeoutError:
            record.error = f"timeout: no complete answer within {self.options.total_timeout:g}s"
            raise FetchError(record.error) from None
        except httpx.TimeoutException as exc:
            record.error = f"timeout: {exc.__class__.__name__}"
            raise
        except httpx.TransportError as exc:
            record.error = f"{exc.__class__.__name__}: {exc}"
            raise
        except FetchError as exc:
            record.error = exc.reason
            raise
        finally:
            record.duration_ms = int((time.monotonic() - start) * 1000)
            self.on_attempt(record)

    async def _stream(self, url: str, headers: dict, html_only: bool, record: Attempt) -> Response:
        o = self.options
        async with self._client.stream("GET", url, headers=headers) as r:
            record.status = r.status_code
            resp = Response(url, r.status_code, r.headers)
            if r.status_code != 200:
                if r.status_code >= 400:
                    record.error = f"HTTP {r.status_code}"
                return resp
            if html_only and resp.content_type and resp.content_type not in HTML_TYPES:
                raise FetchError(f"not HTML: content type {resp.content_type}", 200, transient=False)
            declared = r.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > o.max_bytes:
                raise FetchError(f"body of {int(declared)} bytes is over the {o.max_bytes} byte cap",
                                 200, transient=False)
            chunks: list[bytes] = []
            size = 0
            async for chunk in r.aiter_bytes():
                size += len(chunk)
                record.bytes = size
                if size > o.max_bytes:
                    raise FetchError(f"body over the {o.max_bytes} byte cap, download aborted",
                                     200, transient=False)
                chunks.append(chunk)
            resp.body = b"".join(chunks)
            return resp


def raise_for_status(resp: Response) -> None:
    """Turn a final non-200/304 answer into FetchError (4xx is not worth retrying soon)."""
    if resp.status in (200, 304):
        return
    raise FetchError(f"HTTP {resp.status}", resp.status, transient=resp.status >= 500 or resp.status == 429)
