"""The reason ranker: openers learned from the corpus, options around the event, the shipped model's reading."""

from __future__ import annotations

import pytest

from tracker.extract import reasons
from tracker.extract.candidates import candidates, read
from tracker.extract.lexicon import pack
from tracker.extract.model import load_model
from tracker.extract.text import sentences


def _doc(text: str, events: list[dict]) -> tuple[str, str, list[dict], list]:
    return ("en", text, events, sentences(text, "en"))


def test_openers_are_words_reasons_follow_in_several_texts():
    texts = [
        _doc("Kenya blocked Telegram for hurting the exams. Telegram is popular.",
             [{"justification": "hurting the exams"}]),
        _doc("Iraq cut the internet for cheating in exams, officials said.",
             [{"justification": "cheating in exams"}, {"justification": "cheating in exams"}]),
        _doc("Chad blocked WhatsApp, arguing it spread hate. Users complained.",
             [{"justification": "it spread hate"}, {"justification": "it spread hate"}]),
    ]
    table = reasons.learn(texts)
    assert set(table["en"]) == {"for"}  # "arguing" opened reasons in one text only, whatever its count
    # share: 2 reasons opened / (2 occurrences + SMOOTH)
    assert table["en"]["for"] == pytest.approx(2 / (2 + reasons.SMOOTH), abs=1e-6)


def _candidate(text: str, platform: str):
    doc = read(text, pack("en"), "2024-05-04", None)
    return next(c for c in candidates(doc) if c.platform == platform)


def test_options_start_after_openers_in_the_sentence_and_beside_it():
    text = ("Turkey blocked Wikipedia on Saturday. The authority said it acted for the protection of national "
            "security, and gave no date.")
    c = _candidate(text, "Wikipedia")
    with reasons.using({"en": {"for": 0.1}}):
        opts = reasons.options(c, False, None)
    values = [o.value for o in opts]
    assert "the protection of national security" in values  # cut at the clause's end
    assert values[-1] is None  # and none
    assert all(len(o.row) == len(reasons.FEATURES) for o in opts)
    spans = [o for o in opts if o.value == "the protection of national security"]
    assert reasons.category(c, spans[0].where) == "national_security"
    with reasons.using({}):  # without openers only the pack's cues open a reason
        assert [o.value for o in reasons.options(c, False, None)] == [None]


def test_a_list_lines_options_are_read_around_the_sentence_that_opens_the_list():
    # the reason is told with the measure, above the list, not beside the fourth line
    text = ("Moldova's security service ordered the blocking of Russian outlets for the spread of "
            "disinformation. The list includes:\n\n- TASS\n- Interfax\n- Izvestia\n- Vedomosti")
    c = _candidate(text, "Vedomosti")
    assert c.from_list_head and c.trigger_sentence == 0 and c.sentence.index == 5
    with reasons.using({"en": {"for": 0.1}}):
        values = [o.value for o in reasons.options(c, False, None)]
    assert "the spread of disinformation" in values


@pytest.mark.parametrize("text", [
    # after "for", which opens reasons in the corpus but is no cue of the English pack
    "Pakistan blocked TikTok on Friday for immoral and indecent content.",
    # in the sentence after the measure's, which the hand-written reading never looks at
    "Pakistan has blocked TikTok. The regulator said it acted because of immoral and indecent content on the app.",
])
def test_the_shipped_model_reads_reasons_the_rule_does_not(text):
    """The reason ranker of the shipped model, asked as extraction asks it once an event is decided
    (engine.to_event): whether the event model accepts these two-line texts moves from one retraining to the
    next (they score near the threshold), and is not what this tests."""
    from tracker.extract.fields import read_fields, read_reason

    model = load_model()
    assert model.rankers.get("justification") is not None and model.openers.get("en")
    c = _candidate(text, "TikTok")
    assert read_reason(c) == (None, None)
    fields = read_fields(c, False, model.rankers, model.openers)
    assert fields.justification.startswith("immoral and indecent content")
    assert fields.justification_category == "harmful_content"
