"""Digest delivery through a real SMTP server (aiosmtpd on 127.0.0.1): filters, parts, idempotence, failures."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from markupsafe import escape

from tests.factories import MULTILINGUAL, add_multilingual_week, populate
from tests.test_digest import W47, settings, week_changes
from tracker.digest.run import digest_row, run_digest
from tracker.digest.subscribers import add_subscriber
from tracker.serve import free_port

TIMEOUT = 5.0


class Inbox:
    """aiosmtpd handler that keeps what it receives; can refuse or drop chosen recipients."""

    def __init__(self, refuse: tuple[str, ...] = (), drop: tuple[str, ...] = (), busy: tuple[str, ...] = (),
                 accept_then_drop: tuple[str, ...] = ()) -> None:
        self.refuse = set(refuse)  # answered 550: a permanent refusal
        self.busy = set(busy)  # answered 450: try again later
        self.drop = set(drop)  # connection closed while the message travels, nothing stored
        self.accept_then_drop = set(accept_then_drop)  # stored, then the connection closes before the 250
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        if address in self.busy:
            return "450 4.2.1 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if set(envelope.rcpt_tos) & self.drop:
            server.transport.close()  # the connection is lost in the middle of the transaction
            return "451 gone"
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        if set(envelope.rcpt_tos) & self.accept_then_drop:
            server.transport.close()  # accepted, but the client never hears the 250
            return "250 accepted, but nobody hears it"
        return "250 Message accepted for delivery"

    def messages(self) -> dict[str, email.message.EmailMessage]:
        out = {}
        for _sender, rcpts, data in self.received:
            (rcpt,) = rcpts
            out[rcpt] = email.message_from_bytes(data, policy=email.policy.default)
        return out


@contextmanager
def smtp_controller(handler: object, **kwargs: object) -> Iterator[int]:
    """aiosmtpd serving `handler` on a free loopback port (yielded), stopped on leaving."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=TIMEOUT, **kwargs)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator:
    """Start aiosmtpd servers on free loopback ports; stopped at the end."""
    with ExitStack() as started:
        yield lambda inbox: started.enter_context(smtp_controller(inbox))


@pytest.fixture
def week_db(db):
    populate(db)
    week_changes(db)
    return db


def subscribe(private) -> dict[str, int]:
    ids = {}
    for address, kw in [
        ("all@example.org", {}),
        ("ir@example.org", {"countries": ["IR"]}),
        ("twitter@example.org", {"platforms": ["Twitter"]}),
        ("asia@example.org", {"countries": ["IN", "IR"], "platforms": ["Telegram", "Google Play"]}),
        ("quiet@example.org", {"countries": ["BR"]}),
    ]:
        ids[address] = add_subscriber(private, address, **kw)[0].id
    return ids


TODAY = date(2026, 11, 25)  # W47 is over; the tests do not depend on the machine's clock


def send(db, private, port: int, resend_unknown: bool = False, **kw):
    return run_digest(db, private, week=W47, mode="send", settings=settings(smtp_port=port, **kw),
                      timeout=TIMEOUT, today=TODAY, resend_unknown=resend_unknown)


