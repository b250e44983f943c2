"""Polite, bounded HTTP fetching with httpx.

Politeness: at most `per_host` requests at a time to one host and `delay` seconds
between the starts of two requests to it. Bounds: a connect/read timeout plus a total
deadline per request, a body size cap enforced while streaming and counted on the decoded
bytes (gzip / deflate are decoded here, through the bounded `inflate`, never by httpx), a
redirect limit with loop detection. 429 and 5xx answers are retried with exponential
backoff, waiting what Retry-After asks when it says so. Every host is resolved once per run
and checked by `netguard`; connections go only to the checked addresses (`PinnedBackend`),
on every redirect hop. Every HTTP attempt (each retry, each redirect hop) and every refusal
is reported to `on_attempt`, which the crawler writes to the `fetches` table with its
`outcome` (see `outcomes`).
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Self
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from ..clock import now_iso
from ..settings import tunable
from . import outcomes
from .inflate import InflateError, Inflater, TooBig, content_codings
from .netguard import IP, PinnedBackend, Refused, Unresolved, check_scheme, checked_addresses, host_key

USER_AGENT = "tracker-crawler/0.1 (+https://github.com/tracker-project/tracker; censorship event tracker)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
HTML_TYPES = ("text/html", "application/xhtml+xml")
ACCEPT_ENCODING = "gzip, deflate"


def _http(key: str):
    return field(default_factory=lambda: tunable("http", key))


@dataclass(frozen=True)
class HttpOptions:
    """Knobs of the fetcher; the defaults (models/settings.toml, [http]) suit real sites, tests shrink them."""

    timeout: float = _http("timeout")  # connect / read / write / pool timeout, seconds
    total_timeout: float = _http("total_timeout")  # whole request including body, seconds
    retries: int = _http("retries")  # extra attempts after a 429 / 5xx / connection error
    backoff: float = _http("backoff")  # first backoff, doubled each retry
    max_retry_after: float = _http("max_retry_after")  # a longer Retry-After gives up instead of waiting
    per_host: int = _http("per_host")
    delay: float = _http("delay")  # seconds between request starts to one host
    concurrency: int = _http("concurrency")  # connections in total
    max_bytes: int = _http("max_bytes")  # body cap, on the decoded (inflated) bytes and on the bytes received
    max_redirects: int = _http("max_redirects")
    user_agent: str = USER_AGENT


@dataclass
class Attempt:
    """One HTTP request (or refusal) and its outcome, as the `fetches` table stores it."""

    url: str
    kind: str
    source: str
    status: int | None = None
    bytes: int = 0
    duration_ms: int = 0
    error: str = ""
    outcome: str = ""
    fetched_at: str = field(default_factory=lambda: now_iso())
    row_id: int | None = None  # set by whoever stores it, so the outcome can be settled later


@dataclass
class Response:
    url: str  # final URL after redirects
    status: int  # 200 or 304
    headers: httpx.Headers
    body: bytes = b""
    chain: list[Attempt] = field(default_factory=list)  # the attempts that led here, hops included

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class FetchError(Exception):
    """The fetch failed this time; `outcome` says how, and whether a later run may succeed (`final`)."""

    def __init__(self, reason: str, outcome: str, status: int | None = None,
                 chain: list[Attempt] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.outcome = outcome
        self.status = status
        self.chain = chain or []

    @property
    def final(self) -> bool:
        """True when the same URL would fail the same way on a later run."""
        return self.outcome in outcomes.FINAL

    @property
    def transient(self) -> bool:
        return not self.final


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


class _PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with its connection pool on a PinnedBackend (httpx has no public knob for it)."""

    def __init__(self, backend: PinnedBackend, limits: httpx.Limits):
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),  # SSL_CERT_FILE / SSL_CERT_DIR honoured, proxies not
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


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
        self.backend = PinnedBackend()
        self._resolved: dict[str, list[IP] | Exception] = {}
        self._resolving: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> Self:
        o = self.options
        limits = httpx.Limits(max_connections=o.concurrency, max_keepalive_connections=o.concurrency)
        self._client = httpx.AsyncClient(
            transport=_PinnedTransport(self.backend, limits),
            timeout=httpx.Timeout(o.timeout),
            headers={"User-Agent": o.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            follow_redirects=False,
            trust_env=False,
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

    def _report(self, attempt: Attempt, chain: list[Attempt]) -> None:
        chain.append(attempt)
        self.on_attempt(attempt)

    async def check(self, url: str, *, kind: str, source: str, chain: list[Attempt] | None = None) -> None:
        """Refuse `url` unless its host is public (FetchError 'refused', recorded); pin what was checked.

        The host is resolved once per run; every address it resolves to is checked, and the
        connection pool may connect to those addresses only. A name that does not resolve is a
        passing failure ('connect_error').
        """
        chain = [] if chain is None else chain
        try:
            found = await self._addresses(host_key(check_scheme(url)), url)
            if isinstance(found, Exception):
                raise type(found)(str(found))
        except Refused as exc:
            self._report(Attempt(url, kind, source, error=f"refused: {exc}", outcome="refused"), chain)
            raise FetchError(f"refused: {exc}", "refused", chain=chain) from None
        except Unresolved as exc:
            self._report(Attempt(url, kind, source, error=str(exc), outcome="connect_error"), chain)
            raise FetchError(str(exc), "connect_error", chain=chain) from None

    async def _addresses(self, host: str, url: str) -> list[IP] | Exception:
        """The checked addresses of `host` (pinned), or why there are none; resolved once per run."""
        async with self._resolving.setdefault(host, asyncio.Lock()):
            found = self._resolved.get(host)
            if found is None:
                try:
                    found = await checked_addresses(url, self.allow_private)
                    self.backend.pin(host, found)
                except (Refused, Unresolved) as exc:
                    found = exc
                self._resolved[host] = found
        return found

    async def get(self, url: str, *, kind: str, source: str, etag: str | None = None,
                  last_modified: str | None = None, html_only: bool = False) -> Response:
        """GET `url` following redirects; return a 200 or 304 Response or raise FetchError.

        The FetchError and the Response carry `chain`: every attempt made on the way.
        """
        chain: list[Attempt] = []
        try:
            return await self._follow(url, kind, source, etag, last_modified, html_only, chain)
        except FetchError as exc:
            exc.chain = chain
            raise

    async def _follow(self, url: str, kind: str, source: str, etag: str | None, last_modified: str | None,
                      html_only: bool, chain: list[Attempt]) -> Response:
        seen: set[str] = set()
        current = url
        for _hop in range(self.options.max_redirects + 1):
            if current in seen:
                error = f"redirect loop at {current}"
                self._report(Attempt(current, kind, source, error=error, outcome="redirect_loop"), chain)
                raise FetchError(error, "redirect_loop")
            seen.add(current)
            await self.check(current, kind=kind, source=source, chain=chain)
            resp = await self._with_retries(current, kind, source, etag, last_modified, html_only, chain)
            if resp.status in (301, 302, 303, 307, 308):
                location = resp.headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {resp.status} without Location", "http_error", resp.status)
                current = urljoin(current, location)
                continue
            resp.url = current
            resp.chain = chain
            return resp
        error = f"more than {self.options.max_redirects} redirects"
        self._report(Attempt(current, kind, source, error=error, outcome="too_many_redirects"), chain)
        raise FetchError(error, "too_many_redirects")

    async def _with_retries(self, url: str, kind: str, source: str, etag: str | None,
                            last_modified: str | None, html_only: bool, chain: list[Attempt]) -> Response:
        o = self.options
        for attempt in range(o.retries + 1):
            last = attempt == o.retries
            try:
                resp = await self._once(url, kind, source, etag, last_modified, html_only, chain)
            except httpx.TimeoutException:
                raise FetchError(f"timeout after {o.timeout:g}s", "timeout") from None
            except httpx.TransportError as exc:
                if last:
                    raise FetchError(f"connection failed: {exc.__class__.__name__}: {exc}", "connect_error") from None
                await asyncio.sleep(o.backoff * 2**attempt)
                continue
            if resp.status not in RETRY_STATUS:
                return resp
            wait = retry_after_seconds(resp.headers.get("retry-after"))
            if wait is not None and wait > o.max_retry_after:
                raise FetchError(f"HTTP {resp.status}, Retry-After {wait:.0f}s is longer than "
                                 f"{o.max_retry_after:g}s", "http_error", resp.status)
            if last:
                raise FetchError(f"HTTP {resp.status} after {o.retries + 1} attempts", "http_error", resp.status)
            if wait is None:
                wait = o.backoff * 2**attempt * (1 + random.random() / 4)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    async def _once(self, url: str, kind: str, source: str, etag: str | None,
                    last_modified: str | None, html_only: bool, chain: list[Attempt]) -> Response:
        """One request: returns any status; raises FetchError for size / type / coding refusals.

        Recorded only once it started (a request cut while waiting for its turn made none).
        """
        assert self._client is not None, "use `async with Fetcher(...)`"
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        record = Attempt(url, kind, source)
        host = urlsplit(url).netloc.lower()
        start = None
        try:
            async with self._gate(host):
                start = time.monotonic()
                record.fetched_at = now_iso()
                return await asyncio.wait_for(self._stream(url, headers, html_only, record),
                                              self.options.total_timeout)
        except TimeoutError:
            record.outcome = "timeout"
            record.error = f"timeout: no complete answer within {self.options.total_timeout:g}s"
            raise FetchError(record.error, "timeout") from None
        except httpx.TimeoutException as exc:
            record.outcome, record.error = "timeout", f"timeout: {exc.__class__.__name__}"
            raise
        except httpx.TransportError as exc:
            record.outcome, record.error = "connect_error", f"{exc.__class__.__name__}: {exc}"
            raise
        except FetchError as exc:
            record.outcome, record.error = exc.outcome, exc.reason
            raise
        except asyncio.CancelledError:
            record.outcome, record.error = "cancelled", "cancelled before the answer was complete"
            raise
        finally:
            if start is not None:
                record.duration_ms = int((time.monotonic() - start) * 1000)
                self._report(record, chain)

    async def _stream(self, url: str, headers: dict, html_only: bool, record: Attempt) -> Response:
        o = self.options
        async with self._client.stream("GET", url, headers=headers) as r:
            record.status = r.status_code
            record.outcome = outcomes.for_status(r.status_code)
            resp = Response(url, r.status_code, r.headers)
            if r.status_code != 200:
                if r.status_code >= 400 or record.outcome == "http_error":
                    record.error = f"HTTP {r.status_code}"
                return resp
            if html_only and resp.content_type and resp.content_type not in HTML_TYPES:
                raise FetchError(f"not HTML: content type {resp.content_type}", "not_html", 200)
            declared = r.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > o.max_bytes:
                raise FetchError(f"body of {int(declared)} bytes is over the {o.max_bytes} byte cap",
                                 "too_big", 200)
            try:
                inflater = Inflater(content_codings(r.headers.get("content-encoding")), o.max_bytes)
            except InflateError as exc:
                raise FetchError(f"Content-Encoding refused: {exc}", "bad_encoding", 200) from None
            resp.body = await self._read(r, inflater, record)
            return resp

    async def _read(self, r: httpx.Response, inflater: Inflater, record: Attempt) -> bytes:
        """The decoded body, read raw and decoded here so that the cap counts decoded bytes."""
        cap = self.options.max_bytes
        chunks: list[bytes] = []
        async for chunk in r.aiter_raw():
            record.bytes += len(chunk)
            if record.bytes > cap:
                raise FetchError(f"body over the {cap} byte cap, download aborted", "too_big", 200)
            try:
                chunks.append(inflater.feed(chunk))
            except TooBig:
                raise FetchError(f"body inflates past the {cap} byte cap, download aborted",
                                 "too_big", 200) from None
            except InflateError as exc:
                raise FetchError(f"body not readable: {exc}", "bad_encoding", 200) from None
        return b"".join(chunks)


def raise_for_status(resp: Response) -> None:
    """Turn a final non-200/304 answer into FetchError (4xx is not worth retrying soon)."""
    if resp.status in (200, 304):
        return
    raise FetchError(f"HTTP {resp.status}", outcomes.for_status(resp.status), resp.status, chain=resp.chain)
