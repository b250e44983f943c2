"""Reviewer accounts and the secret that signs their sessions, all in the private database (never served).

Passwords are stored as salted scrypt hashes (`scrypt$N$r$p$salt$hash`, base64), checked in constant time;
an unknown name costs the same hash as a known one, so timing does not tell which names exist. The secret
Datasette signs session cookies and CSRF tokens with is made once, when the first reviewer is added, so
sessions survive a restart of `tracker serve`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import sqlite_utils

from ..clock import now_iso
from ..errors import TrackerError

#: scrypt cost: 2^14 x 8 blocks takes about 16 MB and a few tens of milliseconds, per OWASP's minimum.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_SALT_BYTES = 16
_KEY_BYTES = 32
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
#: Login names: letters, digits, dot, dash, underscore; no spaces or anything a header or URL would mangle.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SECRET_KEY = "session_secret"


class AccountError(TrackerError):
    """A reviewer account cannot be added or used as asked."""


@dataclass(frozen=True)
class Reviewer:
    name: str
    created_at: str

    def as_dict(self) -> dict:
        return {"name": self.name, "created_at": self.created_at}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The stored form of a password: scrypt with a random salt, and the cost it was made with."""
    salt = salt or secrets.token_bytes(_SALT_BYTES)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=_KEY_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when `password` hashes to `stored`; a malformed or missing hash never verifies."""
    try:
        kind, n, r, p, salt, key = (stored or "").split("$")
        if kind != "scrypt":
            raise ValueError(kind)
        expected = base64.b64decode(key)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(expected))
    except (ValueError, TypeError):
        hash_password(password)  # the same work as a real check
        return False
    return hmac.compare_digest(got, expected)


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME.match(name):
        raise AccountError(f"reviewer name {name!r}: use 1 to 64 letters, digits, '.', '_' or '-', starting with "
                           "a letter or digit")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password is {len(password)} characters; use at least {MIN_PASSWORD}")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password is longer than {MAX_PASSWORD} characters")
    return password


def add_reviewer(private: sqlite_utils.Database, name: str, password: str) -> tuple[Reviewer, bool]:
    """Add a reviewer, or set an existing one's password; returns (reviewer, created). Makes the session
    secret when there is none yet."""
    name, password = check_name(name), check_password(password)
    stored = hash_password(password)
    with private.conn:
        row = private.execute("SELECT created_at FROM reviewers WHERE name = ?", [name]).fetchone()
        if row:
            private.execute("UPDATE reviewers SET password_hash = ? WHERE name = ?", [stored, name])
            created_at, created = row[0], False
        else:
            created_at, created = now_iso(), True
            private.execute("INSERT INTO reviewers (name, password_hash, created_at) VALUES (?, ?, ?)",
                            [name, stored, created_at])
        private.execute("INSERT OR IGNORE INTO private_meta (key, value) VALUES (?, ?)",
                        [SECRET_KEY, secrets.token_hex(32)])
    return Reviewer(name, created_at), created


def remove_reviewer(private: sqlite_utils.Database, name: str) -> bool:
    """Remove an account (their reviews stay, with their name); its sessions stop working at once."""
    with private.conn:
        return private.execute("DELETE FROM reviewers WHERE name = ?", [name.strip()]).rowcount > 0


def list_reviewers(private: sqlite_utils.Database) -> list[Reviewer]:
    return [Reviewer(r[0], r[1]) for r in private.execute("SELECT name, created_at FROM reviewers ORDER BY name")]


def authenticate(private: sqlite_utils.Database, name: str, password: str) -> bool:
    """True when `name` is a reviewer whose password is `password`."""
    row = private.execute("SELECT password_hash FROM reviewers WHERE name = ?", [(name or "").strip()]).fetchone()
    return verify_password(password or "", row[0] if row else None)


def is_reviewer(private: sqlite_utils.Database, name: str) -> bool:
    return private.execute("SELECT 1 FROM reviewers WHERE name = ?", [name]).fetchone() is not None


def session_secret(private: sqlite_utils.Database) -> str | None:
    row = private.execute("SELECT value FROM private_meta WHERE key = ?", [SECRET_KEY]).fetchone()
    return row[0] if row else None