def test_week_digest_reaches_each_subscriber_filtered_once(week_db, private, smtp_server):
    ids = subscribe(private)
    inbox = Inbox()
    port = smtp_server(inbox)
    run = send(week_db, private, port)
    assert run.counts == {"sent": 5}
    got = inbox.messages()
    assert sorted(got) == sorted(ids)
    assert all(sender == "digest@tracker.test" for sender, _, _ in inbox.received)

    def parts(address):
        msg = got[address]
        return msg, msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()

    msg, text, html = parts("all@example.org")
    assert msg["Subject"] == "tracker weekly digest 2026-W47: 6 events in 5 countries"
    assert msg["To"] == "all@example.org"
    for country in ("India", "Iran", "Nigeria", "Russia", "Pakistan"):
        assert f"== {country} (" in text and f">{country} (" in html
    assert "Summary" in html and "2 new, 1 lifted, 1 changed status, 1 newly found, 1 with more sources" in text
    assert "<script>" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    image = next(p for p in msg.walk() if p.get_content_type() == "image/png")
    assert image.get_content().startswith(b"\x89PNG")
    assert f'cid:{image["Content-ID"].strip().strip("<>")}' in html
    token = private.table("subscribers").get(ids["all@example.org"])["token"]
    assert msg["List-Unsubscribe"].strip() == f"<mailto:digest@tracker.test?subject=unsubscribe%20{token}>"
    assert f"(your code: {token})" in text

    msg, text, html = parts("ir@example.org")
    assert msg["Subject"].endswith("1 event in 1 country")
    assert "Telegram: block [new]" in text and "Nigeria" not in text and "India" not in html
    assert "http://datasette.test/tracker/events/ev-ir-telegram-restrict-2026-11" in html

    _, text, _ = parts("twitter@example.org")
    assert "== Nigeria (NG) ==" in text and "== Russia (RU) ==" in text and "Telegram" not in text
    assert "Twitter / X: ban [lifted]" in text and "Twitter / X: throttle [more sources]" in text

    _, text, _ = parts("asia@example.org")
    assert "Google Play: block" in text and "Telegram: block" in text and "Twitter" not in text

    msg, text, _ = parts("quiet@example.org")
    assert msg["Subject"].endswith("nothing new") and "Nothing new or changed for your filters" in text
    assert not [p for p in msg.walk() if p.get_content_maintype() == "image"]

    rows = {r["subscriber_id"]: r for r in private.table("digests").rows}
    assert {r["status"] for r in rows.values()} == {"sent"}
    assert rows[ids["ir@example.org"]]["n_events"] == 1 and rows[ids["all@example.org"]]["n_events"] == 6
    assert rows[ids["ir@example.org"]]["message_id"] == got["ir@example.org"]["Message-ID"]

    again = send(week_db, private, port)
    assert again.counts == {"already": 5} and len(inbox.received) == 5
    assert {r["attempts"] for r in private.table("digests").rows} == {1}


def test_empty_weeks_are_skipped_by_setting(week_db, private, smtp_server):
    ids = subscribe(private)
    inbox = Inbox()
    run = send(week_db, private, smtp_server(inbox), digest_skip_empty=True)
    assert run.counts == {"sent": 4, "empty": 1}
    assert "quiet@example.org" not in inbox.messages()
    row = digest_row(private, ids["quiet@example.org"], W47)
    assert row["status"] == "empty" and row["attempts"] == 0


def test_temporarily_refused_recipient_is_failed_then_retried_with_the_same_message_id(week_db, private,
                                                                                     smtp_server):
    ids = subscribe(private)
    busy = Inbox(busy=("ir@example.org",))
    run = send(week_db, private, smtp_server(busy))
    assert run.counts == {"sent": 4, "failed": 1}
    assert "ir@example.org" not in busy.messages() and len(busy.received) == 4
    row = digest_row(private, ids["ir@example.org"], W47)
    assert row["status"] == "failed" and row["attempts"] == 1 and "450" in row["error"]
    assert "mailbox busy" in row["error"]
    first_id = row["message_id"]

    # next run, the mailbox works again: only the failed digest goes out, with the Message-ID of the first try
    fixed = Inbox()
    run = send(week_db, private, smtp_server(fixed))
    assert run.counts == {"sent": 1, "already": 4}
    assert list(fixed.messages()) == ["ir@example.org"]
    assert fixed.messages()["ir@example.org"]["Message-ID"] == first_id
    row = digest_row(private, ids["ir@example.org"], W47)
    assert row["status"] == "sent" and row["attempts"] == 2 and row["error"] == ""


def test_permanently_refused_recipient_is_not_retried(week_db, private, smtp_server):
    ids = subscribe(private)
    refusing = Inbox(refuse=("ir@example.org",))
    run = send(week_db, private, smtp_server(refusing))
    assert run.counts == {"sent": 4, "refused": 1}
    row = digest_row(private, ids["ir@example.org"], W47)
    assert row["status"] == "refused" and "550" in row["error"] and "mailbox unavailable" in row["error"]

    later = Inbox()
    run = send(week_db, private, smtp_server(later))
    assert run.counts == {"already": 5} and later.received == []
    assert digest_row(private, ids["ir@example.org"], W47)["attempts"] == 1


