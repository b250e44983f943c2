"""The backfill's cheap first pass (tracker.backfill.scan): what it keeps, what it skips, and its recall.

The recall floor is the issue's: the scan must keep at least 99% of the corpus texts with a gold event
(each in a news page), and every text in which the extractor itself finds an event.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from tests.archives import CONCERT, MARKETS, UG_BLOCK, page
from tracker.backfill.scan import Scanner, scan_terms, visible_text

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "texts"


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


def corpus_page(doc: dict) -> str:
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in doc["text"].split("\n") if p.strip())
    title = html.escape(doc.get("title") or "")
    return (f"<html lang='{doc['language']}'><head><title>{title}</title><script>var block = 1;</script></head>"
            f"<body><nav>Twitter Facebook</nav><article><h1>{title}</h1>{paras}</article>"
            "<footer>Follow us on X</footer></body></html>")


def test_words_come_from_every_pack_with_their_forms():
    terms = scan_terms()
    keys = {k for k, _f, _id in terms.folded}
    # forms the packs' lemmatizers map to their pattern words, stems, names in every script
    assert {"blocked", "blocking", "banned", "заблокир", "engelle", "bloqueó", "interdi", "حجب", "فیلتر"} <= keys
    assert {"twitter", "telegram", "вконтакте", "تويتر"} <= keys
    assert "X" in {k for k, _f, _id in terms.exact}  # case-exact names stay case-exact


@pytest.mark.parametrize("text", [
    "Authorities blocked Instagram on Friday, citing national security.",
    "Роскомнадзор заблокировал Telegram в пятницу.",
    "BTK, Twitter'a erişimi engelledi.",
    "Las autoridades bloquearon el acceso a Twitter durante la noche.",
    "وحجبت السلطات فيسبوك يوم الجمعة.",
    "Telegram was widely used by protesters. On Monday the regulator blocked it.",  # the service sentences before
    "The ministry ordered providers to block these services:\nTelegram\nSignal",  # a list the sentence opens
])
def test_what_the_extractor_could_read_is_kept(scanner, text):
    assert scanner.text_passes(text)


@pytest.mark.parametrize("text", [
    "Inflation eased to 3.2 percent in March. The singer announced the tour in a video posted on YouTube.",
    "The goalkeeper blocked a late shot. Markets were calm.",
    "Fans can watch the match on the club's Facebook page. The bakery won a prize.",
    "The museum reopens its east wing on Friday. Tickets are sold on Instagram.",  # a weak word, another sentence
])
def test_pages_with_no_measure_paired_with_a_service_are_skipped(scanner, text):
    assert not scanner.text_passes(text)


def test_what_a_reader_never_sees_does_not_count(scanner):
    # page(): a script setting `display: 'block'` for a Twitter widget, a footer "Follow us on Facebook and X.
    # Do not block our cookies." Neither is read.
    assert not scanner.page_passes(page(MARKETS))
    assert not scanner.page_passes(page(CONCERT))
    assert scanner.page_passes(page(UG_BLOCK))
    text = visible_text(page(UG_BLOCK))
    assert "cookies" not in text and "twitterWidget" not in text and "Home" not in text
    assert "Ugandan authorities ordered" in text and "\n" in text  # one line per paragraph


@pytest.mark.parametrize("seed", range(4))
def test_hidden_parts_are_cut_as_the_expression_says(seed):
    """The fast cut (an expression per closing tag) gives what the one expression (_HIDDEN) gives, on random
    mixes of openings, closings in any case of their ASCII letters, lookalikes that are no tag in HTML (the
    long s, which Unicode's case folding takes for "s"), comments, other tags and text."""
    import random

    from tracker.backfill.scan import _HIDDEN, _cut_hidden

    parts = ["<script>", "</script>", "<SCRIPT type=x>", "</Script >", "<!--", "-->", "<nav>", "</NAV>", "word ",
             "<p>", "</p>", "<style>", "</style>", "<scripts>", "</scriptx>", "İ", "<svg><script>", "</svg>",
             "<ſcript>", "</ſcript>", "</ScRiPt\n>", "<!-- x --", "<TEMPLATE>", "</template>"]
    rnd = random.Random(seed)
    for _ in range(3000):
        page = "".join(rnd.choice(parts) for _ in range(rnd.randint(0, 14)))
        assert _cut_hidden(page) == _HIDDEN.sub(" ", page), page


def test_recall_on_the_corpus():
    """At least 99% of the corpus texts with a gold event are kept, and every text the extractor reads an event
    in. (bench/backfill.py prints these figures too, with the share of a news mix the scan skips.)"""
    from tracker.extract import extract_events

    scanner = Scanner()
    docs = [json.loads(line) for path in sorted(CORPUS.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    positives = [d for d in docs if d["events"]]
    kept = [d for d in positives if scanner.page_passes(corpus_page(d))]
    assert len(kept) / len(positives) >= 0.99, f"kept {len(kept)} of {len(positives)}"
    lost = [d["id"] for d in docs if not scanner.page_passes(corpus_page(d))
            and extract_events(d["text"], published=d.get("published"), title=d.get("title"),
                               language=d["language"])]
    assert lost == []
