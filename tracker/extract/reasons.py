"""The justification ranker's options: every clause around an event that could be its stated reason.

Reports give a measure's reason in its own sentence or in one beside it ("The regulator said the ban was
needed to stop ..."), and mostly after words that are not reason cues of the packs: "for", "that", an
opening quote mark, "dinilai", "за". So where a reason may begin is learned: `tracker train` counts, in
each language of the train split, the word just before every gold reason against how often that word
occurs at all, and keeps the share of the words seen before reasons in two texts or more (`reasons.json`,
beside the model, read once with it). A clause that starts after such a word or after a reason cue of the
pack, in the event's sentence or the one on either side, is an option, cut at its clause's end and at the
sentence's end; so is none. The ranker's model (`justification.txt`) scores them, and the hand-written
reading (fields.read_reason) is one of the features. On dev, a window of one sentence each way read 0.611,
two 0.603, three 0.597.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .candidates import CLASSES, Candidate
from .rank import Option
from .text import clause_end

#: Sentences before and after the event's own that a reason may stand in.
BACK = 1
AHEAD = 1
#: A word opens reasons when it stood before gold reasons in at least MIN_COUNT texts of the train split and
#: its share (reasons it opened / its occurrences + SMOOTH) is at least MIN_SHARE.
MIN_COUNT = 2
SMOOTH = 5
MIN_SHARE = 0.01
#: The longest option, in tokens.
MAX_TOKENS = 40
FILE = "reasons.json"
QUOTES = frozenset('"“”«»„\'')
SOURCES = ("sentence", "before", "after", "none")
#: What a feature row holds, in order (the model file is checked against it).
FEATURES = (
    *(f"source_{s}" for s in SOURCES), "sentences_away", "same_paragraph", "opener_share", "cue_weight",
    "tokens", "to_sentence_end", "quoted", "after_trigger", "dist_trigger", "holds_trigger", "holds_measure_word",
    "holds_service", "holds_country", "holds_authority", "category_weight", "categories", "options_here",
    "cues_here", "threatened", *(f"class_{k}" for k in CLASSES), "rule_choice", "same_value_options",
)

#: The openers the options read: the extracting model's, or those being trained (set with `using`, per thread).
_TABLE: ContextVar[dict[str, dict[str, float]] | None] = ContextVar("reason_openers", default=None)


def learn(docs: Iterable[tuple[str, str, list[dict], list]]) -> dict[str, dict[str, float]]:
    """The opener shares, per language, from (language, text, gold events, sentences) of training texts. A
    reason several events of one text share counts once, and a word must open reasons in MIN_COUNT texts
    (one text's wording is not the language's)."""
    opened: dict[str, Counter] = defaultdict(Counter)  # reasons a word opened
    texts: dict[str, Counter] = defaultdict(Counter)  # texts in which it opened one
    seen: dict[str, Counter] = defaultdict(Counter)
    for lang, text, events, sents in docs:
        body = [s for s in sents if not s.is_title]
        for s in body:
            seen[lang].update(t.lower for t in s.tokens)
        starts = {text.find(e["justification"]) for e in events if e.get("justification")} - {-1}
        here: set[str] = set()
        for at in sorted(starts):
            for s in body:
                if s.start <= at < s.end:
                    before = [t for t in s.tokens if t.end <= at]
                    if before:
                        opened[lang][before[-1].lower] += 1
                        here.add(before[-1].lower)
                    break
        texts[lang].update(here)
    return {lang: {w: round(n / (seen[lang][w] + SMOOTH), 6) for w, n in sorted(counts.items())
                   if texts[lang][w] >= MIN_COUNT and n / (seen[lang][w] + SMOOTH) >= MIN_SHARE}
            for lang, counts in sorted(opened.items())}


def to_json(table: dict[str, dict[str, float]]) -> str:
    return json.dumps(table, ensure_ascii=False, indent=0, sort_keys=True) + "\n"


@contextmanager
def using(table: dict[str, dict[str, float]]) -> Iterator[None]:
    """Read options with `table`'s openers inside the block."""
    token = _TABLE.set(table)
    try:
        yield
    finally:
        _TABLE.reset(token)


