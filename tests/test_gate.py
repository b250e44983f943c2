"""The extraction gate: the trained model scored on the corpus's dev split stays above the floors in
tests/gate.toml, its stamp matches its inputs, and training is deterministic. `make test` runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tracker.corpus import load
from tracker.extract.evaluate import evaluate_records, read_gold
from tracker.extract.model import FILES, inputs_hash, load_model, model_dir

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "texts"
FLOORS = tomllib.loads((Path(__file__).parent / "gate.toml").read_text(encoding="utf-8"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dev() -> dict:
    return evaluate_records(read_gold([CORPUS], split="dev")).as_dict()


def test_dev_split_meets_the_floors(dev):
    floors = FLOORS["all"]
    got = {
        "event_f1": dev["events"]["f1"],
        "event_precision": dev["events"]["precision"],
        "document_precision": dev["documents_relevance"]["precision"],
        "document_recall": dev["documents_relevance"]["recall"],
        "date": dev["matched_fields"]["date"],
        "actor": dev["matched_fields"]["actor"],
        "justification": dev["matched_fields"]["justification"],
    }
    below = {k: (v, floors[k]) for k, v in got.items() if v < floors[k]}
    assert not below, f"below the floors of tests/gate.toml (got, floor): {below}"
    assert dev["calibration"]["ece"] <= floors["ece_max"]


def test_every_language_meets_its_floor(dev):
    below = {lang: (dev["languages"].get(lang, {}).get("events", {}).get("f1", 0.0), floor)
             for lang, floor in FLOORS["languages"].items()
             if dev["languages"].get(lang, {}).get("events", {}).get("f1", 0.0) < floor}
    assert not below, f"languages below their floor (got, floor): {below}"


def test_the_model_is_at_most_20_mb():
    """Every retrained copy is committed, so the model's files stay small (issue 13: at most 20 MB)."""
    size = sum(p.stat().st_size for p in model_dir().iterdir() if p.is_file())
    assert 1_000_000 < size <= 20_000_000, size


def test_texts_without_a_title_are_read_too():
    """The dev split with every headline taken away (contracts section 2: `title` may be null). Trained on
    titled texts only, the model of stop 26 read it at event F1 0.584 against 0.630 with the titles; since
    then training reads each text without its title too (tracker.extract.train.untitled_twins)."""
    records = [{**rec, "title": None} for rec in read_gold([CORPUS], split="dev")]
    got = evaluate_records(records).as_dict()["events"]["f1"]
    assert got >= FLOORS["untitled"]["event_f1"], (got, FLOORS["untitled"]["event_f1"])


def test_the_field_rankers_read_better_than_their_rules(dev):
    """The trained date, actor and reason rankers against the hand-written rules they weigh (the rules' choice
    is one of their features), on the same events: a retrained ranker that reads worse than its own rule fails."""
    from dataclasses import replace

    from tracker.extract import engine

    rules = replace(load_model(), rankers={})

    def extract(text, published=None, title=None, language=None):
        return engine.extract(text, language or "en", published, title, model=rules)

    plain = evaluate_records(read_gold([CORPUS], split="dev"), extract=extract).as_dict()
    assert plain["events"] == dev["events"]
    for name in ("date", "actor", "justification"):
        assert dev["matched_fields"][name] > plain["matched_fields"][name], name


def test_the_model_stamp_matches_its_inputs():
    """Weights, lexicons and gazetteers decide what the model does: any change to them needs `tracker train`,
    which writes a new stamp (the head of the inputs' hash)."""
    meta = json.loads((model_dir() / "model.json").read_text(encoding="utf-8"))
    current = inputs_hash()
    assert meta["inputs_sha256"] == current, (
        "models/ changed since the model was trained (weights, a language pack or a gazetteer): run `tracker train`")
    assert meta["stamp"] == current[:12]


def _run_under_seed(seed: str, *argv: str) -> None:
    """Run a command in a fresh process under one PYTHONHASHSEED: sets and dicts of strings iterate in an
    order that follows the seed, so a reading that depends on it differs between processes."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(list(argv), check=True, env=env, timeout=600, capture_output=True)


_TRAIN = """
import sys
from pathlib import Path
from tracker.corpus import load
from tracker.extract.train import train
records = load([Path(sys.argv[1])], split="train")[::8]
train(records, Path(sys.argv[2]))
"""


def test_training_is_deterministic_in_every_process(tmp_path):
    """Same texts, same files: in two processes whose hash seeds differ (every language's texts, so every
    pack's matching takes part)."""
    a, b = tmp_path / "a", tmp_path / "b"
    _run_under_seed("1", sys.executable, "-c", _TRAIN, str(CORPUS), str(a))
    _run_under_seed("2", sys.executable, "-c", _TRAIN, str(CORPUS), str(b))
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_extraction_is_the_same_in_every_process(tmp_path):
    """The shipped model reads the dev texts of every language identically under different hash seeds
    (features such as the nearest authority's weight once depended on the order of a set of two words)."""
    source = tmp_path / "in.jsonl"
    with source.open("w", encoding="utf-8") as out:
        for r in load([CORPUS], split="dev"):
            out.write(json.dumps({"id": r["id"], "text": r["text"], "published": r.get("published"),
                                  "title": r.get("title"), "language": r.get("language")}) + "\n")
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"out{seed}.jsonl"
        _run_under_seed(seed, str(Path(sys.executable).parent / "tracker"), "annotate", str(source), "-o", str(target))
        outputs.append(target.read_text(encoding="utf-8"))
    assert outputs[0].count("\n") == source.read_text(encoding="utf-8").count("\n")
    assert outputs[0] == outputs[1]
