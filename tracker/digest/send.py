"""Deliver messages over SMTP with the standard library's smtplib.

Host, port, security (none, starttls or ssl), user and password come from the
environment through `tracker.settings`, never from a file in the repository.
One connection is reused for a whole run; a failure is reported per message so
the caller can record it and carry on with the next recipient.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Self

from ..settings import Settings

SECURITY_MODES = ("none", "starttls", "ssl")


class DeliveryError(RuntimeError):
    """One message could not be delivered.

    `unreachable` is True when no connection (or login) to the server could be made at
    all: trying the next recipient in the same run would only fail the same way.
    """

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str = "none"
    user: str = ""
    password: str = ""
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings, *, timeout: float = 30.0) -> SmtpConfig:
        security = (settings.smtp_security or "none").strip().lower()
        if security not in SECURITY_MODES:
            raise ValueError(f"TRACKER_SMTP_SECURITY={settings.smtp_security!r}: use one of {', '.join(SECURITY_MODES)}")
        return cls(settings.smtp_host, settings.smtp_port, security, settings.smtp_user, settings.smtp_password,
                   timeout)


class Mailer:
    """A lazily opened SMTP connection that sends one message at a time."""

    def __init__(self, config: SmtpConfig, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.config = config
        self.ssl_context = ssl_context
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        where = f"{c.host}:{c.port}"
        try:
            if c.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout,
                                                      context=self.ssl_context or ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            try:
                if c.security == "starttls":
                    smtp.starttls(context=self.ssl_context or ssl.create_default_context())
                if c.user:
                    smtp.login(c.user, c.password)
            except BaseException:
                smtp.close()
                raise
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"SMTP login to {where} refused: {exc.smtp_code} {_text(exc.smtp_error)}",
                                unreachable=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"cannot reach SMTP server {where}: {exc}", unreachable=True) from exc
        return smtp

    def send(self, msg: EmailMessage, recipient: str, sender: str) -> None:
        """Send `msg` to one recipient; DeliveryError says why it failed."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            refused = self._smtp.send_message(msg, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = exc.recipients.get(recipient, (0, b"refused"))
            self._reset()
            raise DeliveryError(f"recipient refused: {code} {_text(text)}") from exc
        except smtplib.SMTPSenderRefused as exc:
            self._reset()
            raise DeliveryError(f"sender {sender} refused: {exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except smtplib.SMTPDataError as exc:
            self._reset()
            raise DeliveryError(f"message refused: {exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise DeliveryError(f"connection lost: {exc or type(exc).__name__}") from exc
        except smtplib.SMTPException as exc:
            self.close()
            raise DeliveryError(f"SMTP error: {exc}") from exc
        if refused:
            code, text = refused.get(recipient, (0, b"refused"))
            raise DeliveryError(f"recipient refused: {code} {_text(text)}")

    def _reset(self) -> None:
        """After a refusal the transaction may be half open: RSET, or reconnect next time."""
        if self._smtp is None:
            return
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
