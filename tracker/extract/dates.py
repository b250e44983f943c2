"""The date ranker's options: every date the text gives around an event (tracker.extract.rank).

A report states a measure's date in the measure's sentence, in the sentence that opens its list, a
sentence or a paragraph earlier (a story's date often opens it), a sentence later ("The order took effect
on 3 May."), or not at all: then it is the publication date when the measure is told as new, and none when
it is background (docs/annotation.md, date). Each of these is an option here, with where it stands and
what surrounds it; the ranker's model (`date.txt`) scores them, and the hand-written rule's choice
(fields.read_date) is one of the features.
"""

from __future__ import annotations

from .candidates import CLASSES, Candidate
from .rank import Option, where
from .when import Found, find

#: How many sentences before the event's own an option may come from, and how many after.
BACK = 12
AHEAD = 2
SOURCES = ("sentence", "list_head", "earlier_paragraph_same", "earlier_paragraph_other", "title", "later",
           "closing", "published", "none")
#: What a feature row holds, in order (the model file is checked against it).
FEATURES = (
    *(f"source_{s}" for s in SOURCES), "sentences_back", "paragraphs_back", "dist_trigger", "before_trigger",
    "precision_day", "precision_month", "precision_year", "relative", "years_before", "after_published",
    "dateline", "rank_in_sentence", "dates_in_sentence", "names_service", "names_country", "background_before",
    "background_there", "recency_there", "ongoing_there", "background_here", "recency_here", "future_here",
    "ongoing_here", "lead", "dates_here", "threatened", *(f"class_{k}" for k in CLASSES), "rule_choice",
    "is_published", "same_value_options", "latest_option",
    *(f"{s}_{cue}" for s in ("published", "none") for cue in ("background", "recency", "ongoing", "lead")),
)


def _dates(c: Candidate, index: int) -> list[Found]:
    """The dates of one sentence in text offsets, read once per text."""
    cache = c.doc.dates
    if index not in cache:
        sent = c.doc.sentences[index]
        cache[index] = [Found(f.start + sent.start, f.end + sent.start, f.value, f.relative)
                        for f in find(sent.text, c.doc.language, c.doc.published)]
    return cache[index]


def _weight(c: Candidate, index: int, kind: str) -> float:
    return max((m.weight for m in c.doc.of(index, kind)), default=0.0)


def _source(c: Candidate, j: int) -> str:
    if j == c.sentence.list_head or (c.from_list_head and j == c.trigger_sentence):
        return "list_head"
    if j > c.sentence.index + AHEAD:
        return "closing"  # the text's last line: where a statement gives its place and date
    return where(c, j)


def options(c: Candidate, threatened: bool, rule: str | None) -> list[Option]:
    """Every date the event could have, each with its feature row (in the order of FEATURES)."""
    doc, here = c.doc, c.sentence
    i = here.index
    anchor = c.trigger.start if not c.from_list_head else here.start
    pub = doc.published[:10] if doc.published else None
    pub_year = int(pub[:4]) if pub and pub[:4].isdigit() else None
    t = c.trigger_sentence  # how the measure is told (a list line's in its opener)
    shared = [_weight(c, t, "background"), _weight(c, t, "recency"), _weight(c, t, "future"),
              _weight(c, t, "ongoing"), float(here.paragraph == 0 or i <= 2), float(len(_dates(c, i))),
              float(threatened), *(float(c.klass == k) for k in CLASSES)]
    raw: list[tuple[str | None, str, int | None, Found | None, int]] = []  # value, source, sentence, date, rank
    window = c.around(BACK, AHEAD)
    if len(doc.sentences) - 1 > window[-1]:
        window.append(len(doc.sentences) - 1)
    for j in window:
        for rank, f in enumerate(_dates(c, j)):
            raw.append((f.value, _source(c, j), j, f, rank))
    if pub:
        raw.append((pub, "published", None, None, 0))
    raw.append((None, "none", None, None, 0))
    values = [v for v, *_ in raw]
    latest = max((v for v in values if v), default=None)
    out = []
    for value, source, j, f, rank in raw:
        row = [float(source == s) for s in SOURCES]
        if j is not None:
            other = doc.sentences[j]
            row += [float(abs(i - j)), float(here.paragraph - other.paragraph) if not other.is_title else -1.0]
        else:
            row += [-1.0, -1.0]
        if f is not None and j == i:
            row += [abs(f.start - anchor) / max(len(here.text), 1), float(f.start < anchor)]
        else:
            row += [-1.0, -1.0]
        precision = len(value or "")
        row += [float(precision == 10), float(precision == 7), float(precision == 4), float(bool(f and f.relative))]
        row += [float(pub_year - int(value[:4])) if value and pub_year else 0.0,
                float(bool(value and pub and value[:len(pub)] > pub[:len(value)])),
                float(bool(f and j is not None and j <= 2 and f.start - doc.sentences[j].start < 40))]
        if j is not None:
            row += [float(rank), float(len(_dates(c, j))),
                    float(any(m.value == c.platform for m in doc.of(j, "platform"))),
                    float(any(m.value == c.country for m in doc.of(j, "country") + doc.of(j, "authority"))),
                    float(any(m.end <= f.start and f.start - m.end <= 20 for m in doc.of(j, "background"))),
                    _weight(c, j, "background"), _weight(c, j, "recency"), _weight(c, j, "ongoing")]
        else:
            row += [0.0] * 8
        row += shared
        row += [float(value == rule), float(bool(value and pub and value == pub)), float(values.count(value)),
                float(bool(value and value == latest))]
        # how the event is told, on the options it speaks for: told as new (the publication date), told as
        # background or as a state that goes on (no date)
        told = [shared[0], shared[1], shared[3], shared[4]]
        row += [*(told if source == "published" else [0.0] * 4), *(told if source == "none" else [0.0] * 4)]
        out.append(Option(value, row))
    return out

