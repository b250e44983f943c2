"""The registry of source types: how the links to articles are found in what a source's URL serves.

A source type is one module and one registration, shaped like llm's `register_*` hooks: the module
defines a `register_source_types(register)` function that calls `register(SourceType(...))`. The
built-in types are registered exactly as an outside one would be (the modules in `BUILTIN`), and
feeds.toml validation, the schema's description of `sources.type` and the README's list all take their
names from here, so adding a type needs no other change.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from .feeds import Item


class LinkContext(Protocol):
    """What a source type may use while finding links: fetching more documents (a sitemap index's children)
    and the run's limits."""

    async def fetch(self, url: str, kind: str) -> tuple[bytes, str]:
        """The body and final URL of another document of this source (raises FetchError)."""

    @property
    def max_bytes(self) -> int: ...

    @property
    def max_children(self) -> int: ...


@dataclass(frozen=True)
class SourceType:
    """One way of finding articles: links the crawler polls for, or (`links` None) pages read by another
    command, such as web archives read by `tracker backfill`."""

    name: str  # the value of `type` in feeds.toml / sources.type
    description: str  # one line, for the schema and the docs
    links: Callable[[bytes, str, LinkContext], Awaitable[list[Item]]] | None  # (body, final URL, context) -> items
    fetch_kind: str = "feed"  # the `fetches.kind` of the source's own URL
    html_only: bool = False  # the source's URL must answer HTML
    command: str = "crawl"  # the command that reads it; only `crawl` types belong in feeds.toml

    @property
    def polled(self) -> bool:
        return self.links is not None


#: Modules whose `register_source_types` provide the built-in types, in the order they are listed.
BUILTIN = ("tracker.crawl.feeds", "tracker.crawl.listing", "tracker.crawl.sitemap", "tracker.backfill.source")


@cache
def source_types() -> dict[str, SourceType]:
    """Every registered source type by name: the built-ins first, then the modules listed in
    TRACKER_SOURCE_TYPES (comma-separated module names), each with a `register_source_types`."""
    import os

    found: dict[str, SourceType] = {}

    def register(kind: SourceType) -> None:
        if kind.name in found:
            raise ValueError(f"source type {kind.name!r} is registered twice")
        found[kind.name] = kind

    extra = [m.strip() for m in os.environ.get("TRACKER_SOURCE_TYPES", "").split(",") if m.strip()]
    for name in (*BUILTIN, *extra):
        importlib.import_module(name).register_source_types(register)
    return found


def source_type(name: str) -> SourceType:
    return source_types()[name]


def names() -> tuple[str, ...]:
    """Every registered type (the values `sources.type` may hold)."""
    return tuple(source_types())


def polled_names() -> tuple[str, ...]:
    """The types the crawler polls (the values `type` may take in feeds.toml)."""
    return tuple(name for name, kind in source_types().items() if kind.polled)
