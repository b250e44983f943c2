"""Who receives the weekly digest, and what each of them wants to see.

Filters are stored as JSON lists in `subscribers.countries` / `subscribers.platforms`;
an empty list means "everything". Every subscriber gets a random token used in
their unsubscribe line, so unsubscribing does not need their address.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlite_utils

from ..lookups import PLATFORM_ALIASES

# Deliberately loose: one @, something on both sides, a dot in the domain, no spaces or angle brackets.
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


class SubscriberError(ValueError):
    """A subscriber command was given something it cannot use (the message says what)."""


@dataclass(frozen=True)
class Subscriber:
    id: int
    email: str
    countries: tuple[str, ...] = field(default_factory=tuple)
    platforms: tuple[str, ...] = field(default_factory=tuple)
    token: str = ""
    created_at: str = ""

    def wants(self, country: str | None, platform: str | None) -> bool:
        """True when an event in `country` about `platform` passes this subscriber's filters."""
        if self.countries and (country or "") not in self.countries:
            return False
        wanted = {p.casefold() for p in self.platforms}
        return not wanted or (platform or "").casefold() in wanted

    def as_dict(self) -> dict:
        return {"id": self.id, "email": self.email, "countries": list(self.countries),
                "platforms": list(self.platforms), "created_at": self.created_at}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _from_row(row: dict) -> Subscriber:
    return Subscriber(
        id=row["id"], email=row["email"],
        countries=tuple(json.loads(row["countries"] or "[]")),
        platforms=tuple(json.loads(row["platforms"] or "[]")),
        token=row["token"] or "", created_at=row["created_at"] or "",
    )


def normalise_email(email: str) -> str:
    """The address as stored: trimmed, domain lower-cased; raises SubscriberError if it is not one."""
    email = (email or "").strip()
    if not _EMAIL.match(email):
        raise SubscriberError(f"not an email address: {email!r}")
    local, domain = email.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def check_countries(db: sqlite_utils.Database, codes: Iterable[str]) -> tuple[str, ...]:
    """Upper-cased country codes, each checked against the countries lookup."""
    known = {r["code"] for r in db.query("select code from countries")}
    out: list[str] = []
    for code in codes:
        c = code.strip().upper()
        if c not in known:
            raise SubscriberError(f"unknown country code {code!r} (use ISO 3166-1 alpha-2, such as RU or TR)")
        if c not in out:
            out.append(c)
    return tuple(out)


def check_platforms(db: sqlite_utils.Database, names: Iterable[str]) -> tuple[str, ...]:
    """Canonical platform names, matched case-insensitively on name or label ("X" finds Twitter)."""
    lookup: dict[str, str] = {}
    for r in db.query("select name, label from platforms"):
        lookup[r["name"].casefold()] = r["name"]
        if r["label"]:
            lookup.setdefault(r["label"].casefold(), r["name"])
    for alias, name in PLATFORM_ALIASES.items():
        lookup.setdefault(alias, name)
    out: list[str] = []
    for name in names:
        canonical = lookup.get(name.strip().casefold())
        if canonical is None:
            raise SubscriberError(f"unknown platform {name!r} (see the platforms table for canonical names)")
        if canonical not in out:
            out.append(canonical)
    return tuple(out)


def add_subscriber(db: sqlite_utils.Database, email: str, *, countries: Iterable[str] = (),
                   platforms: Iterable[str] = ()) -> tuple[Subscriber, bool]:
    """Add a subscriber, or replace the filters of an existing one; returns (subscriber, created)."""
    address = normalise_email(email)
    cs = check_countries(db, countries)
    ps = check_platforms(db, platforms)
    existing = get_subscriber(db, address)
    with db.conn:
        if existing:
            db.table("subscribers").update(existing.id, {"countries": json.dumps(list(cs)),
                                                         "platforms": json.dumps(list(ps))})
        else:
            db.table("subscribers").insert({
                "email": address, "countries": json.dumps(list(cs)), "platforms": json.dumps(list(ps)),
                "token": secrets.token_urlsafe(18), "created_at": _now(),
            })
    sub = get_subscriber(db, address)
    assert sub is not None
    return sub, existing is None


def get_subscriber(db: sqlite_utils.Database, email: str) -> Subscriber | None:
    """The subscriber with this address (compared case-insensitively), if any."""
    rows = list(db.query("select * from subscribers where lower(email) = lower(?)", [email.strip()]))
    return _from_row(rows[0]) if rows else None


def list_subscribers(db: sqlite_utils.Database) -> list[Subscriber]:
    """All subscribers, oldest first."""
    return [_from_row(r) for r in db.query("select * from subscribers order by id")]


def remove_subscriber(db: sqlite_utils.Database, email: str | None = None, *, token: str | None = None) -> bool:
    """Remove a subscriber by address or by unsubscribe token, with their digest history; False if none."""
    if token:
        rows = list(db.query("select * from subscribers where token = ?", [token]))
        sub = _from_row(rows[0]) if rows else None
    elif email:
        sub = get_subscriber(db, email)
    else:
        raise SubscriberError("give an email address or an unsubscribe token")
    if sub is None:
        return False
    with db.conn:
        db.execute("delete from digests where subscriber_id = ?", [sub.id])
        db.execute("delete from subscribers where id = ?", [sub.id])
    return True
