"""The sentence encoder's regressions the event model reads (tracker/extract/encoder.py), on the real packaged
all-MiniLM-L6-v2."""

from __future__ import annotations

import math
import os

import pytest

from tracker.extract import encoder
from tracker.extract.candidates import candidates, read
from tracker.extract.dataset import EVENT, NONE, THREAT
from tracker.extract.features import feature_names
from tracker.extract.lexicon import pack
from tracker.extract.model import load_model

pytestmark = pytest.mark.slow

MEASURES = [
    "Authorities in Iran blocked Instagram on Monday, the regulator said.",
    "Pakistan's regulator blocked TikTok for a week, officials said.",
    "Russia's regulator restricted access to Telegram, citing extremism.",
    "Turkey blocked Wikipedia on Saturday, the authority said.",
]
OUTAGES = [
    "Instagram users in Iran reported a blocked feed during a global outage on Monday, the company said.",
    "TikTok said a technical fault blocked uploads in Pakistan for an hour.",
    "Telegram users in Russia could not send messages after a server outage, the company said.",
    "A power cut blocked Wikipedia's servers for users in Turkey on Saturday, the foundation said.",
]


def doc(text: str, lang: str = "en"):
    return read(text, pack(lang), "2024-05-01")


def test_each_candidate_gets_four_vectors_of_its_own():
    cs = candidates(doc("Authorities in Egypt blocked YouTube and Facebook on Monday, the regulator said."))
    vs = encoder.vectors(cs)
    assert len(cs) == 2 and all(len(v) == 4 * 384 for v in vs)
    size = 384
    # the same sentence and measure word: the sentence's and the measure word's parts agree, the services' differ
    assert vs[0][:size] == vs[1][:size] and vs[0][2 * size:3 * size] == vs[1][2 * size:3 * size]
    assert vs[0][size:2 * size] != vs[1][size:2 * size]
    assert encoder.vectors(cs) == vs  # read again: the same numbers


def test_languages_the_encoder_cannot_spell_get_no_scores():
    arabic = candidates(doc("حجبت السلطات المصرية موقع يوتيوب يوم الاثنين.", "ar"))
    spanish = candidates(doc("Las autoridades de Venezuela bloquearon YouTube el lunes.", "es"))
    assert arabic and spanish
    assert encoder.vectors(arabic) == [None] * len(arabic)
    assert all(v is not None for v in encoder.vectors(spanish))
    scores = load_model().encoder.scores(arabic)
    assert all(math.isnan(x) for s in scores for x in s)
    # the model reads them just before the n-gram scores, which stay last
    names = feature_names()
    assert names[-5:] == [*encoder.NAMES, "ngram_event", "ngram_threat", "ngram_document"]


def test_the_regressions_learn_and_survive_their_json(tmp_path):
    docs = [(doc(t), EVENT) for t in MEASURES] + [(doc(t), NONE) for t in OUTAGES]
    cands, labels = [], []
    for d, y in docs:
        for c in candidates(d):
            cands.append(c)
            labels.append(y)
    model = encoder.fit(cands, labels, {EVENT, THREAT}, THREAT)
    told = candidates(doc("Authorities in Egypt blocked YouTube on Sunday, the regulator said."))
    outage = candidates(doc("YouTube users in Egypt saw blocked videos during an outage, the company said."))
    assert model.scores(told)[0][0] > model.scores(outage)[0][0]
    path = tmp_path / encoder.FILE
    path.write_text(model.to_json(), encoding="utf-8")
    again = encoder.EncoderModel.read(path)
    assert [round(s, 5) for s in again.scores(told)[0]] == [round(s, 5) for s in model.scores(told)[0]]
    # no threat among the events: the threat head is a constant, not an error
    assert len({round(model.scores(c)[0][1], 9) for c in (told, outage)}) == 1


def test_a_process_of_a_pool_encodes_on_one_thread():
    """Two workers each running torch on every core read slower together than one alone: in a pool's process
    the encoder takes one core."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        assert pool.submit(encoder.threads).result(timeout=120) == 1
    assert encoder.threads() == len(os.sched_getaffinity(0))
