"""Training labels: the gold's evidence says which candidate of a key states it (tracker.extract.dataset)."""

from __future__ import annotations

from tracker.extract.dataset import ELSEWHERE, EVENT, NONE, THREAT, document_candidates, labels
from tracker.extract.fields import RANKERS
from tracker.extract.rank import training_rows

TEXT = ("Turkey blocked Twitter on Friday, 3 May. "
        "In January officials had warned that they would block Twitter. "
        "Twitter said it would go to court over the block, which began on 3 May.")
BLOCK = {"country": "TR", "platform": "Twitter", "action": "block", "status": "in_effect", "date": "2024-05-03",
         "actor": None, "evidence": "Turkey blocked Twitter on Friday, 3 May."}
THREAT_EVENT = {"country": "TR", "platform": "Twitter", "action": "block", "status": "threatened",
                "date": "2024-01", "actor": "officials",
                "evidence": "In January officials had warned that they would block Twitter."}


def _labelled(events: list[dict]) -> list[tuple[int, str, int]]:
    rec = {"id": "t", "language": "en", "text": TEXT, "published": "2024-05-04", "title": None}
    cands = document_candidates(rec)
    return [(c.sentence.index, c.klass, y) for c, y in zip(cands, labels(cands, events, TEXT), strict=True)]


def test_the_candidate_in_the_evidence_sentence_is_the_labelled_one():
    got = {(i, y) for i, klass, y in _labelled([BLOCK]) if klass == "restrict"}
    # the block's own sentence is the event; the threat's sentence and the later mention are left out
    assert got == {(0, EVENT), (1, ELSEWHERE), (2, ELSEWHERE)}


def test_a_threat_sentence_is_a_threat_when_the_text_also_carries_the_measure_out():
    got = {(i, y) for i, klass, y in _labelled([BLOCK, THREAT_EVENT]) if klass == "restrict"}
    assert got == {(0, EVENT), (1, THREAT), (2, ELSEWHERE)}


def test_without_a_candidate_in_its_evidence_a_key_labels_all_of_its_candidates():
    """A measure told without naming the service ("the service") keeps the key's label on its mentions."""
    text = "Users in Turkey could not reach the service on Friday. Twitter said it would fight the block in court."
    gold = {**BLOCK, "evidence": "Users in Turkey could not reach the service on Friday."}
    rec = {"id": "t", "language": "en", "text": text, "published": "2024-05-04", "title": None}
    cands = document_candidates(rec)
    got = {(c.sentence.index, c.klass, y) for c, y in zip(cands, labels(cands, [gold], text), strict=True)}
    assert (1, "restrict", EVENT) in got
    assert not any(i == 0 for i, _, _ in got)


def test_keys_that_are_not_gold_stay_negative():
    assert {y for _, klass, y in _labelled([BLOCK]) if klass != "restrict"} <= {NONE}


def test_rankers_learn_each_told_event_from_its_own_sentence():
    """A text that tells one key twice: each candidate learns the date of the event its sentence states."""
    text = "Turkey blocked Twitter in March 2014. Turkey blocked Twitter again in May 2024."
    first = {**BLOCK, "date": "2014-03", "evidence": "Turkey blocked Twitter in March 2014."}
    second = {**BLOCK, "date": "2024-05", "evidence": "Turkey blocked Twitter again in May 2024."}
    rec = {"id": "t", "language": "en", "text": text, "published": "2024-05-04", "title": None}
    cands = [c for c in document_candidates(rec) if c.klass == "restrict"]
    assert [c.sentence.index for c in cands] == [0, 1]
    ranker = RANKERS["date"]
    _rows, right, groups = training_rows(ranker, cands, [first, second])
    chosen = []
    at = 0
    for c, size in zip(cands, groups, strict=True):
        opts = ranker.options(c, False, ranker.rule(c))
        chosen.append({o.value for o, ok in zip(opts, right[at:at + size], strict=True) if ok})
        at += size
    assert "2014-03" in chosen[0] and "2024-05" not in chosen[0]
    assert "2024-05" in chosen[1] and "2014-03" not in chosen[1]


def test_a_reviewed_article_is_labelled_by_its_key():
    """A reviewer vouches for an event of an article, not for the sentence the machine quoted as evidence."""
    rec = {"id": "t", "language": "en", "text": TEXT, "published": "2024-05-04", "title": None}
    cands = document_candidates(rec)
    got = {(c.sentence.index, y) for c, y in zip(cands, labels(cands, [BLOCK], TEXT, by_evidence=False),
                                                  strict=True) if c.klass == "restrict"}
    assert got == {(0, EVENT), (1, EVENT), (2, EVENT)}
