"""The data package: validated with frictionless, keys whole, codebook from the schema descriptions."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import frictionless
import pytest

from tests import factories
from tracker.export import KINDS, parse_filters, write_package
from tracker.export.columns import ACTIONS, STATUSES
from tracker.export.package import RESOURCES
from tracker.vocabulary import justification_categories, scopes

FRICTIONLESS = Path(sys.executable).parent / "frictionless"


@pytest.fixture
def full_db(db):
    factories.populate(db)
    return db


def read(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def errors(report: frictionless.Report) -> list:
    return report.flatten(["resourceName", "rowNumber", "type", "note"])


def test_package_validates_with_the_frictionless_cli(full_db, tmp_path):
    out = tmp_path / "pkg"
    summary = write_package(full_db, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["datapackage.json", "CODEBOOK.md"] + [f"{n}.csv" for n in RESOURCES])
    assert summary.rows == {"events": len(factories.EVENTS), "sources": 8, "mentions": len(factories.MENTIONS),
                            "articles": len(factories.ARTICLES)}
    proc = subprocess.run([str(FRICTIONLESS), "validate", str(out / "datapackage.json")],
                          check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = frictionless.validate(out / "datapackage.json")
    assert report.valid, errors(report)


def test_descriptor_has_types_enums_and_keys(full_db, tmp_path):
    write_package(full_db, tmp_path / "pkg")
    desc = json.loads((tmp_path / "pkg" / "datapackage.json").read_text(encoding="utf-8"))
    res = {r["name"]: r for r in desc["resources"]}
    fields = {f["name"]: f for f in res["events"]["schema"]["fields"]}
    assert [f["name"] for f in res["events"]["schema"]["fields"]] == KINDS["events"].column_names()
    assert fields["action"]["constraints"]["enum"] == list(ACTIONS)
    assert fields["status"]["constraints"]["enum"] == list(STATUSES)
    assert fields["scope"]["constraints"]["enum"] == list(scopes())
    assert fields["justification_category"]["constraints"]["enum"] == list(justification_categories())
    assert fields["n_mentions"]["type"] == "integer" and fields["confidence"]["type"] == "number"
    assert fields["updated_at"]["type"] == "datetime"
    assert res["events"]["schema"]["primaryKey"] == ["id"]
    assert res["sources"]["schema"]["primaryKey"] == ["event_id", "mention_id"]
    fks = {(fk["fields"][0], fk["reference"]["resource"]) for fk in res["sources"]["schema"]["foreignKeys"]}
    assert fks == {("event_id", "events"), ("mention_id", "mentions"), ("article_id", "articles")}
    assert res["mentions"]["schema"]["foreignKeys"][0]["reference"] == {"resource": "articles", "fields": ["id"]}
    meta = desc["tracker"]
    assert meta["date_range"]["events_from"] == min(e[6] for e in factories.EVENTS)
    assert meta["date_range"]["events_to"] == max(e[6] for e in factories.EVENTS)
    assert meta["extractor"]["in_data"] == {"test": len(factories.MENTIONS)}
    assert meta["formula_neutralisation"] is True
    assert desc["id"] in desc["citation"] and desc["version"] in desc["citation"]


def test_validation_catches_a_broken_package(full_db, tmp_path):
    """The check above can fail: drop an event that sources.csv points at."""
    out = tmp_path / "pkg"
    write_package(full_db, out)
    lines = (out / "events.csv").read_bytes().split(b"\r\n")
    (out / "events.csv").write_bytes(b"\r\n".join(lines[:1] + lines[2:]))
    report = frictionless.validate(out / "datapackage.json")
    assert not report.valid
    assert "foreign-key" in {e[2] for e in errors(report)}


@pytest.mark.parametrize("filters", [{"actions": ["block"]}, {"countries": ["TR"]}, {"since": "2021", "until": "2021"},
                                     {"statuses": ["lifted"]}, {"countries": ["DE"]}])
def test_filtered_packages_keep_their_foreign_keys(full_db, tmp_path, filters):
    out = tmp_path / "pkg"
    f = parse_filters(full_db, **filters)
    write_package(full_db, out, f)
    report = frictionless.validate(out / "datapackage.json")
    assert report.valid, errors(report)
    events = {r["id"] for r in read(out, "events")}
    links = read(out, "sources")
    mentions = {r["id"] for r in read(out, "mentions")}
    articles = {r["id"] for r in read(out, "articles")}
    assert {r["event_id"] for r in links} <= events
    assert {r["mention_id"] for r in links} <= mentions
    assert {r["article_id"] for r in read(out, "mentions")} == articles
    desc = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["tracker"]["filters"]
    if filters == {"statuses": ["lifted"]}:
        # the lifted Wikipedia block keeps both its mentions, the unblock one included
        assert events == {"ev-tr-wikipedia-restrict-2017-04"}
        assert mentions == {"5", "6"}


def test_codebook_is_written_from_the_schema_descriptions(full_db, tmp_path):
    write_package(full_db, tmp_path / "pkg")
    book = (tmp_path / "pkg" / "CODEBOOK.md").read_text(encoding="utf-8")
    for name in RESOURCES:
        assert f"## {name}.csv" in book
        assert KINDS[name].description in book
        for col in KINDS[name].columns:
            assert f"| {col.name} | {col.type} | {col.description.replace('|', chr(92) + '|')} |" in book
    assert "Formula neutralisation is on" in book
    assert '" | "' in book
    assert "How to cite" in book and "sha256:" in book
    assert "test (8 mentions)" in book


def test_raw_formulas_package_says_so(full_db, tmp_path):
    write_package(full_db, tmp_path / "pkg", neutralise_formulas=False)
    book = (tmp_path / "pkg" / "CODEBOOK.md").read_text(encoding="utf-8")
    assert "Formula neutralisation is **off**" in book
    ir = {r["id"]: r for r in read(tmp_path / "pkg", "events")}["ev-ir-telegram-restrict-2026-11"]
    assert ir["justification"] == "=HYPERLINK(\"x\")"
    assert frictionless.validate(tmp_path / "pkg" / "datapackage.json").valid


def test_package_refuses_a_non_empty_directory_and_leaves_it_alone(full_db, tmp_path):
    out = tmp_path / "pkg"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    from tracker.export import FilterError

    with pytest.raises(FilterError):
        write_package(full_db, out)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    write_package(full_db, out, overwrite=True)
    assert (out / "notes.txt").exists() and (out / "datapackage.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_same_data_gives_the_same_content_id(full_db, tmp_path):
    a = write_package(full_db, tmp_path / "a")
    b = write_package(full_db, tmp_path / "b")
    assert a.descriptor["id"] == b.descriptor["id"]
    full_db.table("events").update("ev-ng-twitter-restrict-2021-06", {"actor": "Lai Mohammed"})
    c = write_package(full_db, tmp_path / "c")
    assert c.descriptor["id"] != a.descriptor["id"]


def test_file_hashes_and_content_id_follow_the_documented_rule(full_db, tmp_path):
    out = tmp_path / "pkg"
    desc = write_package(full_db, out).descriptor
    digests = []
    for res in desc["resources"]:
        data = (out / res["path"]).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        assert res["hash"] == f"sha256:{digest}" and res["bytes"] == len(data)
        digests.append(digest)
    assert [r["name"] for r in desc["resources"]] == list(RESOURCES)
    assert desc["id"] == "sha256:" + hashlib.sha256("".join(digests).encode()).hexdigest()


def test_installed_extractor_version_is_recorded(full_db, tmp_path):
    extract = pytest.importorskip("tracker.extract")
    meta = write_package(full_db, tmp_path / "pkg").descriptor["tracker"]
    assert meta["extractor"]["installed"] == extract.extractor_version()
    assert meta["extractor"]["installed"] in (tmp_path / "pkg" / "CODEBOOK.md").read_text(encoding="utf-8")
