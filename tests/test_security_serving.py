"""Attacks on the served database (issue 11, items 1 and 7), against a real `tracker serve` on 127.0.0.1.

The database has subscribers and a digest log; none of their addresses or tokens may come back from any
route or any SQL a visitor can send, and no visitor may make the server allocate without bound, frame its
pages, or learn where its files are.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from click.testing import CliRunner

from tests import factories
from tracker.cli import main
from tracker.db import open_private, private_path_for
from tracker.digest.subscribers import add_subscriber
from tracker.serve import RunningServer, ServeError, existing_database, start_in_background

TIMEOUT = httpx.Timeout(30.0)
RELEASE_DB = Path(__file__).parent / "fixtures" / "db" / "release-0.1.0.db"
ADDRESSES = ("ann.secret@example.org", "bo.hidden@example.net")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A public database and, beside it, the private one with two subscribers; returns (public, tokens)."""
    public = factories.write_database(tmp_path_factory.mktemp("served") / "tracker.db")
    private = open_private(private_path_for(public), create=True)
    tokens = [add_subscriber(private, address, countries=["RU"])[0].token for address in ADDRESSES]
    private.table("digests").insert({"subscriber_id": 1, "week": "2026-W47", "status": "failed", "attempts": 1,
                                     "error": f"recipient refused: 550 {ADDRESSES[0]} unknown", "n_events": 1,
                                     "message_id": "<x@tracker>", "sent_at": "2026-11-24T07:30:00Z"})
    private.close()
    return public, tokens


@pytest.fixture(scope="module")
def server(served: tuple[Path, list[str]]) -> RunningServer:
    srv = start_in_background(served[0], timeout=60)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server: RunningServer) -> httpx.Client:
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as c:
        yield c


def secrets_in(text: str, tokens: list[str]) -> list[str]:
    return [s for s in (*ADDRESSES, *tokens) if s in text]


# ---- private data ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/tracker/subscribers", "/tracker/subscribers.json", "/tracker/digests.json"])
def test_private_tables_have_no_route(client, served, path):
    resp = client.get(path)
    assert resp.status_code == 404
    assert not secrets_in(resp.text, served[1])


@pytest.mark.parametrize("path", ["/tracker.private", "/tracker.private/subscribers.json",
                                  "/tracker.private.db", "/-/databases/tracker.private"])
def test_the_private_file_is_not_served_under_any_name(client, served, path):
    resp = client.get(path)
    assert resp.status_code != 200 or "subscribers" not in resp.text
    assert not secrets_in(resp.text, served[1])


@pytest.mark.parametrize("sql", [
    "select email, token from subscribers",
    "select * from digests",
    "select * from tracker_private.subscribers",
    "attach database 'tracker.private.db' as p",
    "select 1; attach database 'tracker.private.db' as p",
    "select * from pragma_database_list",
    "select name, file from pragma_database_list()",
    "with x as (select 1) select * from sqlite_master where sql like '%email%'",
])
def test_no_sql_reaches_a_subscriber(client, served, sql):
    resp = client.get("/tracker.json", params={"sql": sql, "_shape": "array"})
    assert not secrets_in(resp.text, served[1])
    assert str(served[0].parent) not in resp.text


def test_a_union_inside_where_reaches_no_subscriber(client, served):
    where = "1=0) union select email, token, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 from subscribers --"
    resp = client.get("/tracker/events.json?_where=" + quote(where))
    assert not secrets_in(resp.text, served[1])


def test_no_page_or_json_reveals_an_address(client, served):
    """Every table and view page, as HTML and JSON, and every canned query with empty parameters."""
    index = client.get("/tracker.json").json()
    paths = ["/", "/tracker", "/-/databases.json", "/-/metadata.json", "/-/settings.json"]
    for t in index["tables"] + index.get("views", []):
        name = t["name"] if isinstance(t, dict) else t
        paths += [f"/tracker/{name}", f"/tracker/{name}.json?_shape=array&_size=max"]
    paths += [f"/tracker/{q['name']}.json" for q in index.get("queries", [])]
    for path in paths:
        resp = client.get(path)
        assert not secrets_in(resp.text, served[1]), path


def test_database_paths_are_not_shown(client, served):
    listing = client.get("/-/databases.json").json()
    assert listing and all("path" not in d for d in listing)
    for path in ("/-/databases.json", "/tracker.json", "/tracker"):
        assert str(served[0].resolve().parent) not in client.get(path).text, path
    rows = client.get("/tracker.json", params={"sql": "select * from pragma_database_list",
                                               "_shape": "array"}).json()
    assert rows == []


def test_serve_refuses_a_file_that_still_holds_private_tables(tmp_path):
    old = tmp_path / "tracker.db"
    shutil.copy(RELEASE_DB, old)
    with pytest.raises(ServeError, match="older tracker"):
        existing_database(old)
    result = CliRunner().invoke(main, ["serve", "--db", str(old)])
    assert result.exit_code == 1 and "tracker init" in result.output
    assert not private_path_for(old).exists()  # serving never migrates


# ---- resources ----------------------------------------------------------------


def rss_kb(server: RunningServer) -> int:
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


@pytest.mark.parametrize("sql", [
    "select length(hex(randomblob(200000000)))",
    "select length(zeroblob(1000000000))",
    "select length(printf('%.*c', 500000000, 'x'))",
    ("select length(group_concat(hex(randomblob(1000000)))) from (with recursive n(i) as "
    "(select 1 union all select i + 1 from n where i < 400) select i from n)"),
])
def test_one_query_cannot_take_the_servers_memory(client, server, sql):
    before = rss_kb(server)
    resp = client.get("/tracker.json", params={"sql": sql, "_shape": "array"})
    if resp.status_code == 200:  # SQLite's printf gives NULL rather than a value over the length limit
        assert resp.json() == [{next(iter(resp.json()[0])): None}]
    else:
        assert resp.status_code == 400
        assert "too big" in resp.text or "interrupted" in resp.text.lower()
    assert rss_kb(server) - before < 200_000  # far below the gigabytes the query asks for
    assert client.get("/tracker/events.json").status_code == 200  # and the server still answers


def test_a_very_long_query_is_refused(client):
    sql = "select length('" + "a" * 55_000 + "')"  # over the SQL length limit, under URL limits
    resp = client.get("/tracker.json", params={"sql": sql})
    assert resp.status_code == 400 and "query string is too large" in resp.json()["error"]


# ---- headers -------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/tracker"), ("GET", "/tracker/events.json"), ("GET", "/no-such-page"),
    ("POST", "/tracker/events"), ("GET", "/-/static/app.css"),
])
def test_security_headers_on_every_response(client, method, path):
    resp = client.request(method, path)
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["x-frame-options"] == "DENY"
    csp = resp.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
