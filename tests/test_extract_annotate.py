"""`tracker annotate` against contracts section 2: one output line per input line, in order, the
event fields and enums of section 1, error lines for bad input, the version stamp, exit codes."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import main
from tracker.extract import annotate_file, extractor_version
from tracker.extract.annotate import CONTRACT_FIELDS, VERSION_KEY
from tracker.extract.model import load_model

ACTIONS = {"block", "throttle", "ban", "restrict", "shutdown", "unblock", "fine", "takedown_order"}
STATUSES = {None, "threatened", "announced", "in_effect", "lifted"}
SCOPES = {None, "nationwide", "regional", "government_devices"}
CATEGORIES = {None, "violence_extremism", "national_security", "disinformation", "child_safety",
              "harmful_content", "legal_noncompliance", "elections", "protests_unrest", "exams",
              "public_morality", "data_privacy", "other"}
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

GOOD = [
    {"id": "a1", "published": "2024-03-12", "title": "Instagram blocked",
     "text": "Authorities in Turkey blocked Instagram on Friday, citing national security, users in Ankara said."},
    {"id": "a2", "published": "2024-03-12", "title": None, "url": "https://example.org/x", "section": "sport",
     "text": "The home side won the cup final on Sunday after a late goal in extra time.\n"
             "Fans celebrated in the streets of the capital until the early morning."},
    {"id": "a3", "published": None,
     "text": "Nepal's telecom regulator ordered internet providers to block TikTok, saying the app disrupted "
             "social harmony.\nThe ban took effect the same evening."},
]
SPANISH = ("Las autoridades de Venezuela bloquearon el acceso a Twitter durante la noche del viernes, "
           "según informaron varias organizaciones que vigilan la red.")
#: German has no language pack: reported as skipped, never silently dropped.
GERMAN = "Die Behörden in der Türkei haben am Freitag den Zugang zu Instagram gesperrt, berichteten Nutzer in Ankara."


def jl(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def read_out(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def check_event(ev: dict, text: str) -> None:
    assert tuple(ev) == CONTRACT_FIELDS
    assert re.fullmatch(r"[A-Z]{2}", ev["country"])
    assert isinstance(ev["platform"], str) and ev["platform"]
    assert ev["action"] in ACTIONS
    assert ev["status"] in STATUSES
    assert ev["scope"] in SCOPES
    assert ev["justification_category"] in CATEGORIES
    assert ev["date"] is None or DATE.match(ev["date"])
    assert ev["actor"] is None or isinstance(ev["actor"], str)
    assert ev["evidence"] and ev["evidence"] in text
    assert ev["justification"] is None or ev["justification"] in text
    assert isinstance(ev["confidence"], float) and 0.0 <= ev["confidence"] <= 1.0


def test_good_lines_one_output_each_in_order_with_contract_fields(tmp_path):
    src = write(tmp_path / "in.jsonl", [jl(d) for d in GOOD])
    err = io.StringIO()
    summary = annotate_file(src, tmp_path / "out.jsonl", err=err)
    out = read_out(tmp_path / "out.jsonl")
    assert [o["id"] for o in out] == ["a1", "a2", "a3"]
    assert summary.ok and (summary.lines, summary.annotated, summary.errors) == (3, 3, 0)
    for o, doc in zip(out, GOOD, strict=True):
        assert set(o) == {"id", "language", "events", VERSION_KEY} and o["language"] == "en"
        for ev in o["events"]:
            check_event(ev, doc["text"])
    assert out[1]["events"] == []  # ordinary news: nothing
    assert any(e["platform"] == "Instagram" and e["country"] == "TR" for e in out[0]["events"])
    assert any(e["platform"] == "TikTok" and e["country"] == "NP" for e in out[2]["events"])
    assert summary.events == sum(len(o["events"]) for o in out)
    assert err.getvalue() == ""


def test_every_output_line_carries_the_extractor_version(tmp_path):
    src = write(tmp_path / "in.jsonl", [jl(GOOD[1]), b"{broken"])
    annotate_file(src, tmp_path / "out.jsonl", err=io.StringIO())
    version = extractor_version()
    assert version.endswith(f"+model.{load_model().stamp}")
    assert [o[VERSION_KEY] for o in read_out(tmp_path / "out.jsonl")] == [version, version]


BAD_CASES = [
    # (input line, id expected in the error line, words expected in the message)
    (b'{"id": "j1", "text": "Iran blocked Signal"', None, "not valid JSON"),
    (jl({"text": "Iran blocked Signal on Monday."}), None, "missing 'id'"),
    (jl({"id": "", "text": "Iran blocked Signal on Monday."}), None, "missing 'id'"),
    (jl({"id": "m2", "title": "no body"}), "m2", "missing 'text'"),
    (jl({"id": "m3", "text": None}), "m3", "missing 'text'"),
    (jl({"id": "m4", "text": ["a", "list"]}), "m4", "'text' must be a string"),
    (jl({"id": "e1", "text": "   \n\t "}), "e1", "'text' is empty"),
    (jl({"id": "e2", "text": ""}), "e2", "'text' is empty"),
    (jl(["id", "text"]), None, "expected a JSON object"),
    (b"", None, "blank line"),
    (b"\x89PNG\x1a\x00\x00\x00\rIHDR\x00\x00\xff\xd8\xff\xe0", None, "not valid UTF-8"),
    (jl({"id": "b1", "text": "".join(chr(i % 32) for i in range(2000))}), "b1", "binary"),
    (jl({"id": "b2", "text": "\ufffd\x00\x01" * 500 + "blocked Twitter"}), "b2", "binary"),
]


def test_bad_lines_get_error_lines_and_the_rest_is_annotated(tmp_path):
    huge = ("The committee met again to discuss the harbour budget and the new bus routes. " * 70_000)[:5_200_000]
    cases = BAD_CASES + [(jl({"id": "big", "text": huge}), "big", "more than the")]
    lines = [jl(GOOD[0])]
    for raw, _, _ in cases:
        lines += [raw, jl(GOOD[1])]
    src = write(tmp_path / "in.jsonl", lines)
    assert src.stat().st_size > 5_000_000
    err = io.StringIO()
    summary = annotate_file(src, tmp_path / "out.jsonl", err=err)
    out = read_out(tmp_path / "out.jsonl")

    assert len(out) == len(lines)
    assert summary.lines == len(lines) and summary.errors == len(cases) and not summary.ok
    assert out[0]["events"] and out[0]["id"] == "a1"
    messages = err.getvalue().splitlines()
    assert len(messages) == len(cases)
    for n, (_, rid, words) in enumerate(cases):
        line_no = 2 + 2 * n
        bad, after = out[line_no - 1], out[line_no]
        assert set(bad) == {"id", "error", VERSION_KEY}
        assert bad["id"] == rid
        assert bad["error"].startswith(f"line {line_no}: ") and words in bad["error"], bad
        assert messages[n].startswith(f"{src}:{line_no}: ") and words in messages[n]
        assert after == {"id": "a2", "language": "en", "events": [], VERSION_KEY: extractor_version()}


def test_texts_are_read_in_their_language_and_one_without_a_pack_is_reported(tmp_path):
    src = write(tmp_path / "in.jsonl", [jl({"id": "es1", "text": SPANISH, "published": "2024-01-01"}),
                                        jl({"id": "de1", "text": GERMAN}), jl(GOOD[0]),
                                        jl({"id": "es2", "text": SPANISH, "language": "es"})])
    err = io.StringIO()
    summary = annotate_file(src, tmp_path / "out.jsonl", err=err)
    out = read_out(tmp_path / "out.jsonl")
    assert out[0]["language"] == "es" and ("VE", "Twitter") in {(e["country"], e["platform"]) for e in out[0]["events"]}
    for ev in out[0]["events"]:
        check_event(ev, SPANISH)
    assert out[1] == {"id": "de1", "language": "de", "events": [], "skipped": "no language pack for 'de': skipped",
                      VERSION_KEY: extractor_version()}
    assert out[2]["events"] and out[3]["language"] == "es"  # a given language is used, not detected
    assert summary.ok and summary.skipped == 1 and summary.languages == {"es": 2, "en": 1}
    assert err.getvalue().strip() == f"{src}:2: id de1: no language pack for 'de': skipped"


def test_two_workers_give_the_same_output_as_one(tmp_path):
    docs = [dict(d, id=f"{d['id']}-{i}") for i in range(3) for d in GOOD]
    lines = [jl(d) for d in docs] + [b"not json", jl({"id": "es", "text": SPANISH}), jl({"id": "de", "text": GERMAN}),
                                     jl(GOOD[0])]
    src = write(tmp_path / "in.jsonl", lines)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    err1, err2 = io.StringIO(), io.StringIO()
    s1 = annotate_file(src, one, workers=1, err=err1)
    s2 = annotate_file(src, two, workers=2, err=err2)
    assert one.read_bytes() == two.read_bytes()
    assert err1.getvalue() == err2.getvalue()
    assert (s1.lines, s1.errors, s1.events) == (s2.lines, s2.errors, s2.events) == (len(lines), 1, s1.events)
    assert s1.events > 0


def test_cli_exit_codes(tmp_path):
    runner = CliRunner()
    good = write(tmp_path / "good.jsonl", [jl(GOOD[0]), jl(GOOD[1])])
    result = runner.invoke(main, ["annotate", str(good), "-o", str(tmp_path / "o1.jsonl")])
    assert result.exit_code == 0, result.output
    assert "2 lines: 2 annotated" in result.stderr and extractor_version() in result.stderr
    assert len(read_out(tmp_path / "o1.jsonl")) == 2

    bad = write(tmp_path / "bad.jsonl", [jl(GOOD[1]), b"{oops"])
    result = runner.invoke(main, ["annotate", str(bad), "-o", str(tmp_path / "o2.jsonl")])
    assert result.exit_code == 1
    assert f"{bad}:2: not valid JSON" in result.stderr
    assert len(read_out(tmp_path / "o2.jsonl")) == 2

    result = runner.invoke(main, ["annotate", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "o3.jsonl")])
    assert result.exit_code == 2 and "does not exist" in result.stderr
    result = runner.invoke(main, ["annotate", str(good)])
    assert result.exit_code == 2 and "-o" in result.stderr


def test_installed_command_runs_as_a_process(tmp_path):
    """The console script itself, as a user runs it: stderr notes, output file, exit status."""
    src = write(tmp_path / "in.jsonl", [jl(GOOD[0]), jl({"id": "x"}), jl({"id": "de", "text": GERMAN})])
    exe = Path(sys.executable).with_name("tracker")
    proc = subprocess.run([str(exe), "annotate", str(src), "-o", str(tmp_path / "out.jsonl"), "--workers", "1"],
                          check=False, capture_output=True, text=True, timeout=300, env=os.environ.copy())
    assert proc.returncode == 1, proc.stderr
    assert f"{src}:2: missing 'text'" in proc.stderr
    assert f"{src}:3: id de: no language pack for 'de': skipped" in proc.stderr
    out = read_out(tmp_path / "out.jsonl")
    assert [o["id"] for o in out] == ["a1", "x", "de"]
    assert out[0]["events"] and out[1]["error"] == "line 2: missing 'text'" and out[2]["events"] == []


@pytest.mark.parametrize("workers", ["0", "x"])
def test_cli_refuses_bad_worker_counts(tmp_path, workers):
    good = write(tmp_path / "good.jsonl", [jl(GOOD[1])])
    result = CliRunner().invoke(main, ["annotate", str(good), "-o", str(tmp_path / "o.jsonl"), "--workers", workers])
    assert result.exit_code == 2 and "--workers" in result.stderr
