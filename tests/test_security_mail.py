"""Mail is sent once (issue 11, item 12), against a real SMTP server (aiosmtpd on 127.0.0.1).

A server that accepts a message and then drops the connection before its answer arrives, or a sender
killed while the message travels, must not lead the next run to send a second copy; a permanent refusal
is not retried; the one address form a header can carry is the bare address."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time

from tests.factories import populate
from tests.test_digest import W47, week_changes
from tests.test_digest_smtp import TIMEOUT, Inbox, send, smtp_controller, subscribe
from tracker.digest.run import digest_row
from tracker.digest.subscribers import add_subscriber


def test_accepted_then_dropped_is_not_sent_twice(db, private):
    populate(db)
    week_changes(db)
    ids = subscribe(private)
    inbox = Inbox(accept_then_drop=("ir@example.org",))
    with smtp_controller(inbox) as port:
        first = send(db, private, port)
        assert first.counts["unknown"] == 1 and first.counts["sent"] == 4
        row = digest_row(private, ids["ir@example.org"], W47)
        assert row["status"] == "unknown"
        inbox.accept_then_drop.clear()
        again = send(db, private, port)
    assert again.counts == {"already": 5}
    assert [r for _, r, _ in inbox.received].count(["ir@example.org"]) == 1


class Stalling(Inbox):
    """Holds the DATA of its first message until released, so the sender can be killed mid-message."""

    def __init__(self) -> None:
        super().__init__()
        self.in_data = threading.Event()
        self.release = asyncio.Event()

    async def handle_DATA(self, server, session, envelope):
        if not self.in_data.is_set():
            self.in_data.set()
            try:
                await asyncio.wait_for(self.release.wait(), 60)
            except TimeoutError:
                pass
            return "451 the sender went away"
        return await super().handle_DATA(server, session, envelope)


def test_killed_mid_message_is_not_sent_again_unless_asked(db, db_path, private, tmp_path):
    populate(db)
    week_changes(db)
    add_subscriber(private, "ir@example.org", countries=["IR"])
    db.close()
    private.close()
    stalling = Stalling()
    with smtp_controller(stalling) as port:
        env = {**os.environ, "TRACKER_SMTP_HOST": "127.0.0.1", "TRACKER_SMTP_PORT": str(port),
               "TRACKER_MAIL_FROM": "tracker <digest@tracker.test>"}
        proc = subprocess.Popen([sys.executable, "-m", "tracker.cli", "digest", "--send", "--week", str(W47),
                                 "--db", str(db_path), "--timeout", str(TIMEOUT)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert stalling.in_data.wait(60), "the digest never reached DATA"
            time.sleep(0.2)  # the sender is now waiting for the server's answer to the message
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    from tracker.db import open_db, open_private, private_path_for

    public, private = open_db(db_path), open_private(private_path_for(db_path))
    assert digest_row(private, 1, W47)["status"] == "transmitting"
    inbox = Inbox()
    with smtp_controller(inbox) as port:
        later = send(public, private, port)
        assert later.counts == {"unknown": 1} and inbox.received == []
        row = digest_row(private, 1, W47)
        assert row["status"] == "unknown" and "may have been delivered" in row["error"]
        assert send(public, private, port).counts == {"already": 1} and inbox.received == []
        asked = send(public, private, port, resend_unknown=True)
    assert asked.counts == {"sent": 1}
    assert inbox.messages()["ir@example.org"]["Message-ID"] == row["message_id"]  # the same message, once more