def test_server_down_loses_no_digest(week_db, private, smtp_server):
    ids = subscribe(private)
    closed = free_port()  # nothing listens there
    run = send(week_db, private, closed)
    assert run.counts == {"failed": 5}
    rows = list(private.table("digests").rows)
    assert len(rows) == 5 and {r["status"] for r in rows} == {"failed"}
    assert all(r["attempts"] == 1 and f"127.0.0.1:{closed}" in r["error"] for r in rows)

    inbox = Inbox()
    run = send(week_db, private, smtp_server(inbox))
    assert run.counts == {"sent": 5} and sorted(inbox.messages()) == sorted(ids)
    assert {(r["status"], r["attempts"]) for r in private.table("digests").rows} == {("sent", 2)}


def test_connection_lost_while_the_message_travels_is_unknown_and_not_resent_unless_asked(week_db, private,
                                                                                        smtp_server):
    ids = subscribe(private)
    inbox = Inbox(drop=("twitter@example.org",))
    port = smtp_server(inbox)
    run = send(week_db, private, port)
    assert run.counts == {"sent": 4, "unknown": 1}
    assert sorted(inbox.messages()) == sorted(set(ids) - {"twitter@example.org"})
    row = digest_row(private, ids["twitter@example.org"], W47)
    assert row["status"] == "unknown" and "connection lost while the message was being transmitted" in row["error"]

    inbox.drop.clear()
    run = send(week_db, private, port)
    assert run.counts == {"already": 5}  # it may have arrived: not sent blindly again
    run = send(week_db, private, port, resend_unknown=True)
    assert run.counts == {"sent": 1, "already": 4}
    assert digest_row(private, ids["twitter@example.org"], W47)["status"] == "sent"
    assert [r for _, r, _ in inbox.received].count(["twitter@example.org"]) == 1


def test_a_week_that_is_not_over_is_not_sent(week_db, private, smtp_server):
    subscribe(private)
    inbox = Inbox()
    with pytest.raises(ValueError, match="week 2026-W47 is not over until 2026-11-23"):
        run_digest(week_db, private, week=W47, mode="send", settings=settings(smtp_port=smtp_server(inbox)),
                   timeout=TIMEOUT, today=date(2026, 11, 22))
    assert inbox.received == [] and private.table("digests").count == 0


def test_digest_filtered_by_language_quotes_the_evidence_in_its_language(week_db, private, smtp_server):
    add_multilingual_week(week_db)
    add_subscriber(private, "ru-ar@example.org", languages=["ru", "ar"])
    add_subscriber(private, "tr@example.org", languages=["tr"], countries=["TR"])
    add_subscriber(private, "all@example.org")
    inbox = Inbox()
    run = send(week_db, private, smtp_server(inbox))
    assert run.counts == {"sent": 3}
    got = inbox.messages()
    evidence = {lang: ev for (*_, lang, _c, _p, _a, _k, _actor, ev) in MULTILINGUAL}

    msg = got["ru-ar@example.org"]
    text, html = msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()
    assert msg["Subject"].endswith("2 events in 2 countries")
    assert "your filters: languages Russian, Arabic" in html and "Your filters: languages Russian, Arabic" in text
    # plain text: the language named, the sentence as it was written; Arabic set apart by Unicode isolates
    assert f"Evidence (Russian): «{evidence['ru']}»" in text
    assert f"Evidence (Arabic): «\u2068{evidence['ar']}\u2069»" in text
    assert "By: Роскомнадзор" in text and evidence["tr"] not in text and "Nigeria" not in text
    # HTML: the same sentences, marked with their language and direction
    assert ">Evidence (Russian)</td>" in html and ">Evidence (Arabic)</td>" in html
    assert f'<span lang="ru" dir="ltr">{evidence["ru"]}</span>' in html
    assert f'<span lang="ar" dir="rtl">{evidence["ar"]}</span>' in html
    assert '<span lang="ar" dir="rtl">مصر تحجب تيليجرام</span>' in html  # the source's title too
    assert '<html lang="en" dir="ltr">' in html and "Turkish" not in html

    msg = got["tr@example.org"]
    text, html = msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()
    assert msg["Subject"].endswith("1 event in 1 country")
    assert f"Evidence (Turkish): «{evidence['tr']}»" in text
    assert f'<span lang="tr" dir="ltr">{escape(evidence["tr"])}</span>' in html and evidence["ru"] not in html

    text = got["all@example.org"].get_body(("plain",)).get_content()
    assert all(sentence in text for sentence in evidence.values())
    assert "Evidence (English): «MeitY blocked 12 apps" in text
