"""`tracker export ...` end to end: stdout and files, bad filters rejected before any output."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import frictionless
import pytest
from click.testing import CliRunner

from tests import factories
from tracker.cli import main

TRACKER = Path(sys.executable).parent / "tracker"


@pytest.fixture
def full_db_path(db, db_path):
    factories.populate(db)
    return db_path


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_events_csv_to_stdout(full_db_path):
    result = run("export", "events", "--db", str(full_db_path), "--country", "RU")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert {r["id"] for r in rows} == {e[0] for e in factories.EVENTS if e[1] == "RU"}


def test_mentions_jsonl_to_file(full_db_path, tmp_path):
    out = tmp_path / "out" / "m.jsonl"
    out.parent.mkdir()
    result = run("export", "mentions", "--db", str(full_db_path), "--format", "jsonl", "-o", str(out),
                 "--platform", "x", "--status", "in_effect")
    assert result.exit_code == 0, result.output
    objs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = [m[0] for m in factories.MENTIONS if m[3] == "Twitter" and m[6] == "in_effect"]
    assert [o["id"] for o in objs] == expected
    assert f"wrote {len(expected)} mentions rows" in result.stderr
    assert [p.name for p in out.parent.iterdir()] == ["m.jsonl"]


def test_raw_formulas_flag(full_db_path):
    safe = run("export", "events", "--db", str(full_db_path), "--country", "IR")
    raw = run("export", "events", "--db", str(full_db_path), "--country", "IR", "--raw-formulas")
    assert next(csv.DictReader(io.StringIO(safe.stdout, newline="")))["justification"] == "'=HYPERLINK(\"x\")"
    assert next(csv.DictReader(io.StringIO(raw.stdout, newline="")))["justification"] == "=HYPERLINK(\"x\")"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["events", "--country", "ZZ"], "unknown country code 'ZZ'"),
        (["events", "--since", "2022-01-01", "--until", "2021-12-31"], "is after --until"),
        (["events", "--since", "March 2021"], "is not a date"),
        (["events", "--until", "2021-02-29"], "is not a real day"),
        (["events", "--format", "xlsx"], "'xlsx' is not one of"),
        (["articles", "--action", "censor"], "'censor' is not one of"),
        (["people"], "No such command 'people'"),
        (["package", "PKG", "--country", "ZZ"], "unknown country code"),
    ],
)
def test_bad_filters_are_errors_before_any_output(full_db_path, tmp_path, args, message):
    outdir = tmp_path / "exports"
    outdir.mkdir()
    target = outdir / "out.csv"
    args = [str(outdir / "pkg") if a == "PKG" else a for a in args]
    extra = ["-o", str(target)] if args[0] not in {"package", "people"} else []
    result = run("export", *args, "--db", str(full_db_path), *extra)
    assert result.exit_code == 2
    assert message in result.output
    assert list(outdir.iterdir()) == []


def test_an_existing_output_is_kept_when_the_filters_are_bad(full_db_path, tmp_path):
    target = tmp_path / "events.csv"
    target.write_text("previous export", encoding="utf-8")
    result = run("export", "events", "--db", str(full_db_path), "--country", "ZZ", "-o", str(target))
    assert result.exit_code == 2
    assert target.read_text(encoding="utf-8") == "previous export"


def test_missing_database_is_an_error(tmp_path):
    result = run("export", "events", "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 1
    assert "no public database at" in result.output
    assert not (tmp_path / "none.db").exists()


def test_package_command_then_frictionless_validate(full_db_path, tmp_path):
    out = tmp_path / "pkg"
    result = run("export", "package", str(out), "--db", str(full_db_path), "--since", "2021", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rows"]["events"] == sum(1 for e in factories.EVENTS if e[6] >= "2021")
    assert frictionless.validate(out / "datapackage.json").valid
    again = run("export", "package", str(out), "--db", str(full_db_path))
    assert again.exit_code == 2 and "is not empty" in again.output


def test_installed_console_script_streams_to_a_pipe(full_db_path):
    """The real `tracker` executable, as a researcher runs it: UTF-8 bytes on stdout."""
    proc = subprocess.run([str(TRACKER), "export", "articles", "--db", str(full_db_path), "--country", "RU"],
                          check=False, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    text = proc.stdout.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {r["title"] for r in rows} == {"Russia slows down Twitter", "Роскомнадзор замедлил Twitter"}


def test_bom_for_excel_and_only_for_csv(full_db_path, tmp_path):
    out = tmp_path / "events.csv"
    result = run("export", "events", "--db", str(full_db_path), "--bom", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbfid,")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == len(factories.EVENTS)
    bad = run("export", "events", "--db", str(full_db_path), "--bom", "--format", "jsonl",
              "-o", str(tmp_path / "e.jsonl"))
    assert bad.exit_code == 2 and "only for CSV" in bad.output
    assert not (tmp_path / "e.jsonl").exists()
