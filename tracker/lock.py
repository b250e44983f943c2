"""One writer at a time per database: a lock file beside it, held for the whole command.

SQLite serialises single transactions, but two `tracker run` on one database would both crawl and
extract everything twice and fail articles with "database is locked". Every command that writes takes
this lock first (the public and private files of one database share it); a second writer waits a
bounded time, then stops with a message naming the holder. Readers (Datasette, `tracker events`,
exports) never take it: WAL lets them read while the writer writes.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .clock import now_iso
from .errors import TrackerError

#: How long a second writer waits for the first by default, in seconds.
DEFAULT_WAIT = 30.0


class LockError(TrackerError):
    """Another process is writing the database."""


def lock_path(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def writer_lock(db_path: str | Path, wait: float = DEFAULT_WAIT, *, poll: float = 0.2) -> Iterator[Path]:
    """Hold the write lock of `db_path` (waiting at most `wait` seconds) for the duration of the block."""
    path = lock_path(db_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise LockError(f"cannot create the lock file {path}: {exc.strerror or exc}") from None
    try:
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 300, 0).decode("utf-8", "replace").strip() or "another process"
                    raise LockError(f"{db_path} is being written by {holder}; gave up after waiting "
                                    f"{wait:g}s (one writer at a time)") from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        stamp = now_iso()
        os.pwrite(fd, f"pid {os.getpid()} ({' '.join(Path(a).name for a in sys.argv[:3])}) since {stamp}"
                  .encode(), 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
