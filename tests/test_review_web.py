"""Reviewing on the website, against a real `tracker serve` on 127.0.0.1 (issue 15): the login, the forms and
their CSRF tokens, the refusals, the one-writer lock, the Atom feed, and that no reviewer data (names, password
hashes, the session secret, who reviewed what) comes back from any route or any SQL a visitor can send."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import quote

import feedparser
import httpx
import pytest

from tests import factories
from tracker.db import open_db, open_private, private_path_for
from tracker.lock import writer_lock
from tracker.review.accounts import add_reviewer, remove_reviewer
from tracker.review.store import review_event
from tracker.serve import RunningServer, start_in_background

TIMEOUT = httpx.Timeout(30.0)
NAME, PASSWORD = "reviewer-zq7", "plover-ostrich-41"
CLI_NAME = "cli-person-x9k"  # who made a review from the command line
RU = "ev-ru-twitter-throttle-2021-03"
NG = "ev-ng-twitter-restrict-2021-06"
IR = "ev-ir-telegram-restrict-2026-11"


def database(directory: Path) -> Path:
    """The factory database, a reviewer account, and one review made from the command line by someone else."""
    public = factories.write_database(directory / "tracker.db")
    private = open_private(private_path_for(public), create=True)
    add_reviewer(private, NAME, PASSWORD)
    db = open_db(public)
    review_event(db, private, "ev-tr-wikipedia-restrict-2017-04", "confirmed", reviewer=CLI_NAME)
    db.close()
    private.close()
    return public


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return database(tmp_path_factory.mktemp("review-web"))


@pytest.fixture(scope="module")
def server(served: Path) -> RunningServer:
    srv = start_in_background(served, timeout=60)
    yield srv
    srv.stop()


def secrets_of(public: Path) -> list[str]:
    """Every private value a visitor must never see: names, the hashes and their parts, the session secret."""
    private = open_private(private_path_for(public), readonly=True)
    try:
        hashes = [r[0] for r in private.execute("SELECT password_hash FROM reviewers")]
        secret = private.execute("SELECT value FROM private_meta").fetchone()[0]
    finally:
        private.close()
    parts = [p for h in hashes for p in h.split("$")[4:]]
    return [NAME, CLI_NAME, PASSWORD, secret, *hashes, *parts]


def token(page: str) -> str:
    return re.search(r'name="csrftoken" value="([^"]+)"', page).group(1)


def log_in(client: httpx.Client, name: str = NAME, password: str = PASSWORD, *,
           after: str = "/tracker") -> httpx.Response:
    form = client.get(f"/-/login?next={quote(after)}")
    assert form.status_code == 200
    return client.post("/-/login", data={"csrftoken": token(form.text), "name": name, "password": password,
                                         "next": after})


def review(client: httpx.Client, event_id: str, verdict: str, **fields: str) -> httpx.Response:
    page = client.get(f"/tracker/events/{event_id}").text
    if "csrftoken" not in page:  # no form on the page (not a reviewer): take a valid token elsewhere
        page = client.get("/-/login").text
    return client.post("/-/review", data={"csrftoken": token(page), "event_id": event_id, "verdict": verdict,
                                          **fields})


def feed_ids(client: httpx.Client, query: str = "") -> list[str]:
    resp = client.get("/-/events.atom" + query)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(resp.content)
    assert not parsed.bozo, parsed.bozo_exception
    return [e.link.rsplit("/", 1)[1] for e in parsed.entries]


def test_anonymous_visitors_see_no_control_and_cannot_write(server: RunningServer) -> None:
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        page = client.get(f"/tracker/events/{RU}")
        assert page.status_code == 200
        assert "tracker-review-controls" not in page.text and 'action="/-/review"' not in page.text
        assert "Review status: <strong>unreviewed" in page.text and "/-/login?next=" in page.text
        # a POST without any cookie, and one with a valid CSRF token but no login, are refused
        bare = httpx.post(f"{server.url}/-/review", data={"event_id": RU, "verdict": "rejected", "reason": "x"},
                          timeout=TIMEOUT)
        assert bare.status_code == 403
        with_token = client.post("/-/review", data={"csrftoken": token(client.get("/-/login").text),
                                                    "event_id": RU, "verdict": "rejected", "reason": "x"})
        assert with_token.status_code == 403 and "log in as a reviewer" in with_token.text
        # every other POST is answered 405 as before, and a forged actor cookie is no reviewer
        assert client.post("/tracker/events", data={"x": "1"}).status_code == 405
        client.cookies.set("ds_actor", "forged")
        assert client.post("/-/review", data={"csrftoken": token(client.get("/-/login").text), "event_id": RU,
                                              "verdict": "rejected", "reason": "x"}).status_code == 403
        assert client.get("/-/review").status_code == 405
        big = httpx.post(f"{server.url}/-/login", content=b"name=" + b"x" * 200_000, timeout=TIMEOUT,
                         headers={"content-type": "application/x-www-form-urlencoded"})
        assert big.status_code == 413  # a form is small; a huge body is not held in memory
    db = open_db(server_db(server), readonly=True)
    assert db.table("events").get(RU)["review_status"] is None  # nothing written
    db.close()


def server_db(server: RunningServer) -> Path:
    return Path(server.process.args[server.process.args.index("--db") + 1])


def test_login_review_and_logout(server: RunningServer) -> None:
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        wrong = log_in(client, password="not the password")
        assert wrong.status_code == 403 and "Wrong name or password" in wrong.text
        assert "ds_actor" not in wrong.headers.get("set-cookie", "")
        ok = log_in(client, after=f"/tracker/events/{NG}")
        assert ok.status_code == 302 and ok.headers["location"] == f"/tracker/events/{NG}"
        cookie = next(c for c in ok.headers.get_list("set-cookie") if c.startswith("ds_actor="))
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        page = client.get(f"/tracker/events/{NG}")
        assert "tracker-review-controls" in page.text and f"Reviewing as <strong>{NAME}</strong>" in page.text
        # a form without its CSRF token is refused by Datasette's middleware
        no_token = client.post("/-/review", data={"event_id": NG, "verdict": "rejected", "reason": "x"})
        assert no_token.status_code == 403
        assert NG in feed_ids(client) and NG in client.get("/tracker/event_list.json?_shape=array").text

        done = review(client, NG, "rejected", reason="the company suspended itself")
        assert done.status_code == 302
        page = client.get(f"/tracker/events/{NG}")
        assert f"Saved: rejected {NG}." in page.text and "Review status: <strong>rejected" in page.text
        assert NG not in client.get("/tracker/event_list.json?_shape=array").text
        assert NG not in feed_ids(client)
        assert NG in client.get("/tracker/rejected_events.json?_shape=array").text  # still reachable

        corrected = review(client, RU, "corrected", set_date="2021-03-11", set_actor="Roskomnadzor",
                           reason="the order's own date")
        assert corrected.status_code == 302
        page = client.get(f"/tracker/events/{RU}")
        assert "Saved: corrected" in page.text and "the extractor read: 2021-03-10" in page.text
        bad = review(client, RU, "corrected", set_date="2021-13-40", reason="x")
        assert bad.status_code == 302
        assert "Not saved:" in client.get(f"/tracker/events/{RU}").text

        logout_form = client.get("/-/logout")
        out = client.post("/-/logout", data={"csrftoken": token(logout_form.text)})
        assert out.status_code == 302
        assert "tracker-review-controls" not in client.get(f"/tracker/events/{IR}").text
        assert review(client, IR, "rejected", reason="x").status_code == 403
    db = open_db(server_db(server), readonly=True)
    assert db.table("events").get(IR)["review_status"] is None
    assert db.table("events").get(NG)["review_status"] == "rejected"
    assert db.table("events").get(RU)["date"] == "2021-03-11"
    private = open_private(private_path_for(server_db(server)), readonly=True)
    authors = dict(private.execute("SELECT review_id, reviewer || '/' || via FROM review_authors").fetchall())
    assert sorted(authors.values()) == [f"{CLI_NAME}/cli", f"{NAME}/web", f"{NAME}/web"]
    private.close()
    db.close()


def test_feed_filters_and_updates(server: RunningServer) -> None:
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        for home in ("/", "/tracker"):  # linked from the home page and the database's page
            assert 'href="/-/events.atom"' in client.get(home).text
        everything = feed_ids(client)
        assert everything and IR in everything
        assert set(feed_ids(client, "?country=RU")) <= {RU, "ev-ru-twitter-threaten-2021-03"}
        assert set(feed_ids(client, "?country=ru,tr&platform=X")) <= {RU, "ev-ru-twitter-threaten-2021-03"}
        assert feed_ids(client, "?platform=Telegram&action=block") == [IR]
        assert feed_ids(client, "?action=fine") == []
        assert feed_ids(client, "?limit=1") == everything[:1]
        parsed = feedparser.parse(client.get("/-/events.atom?platform=Telegram").content)
        entry = parsed.entries[0]
        assert entry.title.startswith("Iran: Telegram, block (in effect)")
        assert "Iranian authorities blocked Telegram" in entry.summary
        assert {t.term for t in entry.tags} == {"IR", "Telegram", "block"}
        for bad, message in (("?contry=RU", "unknown filter 'contry'"), ("?country=Russia", "ISO 3166-1"),
                             ("?action=nuke", "action 'nuke'"), ("?limit=5000", "limit '5000'")):
            resp = client.get("/-/events.atom" + bad)
            assert resp.status_code == 400 and message in resp.text, bad


def test_no_reviewer_data_is_reachable_over_http(server: RunningServer, served: Path) -> None:
    hidden = secrets_of(served)
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        index = client.get("/tracker.json").json()
        names = [t["name"] if isinstance(t, dict) else t for t in index["tables"] + index.get("views", [])]
        assert not {"reviewers", "review_authors", "private_meta"} & set(names)
        paths = ["/", "/tracker", "/-/databases.json", "/-/metadata.json", "/-/settings.json", "/-/actor.json",
                 "/-/login", "/-/logout", "/-/events.atom", "/-/permissions", "/-/messages", "/-/plugins.json",
                 "/tracker/reviewers.json", "/tracker/review_authors.json", "/tracker/private_meta.json"]
        for name in names:
            paths += [f"/tracker/{name}", f"/tracker/{name}.json?_shape=array&_size=max"]
        paths += [f"/tracker/{q['name']}.json" for q in index.get("queries", [])]
        paths += [f"/tracker/events/{e[0]}" for e in factories.EVENTS]
        for sql in ("select * from reviewers", "select * from review_authors", "select * from private_meta",
                    "attach database 'tracker.private.db' as p", "select * from pragma_database_list",
                    "select sql from sqlite_master"):
            paths.append("/tracker.json?sql=" + quote(sql) + "&_shape=array")
        for path in paths:
            text = client.get(path).text
            assert not [s for s in hidden if s in text], path


def test_failed_logins_are_limited_and_a_busy_database_is_reported(tmp_path: Path) -> None:
    """A server of its own, with a short window and lock wait, so the limit does not lock out the others."""
    public = database(tmp_path)
    settings = tmp_path / "settings.toml"
    settings.write_text("[review.login]\nattempts = 3\nwindow_minutes = 0.05\n", encoding="utf-8")
    srv = start_in_background(public, timeout=60, env={"TRACKER_SETTINGS": str(settings), "TRACKER_LOCK_WAIT": "1"})
    try:
        with httpx.Client(base_url=srv.url, timeout=TIMEOUT) as client:
            assert [log_in(client, password="wrong guess").status_code for _ in range(3)] == [403, 403, 403]
            limited = log_in(client)  # even the right password waits out the window
            assert limited.status_code == 429 and "Too many failed logins" in limited.text
            time.sleep(3.5)
            assert log_in(client).status_code == 302
            # another process writes the database: the review waits for it, then says so, and nothing is lost
            with writer_lock(public, 0):
                busy = review(client, IR, "rejected", reason="x")
            assert busy.status_code == 302
            page = client.get(f"/tracker/events/{IR}").text
            assert "Not saved:" in page and "is being written by" in page
            assert review(client, IR, "rejected", reason="x").status_code == 302
            assert "Saved: rejected" in client.get(f"/tracker/events/{IR}").text
            # an account removed while logged in loses its controls and its right to post at once
            private = open_private(private_path_for(public))
            remove_reviewer(private, NAME)
            private.close()
            assert "tracker-review-controls" not in client.get(f"/tracker/events/{RU}").text
            assert review(client, RU, "confirmed").status_code == 403
    finally:
        srv.stop()


def test_a_snapshot_has_no_reviewing(tmp_path: Path) -> None:
    """--immutable serves a file that must not change under it: the login is off, the controls absent."""
    import asyncio

    from tracker.serve import build_datasette

    ds = build_datasette(database(tmp_path), immutable=True)

    async def fetch() -> tuple[int, str]:
        login = await ds.client.get("/-/login")
        page = await ds.client.get(f"/tracker/events/{RU}")
        return login.status_code, page.text

    status, page = asyncio.run(fetch())
    assert status == 404 and "/-/login" not in page and "Review status" in page


def test_a_private_database_from_before_reviews_is_served_and_upgraded_by_init(tmp_path: Path) -> None:
    """A private file an older tracker wrote (subscribers, no reviewer tables): the site still serves, with
    reviewing off, and `tracker init` brings the file up to date."""
    import asyncio
    import sqlite3

    from click.testing import CliRunner

    from tracker.cli import main
    from tracker.serve import build_datasette

    public = database(tmp_path)
    with sqlite3.connect(private_path_for(public)) as conn:
        for name in ("review_authors", "reviewers", "private_meta"):
            conn.execute(f"DROP TABLE {name}")
    ds = build_datasette(public)

    async def fetch() -> tuple[int, int]:
        return ((await ds.client.get("/-/login")).status_code,
                (await ds.client.get(f"/tracker/events/{RU}")).status_code)

    assert asyncio.run(fetch()) == (404, 200)
    assert CliRunner().invoke(main, ["init", "--db", str(public)]).exit_code == 0
    private = open_private(private_path_for(public), readonly=True)
    assert {"reviewers", "review_authors", "private_meta"} <= set(private.table_names())
    private.close()


def test_the_login_limiter_forgets_and_stays_bounded() -> None:
    from tracker.review.web import LoginLimiter

    limiter = LoginLimiter(attempts=2, window=60, max_keys=10)
    limiter.failed("10.0.0.1", "ana", now=0)
    assert limiter.wait("10.0.0.1", "bo", now=1) == 0  # one failure: not yet
    limiter.failed("10.0.0.2", "Ana", now=2)  # another address, the same name
    assert limiter.wait("10.0.0.3", "ana", now=3) == 57  # the name waits for its oldest failure to expire
    assert limiter.wait("10.0.0.3", "ana", now=61) == 0
    for i in range(20):  # a flood of names cannot grow the memory without bound
        limiter.failed(f"10.1.0.{i}", f"name-{i}", now=100 + i)
    assert len(limiter.failures) <= 10
    assert limiter.wait("10.9.9.9", "never-seen", now=200) == 0 and len(limiter.failures) <= 10
