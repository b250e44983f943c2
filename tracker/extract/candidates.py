"""Candidates: every (sentence, service, country, measure class) the text might state, with high recall.

The lexicon proposes; the trained model (tracker.extract.model) decides. A candidate is made for every
service named in a sentence (or in a list line under a sentence ending with a colon) together with every
class of measure word in it, and every country the sentence names (or, failing that, those its
paragraph, the title or the whole text is about). What each candidate carries is what the features and
the field readers need: the matches it was built from and where the country came from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from .. import vocabulary
from .lexicon import Match, Pack
from .names import unknown_services
from .text import Sentence, sentences

#: Services that stand for the network itself: a cut of them is a shutdown (contracts section 1).
NETWORK = frozenset({"internet", "mobile internet"})
#: The classes a candidate can have before the threat question is asked.
CLASSES = ("restrict", "throttle", "shutdown", "unblock", "fine", "takedown_order")


@dataclass
class Doc:
    """A text read once: its sentences, the matches of each, and the countries it is about."""

    text: str
    language: str
    published: str | None
    title: str | None
    sentences: list[Sentence]
    matches: list[list[Match]]
    title_countries: list[str] = field(default_factory=list)
    doc_countries: Counter = field(default_factory=Counter)
    dates: dict[int, list] = field(default_factory=dict)  # sentence index -> its dates (tracker.extract.dates)
    authority_counts: dict[str, int] | None = None  # authorities by written form (tracker.extract.actors)

    def of(self, index: int, kind: str) -> list[Match]:
        return [m for m in self.matches[index] if m.kind == kind]


@dataclass
class Candidate:
    doc: Doc
    sentence: Sentence
    service: Match
    trigger: Match  # the nearest measure word of the candidate's class
    klass: str  # one of CLASSES
    country: str
    country_source: str  # sentence, paragraph, title, text
    country_match: Match | None  # the name in the sentence that gave the country
    from_list_head: bool = False  # the measure word is in the sentence that opens the list
    service_source: str = "sentence"  # sentence, or previous: named in an earlier sentence of the paragraph
    trigger_sentence: int = -1  # the index of the sentence holding `trigger` (a list line's is its opener's)

    def __post_init__(self) -> None:
        if self.trigger_sentence < 0:
            self.trigger_sentence = self.sentence.index

    @property
    def platform(self) -> str:
        return self.service.value

    def key(self, threatened: bool) -> tuple[str, str, str]:
        """The contract's matching key of the event this candidate would make."""
        return (self.country, self.platform.lower(), "threaten" if threatened else self.klass)

    def around(self, back: int, ahead: int) -> list[int]:
        """The sentences a field ranker reads: from `back` before the earlier of the candidate's sentence and
        its measure word's (a list line's opener) to `ahead` after its sentence."""
        i = self.sentence.index
        return list(range(max(0, min(i, self.trigger_sentence) - back), min(len(self.doc.sentences), i + ahead + 1)))


def read(text: str, pack: Pack, published: str | None = None, title: str | None = None) -> Doc:
    sents = sentences(text, pack.lang.code, title, pack.lang.ordinal_dots)
    matches = []
    for s in sents:
        ms = pack.annotate(s)
        matches.append(ms + unknown_services(s, ms, pack))
    doc = Doc(text, pack.lang.code, published, title, sents, matches)
    for s, ms in zip(sents, matches, strict=True):
        codes = _countries(ms)
        if s.is_title:
            doc.title_countries = codes
        doc.doc_countries.update(codes)
    return doc


def _countries(ms: list[Match]) -> list[str]:
    """Countries a sentence names, by name, demonym or the authority it names, in order of appearance."""
    out: list[str] = []
    for m in ms:
        if m.kind in ("country", "authority") and m.value and m.value not in out:
            out.append(m.value)
    return out


def class_of(action: str, platform: str) -> str:
    """The class a measure word makes against this service: cutting the internet is a shutdown, "shutting
    down" an app is a block."""
    klass = vocabulary.measure_class(action) or action
    if platform in NETWORK and action in ("block", "ban", "shutdown"):
        return "shutdown"  # a partial restriction of the network ("restrictions on mobile internet") stays one
    if platform not in NETWORK and klass == "shutdown":
        return "restrict"
    return klass


def _context_country(doc: Doc, sent: Sentence) -> tuple[list[str], str]:
    """Countries for a sentence that names none: for a list line, its opening sentence's; else those of the
    nearest earlier sentence of the paragraph that names any; else the title's, the text's main one.
    Every country of that sentence is offered, not only its last ("Moldova's security service blocked
    31 Russian outlets"): the model weighs them (features.py: country_main, country_title, country_share).
    With only the last, candidates reached 2,602 gold events of the train split instead of 2,620 (both with
    the list lookback of _head_triggers kept within its paragraph)."""
    if sent.list_head is not None:
        head = doc.sentences[sent.list_head]
        codes = _countries(doc.matches[head.index])
        if codes:
            return codes, "paragraph"
        return _context_country(doc, head)
    if sent.paragraph >= 0:
        for prev in range(sent.index - 1, -1, -1):
            other = doc.sentences[prev]
            if other.paragraph != sent.paragraph:
                break
            codes = _countries(doc.matches[prev])
            if codes:
                return codes, "paragraph"
    if doc.title_countries:
        return doc.title_countries[:1], "title"
    if doc.doc_countries:
        return [doc.doc_countries.most_common(1)[0][0]], "text"
    return [], "none"


