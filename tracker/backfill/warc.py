"""Reading web archives (WARC 1.0/1.1, plain or gzip): plans of chunks, and the HTML pages in a chunk.

A file is cut into chunks of about `chunk_bytes` by byte offset, so several workers read one file at
once; a record belongs to the chunk in which it starts. A worker finds the first record that starts at
or after its chunk's offset (`sync`) and reads records until one starts at or after the next chunk's
offset. That needs a file whose records can be found from any offset: a WARC.gz written one gzip member
per record (what Common Crawl, wget and warcio write), or a plain WARC. A WARC.gz whose first member
holds more than one record (the whole file gzipped at once) is one chunk.

Records are read with FastWARC. Everything wrong with a record is counted by kind and skipped, never
fatal: a truncated file or record (`truncated`), gzip data that does not inflate (`corrupt`, reading
resumes at the next record found), a record that is no HTTP response (`not_http`), a body in a
coding tracker does not read (`bad_encoding`), a body over the crawler's 5 MB cap (`too_big`).
Non-200 answers and non-HTML bodies are skipped, as the crawler does.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..crawl.inflate import InflateError, Inflater, TooBig, content_codings

_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."
#: How far `sync` looks past a chunk's offset for the first record before it gives the chunk up as empty.
_SYNC_READ = 1 << 20
#: Content types taken as HTML pages (the crawler's own test; anything else is skipped).
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class ArchiveError(Exception):
    """A file cannot be read as a web archive at all (the message says which and why)."""


@dataclass(frozen=True)
class Chunk:
    """Records of `path` that start in [start, end)."""

    path: str
    index: int
    start: int
    end: int
    gzip: bool
    split: bool = True  # False: the file is one chunk, read whole (its offsets say nothing)

    @property
    def size(self) -> int:
        return self.end - self.start


@dataclass
class Page:
    """An HTTP 200 HTML response found in a chunk."""

    url: str
    body: bytes
    content_type: str
    warc_date: str  # UTC, ISO 8601
    record_id: str
    offset: int


@dataclass
class ReadStats:
    records: int = 0  # WARC records read (every type)
    responses: int = 0  # HTTP responses among them
    pages: int = 0  # HTTP 200 HTML responses handed on
    skipped: dict[str, int] = field(default_factory=dict)  # not_200, not_html: ordinary, not failures
    failures: dict[str, int] = field(default_factory=dict)  # bad records by kind

    def fail(self, kind: str) -> None:
        self.failures[kind] = self.failures.get(kind, 0) + 1

    def skip(self, kind: str) -> None:
        self.skipped[kind] = self.skipped.get(kind, 0) + 1


def is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(3) == _GZIP_MAGIC


def per_record_gzip(path: Path, limit: int = 64 << 20) -> bool:
    """True when the first gzip member of `path` ends after one record (so members mark records)."""
    d = zlib.decompressobj(zlib.MAX_WBITS | 16)
    out = 0
    with path.open("rb") as fh:
        while not d.eof:
            data = fh.read(1 << 16)
            if not data:
                return False  # the whole file is one member (perhaps cut short): it is one chunk
            out += len(d.decompress(data, limit))
            if out >= limit:
                return False
        head = d.unused_data + fh.read(3)
    return head[:3] == _GZIP_MAGIC  # nothing after the first member: the whole file is one


def plan(path: Path, chunk_bytes: int) -> list[Chunk]:
    """The chunks of one file (at least one, even for an empty file)."""
    try:
        size = path.stat().st_size
        gz = size > 0 and is_gzip(path)
        if size and not gz:
            with path.open("rb") as fh:
                if not fh.read(len(_WARC_MAGIC)) == _WARC_MAGIC:
                    raise ArchiveError(f"{path}: not a WARC file (neither gzip nor a WARC/1.x header)")
        splittable = not gz or per_record_gzip(path)
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not splittable or size <= chunk_bytes:
        return [Chunk(str(path), 0, 0, max(size, 1), gz, split=splittable)]
    n = (size + chunk_bytes - 1) // chunk_bytes
    return [Chunk(str(path), i, i * chunk_bytes, min(size, (i + 1) * chunk_bytes), gz) for i in range(n)]


def _gzip_record_at(data: bytes, i: int) -> bool:
    """Whether a gzip member starting at data[i] inflates to the start of a WARC record."""
    d = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        return d.decompress(data[i:i + 4096], 16).startswith(_WARC_MAGIC)
    except zlib.error:
        return False


def _plain_record_at(data: bytes, i: int) -> bool:
    """Whether a plain WARC record starts at data[i]: its header line, after the blank lines that end the
    previous record (or at the start of the file)."""
    return data.startswith(_WARC_MAGIC, i) and (i == 0 or data[max(0, i - 4):i] == b"\r\n\r\n")


def sync(path: str, offset: int, gz: bool, limit: int | None = None) -> int | None:
    """Offset of the first record starting at or after `offset` (None when none does before `limit`)."""
    if offset == 0:
        return 0
    magic = _GZIP_MAGIC if gz else _WARC_MAGIC
    test = _gzip_record_at if gz else _plain_record_at
    back = 0 if gz else 4
    with open(path, "rb") as fh:
        pos = offset
        while limit is None or pos < limit:
            fh.seek(pos - back)
            data = fh.read(_SYNC_READ + 4096)
            if len(data) <= back:
                return None
            i = back
            while True:
                i = data.find(magic, i)
                if i < 0 or i >= _SYNC_READ + back:
                    break
                if test(data, i):
                    found = pos - back + i
                    return found if limit is None or found < limit else None
                i += 1
            pos += _SYNC_READ
    return None


def _iso(value: object) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.replace(microsecond=0).isoformat() + "Z"
    return ""


_CHUNK_SIZE = re.compile(rb"^\s*([0-9a-fA-F]+)")


def dechunk(body: bytes) -> bytes:
    """The body of a `Transfer-Encoding: chunked` payload (InflateError when it is cut or malformed)."""
    out, i = bytearray(), 0
    while True:
        eol = body.find(b"\r\n", i)
        m = _CHUNK_SIZE.match(body[i:eol]) if eol >= 0 else None
        if m is None:
            raise InflateError("broken chunked transfer coding")
        size = int(m.group(1), 16)
        if size == 0:
            return bytes(out)
        start = eol + 2
        if start + size > len(body):
            raise InflateError("chunked body cut short")
        out += body[start:start + size]
        i = start + size + 2


def _payload(rec, cap: int, stats: ReadStats) -> bytes | None:
    """The decoded body of an HTTP response record, or None (counted) when it cannot be had."""
    reader = rec.reader
    raw = reader.read(cap + 1) if reader is not None else b""
    if len(raw) > cap:
        stats.fail("too_big")
        return None
    if len(raw) < rec.content_length:
        stats.fail("truncated")
        return None
    headers = rec.http_headers
    try:
        if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
            raw = dechunk(raw)
        codings = content_codings(headers.get("Content-Encoding"))
        if codings:
            raw = Inflater(codings, cap).feed(raw)
    except InflateError:
        stats.fail("bad_encoding")
        return None
    except TooBig:
        stats.fail("too_big")
        return None
    return raw


def _page(rec, cap: int, stats: ReadStats) -> Page | None:
    """The page a record holds, or None: counted as skipped (not 200, not HTML) or as a failure."""
    from fastwarc.warc import WarcRecordType

    if rec.record_type != WarcRecordType.response:
        return None
    headers = rec.headers
    if headers.get("Content-Length") is None or not headers.get("WARC-Target-URI"):
        stats.fail("truncated")  # the record's own header was cut off
        return None
    stats.responses += 1
    if not rec.is_http or rec.http_headers is None:
        stats.fail("not_http")
        return None
    if rec.http_headers.status_code != 200:
        stats.skip("not_200")
        return None
    ctype = rec.http_headers.get("Content-Type") or ""
    if not ctype.split(";")[0].strip().lower() in _HTML_TYPES:
        stats.skip("not_html")
        return None
    body = _payload(rec, cap, stats)
    if body is None:
        return None
    stats.pages += 1
    return Page(url=headers.get("WARC-Target-URI").strip("<> "), body=body, content_type=ctype,
                warc_date=_iso(rec.record_date), record_id=(rec.record_id or "").strip("<>"),
                offset=rec.stream_pos)


def _cut_after(chunk: Chunk, last: int) -> bool:
    """Whether the file ends inside a record after the one at `last` (checked by the file's last chunk)."""
    path = Path(chunk.path)
    size = path.stat().st_size
    if chunk.end < size:
        return False
    with path.open("rb") as fh:
        fh.seek(last)
        data = fh.read()
    if chunk.gzip:
        while data:
            d = zlib.decompressobj(zlib.MAX_WBITS | 16)
            try:
                while d.decompress(data, 1 << 20):
                    data = d.unconsumed_tail
            except zlib.error:
                return True
            if not d.eof:
                return True
            data = d.unused_data
        return False
    end = data.find(b"\r\n\r\n")
    m = re.search(rb"\r\nContent-Length:\s*(\d+)", data[:end], re.IGNORECASE) if end >= 0 else None
    return m is None or end + 4 + int(m.group(1)) > len(data)


def pages(chunk: Chunk, stats: ReadStats, cap: int = 5 * 1024 * 1024) -> Iterator[Page]:
    """The HTTP 200 HTML pages of the records that start in the chunk, in file order."""
    from fastwarc.warc import ArchiveIterator

    pos = sync(chunk.path, chunk.start, chunk.gzip, chunk.end)
    while pos is not None and pos < chunk.end:
        last = pos
        try:
            with open(chunk.path, "rb") as fh:
                fh.seek(pos)
                cut = 0
                for rec in ArchiveIterator(fh, parse_http=True, fsspec_args=False, auto_decode="none"):
                    if chunk.split and rec.stream_pos >= chunk.end:
                        return
                    last = rec.stream_pos
                    stats.records += 1
                    cut = stats.failures.get("truncated", 0)
                    page = _page(rec, cap, stats)
                    cut = stats.failures.get("truncated", 0) - cut  # this record was cut short
                    if page is not None:
                        yield page
            if chunk.split and not cut and _cut_after(chunk, last):
                stats.fail("truncated")
            return
        except OSError:  # gzip or WARC data that cannot be read: skip to the next record that can
            stats.fail("corrupt")
            pos = sync(chunk.path, last + 1, chunk.gzip, chunk.end)
