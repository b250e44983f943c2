"""Read and check feeds.toml, the list of sources the crawler polls.

A malformed file stops everything before any request is made: the error names the
source and the field so the person editing the file can fix it at once.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from . import vocabulary
from .errors import TrackerError

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
#: The longest interval between two polls of a source: a year, in minutes.
MAX_POLL_MINUTES = 366 * 24 * 60
_FIELDS = {"name", "url", "type", "publisher", "country", "language", "tags", "enabled", "poll_minutes"}


def source_type_names() -> tuple[str, ...]:
    """The `type` values feeds.toml accepts: the registered source types the crawler polls (tracker.crawl.types)."""
    from .crawl.types import polled_names

    return polled_names()


class ConfigError(TrackerError, ValueError):
    """feeds.toml cannot be used as it is; the message says where and why."""


@dataclass(frozen=True)
class Source:
    """One `[[source]]` of feeds.toml, checked."""

    name: str
    url: str
    type: str
    publisher: str
    country: str = ""
    language: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    enabled: bool = True
    poll_minutes: int | None = None  # None: polled on every run



def load_feeds(path: str | Path) -> list[Source]:
    """Parse and validate `path`; raise ConfigError naming the source and field at fault."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return parse_sources(data, where=str(path))


def parse_sources(data: dict, where: str = "feeds.toml") -> list[Source]:
    """Validate already-parsed TOML data (a dict with a `source` array of tables)."""
    extra = set(data) - {"source"}
    if extra:
        raise ConfigError(f"{where}: unknown top-level key(s) {', '.join(sorted(extra))}; "
                          "sources go in [[source]] tables")
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{where}: no [[source]] tables found")
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries, start=1):
        src = _parse_one(entry, index, where)
        if src.name in seen:
            raise ConfigError(f"{where}: source #{index} {src.name!r}: field 'name': "
                              f"duplicate of source #{seen[src.name]}")
        seen[src.name] = index
        sources.append(src)
    return sources


def _parse_one(entry: object, index: int, where: str) -> Source:
    label = f"source #{index}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: {label}: must be a table")
    name = entry.get("name")
    if isinstance(name, str) and name:
        label = f"source #{index} {name!r}"

    def bad(fieldname: str, why: str) -> ConfigError:
        return ConfigError(f"{where}: {label}: field {fieldname!r}: {why}")

    unknown = set(entry) - _FIELDS
    if unknown:
        raise bad(min(unknown), f"unknown field (allowed: {', '.join(sorted(_FIELDS))})")
    for required in ("name", "url", "type", "publisher"):
        if required not in entry:
            raise bad(required, "missing")
        if not isinstance(entry[required], str) or not entry[required].strip():
            raise bad(required, "must be a non-empty string")
    if not _NAME.match(name):
        raise bad("name", "use lower-case letters, digits, '.', '_' or '-' (at most 64)")
    url = entry["url"].strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad("url", f"must be an http(s) URL with a host, got {url!r}")
    types = source_type_names()
    if entry["type"] not in types:
        from .crawl.types import source_types

        other = source_types().get(entry["type"])
        hint = f" ({other.description}: read by `tracker {other.command}`, not polled)" if other else ""
        raise bad("type", f"must be one of {', '.join(types)}, got {entry['type']!r}{hint}")
    publishers = vocabulary.publisher_types()
    if entry["publisher"] not in publishers:
        raise bad("publisher", f"must be one of {', '.join(publishers)}, got {entry['publisher']!r}")
    country = entry.get("country", "")
    if not isinstance(country, str) or (country and not _COUNTRY.match(country)):
        raise bad("country", f"must be an ISO 3166-1 alpha-2 code in capitals such as 'RU', got {country!r}")
    if entry["publisher"] in ("regulator", "court") and not country:
        raise bad("country", f"required for a {entry['publisher']}")
    language = entry.get("language", "")
    if not isinstance(language, str) or (language and not _LANGUAGE.match(language)):
        raise bad("language", f"must be an ISO 639-1 code such as 'en', got {language!r}")
    tags = entry.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        raise bad("tags", "must be a list of non-empty strings")
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        raise bad("enabled", f"must be true or false, got {enabled!r}")
    poll = entry.get("poll_minutes")
    if poll is not None and (isinstance(poll, bool) or not isinstance(poll, int) or not 1 <= poll <= MAX_POLL_MINUTES):
        raise bad("poll_minutes", f"must be a whole number of minutes from 1 to {MAX_POLL_MINUTES} (a year), "
                                  f"got {poll!r}")
    return Source(
        name=name,
        url=url,
        type=entry["type"],
        publisher=entry["publisher"],
        country=country,
        language=language,
        tags=tuple(tags),
        enabled=enabled,
        poll_minutes=poll,
    )


def select(sources: list[Source], names: tuple[str, ...] | list[str] = ()) -> list[Source]:
    """Enabled sources, or exactly the named ones (even if disabled); unknown names are an error."""
    if not names:
        return [s for s in sources if s.enabled]
    by_name = {s.name: s for s in sources}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise ConfigError(f"unknown source(s): {', '.join(missing)}")
    return [by_name[n] for n in dict.fromkeys(names)]
