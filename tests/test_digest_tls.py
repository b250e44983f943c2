"""Digest delivery over STARTTLS and implicit TLS with a login, all settings from the environment.

The server is aiosmtpd on 127.0.0.1 with a throw-away self-signed certificate made by the openssl
command; the client trusts it through SSL_CERT_FILE, so certificate checks stay on.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult

from tests import factories
from tests.factories import populate
from tests.test_digest import W47, week_changes
from tests.test_digest_smtp import TIMEOUT, TODAY, Inbox, smtp_controller
from tracker.digest.run import digest_row, run_digest
from tracker.digest.subscribers import add_subscriber

USER, PASSWORD = "digest-bot", "not-in-any-file"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    return factories.self_signed_certificate(tmp_path_factory.mktemp("tls"), "127.0.0.1", "IP:127.0.0.1")


class Logins:
    """aiosmtpd authenticator that accepts one user and remembers every attempt."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.seen.append((login, password))
        return AuthResult(success=(login, password) == (USER, PASSWORD), handled=False)  # server answers 235/535


@pytest.fixture
def tls_env(monkeypatch, certificate, db, private):
    """(public, private) databases with one subscriber, and the mail settings in the environment only."""
    populate(db)
    week_changes(db)
    add_subscriber(private, "ir@example.org", countries=["IR"])
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    for name, value in {"TRACKER_SMTP_HOST": "127.0.0.1", "TRACKER_SMTP_USER": USER,
                        "TRACKER_SMTP_PASSWORD": PASSWORD, "TRACKER_MAIL_FROM": "tracker <digest@tracker.test>",
                        "TRACKER_DIGEST_SKIP_EMPTY": "0"}.items():
        monkeypatch.setenv(name, value)
    return db, private


def server_context(certificate) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(*certificate)
    return ctx


def serving(inbox: Inbox, logins: Logins, **kw):
    """An aiosmtpd server that requires a login, on a free loopback port (yielded by the context)."""
    return smtp_controller(inbox, authenticator=logins, auth_required=True, **kw)


def test_starttls_with_login_from_environment(tls_env, certificate, monkeypatch):
    inbox, logins = Inbox(), Logins()
    with serving(inbox, logins, tls_context=server_context(certificate), require_starttls=True) as port:
        monkeypatch.setenv("TRACKER_SMTP_PORT", str(port))
        monkeypatch.setenv("TRACKER_SMTP_SECURITY", "starttls")
        monkeypatch.setenv("TRACKER_SMTP_PASSWORD", "wrong")
        run = run_digest(*tls_env, week=W47, mode="send", timeout=TIMEOUT, today=TODAY)
        assert run.counts == {"failed": 1} and inbox.received == []
        row = digest_row(tls_env[1], 1, W47)
        assert row["status"] == "failed" and "login" in row["error"] and "535" in row["error"]

        monkeypatch.setenv("TRACKER_SMTP_PASSWORD", PASSWORD)
        run = run_digest(*tls_env, week=W47, mode="send", timeout=TIMEOUT, today=TODAY)
        assert run.counts == {"sent": 1} and list(inbox.messages()) == ["ir@example.org"]
        # smtplib tries each mechanism the server offers before giving up on the wrong password
        assert set(logins.seen[:-1]) == {(USER, "wrong")} and logins.seen[-1] == (USER, PASSWORD)
        assert digest_row(tls_env[1], 1, W47)["attempts"] == 2


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_with_login(tls_env, certificate, monkeypatch):
    inbox, logins = Inbox(), Logins()
    # aiosmtpd only counts STARTTLS as TLS for AUTH; the whole connection is TLS here
    with serving(inbox, logins, ssl_context=server_context(certificate), auth_require_tls=False) as port:
        monkeypatch.setenv("TRACKER_SMTP_PORT", str(port))
        monkeypatch.setenv("TRACKER_SMTP_SECURITY", "ssl")
        run = run_digest(*tls_env, week=W47, mode="send", timeout=TIMEOUT, today=TODAY)
        assert run.counts == {"sent": 1} and logins.seen == [(USER, PASSWORD)]
        assert "Telegram" in inbox.messages()["ir@example.org"].get_body(("plain",)).get_content()


def test_plain_connection_to_a_tls_only_server_fails_cleanly(tls_env, certificate, monkeypatch):
    with serving(Inbox(), Logins(), ssl_context=server_context(certificate)) as port:
        monkeypatch.setenv("TRACKER_SMTP_PORT", str(port))
        monkeypatch.setenv("TRACKER_SMTP_SECURITY", "none")
        run = run_digest(*tls_env, week=W47, mode="send", timeout=2.0, today=TODAY)
        assert run.counts == {"failed": 1}
        assert digest_row(tls_env[1], 1, W47)["error"].startswith("cannot reach SMTP server 127.0.0.1:")


def test_unknown_security_mode_is_a_clear_error(tls_env, monkeypatch):
    monkeypatch.setenv("TRACKER_SMTP_SECURITY", "tls1.3")
    with pytest.raises(ValueError, match="TRACKER_SMTP_SECURITY='tls1.3': use one of none, starttls, ssl"):
        run_digest(*tls_env, week=W47, mode="send", timeout=TIMEOUT, today=TODAY)
    assert tls_env[1].table("digests").count == 0
