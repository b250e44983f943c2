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


def test_training_reads_every_text_with_and_without_its_title() -> None:
    """A text to annotate may come without a headline (contracts section 2), so `tracker train` reads every
    titled text twice: as written and without its title, the two in one fold of the out-of-fold scores."""
    from tracker.extract.train import UNTITLED, build, untitled_twins

    records = load([CORPUS], split="train", language="fr")[:6]
    records.append({**records[0], "id": "sans-titre", "title": None})
    twins = untitled_twins(records)
    assert [r["id"] for r in twins[:2]] == [records[0]["id"], records[0]["id"] + UNTITLED]
    assert len(twins) == 2 * len(records) - 1  # a text without a title has no twin
    assert all(r["title"] is None and r["text"] == o["text"] for r, o in zip(twins[1:12:2], records, strict=False))
    steps: list[int] = []
    docs = build(twins, steps.append)
    assert len(steps) == len(records)  # the progress bar counts texts, not twins
    by_id = {d.id: d for d in docs}
    for rec in records[:6]:
        titled, untitled = by_id[rec["id"]], by_id[rec["id"] + UNTITLED]
        assert titled.fold == untitled.fold and untitled.group == rec["id"]
    read = [rec["id"] for rec in records[:6] if by_id[rec["id"]].cands]
    assert read
    for doc_id in read:
        assert any(s.is_title for s in by_id[doc_id].cands[0].doc.sentences)
        assert not any(s.is_title for c in by_id[doc_id + UNTITLED].cands for s in c.doc.sentences)
