"""Who receives the weekly digest, and what each of them wants to see.

Subscribers live in the private database (tracker.db.open_private), which nothing serves.
Filters are stored as JSON lists in `subscribers.countries`, `subscribers.platforms` and
`subscribers.languages` (the languages events were read in, codes of tracker.languages); an empty
list means "everything". Every subscriber gets a random token used in
their unsubscribe line, so unsubscribing does not need their address.

Addresses are parsed strictly: a bare ASCII addr-spec (RFC 5321 lengths, dot-atom local part, a
domain of letter-digit-hyphen labels), because the address goes into mail headers, the SMTP
envelope and file names, where a display name, a group, an encoded word or a control character
would each be read differently.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlite_utils

from .. import vocabulary
from ..clock import now_iso
from ..errors import TrackerError
from ..languages import languages as registered_languages

#: RFC 5321 section 4.5.3.1 limits.
MAX_LOCAL, MAX_DOMAIN, MAX_ADDRESS, MAX_LABEL = 64, 253, 254, 63
_ATOM = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")


class SubscriberError(TrackerError, ValueError):
    """A subscriber command was given something it cannot use (the message says what)."""


@dataclass(frozen=True)
class Subscriber:
    id: int
    email: str
    countries: tuple[str, ...] = field(default_factory=tuple)
    platforms: tuple[str, ...] = field(default_factory=tuple)
    token: str = ""
    created_at: str = ""
    languages: tuple[str, ...] = field(default_factory=tuple)

    def wants(self, country: str | None, platform: str | None, language: str | None = None) -> bool:
        """True when an event in `country` about `platform`, read in `language`, passes this subscriber's
        filters. An event whose language is unknown does not pass a language filter."""
        if self.countries and (country or "") not in self.countries:
            return False
        if self.languages and (language or "").lower() not in self.languages:
            return False
        wanted = {p.casefold() for p in self.platforms}
        return not wanted or (platform or "").casefold() in wanted

    def as_dict(self) -> dict:
        return {"id": self.id, "email": self.email, "countries": list(self.countries),
                "platforms": list(self.platforms), "languages": list(self.languages),
                "created_at": self.created_at}


def _from_row(row: dict) -> Subscriber:
    return Subscriber(
        id=row["id"], email=row["email"],
        countries=tuple(json.loads(row["countries"] or "[]")),
        platforms=tuple(json.loads(row["platforms"] or "[]")),
        token=row["token"] or "", created_at=row["created_at"] or "",
        languages=tuple(json.loads(row.get("languages") or "[]")),
    )


def _address_problem(email: str) -> str | None:
    """Why `email` is not a plain ASCII addr-spec we accept, or None."""
    if any(ord(ch) < 0x21 or ord(ch) > 0x7E for ch in email):
        return "only printable ASCII without spaces or control characters (no display name)"
    if email.count("@") != 1:
        return "exactly one @"
    local, domain = email.split("@")
    if not local or len(local) > MAX_LOCAL:
        return f"a part before the @ of 1 to {MAX_LOCAL} characters"
    if any(not _ATOM.match(atom) for atom in local.split(".")):
        return "letters, digits and !#$%&'*+/=?^_`{|}~- before the @, dots only between them"
    if "=?" in local:
        return "no encoded words (=?...?=)"
    labels = domain.split(".")
    if len(domain) > MAX_DOMAIN or len(labels) < 2:
        return f"a domain with a dot, at most {MAX_DOMAIN} characters"
    if any(len(label) > MAX_LABEL or not _LABEL.match(label) for label in labels) or labels[-1].isdigit():
        return f"domain labels of letters, digits and inner hyphens, each at most {MAX_LABEL} characters"
    if len(email) > MAX_ADDRESS:
        return f"at most {MAX_ADDRESS} characters in all"
    return None


def normalise_email(email: str) -> str:
    """The address as stored: trimmed, domain lower-cased; raises SubscriberError if it is not one."""
    email = (email or "").strip()
    problem = _address_problem(email)
    if problem:
        shown = email if len(email) <= 80 else email[:77] + "..."
        raise SubscriberError(f"not an email address we accept: {shown!r} (need {problem})")
    local, domain = email.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def check_countries(codes: Iterable[str]) -> tuple[str, ...]:
    """Upper-cased country codes, each checked against the countries the project knows."""
    known = set(vocabulary.countries())
    out: list[str] = []
    for code in codes:
        c = code.strip().upper()
        if c not in known:
            raise SubscriberError(f"unknown country code {code!r} (use ISO 3166-1 alpha-2, such as RU or TR)")
        if c not in out:
            out.append(c)
    return tuple(out)


def check_platforms(names: Iterable[str]) -> tuple[str, ...]:
    """Canonical platform names, matched case-insensitively on name, label or alias ("X" finds Twitter)."""
    known = set(vocabulary.platforms())
    labels = {label.casefold(): name for name, label in vocabulary.platform_labels().items()}
    out: list[str] = []
    for name in names:
        canonical = vocabulary.canonical_platform(name)
        canonical = canonical if canonical in known else labels.get(name.strip().casefold())
        if canonical is None:
            raise SubscriberError(f"unknown platform {name!r} (see the platforms table for canonical names)")
        if canonical not in out:
            out.append(canonical)
    return tuple(out)


def check_languages(codes: Iterable[str]) -> tuple[str, ...]:
    """Lower-cased ISO 639-1 codes, each one a language tracker reads (tracker.languages)."""
    known = registered_languages()
    out: list[str] = []
    for code in codes:
        c = code.strip().lower()
        if c not in known:
            raise SubscriberError(f"unknown language {code!r} (use an ISO 639-1 code tracker reads: "
                                  f"{', '.join(sorted(known))})")
        if c not in out:
            out.append(c)
    return tuple(out)


def add_subscriber(private: sqlite_utils.Database, email: str, *, countries: Iterable[str] = (),
                   platforms: Iterable[str] = (), languages: Iterable[str] = ()) -> tuple[Subscriber, bool]:
    """Add a subscriber to the private database, or replace the filters of an existing one; returns
    (subscriber, created)."""
    address = normalise_email(email)
    cs = check_countries(countries)
    ps = check_platforms(platforms)
    ls = check_languages(languages)
    filters = {"countries": json.dumps(list(cs)), "platforms": json.dumps(list(ps)),
               "languages": json.dumps(list(ls))}
    existing = get_subscriber(private, address)
    with private.conn:
        if existing:
            private.table("subscribers").update(existing.id, filters)
        else:
            private.table("subscribers").insert({
                "email": address, **filters, "token": secrets.token_urlsafe(18), "created_at": now_iso(),
            })
    sub = get_subscriber(private, address)
    assert sub is not None
    return sub, existing is None


def get_subscriber(private: sqlite_utils.Database, email: str) -> Subscriber | None:
    """The subscriber with this address (compared case-insensitively), if any."""
    rows = list(private.query("select * from subscribers where lower(email) = lower(?)", [email.strip()]))
    return _from_row(rows[0]) if rows else None


def list_subscribers(private: sqlite_utils.Database) -> list[Subscriber]:
    """All subscribers, oldest first."""
    return [_from_row(r) for r in private.query("select * from subscribers order by id")]


def remove_subscriber(private: sqlite_utils.Database, email: str | None = None, *, token: str | None = None) -> bool:
    """Remove a subscriber by address or by unsubscribe token, with their digest history; False if none."""
    if token:
        rows = list(private.query("select * from subscribers where token = ?", [token]))
        sub = _from_row(rows[0]) if rows else None
    elif email:
        sub = get_subscriber(private, email)
    else:
        raise SubscriberError("give an email address or an unsubscribe token")
    if sub is None:
        return False
    with private.conn:
        private.execute("delete from digests where subscriber_id = ?", [sub.id])
        private.execute("delete from subscribers where id = ?", [sub.id])
    return True
