"""The actor ranker's options: every authority the text names around an event (tracker.extract.rank).

The authority that acts is named in the event's sentence, or a sentence or a paragraph before ("The
regulator said on Monday ... Access to X was cut."), in the headline, or only as the country that is the
sentence's subject ("Turkey blocked Wikipedia"); a report may name none (docs/annotation.md, actor).
Each authority the pack matches there is an option, as the span the text writes (with the demonym before
a generic noun: "Iranian authorities"); so is each country the event's sentence names, and none. The
ranker's model (`actor.txt`) scores them; the hand-written rule's choice (fields.read_actor) is one of the
features.
"""

from __future__ import annotations

from .candidates import CLASSES, Candidate
from .lexicon import Match
from .rank import Option, where

#: How many sentences before the event's own an authority may come from, and how many after.
BACK = 8
AHEAD = 1
#: Punctuation that a country before a generic noun may not stand across.
_BREAKS = frozenset(",;:—–-()[]«»\"“”|/")
SOURCES = ("sentence", "earlier_paragraph_same", "earlier_paragraph_other", "title", "later", "country", "none")
#: What a feature row holds, in order (the model file is checked against it).
FEATURES = (
    *(f"source_{s}" for s in SOURCES), "sentences_back", "paragraphs_back", "dist_trigger", "before_trigger",
    "named", "weight", "same_country", "other_country", "tokens", "rank_by_distance", "authorities_there",
    "order_next", "report_next", "agent_next", "measure_there", "mentions", "names_service", "names_country",
    "country_subject", "authorities_here",
    "named_here", "lead", "threatened", *(f"class_{k}" for k in CLASSES), "rule_choice", "same_value_options",
    "first_mention", "measure_sentence",
)


def _text(c: Candidate, index: int) -> str:
    return (c.doc.title or "") if c.doc.sentences[index].is_title else c.doc.text


def phrase(c: Candidate, index: int, m: Match) -> str:
    """A named authority as written; a generic noun with the country or demonym just before it, in the same
    stretch of words (not a dateline's city across its dash: "TEERÃ — O governo")."""
    text = _text(c, index)
    start = m.start
    if not m.value:
        for other in c.doc.matches[index]:
            if other.kind == "country" and 0 <= m.first - other.last <= 2 \
                    and not any(ch in text[other.end:m.start] for ch in _BREAKS):
                start = min(start, other.start)
    return text[start:m.end]


def _near(ms: list[Match], m: Match, tokens: int = 3) -> float:
    return max((x.weight for x in ms if abs(x.center - m.center) <= tokens + (m.last - m.first) / 2), default=0.0)


def _mentions(c: Candidate) -> dict[str, int]:
    """How often the text names each authority, by its written form: counted once per text, kept on its Doc."""
    doc = c.doc
    if doc.authority_counts is None:
        counts: dict[str, int] = {}
        for k, ms in enumerate(doc.matches):
            for x in ms:
                if x.kind == "authority":
                    written = _text(c, k)[x.start:x.end].lower()
                    counts[written] = counts.get(written, 0) + 1
        doc.authority_counts = counts
    return doc.authority_counts


def options(c: Candidate, threatened: bool, rule: str | None) -> list[Option]:
    """Every actor the event could have, each with its feature row (in the order of FEATURES)."""
    doc, here = c.doc, c.sentence
    i = here.index
    t = c.trigger_sentence  # where the measure word stands: a list line's is its opener
    authorities_here = doc.of(i, "authority")
    countries_here = [m for m in doc.of(i, "country") if m.value == c.country]
    # the country as the subject of its own sentence's measure ("Turkey blocked X"); never a list line's
    subject = float(not c.from_list_head and any(m.center < c.trigger.center for m in countries_here))
    shared = [subject, float(len(authorities_here)), float(any(m.value for m in authorities_here)),
              float(here.paragraph == 0 or i <= 2), float(threatened), *(float(c.klass == k) for k in CLASSES)]
    raw: list[tuple[str | None, str, int | None, Match | None, int, int]] = []  # value, source, j, match, rank, n
    window = c.around(BACK, AHEAD)
    titles = [s.index for s in doc.sentences if s.is_title and s.index not in window]
    for j in titles + window:
        found = doc.of(j, "authority")
        ranked = sorted(found, key=lambda m: abs(m.center - c.trigger.center)) if j == t else found
        for m in found:
            raw.append((phrase(c, j, m), where(c, j), j, m, ranked.index(m), len(found)))
    for m in countries_here:  # a candidate's sentence is never the headline
        raw.append((doc.text[m.start:m.end], "country", i, m, 0, len(countries_here)))
    raw.append((None, "none", None, None, 0, 0))
    values = [v for v, *_ in raw]
    mentions = _mentions(c)
    first_seen: dict[str, int] = {}
    for n, v in enumerate(values):
        if v:
            first_seen.setdefault(v.lower(), n)
    out = []
    for n, (value, source, j, m, rank, count) in enumerate(raw):
        row = [float(source == s) for s in SOURCES]
        if j is not None and m is not None:
            other = doc.sentences[j]
            row += [float(abs(i - j)), float(here.paragraph - other.paragraph) if not other.is_title else -1.0]
            row += [abs(m.center - c.trigger.center), float(m.center < c.trigger.center)] if j == t else [-1.0, -1.0]
            row += [float(bool(m.value)), m.weight, float(m.value == c.country),
                    float(bool(m.value) and m.value != c.country)]
            row += [float(len((value or "").split())), float(rank), float(count),
                    _near(doc.of(j, "order"), m), _near(doc.of(j, "report"), m), _near(doc.of(j, "agent"), m, 1),
                    float(bool(doc.of(j, "trigger"))), float(mentions.get(_text(c, j)[m.start:m.end].lower(), 0)),
                    float(any(x.value == c.platform for x in doc.of(j, "platform"))),
                    float(any(x.value == c.country for x in doc.of(j, "country")))]
        else:
            row += [-1.0] * 4 + [0.0] * 14
        row += shared
        row += [float(value == rule), float(values.count(value)),
                float(bool(value) and first_seen.get((value or "").lower()) == n), float(j == t)]
        out.append(Option(value, row))
    return out
