"""The annotated corpus and its tools: the shipped corpus checks clean and is split; `tracker corpus
check` names each bad record; `split` assigns once and never moves a text; `agreement` scores a second
pass as the extractor is scored."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import main
from tracker.corpus.check import check_files
from tracker.corpus.split import assign
from tracker.corpus.store import load

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "texts"


def _record(doc_id: str, **over) -> dict:
    text = ("ANKARA, March 12 - Authorities in Turkey blocked Instagram on Friday, citing national security. "
            "The platform had been used to share videos of the protests, according to rights groups.")
    rec = {"id": doc_id, "language": "en", "title": "t", "published": "2024-03-12",
           "url": "https://example.org/a", "publisher": "press", "region": "europe", "genre": "wire_report",
           "text": text, "events": [{
               "country": "TR", "platform": "Instagram", "action": "block", "status": "in_effect",
               "actor": "Authorities in Turkey", "date": "2024-03-08", "scope": "nationwide",
               "justification": "national security", "justification_category": "national_security",
               "evidence": "Authorities in Turkey blocked Instagram on Friday, citing national security."}]}
    rec.update(over)
    return rec


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_the_shipped_corpus_checks_clean_and_every_text_has_a_split():
    result = check_files(sorted(CORPUS.glob("*.jsonl")))
    assert [str(p) for p in result.errors] == []
    splits = Counter(r["split"] for r in result.records)
    assert set(splits) == {"train", "dev", "test"} and sum(splits.values()) == len(result.records)
    languages = Counter(r["language"] for r in result.records)
    assert min(languages.values()) >= 40, languages


def test_check_names_what_is_wrong_and_where(tmp_path):
    good = _record("x-1")
    bad_substring = _record("x-2", text="Something else entirely was reported on that day. " * 4)
    bad_enum = _record("x-3")
    bad_enum["events"][0]["action"] = "nuke"
    path = _write(tmp_path / "c.jsonl", [good, bad_substring, bad_enum])
    result = CliRunner().invoke(main, ["corpus", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:2: id x-2: event 1: evidence is not an exact substring" in result.output
    assert f"{path}:3: id x-3: event 1: action 'nuke' is not one of" in result.output
    assert f"{path}:1:" not in result.output


def test_split_assigns_once_and_never_moves_a_text(tmp_path):
    records = [_record(f"s-{i}", text=f"Text number {i} about nothing in particular. " * 10, events=[],
                       url=f"https://example.org/{i}") for i in range(50)]
    assert assign(records) == 50
    first = {r["id"]: r["split"] for r in records}
    assert Counter(first.values()) == {"train": 30, "dev": 10, "test": 10}
    more = records + [_record(f"s-{i}", text=f"Another text {i}. " * 10, events=[], url=f"https://example.org/{i}")
                      for i in range(50, 60)]
    assert assign(more) == 10
    assert {r["id"]: r["split"] for r in more[:50]} == first


def test_texts_written_from_one_report_share_its_split():
    """A report told again in another language (same url) joins the split of the text already written from
    it, whatever its stratum; two new texts of one report get one split."""
    old = [_record(f"o-{i}", url=f"https://example.org/{i}", events=[]) for i in range(20)]
    assign(old)
    new = [_record(f"n-{i}", language="fr", region="africa", url=f"https://example.org/{i}", events=[])
           for i in range(20)]
    twins = [_record(f"t-{i}", url=f"https://example.net/{i % 5}", events=[]) for i in range(10)]
    assert assign(old + new + twins) == 30
    assert [r["split"] for r in new] == [r["split"] for r in old]
    by_url: dict[str, set] = {}
    for r in twins:
        by_url.setdefault(r["url"], set()).add(r["split"])
    assert all(len(s) == 1 for s in by_url.values()) and len(by_url) == 5


def test_split_command_rewrites_in_place_keeping_order(tmp_path):
    path = _write(tmp_path / "c.jsonl", [_record(f"o-{i}", text=f"Plain text {i}. " * 10, events=[])
                                         for i in range(5)])
    result = CliRunner().invoke(main, ["corpus", "split", str(path)])
    assert result.exit_code == 0, result.output
    recs = load([path])
    assert [r["id"] for r in recs] == [f"o-{i}" for i in range(5)] and all(r["split"] for r in recs)


def test_agreement_scores_the_second_pass_against_the_first(tmp_path):
    first = _write(tmp_path / "first.jsonl", [_record("a-1", split="dev"),
                                              _record("a-2", split="dev", text="No event here at all. " * 10,
                                                      events=[])])
    second = [_record("a-1", split="dev"), _record("a-2", split="dev", text="No event here at all. " * 10)]
    second[1]["events"] = []
    second[0]["events"][0]["platform"] = "Facebook"  # one disagreement: a miss and a false event
    spath = _write(tmp_path / "second.jsonl", second)
    result = CliRunner().invoke(main, ["corpus", "agreement", "--second", str(spath), str(first), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["all"]["events"]["f1"] == pytest.approx(0.0)


def test_the_shipped_second_pass_agrees_with_the_corpus():
    result = CliRunner().invoke(main, ["corpus", "agreement", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["all"]["events"]["f1"] >= 0.9


def test_reach_counts_reached_gold_and_says_why_each_miss_was_missed(tmp_path):
    """`corpus reach` (for pack authors): a gold event is reached when a candidate has its key; a miss
    names the coarsest reason, from a text with no candidate at all to a missing measure word."""
    reached = _record("r-1", split="train")
    other_class = _record("r-2", split="train")
    other_class["events"][0].update(action="fine", status="in_effect")  # a fine nobody's words state
    other_country = _record("r-3", split="train")
    other_country["events"][0]["country"] = "AZ"
    other_service = _record("r-4", split="train")
    other_service["events"][0]["platform"] = "Telegram"
    nothing = _record("r-5", split="train", text="The weather in the capital was mild all week long. " * 3)
    nothing["events"][0]["evidence"] = "The weather in the capital was mild all week long."
    nothing["events"][0].update(actor=None, justification=None, justification_category=None)
    path = _write(tmp_path / "r.jsonl", [reached, other_class, other_country, other_service, nothing])
    result = CliRunner().invoke(main, ["corpus", "reach", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["gold"], data["reached"]) == (5, 1)
    why = {m["id"]: m["why"] for m in data["misses"]}
    assert why == {"r-2": "no measure word of this class",
                   "r-3": "the service's candidates have another country",
                   "r-4": "no candidate names the service",
                   "r-5": "the text has no candidate at all"}
