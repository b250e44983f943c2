"""`tracker train --seed`: another LightGBM seed gives another model of the same corpus, which is how the noise
of a retraining is read (bench/review_loop.py trains every model under several seeds)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tracker.cli import main
from tracker.corpus.store import load

CORPUS = Path(__file__).parent.parent / "corpus" / "texts"


def test_another_seed_trains_another_model_of_the_same_texts(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = load([CORPUS], split="train", language="en")[:40]
    with (corpus / "small.jsonl").open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    models = {}
    for name, extra in (("default", []), ("seven", ["--seed", "7"]), ("eight", ["--seed", "8"])):
        result = CliRunner().invoke(main, ["train", "--corpus", str(corpus), "--out", str(tmp_path / name),
                                           "--json", *extra])
        assert result.exit_code == 0, result.output
        models[name] = {p.name: p.read_bytes() for p in (tmp_path / name).iterdir()}
    assert models["default"] == models["seven"]  # the shipped model's seed is the default
    assert models["eight"]["event.txt"] != models["seven"]["event.txt"]
    assert json.loads(models["eight"]["model.json"])["params"]["seed"] == 8
    assert json.loads(models["seven"]["model.json"])["params"]["seed"] == 7
    bad = CliRunner().invoke(main, ["train", "--corpus", str(corpus), "--seed", "x", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "'x' is not a valid integer" in bad.output
