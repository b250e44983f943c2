"""The n-gram regressions the event model reads: the document head (does a text report a measure at all)."""

from __future__ import annotations

from tracker.extract import ngrams
from tracker.extract.candidates import candidates, read
from tracker.extract.dataset import EVENT, NONE, THREAT
from tracker.extract.lexicon import pack
from tracker.extract.model import load_model

MEASURES = [
    "Authorities in Iran blocked Instagram on Monday, the regulator said.",
    "Pakistan's regulator blocked TikTok for a week, officials said.",
    "Russia's regulator restricted access to Telegram, citing extremism.",
    "Turkey blocked Wikipedia on Saturday, the authority said.",
]
DENIALS = [
    "The ministry denied reports that Instagram would be blocked, calling the rumour fake.",
    "Officials denied that TikTok was blocked; the rumour is fake, the ministry said.",
    "The regulator denied a fake rumour that Telegram would be blocked.",
    "The ministry called reports of a Wikipedia block fake and denied the rumour.",
]


def doc(text: str, lang: str = "en"):
    return read(text, pack(lang), "2024-05-01")


def test_the_document_head_learns_which_texts_report_a_measure():
    docs = [(doc(t), True) for t in MEASURES] + [(doc(t), False) for t in DENIALS]
    cands = [c for d, _ in docs for c in candidates(d)]
    labels = [EVENT if c.doc in [d for d, y in docs if y] else NONE for c in cands]
    model = ngrams.fit(cands, labels, {EVENT, THREAT}, THREAT, docs)
    told = model.document.score(ngrams.document_grams(doc("Authorities in Egypt blocked YouTube, the regulator said.")))
    denied = model.document.score(ngrams.document_grams(doc("The ministry denied the fake rumour that YouTube "
                                                           "would be blocked.")))
    assert told > 0.5 > denied
    # every candidate of a text carries its text's score, as the last feature column
    cs = candidates(doc("Authorities in Egypt blocked YouTube and Facebook, the regulator said."))
    scores = model.scores(cs)
    assert len(cs) == 2 and len({s[-1] for s in scores}) == 1 and all(len(s) == len(ngrams.NAMES) for s in scores)


def test_the_shipped_document_head_tells_a_denied_rumour_from_a_block():
    head = load_model().ngrams.document
    told = doc("Russia's communications regulator blocked LinkedIn on Thursday after the company refused to "
               "store the personal data of Russian users on servers inside the country.")
    denied = doc("Kazakhstan's ministry of digital development denied reports circulating on social media that "
                 "WhatsApp would be blocked, calling them fake and urging users to trust official sources only.")
    assert head.score(ngrams.document_grams(told)) > head.score(ngrams.document_grams(denied))
