"""Files and paths (issue 11, items 6, 9, 10, 11 and 14): outputs never destroy inputs or devices, read
commands never create or change a database, one writer at a time, bounded settings, and every such
problem is one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests import factories
from tracker.cli import main
from tracker.db import open_db
from tracker.digest.subscribers import SubscriberError, normalise_email
from tracker.lock import LockError, writer_lock
from tracker.sources import ConfigError, parse_sources

RELEASE_DB = Path(__file__).parent / "fixtures" / "db" / "release-0.1.0.db"


def run(*args: str, **env: str):
    result = CliRunner().invoke(main, list(args), env=env or None)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def full_db(tmp_path: Path) -> Path:
    return factories.write_database(tmp_path / "tracker.db")


# ---- outputs ------------------------------------------------------------------


def test_annotate_refuses_to_write_over_its_input(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "Roskomnadzor blocked Telegram on Friday."}\n', encoding="utf-8")
    before = src.read_bytes()
    for out in (src, tmp_path / "." / "in.jsonl"):
        result = run("annotate", str(src), "-o", str(out))
        assert result.exit_code == 1 and "the output is the input file" in result.output
    link = tmp_path / "link.jsonl"
    link.symlink_to(src)
    assert run("annotate", str(src), "-o", str(link)).exit_code == 1
    assert src.read_bytes() == before


def test_export_through_a_symlink_writes_its_target_and_keeps_the_link(full_db, tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    link = tmp_path / "events.csv"
    link.symlink_to(target)
    result = run("export", "events", "--db", str(full_db), "-o", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and target.read_text().startswith("id,country,platform")


def test_export_to_a_fifo_streams_and_keeps_the_fifo(full_db, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run("export", "events", "--db", str(full_db), "-o", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert got and got[0].startswith(b"id,country,platform")


@pytest.mark.parametrize("args", [
    ("export", "events", "-o", "{tmp}/missing/dir/out.csv"),
    ("annotate", "{src}", "-o", "{tmp}/missing/out.jsonl"),
    ("export", "events", "-o", "{tmp}"),
])
def test_outputs_that_cannot_be_written_are_one_line(full_db, tmp_path, args):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "x"}\n')
    argv = [a.format(tmp=tmp_path, src=src) for a in args]
    if argv[0] == "export":
        argv += ["--db", str(full_db)]
    result = run(*argv)
    assert result.exit_code != 0
    assert len([line for line in result.output.splitlines() if line.startswith("Error")]) == 1


def test_export_package_into_an_unwritable_place_is_one_line(full_db):
    result = run("export", "package", "/proc/tracker-test-package", "--db", str(full_db))
    assert result.exit_code != 0 and "Error" in result.output
    assert not Path("/proc/tracker-test-package").exists()


# ---- databases ----------------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ("events",), ("extract",), ("subscribers", "list"), ("digest",), ("digest", "--send"),
    ("export", "events"), ("serve",),
])
def test_a_typo_in_db_creates_nothing_and_fails(tmp_path, argv):
    typo = tmp_path / "trakcer.db"
    result = run(*argv, "--db", str(typo))
    assert result.exit_code != 0 and "no public database" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", [("events",), ("extract",), ("init",), ("serve",), ("export", "events")])
def test_another_applications_database_is_refused_untouched(tmp_path, argv):
    other = tmp_path / "other-app.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO articles (body) VALUES ('theirs')")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    result = run(*argv, "--db", str(other))
    assert result.exit_code != 0 and "not a tracker database" in result.output
    assert other.read_bytes() == before


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.write_text("hello\n"), "not an SQLite database"),
    (lambda p: p.mkdir(), "is not a file"),
])
def test_a_db_that_is_not_a_database_is_one_line(tmp_path, make, message):
    path = tmp_path / "thing.db"
    make(path)
    for argv in (("events",), ("init",), ("crawl", "--feeds", str(tmp_path / "none.toml"))):
        result = run(*argv, "--db", str(path))
        assert result.exit_code != 0 and "Error" in result.output, argv


def test_a_newer_database_is_one_line(tmp_path):
    path = tmp_path / "t.db"
    open_db(path, create=True).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    for argv in (("events",), ("init",)):
        result = run(*argv, "--db", str(path))
        assert result.exit_code == 1 and "newer tracker" in result.output


def test_a_db_in_an_impossible_folder_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("init", "--db", str(blocker / "sub" / "t.db"))
    assert result.exit_code == 1 and "cannot create" in result.output and "Not a directory" in result.output


def test_read_commands_leave_an_old_database_as_it_was(tmp_path):
    old = tmp_path / "tracker.db"
    shutil.copy(RELEASE_DB, old)
    before = old.read_bytes()
    for argv in (("events",), ("export", "events"), ("subscribers", "list"), ("digest",)):
        result = run(*argv, "--db", str(old))
        assert result.exit_code == 1 and "tracker init" in result.output, argv
    assert old.read_bytes() == before
    assert run("init", "--db", str(old)).exit_code == 0
    assert run("subscribers", "list", "--db", str(old)).output.count("@example.org") == 2


# ---- one writer -----------------------------------------------------------------------


def test_a_second_writer_waits_then_stops_with_a_clear_message(full_db):
    with writer_lock(full_db):
        result = run("extract", "--db", str(full_db), TRACKER_LOCK_WAIT="0.5")
        assert result.exit_code == 1 and "is being written by pid" in result.output
        with pytest.raises(LockError), writer_lock(full_db, wait=0.2):
            pass
    assert run("init", "--db", str(full_db)).exit_code == 0  # free again


def test_two_writer_processes_one_database(tmp_path):
    """Two real processes: the second one cannot start writing while the first holds the database."""
    db = tmp_path / "t.db"
    open_db(db, create=True).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", ("import sys, time\nfrom tracker.lock import writer_lock\n"
         f"with writer_lock({str(db)!r}):\n    print('held', flush=True)\n    time.sleep(30)\n")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        second = subprocess.run([sys.executable, "-m", "tracker.cli", "init", "--db", str(db)],
                                check=False, capture_output=True, text=True, timeout=60,
                                env={**os.environ, "TRACKER_LOCK_WAIT": "1"})
        assert second.returncode == 1
        assert "is being written by pid" in second.stderr and "Traceback" not in second.stderr
    finally:
        holder.kill()
        holder.wait(timeout=30)


# ---- bounded settings and addresses ----------------------------------------------------------


@pytest.mark.parametrize("value", [5e9, 0, -1, 10**12, True, "60"])
def test_poll_minutes_is_bounded(value):
    with pytest.raises(ConfigError, match="poll_minutes"):
        parse_sources({"source": [{"name": "a", "url": "https://example.org/f", "type": "rss",
                                   "publisher": "press", "poll_minutes": value}]})


@pytest.mark.parametrize("address", [
    "Bcc:x@y.com", "ann@example.org\r\nBcc: x@y.com", "ann@exa\x00mple.org", "ann @example.org",
    "=?utf-8?q?boss?=@example.org", "Boss <ann@example.org>", "a" * 300 + "@example.org",
    "ann@" + "a" * 64 + ".org", "anné@example.org", "ann@example", "ann..x@example.org", "@example.org",
    "ann@@example.org", "ann@-example.org", "ann@example.123",
])
def test_subscriber_addresses_are_parsed_strictly(address):
    with pytest.raises(SubscriberError, match="not an email address we accept"):
        normalise_email(address)


@pytest.mark.parametrize("address", ["ann@example.org", "first.last+tracker@mail.example.co.uk", "o'neil@x-y.org"])
def test_ordinary_addresses_are_accepted(address):
    assert normalise_email(address) == address


def test_numbers_on_the_command_line_are_bounded(tmp_path):
    for argv in (("crawl", "--max-items", "10000000"), ("crawl", "--delay", "1e9"), ("events", "--limit", "0"),
                 ("digest", "--timeout", "1e12")):
        result = run(*argv, "--db", str(tmp_path / "t.db"))
        assert result.exit_code == 2 and "Invalid value" in result.output, argv
