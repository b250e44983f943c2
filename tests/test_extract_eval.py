"""`tracker eval`: the scoring rules of contracts section 4 on small hand-written gold/prediction pairs,
and the real extractor on a small gold file (tests/fixtures/gold/sample.jsonl, texts of corpus/texts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import main
from tracker.scoring import (
    Report,
    actor_ok,
    date_ok,
    event_class,
    event_key,
    justification_ok,
    score_document,
    token_f1,
)

#: eleven English texts copied from corpus/texts: the first of each batch file, the first negative, the
#: first negative the extractor draws a false event from, and a wire report with three gold events
SAMPLE = Path(__file__).resolve().parent / "fixtures" / "gold" / "sample.jsonl"


def ev(platform="Telegram", country="RU", action="block", status="in_effect", **more) -> dict:
    base = {"country": country, "platform": platform, "action": action, "status": status, "actor": None,
            "date": None, "scope": None, "justification": None, "justification_category": None}
    base.update(more)
    return base


def score(pairs: list[tuple[list[dict], list[dict]]]) -> Report:
    report = Report()
    for n, (pred, gold) in enumerate(pairs):
        score_document(f"doc{n}", pred, gold, report)
    return report


@pytest.mark.parametrize(
    ("action", "status", "expected"),
    [
        ("block", "threatened", "threaten"),
        ("fine", "threatened", "threaten"),
        ("unblock", "lifted", "unblock"),
        ("block", "lifted", "unblock"),
        ("block", "in_effect", "restrict"),
        ("ban", "announced", "restrict"),
        ("restrict", None, "restrict"),
        ("throttle", "in_effect", "throttle"),
        ("shutdown", "in_effect", "shutdown"),
        ("fine", "in_effect", "fine"),
        ("takedown_order", "announced", "takedown_order"),
    ],
)
def test_class_folds_the_action(action, status, expected):
    assert event_class({"action": action, "status": status}) == expected


def test_key_ignores_platform_case_and_x_is_twitter():
    assert event_key(ev("X", country="br")) == event_key(ev("twitter", country="BR")) == ("BR", "twitter", "restrict")
    assert event_key(ev("Telegram")) != event_key(ev("Telegram", country="IR"))


def test_ban_prediction_matches_block_gold_but_throttle_does_not():
    report = score([([ev(action="ban")], [ev(action="block")]), ([ev(action="throttle")], [ev(action="block")])])
    assert (report.tp, report.fp, report.fn) == (1, 1, 1)


@pytest.mark.parametrize(
    ("pred", "gold", "right"),
    [
        ("2021-03-10", "2021-03", True),  # gold month accepts any day of it
        ("2021-03", "2021-03", True),
        ("2021-04-01", "2021-03", False),
        ("2021-03", "2021-03-10", False),  # less precise than the gold
        ("2021-03-11", "2021-03-10", False),
        ("2021-12-31", "2021", True),
        ("2020-12-31", "2021", False),
        (None, "2021-03-10", False),
        (None, None, True),
    ],
)
def test_date_right_to_the_gold_precision(pred, gold, right):
    assert date_ok(pred, gold) is right


@pytest.mark.parametrize(
    ("pred", "gold", "right"),
    [
        ("the Moscow court", "a Moscow district court", True),
        ("Roskomnadzor", "Russia's media regulator Roskomnadzor", True),
        ("the regulator", "Roskomnadzor", False),
        ("the ministry", "the court", False),  # only stop words shared
        (None, "Roskomnadzor", False),
    ],
)
def test_actor_right_when_a_content_word_is_shared(pred, gold, right):
    assert actor_ok(pred, gold) is right


def test_justification_token_f1_threshold():
    gold = "for spreading false information about the army"
    assert token_f1(gold, gold) == 1.0
    # 4 of 5 predicted tokens in 7 gold tokens: P 0.8, R 0.571, F1 0.667
    assert justification_ok("spreading false information about elections", gold)
    # 2 of 4 predicted tokens in 7 gold tokens: P 0.5, R 0.286, F1 0.364
    assert not justification_ok("false reports of protests", gold)
    # exactly 0.5: 1 of 1 predicted in 3 gold -> P 1, R 1/3, F1 0.5
    assert token_f1("security", "national security reasons") == pytest.approx(0.5)
    assert justification_ok("security", "national security reasons")
    assert not justification_ok(None, gold)


def test_duplicate_of_a_matched_key_is_a_false_positive():
    pred = [ev(action="block"), ev(action="ban"), ev("Twitter", action="throttle")]
    gold = [ev(action="block"), ev("Twitter", action="throttle")]
    report = score([(pred, gold)])
    assert (report.tp, report.fp, report.fn) == (2, 1, 0)
    assert report.precision == pytest.approx(2 / 3)
    assert report.recall == 1.0
    assert [e["kind"] for e in report.errors] == ["false"]


def test_pairs_one_to_one_and_fields_scored_on_the_best_pair():
    gold = [ev(date="2022-03-04", actor="Roskomnadzor"), ev(date="2022-03-11")]
    pred = [ev(date="2022-03-11"), ev(date="2022-03-04", actor="the regulator Roskomnadzor")]
    report = score([(pred, gold)])
    assert (report.tp, report.fp, report.fn) == (2, 0, 0)
    fields = report.as_dict()["matched_fields"]
    assert fields["date"] == 1.0
    assert fields["actor"] == 1.0


def test_document_precision_and_recall_counted_apart_from_events():
    pairs = [
        ([ev()], [ev()]),  # relevant, found
        ([ev("Signal", country="EG")], []),  # false document
        ([], [ev("YouTube", country="PK")]),  # missed document
        ([], []),  # negative, correctly empty
        ([ev("TikTok")], [ev("Twitter")]),  # document right, events wrong
    ]
    data = score(pairs).as_dict()
    assert data["documents"] == 5
    assert data["documents_relevance"] == {"precision": round(2 / 3, 3), "recall": round(2 / 3, 3)}
    assert (data["events"]["tp"], data["events"]["fp"], data["events"]["fn"]) == (1, 2, 2)
    assert data["events"]["f1"] == round(1 / 3, 3)


def test_eval_sample_scores_the_real_extractor():
    """The CLI runs the real extractor over a committed gold sample and accounts for every event; how well
    it does is the gate's business (tests/test_gate.py), so no figure of one extractor version is pinned."""
    result = CliRunner().invoke(main, ["eval", str(SAMPLE), "--errors", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    gold = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    assert data["documents"] == len(gold) == 11
    events = data["events"]
    assert events["tp"] + events["fn"] == sum(len(r["events"]) for r in gold)
    assert events["tp"] > 0
    errors = data["errors"]
    assert sum(e["kind"] == "false" for e in errors) == events["fp"]
    assert sum(e["kind"] == "miss" for e in errors) == events["fn"]
    assert set(data["matched_fields"]) == {"date", "actor", "justification", "justification_category"}
    assert all(0 <= v <= 1 for v in data["matched_fields"].values())
    assert data["extractor_version"]


def test_eval_errors_lists_each_false_and_missed_event(tmp_path):
    gold = tmp_path / "gold.jsonl"
    docs = [
        {"id": "g1", "published": "2024-03-12",
         "text": "Authorities in Turkey blocked Instagram on Friday, users in Ankara said.",
         "events": []},  # deliberately wrong gold: whatever is found there is a false event
        {"id": "g2", "published": "2024-03-12", "text": "The city council approved a new budget for public parks.",
         "events": [ev("Signal", country="EG")]},  # and this one cannot be found
    ]
    gold.write_text("\n".join(json.dumps(d) for d in docs) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(gold), "--errors"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].startswith("events         precision 0.000  recall 0.000")
    miss = [ln for ln in lines if ln.startswith("g2\tmiss")]
    assert miss and "EG/signal/restrict" in miss[0]
    false = [ln for ln in lines if ln.startswith("g1\tfalse")]
    assert any("TR/instagram/restrict" in ln and "Instagram on Friday" in ln for ln in false), false

    as_json = json.loads(CliRunner().invoke(main, ["eval", str(gold), "--errors", "--json"]).stdout)
    kinds = {(e["id"], e["kind"]) for e in as_json["errors"]}
    assert ("g2", "miss") in kinds and ("g1", "false") in kinds
    assert as_json["events"]["tp"] == 0


def test_eval_rejects_a_gold_file_without_events(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "a", "text": "x"}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(gold)])
    assert result.exit_code == 1
    assert f"{gold}:1" in result.output and "'events'" in result.output