def candidates(doc: Doc) -> list[Candidate]:
    out: list[Candidate] = []
    for sent, ms in zip(doc.sentences, doc.matches, strict=True):
        if sent.is_title:
            continue
        triggers = [m for m in ms if m.kind == "trigger"]
        services, service_source = _services(ms), "sentence"
        if not services and triggers:
            services, service_source = _earlier_services(doc, sent), "previous"
        if not services:
            continue
        from_head, at = False, sent.index
        if not triggers and sent.list_head is not None:  # a list line: its measure opens the list
            (at, triggers), from_head = _head_triggers(doc, doc.sentences[sent.list_head]), True
        if not triggers:
            continue
        here = [m for m in ms if m.kind in ("country", "authority") and m.value]
        contents = [m for m in ms if m.kind == "content"]
        for svc in services:
            by_class: dict[str, Match] = {}
            for t in triggers:
                for klass in _classes(t, svc, contents):
                    best = by_class.get(klass)
                    if best is None or abs(t.center - svc.center) < abs(best.center - svc.center):
                        by_class[klass] = t
            countries = _sentence_countries(here)
            codes, source = _context_country(doc, sent)
            pairs = [(code, "sentence", m) for code, m in countries]
            # the country a sentence names is not always the one acting ("the Centre banned 59 apps amid the
            # stand-off with China"): the context's country is a candidate too, and the model weighs both
            pairs += [(code, source if not countries else "context", None) for code in codes
                      if code not in {c for c, _ in countries}]
            for klass, trig in by_class.items():
                for code, source, cm in pairs:
                    out.append(Candidate(doc, sent, svc, trig, klass, code, source, cm, from_head, service_source,
                                         at))
    return out


def _classes(trigger: Match, service: Match, contents: list[Match]) -> list[str]:
    """The classes a measure word may make against a service: its own, and a takedown order when it blocks
    or bans content rather than the service ("ordered X to block 20 accounts", "banned posts on Y")."""
    klass = class_of(trigger.value, service.value)
    if klass == "restrict" and any(0 <= m.first - trigger.last <= 4 for m in contents):
        return [klass, "takedown_order"]
    return [klass]


#: How many sentences back a measure told without naming its service may look for it ("The restrictions
#: were lifted on 10 November.").
LOOK_BACK = 3


def _back(doc: Doc, first: int, last: int, paragraph: int | None = None) -> Iterator[int]:
    """Sentence indexes from `first` back to `last`, stopping at the headline and, when `paragraph` is
    given, at a sentence of another paragraph."""
    for index in range(first, max(last, 0) - 1, -1):
        other = doc.sentences[index]
        if other.is_title or (paragraph is not None and other.paragraph != paragraph):
            return
        yield index


def _earlier_services(doc: Doc, sent: Sentence) -> list[Match]:
    """The services of the nearest earlier sentence that names any, up to LOOK_BACK sentences back, within
    the measure's paragraph. (Looking across a paragraph break too, retrained, read worse on dev: event F1
    0.569 against 0.577, document precision 0.817 against 0.850. So did it only where the sentence points
    back with a noun, "barred the app", up to six sentences: candidates reach 2,994 of the train split's
    3,625 gold events instead of 2,916, with 16% more candidates, and dev event F1 read 0.621 against 0.637,
    seed 7, stop 29.)"""
    for index in _back(doc, sent.index - 1, sent.index - LOOK_BACK, sent.paragraph):
        found = _services(doc.matches[index])
        if found:
            return found
    return []


def _head_triggers(doc: Doc, head: Sentence) -> tuple[int, list[Match]]:
    """The measure words of a list's opening sentence or, when it has none ("The list includes:", "Services
    affected:"), of the nearest earlier sentence that has some, up to LOOK_BACK sentences back, across a
    paragraph break too (an opener often starts a paragraph of its own). Measured at stop 25, retrained: on
    the train split candidates reach 2,654 gold events instead of 2,620 when kept within the paragraph,
    on dev 907 instead of 900; dev event F1 0.642 against 0.629, out of fold the same (0.649, 0.650)."""
    for index in _back(doc, head.index, head.index - LOOK_BACK):
        found = doc.of(index, "trigger")
        if found:
            return index, found
    return head.index, []


def _services(ms: list[Match]) -> list[Match]:
    """One match per service named in the sentence (the first), in order."""
    seen: dict[str, Match] = {}
    for m in ms:
        if m.kind == "platform" and m.value and m.value not in seen:  # an empty value blocks a shorter name
            seen[m.value] = m  # ("internet sitesi", a website, is not "internet")
    return list(seen.values())


def _sentence_countries(ms: list[Match]) -> list[tuple[str, Match]]:
    seen: dict[str, Match] = {}
    for m in ms:
        seen.setdefault(m.value, m)
    return list(seen.items())
