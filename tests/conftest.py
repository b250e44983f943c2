"""Fixtures for every test: real temporary SQLite databases and a real local HTTP server.

The feeds, pages and gold texts the tests read are files of this repository (tests/fixtures/, see
tests/sites.py); no test reads anything outside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

#: Headless Chromium (`browser`, `page`) for the browser tests.
pytest_plugins = ["tests.browser"]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "tracker.db"


@pytest.fixture
def db(db_path: Path):
    from tracker.db import open_db

    database = open_db(db_path, create=True)
    yield database
    database.close()


@pytest.fixture
def private(db_path: Path):
    """The private database beside `db_path` (subscribers, digest log)."""
    from tracker.db import open_private, private_path_for

    database = open_private(private_path_for(db_path), create=True)
    yield database
    database.close()


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 (pytest-httpserver, threaded) for crawler tests; 404 for what the
    test did not expect. The serve tests name their Datasette server `server` too, in their own modules."""
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    srv.no_handler_status_code = 404
    yield srv
    srv.clear()
    srv.stop()
