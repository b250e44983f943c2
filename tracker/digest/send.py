"""Deliver messages over SMTP with the standard library's smtplib.

Host, port, security (none, starttls or ssl), user and password come from the
environment through `tracker.settings`, never from a file in the repository.
One connection is reused for a whole run; a failure is reported per message so
the caller can record it and carry on with the next recipient.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Self

from ..settings import Settings

SECURITY_MODES = ("none", "starttls", "ssl")


#: What a failed delivery means for the next run: retry it, never retry it (a 5xx refusal), or do not
#: know (the connection was lost while the message itself was being transmitted: it may have arrived).
TEMPORARY, PERMANENT, UNKNOWN = "temporary", "permanent", "unknown"


class DeliveryError(RuntimeError):
    """One message could not be delivered.

    `unreachable` is True when no connection (or login) to the server could be made at
    all: trying the next recipient in the same run would only fail the same way. `outcome` says
    whether a later run may send it again (TEMPORARY), must not (PERMANENT), or cannot know (UNKNOWN).
    """

    def __init__(self, message: str, *, unreachable: bool = False, outcome: str = TEMPORARY) -> None:
        super().__init__(message)
        self.unreachable = unreachable
        self.outcome = outcome


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

    def send(self, msg: EmailMessage, recipient: str, sender: str,
             on_data: Callable[[], None] | None = None) -> None:
        """Send `msg` to one recipient; DeliveryError says why it failed and whether to retry.

        The SMTP steps are taken one by one so that the caller learns (`on_data`) the moment the message
        itself starts to travel: before it, a lost connection means "not sent"; from then on until the
        server's 250, it means "may have been delivered", which must not be sent blindly again."""
        if self._smtp is None:
            self._smtp = self._connect()
        smtp = self._smtp
        try:
            smtp.ehlo_or_helo_if_needed()
            code, text = smtp.mail(sender)
            if code != 250:
                self._refused(f"sender {sender} refused: {code} {_text(text)}", code)
            code, text = smtp.rcpt(recipient)
            if code not in (250, 251):
                self._refused(f"recipient refused: {code} {_text(text)}", code)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise DeliveryError(f"connection lost: {exc or type(exc).__name__}") from exc
        except smtplib.SMTPException as exc:
            self.close()
            raise DeliveryError(f"SMTP error: {exc}") from exc
        if on_data is not None:
            on_data()
        try:
            smtp.data(msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
        except smtplib.SMTPDataError as exc:  # the server answered: refused, so not delivered
            self._reset()
            outcome = PERMANENT if 500 <= exc.smtp_code < 600 else TEMPORARY
            raise DeliveryError(f"message refused: {exc.smtp_code} {_text(exc.smtp_error)}",
                                outcome=outcome) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise DeliveryError(f"connection lost while the message was being transmitted: "
                                f"{exc or type(exc).__name__}", outcome=UNKNOWN) from exc

    def _refused(self, message: str, code: int) -> None:
        self._reset()
        raise DeliveryError(message, outcome=PERMANENT if 500 <= code < 600 else TEMPORARY)

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
