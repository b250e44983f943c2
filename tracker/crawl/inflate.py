"""Bounded decompression: every gzip or deflate body the crawler reads inflates through here.

A few kilobytes of gzip can inflate to gigabytes, so nothing is ever decompressed in one call:
`Inflater` feeds zlib at most `cap + 1` output bytes at a time (`max_length`) and stops with
TooBig as soon as the output passes the cap. Memory stays at the cap plus one input chunk,
whatever the ratio. The same code decodes a `Content-Encoding` while the body streams in
(httpx's own decoders inflate a whole network chunk at once) and a `.xml.gz` sitemap.
"""

from __future__ import annotations

import zlib

#: Content codings the crawler asks for and decodes; anything else is refused (brotli and zstd
#: decoders are not installed, so a body in them could never be read).
SUPPORTED = ("gzip", "x-gzip", "deflate")
MAX_CODINGS = 2


class InflateError(Exception):
    """The compressed data is broken or uses a coding the crawler does not read."""


class TooBig(Exception):
    """The data inflates past the cap."""


class _Stage:
    """One coding (gzip or deflate) decoded incrementally; multi-member gzip is read whole."""

    def __init__(self, coding: str):
        self.coding = coding
        self.started = False
        self.d = self._new()

    def _new(self) -> zlib._Decompress:
        if self.coding == "deflate":  # RFC 9110 says zlib-wrapped; some servers send raw deflate
            return zlib.decompressobj(zlib.MAX_WBITS)
        return zlib.decompressobj(zlib.MAX_WBITS | 16)

    def feed(self, data: bytes, room: int) -> bytes:
        """Inflate `data`, returning at most room + 1 bytes (more means: over the cap)."""
        out = bytearray()
        while data and len(out) <= room:
            try:
                chunk = self.d.decompress(data, room + 1 - len(out))
            except zlib.error as exc:
                if self.coding == "deflate" and not self.started:
                    self.d = zlib.decompressobj(-zlib.MAX_WBITS)
                    self.started = True
                    continue
                raise InflateError(f"broken {self.coding} data: {exc}") from None
            self.started = True
            out += chunk
            if self.d.eof:
                rest = self.d.unused_data
                if self.coding == "deflate" or not rest.strip(b"\x00"):
                    break  # trailing garbage after a deflate stream / zero padding after gzip is ignored
                self.d = self._new()  # next gzip member
                data = rest
            else:
                data = self.d.unconsumed_tail
        return bytes(out)


class Inflater:
    """Decode a body coded with `codings` (in the order they were applied), never past `cap` bytes."""

    def __init__(self, codings: list[str], cap: int):
        if len(codings) > MAX_CODINGS:
            raise InflateError(f"{len(codings)} content codings stacked ({', '.join(codings)})")
        for c in codings:
            if c not in SUPPORTED:
                raise InflateError(f"unsupported content coding {c!r}")
        self.stages = [_Stage("gzip" if c == "x-gzip" else c) for c in reversed(codings)]
        self.cap = cap
        self.size = 0

    def feed(self, data: bytes) -> bytes:
        """The decoded bytes `data` yields; TooBig once the total passes the cap."""
        for stage in self.stages:
            data = stage.feed(data, self.cap - self.size)
        self.size += len(data)
        if self.size > self.cap:
            raise TooBig(f"inflates past the {self.cap} byte cap")
        return data


def content_codings(header: str | None) -> list[str]:
    """The codings of a Content-Encoding header, in the order applied ('identity' dropped)."""
    codings = [c.strip().lower() for c in (header or "").split(",")]
    return [c for c in codings if c and c != "identity"]


def gunzip(data: bytes, cap: int, chunk: int = 64 * 1024) -> bytes:
    """Inflate a whole gzip document, at most `cap` bytes (TooBig past it, InflateError when broken)."""
    inflater = Inflater(["gzip"], cap)
    stage = inflater.stages[0]
    parts = [inflater.feed(data[i:i + chunk]) for i in range(0, len(data), chunk)]
    if not stage.d.eof:
        raise InflateError("broken gzip data: truncated")
    return b"".join(parts)
