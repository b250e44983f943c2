"""Serve the tracker database read-only through Datasette.

The database is always served under the name `tracker` (digests link to
/tracker/events/<id>) with the metadata built from the schema, the tracker's own
templates and hooks, a time limit on every SQL query and robots kept out.
SQLite opens the file read-only and no writable query or write permission
exists, so the interface cannot change what the pipeline stored.

`start_in_background` runs `tracker serve` in a child process on a free
loopback port, for tests and for anything that needs a live instance.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import httpx

from . import datasette_plugin
from .errors import TrackerError
from .metadata import DATABASE, build_metadata
from .paths import PACKAGE_DIR

TEMPLATE_DIR = PACKAGE_DIR / "templates" / "datasette"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
#: Longest a single SQL query (including researchers' own SQL) may run.
DEFAULT_SQL_TIME_LIMIT_MS = 2000


class ServeError(TrackerError, RuntimeError):
    """The database cannot be served (missing file, server did not start)."""


def existing_database(db_path: str | Path) -> Path:
    """`db_path` as a Path once it is known to be servable: a current tracker public database (opened
    read-only to check: serving never creates, migrates or changes a file) holding no private table."""
    from .db import DatabaseError, open_db
    from .schema import PRIVATE, tables

    db_path = Path(db_path)
    try:
        db = open_db(db_path, readonly=True)
    except DatabaseError as exc:
        raise ServeError(str(exc)) from None
    try:
        private = sorted({t.name for t in tables(PRIVATE)} & set(db.table_names()))
    finally:
        db.close()
    if private:
        raise ServeError(f"{db_path} holds private tables ({', '.join(private)}); refusing to serve it")
    return db_path


def _register_plugin() -> None:
    from datasette.plugins import pm

    from .review import web

    if not pm.is_registered(datasette_plugin):
        pm.register(datasette_plugin, name="tracker")
    if not pm.is_registered(web):
        pm.register(web, name="tracker-review")


def _session_secret(private_path: Path) -> str | None:
    """The secret that signs reviewers' sessions and forms, kept in the private database (so sessions
    survive a restart); None before the first reviewer is added."""
    from .db import DatabaseError, open_private
    from .review.accounts import session_secret

    if not private_path.exists():
        return None
    try:
        private = open_private(private_path, readonly=True)
    except DatabaseError:  # an older tracker's private file: no reviewers until `tracker init` upgrades it
        return None
    try:
        return session_secret(private)
    finally:
        private.close()


def build_datasette(db_path: str | Path, *, sql_time_limit_ms: int = DEFAULT_SQL_TIME_LIMIT_MS,
                    immutable: bool = False, metadata: dict[str, Any] | None = None,
                    private_path: str | Path | None = None):
    """A ready Datasette over `db_path`, served as /tracker.

    immutable=True serves a snapshot (SQLite immutable=1, faster counts; reviewing is off, since the file
    must not change under it); the default opens the file mode=ro so events the pipeline adds and reviews
    show up live. `private_path` (default NAME.private.db beside it) holds the reviewer accounts; it is
    read by tracker.review.web only, never attached to Datasette.
    """
    from datasette.app import Database, Datasette

    from .db import private_path_for
    from .review import web

    db_path = existing_database(db_path)
    private = Path(private_path) if private_path else private_path_for(db_path)
    _register_plugin()
    ds = Datasette(
        metadata=metadata if metadata is not None else build_metadata(),
        secret=_session_secret(private),
        template_dir=str(TEMPLATE_DIR),
        settings={
            "sql_time_limit_ms": sql_time_limit_ms,
            "facet_time_limit_ms": min(500, sql_time_limit_ms),
            "allow_download": False,
            "default_page_size": 50,
        },
    )
    ds.add_database(Database(ds, path=str(db_path.resolve()), is_mutable=not immutable), name=DATABASE)
    if "_memory" in ds.databases:  # added by Datasette when built without files; nothing to browse there
        ds.remove_database("_memory")
    datasette_plugin.hide_paths(ds)
    web.configure(ds, db_path.resolve(), private.resolve(), enabled=not immutable)
    asyncio.run(ds.invoke_startup())
    return ds


def serve(db_path: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
          sql_time_limit_ms: int = DEFAULT_SQL_TIME_LIMIT_MS, immutable: bool = False,
          private_path: str | Path | None = None) -> None:
    """Serve `db_path` until interrupted."""
    import uvicorn

    ds = build_datasette(db_path, sql_time_limit_ms=sql_time_limit_ms, immutable=immutable,
                         private_path=private_path)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on", workers=1)


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class RunningServer:
    """A `tracker serve` child process and where to reach it."""

    url: str
    process: subprocess.Popen
    log_path: Path
    _log: Any = field(default=None, repr=False)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_in_background(db_path: str | Path, *, host: str = DEFAULT_HOST, port: int | None = None,
                        sql_time_limit_ms: int = DEFAULT_SQL_TIME_LIMIT_MS, timeout: float = 30.0,
                        log_path: Path | None = None, env: dict[str, str] | None = None) -> RunningServer:
    """Start `tracker serve` in a child process and wait until it answers (`env`: extra variables)."""
    port = port or free_port(host)
    if log_path is None:
        fd, name = tempfile.mkstemp(prefix="tracker-serve-", suffix=".log")
        os.close(fd)
        log_path = Path(name)
    log = log_path.open("w", encoding="utf-8")
    cmd = [sys.executable, "-m", "tracker.cli", "serve", "--db", str(db_path), "--host", host,
           "--port", str(port), "--sql-time-limit-ms", str(sql_time_limit_ms)]
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               env={**os.environ, **(env or {})})
    server = RunningServer(url=f"http://{host}:{port}", process=process, log_path=log_path, _log=log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            server.stop()
            raise ServeError(f"tracker serve exited with {process.returncode}: {server.log()[-2000:]}")
        try:
            if httpx.get(f"{server.url}/-/versions.json", timeout=2.0).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.stop()
    raise ServeError(f"tracker serve did not answer on {server.url} within {timeout:.0f}s: {server.log()[-2000:]}")