def _clauses(c: Candidate, j: int, openers: dict[str, float]) -> list[tuple[int, int, float, float]]:
    """(first token, end token, opener share, cue weight) of every option in sentence j."""
    doc, sent = c.doc, c.doc.sentences[j]
    toks = sent.tokens
    cues = {m.last: m.weight for m in doc.of(j, "reason")}
    out = []
    for k in range(1, len(toks)):
        share, cue = openers.get(toks[k - 1].lower, 0.0), cues.get(k, 0.0)
        if not share and cue < 0.5:
            continue
        for stop in sorted({clause_end(doc.text, toks, k), len(toks)}):
            if stop - k <= MAX_TOKENS:
                out.append((k, stop, share, cue))
    return out


def _inside(ms, first: int, last: int) -> list:
    return [m for m in ms if m.first >= first and m.last <= last]


def options(c: Candidate, threatened: bool, rule: str | None) -> list[Option]:
    """Every reason the event could have, each with its feature row (in the order of FEATURES)."""
    doc = c.doc
    i = c.trigger_sentence  # a list line's reason is told around its opener's measure, not beside the line
    here = doc.sentences[i]
    openers = (_TABLE.get() or {}).get(doc.language, {})
    shared = [float(len(doc.of(i, "reason"))), float(threatened), *(float(c.klass == k) for k in CLASSES)]
    raw: list[tuple[str | None, int | None, tuple[int, int, float, float] | None]] = []
    for j in range(max(0, i - BACK), min(len(doc.sentences), i + AHEAD + 1)):
        if doc.sentences[j].is_title:
            continue
        toks = doc.sentences[j].tokens
        raw += [(doc.text[toks[k].start:toks[stop - 1].end], j, (k, stop, share, cue))
                for k, stop, share, cue in _clauses(c, j, openers)]
    raw.append((None, None, None))
    values = [v for v, _, _ in raw]
    per_sentence = Counter(j for _, j, _ in raw)
    out = []
    for value, j, span in raw:
        if j is None or span is None:
            row = [float(s == "none") for s in SOURCES] + [-1.0, 0.0] + [0.0] * 15
            where = None
        else:
            k, stop, share, cue = span
            sent = doc.sentences[j]
            ms = doc.matches[j]
            source = "sentence" if j == i else ("before" if j < i else "after")
            row = [float(s == source) for s in SOURCES] + [float(abs(i - j)), float(sent.paragraph == here.paragraph)]
            mine = j == i  # the measure word stands in sentence i (a list opener's too)
            held = _inside(ms, k, stop)
            cats = [m for m in held if m.kind == "category"]
            row += [share, cue, float(stop - k), float(stop == len(sent.tokens)),
                    float(sent.tokens[k - 1].text in QUOTES or sent.tokens[k].text[:1] in QUOTES),
                    float(mine and sent.tokens[k].start >= c.trigger.end),
                    abs(sent.tokens[k].start - c.trigger.start) / max(len(sent.text), 1) if mine else -1.0,
                    float(mine and k <= c.trigger.first and c.trigger.last <= stop),
                    float(any(m.kind == "trigger" for m in held)),
                    float(any(m.kind == "platform" and m.value == c.platform for m in held)),
                    float(any(m.kind == "country" for m in held)),
                    float(any(m.kind == "authority" for m in held)),
                    max((m.weight for m in cats), default=0.0), float(len(cats))]
            row += [float(per_sentence[j])]
            where = (j, k, stop)
        row += shared
        row += [float(value == rule), float(values.count(value))]
        out.append(Option(value, row, where))
    return out


def category(c: Candidate, where: tuple[int, int, int] | None) -> str | None:
    """The category of a chosen reason: the strongest category word inside it, else in its sentence, else
    `other`; none without a reason."""
    if where is None:
        return None
    j, first, last = where
    ms = c.doc.of(j, "category")
    pool = _inside(ms, first, last) or ms
    return max(pool, key=lambda m: m.weight).value if pool else "other"
