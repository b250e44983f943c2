"""The one output layer: every command that prints rows takes --csv, --tsv, --nl, --json and -t, and
`tracker export --format` offers the file formats; each is read back by its own parser."""

from __future__ import annotations

import csv
import io
import json

import click
import pytest
from click.testing import CliRunner

from tests import factories
from tracker import rowformats
from tracker.cli import main


@pytest.fixture
def full_db_path(db, db_path):
    factories.populate(db)
    return db_path


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _ids(events: list[tuple], country: str) -> list[str]:
    return sorted(e[0] for e in events if e[1] == country)


@pytest.mark.parametrize("flag", ["--csv", "--tsv", "--nl", "--json", "-t", "--table"])
def test_events_in_every_row_format(full_db_path, flag):
    out = run("events", "--db", str(full_db_path), "--country", "IR", flag)
    if flag in ("--csv", "--tsv"):
        rows = list(csv.DictReader(io.StringIO(out, newline=""), delimiter="," if flag == "--csv" else "\t"))
        # a spreadsheet format neutralises a cell a spreadsheet would run as a formula
        assert any(r["justification"] == "'=HYPERLINK(\"x\")" for r in rows)
    elif flag == "--nl":
        rows = [json.loads(line) for line in out.splitlines()]
    elif flag == "--json":
        rows = json.loads(out)
        assert any(r["justification"] == "=HYPERLINK(\"x\")" for r in rows)  # JSON is never altered
    else:
        header, rule, *lines = out.splitlines()
        assert header.split()[0] == "id" and set(rule) <= {"-", " "}
        rows = [{"id": line.split()[0]} for line in lines]
    assert sorted(r["id"] for r in rows) == _ids(factories.EVENTS, "IR")


def test_default_text_is_the_commands_own(full_db_path):
    out = run("events", "--db", str(full_db_path), "--country", "IR")
    n = len(_ids(factories.EVENTS, "IR"))
    assert out.rstrip().endswith(f"{n} event{'s' if n != 1 else ''}")


def test_subscribers_list_rows(db, db_path):
    run("subscribers", "add", "ana@example.org", "--country", "RU", "--db", str(db_path))
    rows = list(csv.DictReader(io.StringIO(run("subscribers", "list", "--db", str(db_path), "--csv"),
                                           newline="")))
    assert [(r["email"], r["countries"]) for r in rows] == [("ana@example.org", "RU")]
    assert json.loads(run("subscribers", "list", "--db", str(db_path), "--json"))[0]["countries"] == ["RU"]


@pytest.mark.parametrize("fmt", list(rowformats.formats(files=True)))
def test_export_offers_every_file_format(full_db_path, fmt):
    out = run("export", "events", "--db", str(full_db_path), "--format", fmt, "--country", "RU")
    if fmt in ("csv", "tsv"):
        rows = list(csv.DictReader(io.StringIO(out, newline=""), delimiter="," if fmt == "csv" else "\t"))
        urls = rows[0]["source_urls"].split(rowformats.LIST_SEPARATOR)
    else:
        rows = json.loads(out) if fmt == "json" else [json.loads(line) for line in out.splitlines()]
        urls = rows[0]["source_urls"]
    assert sorted(r["id"] for r in rows) == _ids(factories.EVENTS, "RU")
    assert all(u.startswith("http") for u in urls)


def test_json_streams_an_empty_array():
    buf = io.StringIO()
    assert rowformats.write(iter(()), ["a"], "json", buf) == 0
    assert json.loads(buf.getvalue()) == []


def test_a_registered_format_reaches_export_and_the_flags():
    """Adding a format is one registration: export's choices and the row flags follow."""

    def write_upper(rows, names, fh, opts):
        n = 0
        for row in rows:
            fh.write(" ".join(str(v).upper() for v in row) + "\n")
            n += 1
        return n

    spec = rowformats.RowFormat("shout", write_upper, ("--shout",), "Shout.", extension="txt")
    rowformats.register_format(spec)
    try:
        assert "shout" in rowformats.formats(files=True)

        @click.command()
        @__import__("tracker.cli", fromlist=["output_options"]).output_options
        def cmd(fmt):
            click.echo(fmt)

        assert CliRunner().invoke(cmd, ["--shout"]).output.strip() == "shout"
        with pytest.raises(ValueError, match="already registered"):
            rowformats.register_format(spec)
    finally:
        rowformats._FORMATS.pop("shout")


def test_bom_only_where_the_format_takes_one():
    with pytest.raises(ValueError, match="byte-order mark"):
        rowformats.write([], ["a"], "jsonl", io.StringIO(), bom=True)
