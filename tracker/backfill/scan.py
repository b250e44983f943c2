"""The cheap first pass of a backfill: is this raw page worth parsing at all?

A web archive is mostly pages that state no measure (sport, weather, markets), and parsing one with
trafilatura and reading it with the extractor costs tens of milliseconds; this pass costs a fraction of
one. It looks at the page's visible words (scripts, styles, comments and tags cut out with one regular
expression, no parser) for a measure word of any language pack near the name of a service, within
`window` characters: the extractor only ever proposes a candidate where a sentence holds both (or the
service stands a few sentences before), so a page without such a pair cannot yield an event.

The words are the packs' own, never a list written here (models/languages/<code>/lexicon.csv `trigger`
rows; the service names of models/platform_aliases.csv, models/platforms.csv and each pack's names.csv).
A lexicon word matches a token by its lemma, so a pattern word stands here for every form that the pack's
lemmatizer maps to it (simplemma's dictionary read backwards; pymorphy3's lexeme for Russian); a stem
(`заблокир*`) and a Turkish word that takes suffixes match as prefixes; Arabic and Persian words may carry
proclitics, so no word boundary is asked before them. Multi-word patterns need their longest word only.
All of it is matched in one pass of an Aho-Corasick automaton (pyahocorasick).

Measured by bench/backfill.py (the share of a news mix it skips) and tests/test_backfill_scan.py (the
share of the corpus's positive texts it keeps, which must stay at least 99%).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import ahocorasick

from .. import vocabulary
from ..extract.candidates import LOOK_BACK
from ..extract.text import _MARKS
from ..languages import Language, languages
from ..paths import models_dir

#: Key flags: which kind of word, and which word boundaries it asks for.
TRIGGER, SERVICE = 1, 2
NO_LEFT, NO_RIGHT = 4, 8
#: Pattern kinds: a measure word (lexicon `trigger`), or a noun that introduces a service the gazetteers lack
#: (lexicon `service_noun`: "the site", "apps", "outlets such as"), which the extractor reads as a service.
MEASURE, NOUN = "trigger", "service_noun"

#: What never reaches the extractor: parts a reader never sees (scripts, styles, comments, templates), the
#: page's furniture that trafilatura leaves out of the main text (navigation, footer, asides, buttons:
#: where "Follow us on Twitter" and the share links sit). Cut by one expression that stops at the first
#: closing tag, so a nested element of the same name leaves its tail behind: the scan then sees a few words
#: more, never fewer. A <form> is not cut: some sites wrap the whole page in one.
_HIDDEN_TAGS = ("script", "style", "noscript", "template", "svg", "nav", "footer", "aside", "button", "select")


def _tag_name(tag: str) -> str:
    """A tag name in any case of its ASCII letters, as HTML reads it (never "ſcript", which Unicode's case
    folding would take for "script")."""
    return "".join(f"[{c}{c.upper()}]" for c in tag)


_ASCII_SPACE = "[ \t\n\r\f]"
_HIDDEN = re.compile("|".join(rf"<{_tag_name(t)}\b.*?</{_tag_name(t)}{_ASCII_SPACE}*>" for t in _HIDDEN_TAGS)
                     + "|<!--.*?-->", re.DOTALL)
#: The same cut done faster: the opening found by one expression, its end by another made for its tag (a lazy
#: expression tries every character of a long script), both on the page as it is (lowering a whole page
#: first cost more than the search).
_HIDDEN_OPEN = re.compile("<(" + "|".join(_tag_name(t) for t in _HIDDEN_TAGS) + ")\\b|<!--")
_HIDDEN_CLOSE = {t: re.compile(f"</{_tag_name(t)}{_ASCII_SPACE}*>") for t in _HIDDEN_TAGS}
#: Tags that end a line of text (a paragraph, a heading, a list item, a cell), and every other tag.
_BLOCK_TAG = re.compile(r"</?(?:p|div|li|h[1-6]|br|tr|td|th|dt|dd|ul|ol|table|article|section|header|main|"
                        r"blockquote|figure|figcaption|pre|hr)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_LINE = "\x00"
_LINES = re.compile(r" ?\x00[\x00 ]*")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
#: Where a sentence ends, roughly as the extractor's splitter cuts (tracker.extract.text): final punctuation
#: before a space, or the end of a line.
_SENTENCE_END = re.compile(r"[.!?؟۔…](?=\s)|\n")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)


@dataclass(frozen=True)
class Terms:
    """The scan's words. `folded` and `exact` (case-exact service names such as "X", "Signal") hold
    (key, flags, key id). A lexicon pattern is found from its longest word, its anchor, by the automaton:
    `anchors[key id]` lists the patterns anchored at a key, and `patterns[pattern id]` is (lexicon weight,
    kind, its other words): each the key ids of its forms, or for a word of one or two letters ("de", "to",
    an Arabic particle) a regular expression tried only near the anchor, since such keys would match
    everywhere."""

    folded: tuple[tuple[str, int, int], ...]
    exact: tuple[tuple[str, int, int], ...]
    anchors: tuple[tuple[int, ...], ...]
    patterns: tuple[tuple[float, str, tuple[tuple[int, ...] | str, ...]], ...]

    @property
    def size(self) -> int:
        return len(self.folded) + len(self.exact)


def _inflections(lang: Language, lemmas: set[str]) -> dict[str, set[str]]:
    """The forms the pack's lemmatizer maps to each of `lemmas` (the lemma itself included)."""
    forms: dict[str, set[str]] = {lemma: {lemma} for lemma in lemmas}
    if lang.lemmatizer == "pymorphy3":
        morph = _morph(lang.code)
        for lemma in lemmas:
            for parse in morph.parse(lemma):
                if parse.normal_form == lemma:
                    forms[lemma].update(f.word for f in parse.lexeme)
    elif lang.lemmatizer == "simplemma":
        # the factory simplemma.lemmatize uses: its cache keeps one copy of each dictionary in the process
        from simplemma.strategies.dictionaries.dictionary_factory import DEFAULT_DICTIONARY_FACTORY

        try:
            table = DEFAULT_DICTIONARY_FACTORY.get_dictionary(lang.code)
        except (ValueError, OSError):  # simplemma has no dictionary for this language
            return forms
        raw = getattr(table, "_dict", None)  # its bytes -> bytes table: read without decoding every entry
        if isinstance(raw, dict):
            wanted = {lemma.encode(): lemma for lemma in lemmas}
            for form, lemma in raw.items():
                if lemma in wanted:
                    forms[wanted[lemma]].add(form.decode().lower())
        else:
            for form, lemma in table.items():
                if lemma.lower() in forms:
                    forms[lemma.lower()].add(form.lower())
    return forms


@cache
def _morph(code: str):
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=code)


def _glued(lang: Language) -> int:
    """NO_LEFT when the language writes proclitics as letters glued to the word (Arabic "و", "ال"); a
    proclitic ending in an apostrophe (French "l'") leaves a boundary of its own."""
    return NO_LEFT if any(p.isalpha() for p in lang.proclitics) else 0


def _lexicon_patterns(lang: Language) -> list[tuple[list[tuple[str, int]], float, str]]:
    """The pack's measure-word and service-noun patterns, each as its words' keys ((key, flags) per form),
    anchor first, its weight and its kind."""
    from ..extract.lexicon import pack

    p = pack(lang.code)
    if p is None:
        return []
    weights: dict[tuple[str, tuple[str, ...]], float] = {}
    for e in p.entries:
        if e.kind in (MEASURE, NOUN):
            words = (e.kind, tuple(w for w in e.pattern if w not in ("*", "**")))
            weights[words] = max(weights.get(words, 0.0), e.weight)
    left = _glued(lang)
    lemmas = {w for _kind, words in weights for w in words if not w.endswith("*")}
    forms = _inflections(lang, lemmas)
    # the anchor of a phrase (the word the automaton looks for) is its rarest word among the pack's phrases,
    # the longest on a tie: "internet" or "доступ" stand in dozens of phrases, "corte" or "закрыть" in few
    uses: dict[str, int] = {}
    for _kind, words in weights:
        for w in set(words):
            uses[w] = uses.get(w, 0) + 1
    out = []
    for (kind, words), weight in weights.items():
        keyed = []
        for w in words:
            if w.endswith("*"):
                keyed.append([(w[:-1], TRIGGER | left | NO_RIGHT)] if w[:-1] else [])
            else:
                # a Turkish word takes case endings after the pattern (Pack._clitic_ok: 4 letters or more)
                right = NO_RIGHT if lang.suffixes and len(w) >= 4 else 0
                keyed.append([(f, TRIGGER | left | right) for f in forms[w] if f])
        # the anchor first: a word with no form of one or two letters (those match everywhere), then the rarest
        # among the pack's phrases, then the longest
        order = sorted(range(len(words)), key=lambda i: (min((len(k) for k, _f in keyed[i]), default=0) <= _TINY,
                                                         uses[words[i]], -len(words[i].rstrip("*"))))
        keyed = [keyed[i] for i in order]
        if all(keyed):
            out.append((keyed, weight, kind))
    return out


def _service_rows() -> Iterable[tuple[str, bool, Language | None]]:
    """(name, case-exact, language or None for the shared gazetteers) of every service name with a value (an
    empty value blocks a shorter name: "internet providers" is no service)."""
    from ..extract.lexicon import _shared_names

    for row in _shared_names():
        if row[1] == "platform" and row[2]:
            yield row[0], bool(row[3]), None
    for lang in languages().values():
        path = models_dir() / "languages" / lang.code / "names.csv"
        if not path.exists():
            continue
        for row in vocabulary.read_csv(path):
            if row.get("kind") == "platform" and row.get("value"):
                yield row["name"], (row.get("case") or "") == "exact", lang


def _service_key(name: str, exact: bool, lang: Language | None) -> tuple[str, int]:
    flags = SERVICE
    if lang is not None:
        flags |= _glued(lang)
        if lang.suffixes and len(name) >= 5:  # "Twitter'a", "YouTube'da" (Pack._name_token_ok)
            flags |= NO_RIGHT
    key = _SPACE.sub(" ", name.strip())
    return (key if exact else fold(key)), flags


def fold(text: str) -> str:
    """Lower case of the same length, so offsets in the folded text are offsets in the original."""
    low = text.replace("İ", "i").lower()  # the one common letter whose lower case is two characters
    if len(low) == len(text):
        return low
    from ..extract.text import lower

    return lower(text)


@cache
def scan_terms() -> Terms:
    """Every language's measure-word patterns and every service name, as automaton keys (built once a process)."""
    keys: dict[tuple[bool, str], int] = {}  # (case-exact, key) -> key id
    flags: list[int] = []

    def key_id(key: str, key_flags: int, exact: bool = False) -> int:
        kid = keys.setdefault((exact, key), len(keys))
        if kid == len(flags):
            flags.append(0)
        flags[kid] |= key_flags  # kinds add up; a boundary one language does not ask for is not asked
        return kid

    anchored: dict[int, list[int]] = {}
    patterns: list[tuple[float, str, tuple[tuple[int, ...] | str, ...]]] = []
    for lang in languages().values():
        for keyed, weight, kind in _lexicon_patterns(lang):
            for kid in sorted({key_id(fold(k), f) for k, f in keyed[0]}):  # the anchor
                anchored.setdefault(kid, []).append(len(patterns))
            others = tuple(_word_pattern(forms) if min(len(k) for k, _f in forms) <= _TINY
                           else tuple(sorted({key_id(fold(k), f) for k, f in forms})) for forms in keyed[1:])
            patterns.append((weight, kind, others))
    for name, is_exact, lang in _service_rows():
        key, key_flags = _service_key(name, is_exact, lang)
        if len(key) < 2 and not is_exact:
            continue
        key_id(key, key_flags, is_exact)
    table = sorted(keys.items(), key=lambda item: item[1])
    return Terms(tuple((k, flags[kid], kid) for (exact, k), kid in table if not exact),
                 tuple((k, flags[kid], kid) for (exact, k), kid in table if exact),
                 tuple(tuple(anchored.get(kid, ())) for kid in range(len(keys))), tuple(patterns))


#: Words of at most this many letters are found by a regular expression near their phrase's anchor.
_TINY = 2


def _word_pattern(forms: list[tuple[str, int]]) -> str:
    """A regular expression (source) for one word of a phrase: any of its forms, with their boundaries."""
    parts = []
    for key, flags in sorted(forms):
        left = "" if flags & NO_LEFT else r"(?<!\w)"
        right = "" if flags & NO_RIGHT else r"(?!\w)"
        parts.append(f"{left}{re.escape(fold(key))}{right}")
    return "|".join(parts)


@cache
def _compiled(source: str) -> re.Pattern:
    return re.compile(source)


def _automaton(keys: tuple[tuple[str, int, int], ...]) -> ahocorasick.Automaton | None:
    if not keys:
        return None
    auto = ahocorasick.Automaton()
    for key, flags, key_id in keys:
        auto.add_word(key, (len(key), flags, key_id))
    auto.make_automaton()
    return auto


def _cut_hidden(html: str) -> str:
    """`html` with every hidden part (see _HIDDEN) replaced by a space."""
    parts: list[str] = []
    pos = last = 0
    while (m := _HIDDEN_OPEN.search(html, pos)) is not None:
        end = _hidden_end(html, m)
        if end is None:  # never closed: not cut, as the expression leaves it
            pos = m.end()
            continue
        parts += (html[last:m.start()], " ")
        last = pos = end
    parts.append(html[last:])
    return "".join(parts)


def _hidden_end(html: str, m: re.Match) -> int | None:
    """Where the hidden part opened at `m` ends (after its closing tag or "-->"), or None."""
    if m.group(1) is None:
        e = html.find("-->", m.end())
        return None if e < 0 else e + 3
    close = _HIDDEN_CLOSE[m.group(1).lower()].search(html, m.end())
    return None if close is None else close.end()


def visible_text(html: str) -> str:
    """The words of a page as a reader sees them, roughly: hidden parts and tags cut, spaces collapsed, one
    line per paragraph, heading or list item."""
    text = _TAG.sub(" ", _BLOCK_TAG.sub(_LINE, _cut_hidden(html)))
    if "&" in text:
        import html as html_lib

        text = _ENTITY.sub(lambda m: html_lib.unescape(m.group()), text)
    text = " ".join(text.split())  # str.split: far quicker than a regular expression over a whole page
    if _ARABIC.search(text):
        text = _MARKS.sub("", text)  # Arabic vowel marks and tatweel, as the extractor drops them
    return _LINES.sub("\n", text)


@dataclass
class Hits:
    """What the scan found in one page's visible text (offsets into it)."""

    triggers: list[tuple[int, float]] = field(default_factory=list)  # (offset, lexicon weight)
    services: list[int] = field(default_factory=list)
    nouns: list[int] = field(default_factory=list)


def _within(offsets: list[int], lo: int, hi: int) -> bool:
    """Whether some offset of the sorted list lies in (lo, hi]."""
    i = bisect.bisect_right(offsets, lo)
    return i < len(offsets) and offsets[i] <= hi


class Scanner:
    """Decides from a page's text whether it may state a measure: a measure-word pattern (all its words within
    `span` characters) where the extractor would pair it with a service name (see `near`), at most `window`
    characters apart. A weak word (lexicon weight below `strong`: stop, close, ease, euro) counts only in the
    service's own sentence."""

    def __init__(self, terms: Terms | None = None, *, window: int | None = None, strong: float | None = None,
                 span: int | None = None, look_back: int | None = None):
        from ..settings import tunable

        def setting(value: float | None, key: str) -> float:
            return value if value is not None else tunable("backfill", key)

        self.terms = terms or scan_terms()
        self.window = int(setting(window, "scan_window"))
        self.strong = float(setting(strong, "scan_strong_weight"))
        self.span = int(setting(span, "scan_phrase_span"))
        self.look_back = LOOK_BACK if look_back is None else look_back
        self._folded = _automaton(self.terms.folded)
        self._exact = _automaton(self.terms.exact)
        # keys that anchor a service-noun pattern ("the site", "apps"): without one of them and without a
        # service name, no measure word of the page can pair with anything, so its phrases are not tried
        self._noun_anchors = frozenset(kid for kid, pids in enumerate(self.terms.anchors)
                                       if any(self.terms.patterns[pid][1] == NOUN for pid in pids))

    def hits(self, text: str) -> Hits:
        """Measure-word patterns, service names and service nouns in `text` (visible text). A text with no
        service name and no word that may start a service noun gets no patterns tried: it has nothing to
        pair a measure word with (most pages of an archive)."""
        at: dict[int, list[int]] = {}  # key id -> offsets
        found = Hits()
        low = fold(text)
        for auto, hay in ((self._folded, low), (self._exact, text)):
            if auto is None:
                continue
            for end, (length, flags, kid) in auto.iter(hay):
                start = end - length + 1
                if not flags & NO_LEFT and start > 0 and low[start - 1].isalnum():
                    continue
                if not flags & NO_RIGHT and end + 1 < len(low) and low[end + 1].isalnum():
                    continue
                at.setdefault(kid, []).append(start)
                if flags & SERVICE:
                    found.services.append(start)
        if not found.services and self._noun_anchors.isdisjoint(at):
            return found
        for kid, offsets in at.items():
            for pid in self.terms.anchors[kid]:
                weight, kind, others = self.terms.patterns[pid]
                for p in offsets:
                    if all(self._near_word(word, p, at, low) for word in others):
                        (found.triggers.append((p, weight)) if kind == MEASURE else found.nouns.append(p))
        return found

    def _near_word(self, word: tuple[int, ...] | str, p: int, at: dict[int, list[int]], low: str) -> bool:
        """Whether a phrase's other word stands within the span of its anchor at p."""
        if isinstance(word, str):
            return _compiled(word).search(low, max(0, p - self.span), p + self.span) is not None
        return any(abs(q - p) <= self.span for k in word for q in at.get(k, ()))

    def near(self, text: str, hits: Hits) -> bool:
        """Whether a measure word stands where the extractor would pair it with a service: a service name or
        a service noun in the same sentence; for a strong word, a service name up to `look_back` sentences
        before (the extractor's look-back); for a sentence ending with a colon, one in the lines below it (a
        list). Never more than `window` characters apart."""
        if not hits.triggers or not (hits.services or hits.nouns):
            return False
        ends = [m.start() for m in _SENTENCE_END.finditer(text)]
        services, nouns = sorted(hits.services), sorted(hits.nouns)
        for t, weight in sorted(hits.triggers, key=lambda tw: -tw[1]):
            sent = bisect.bisect_left(ends, t)  # the index of the trigger's sentence
            start = max(ends[sent - 1] if sent > 0 else -1, t - self.window)
            stop = min(ends[sent] if sent < len(ends) else len(text), t + self.window)
            if _within(nouns, start, stop):
                return True
            back = self.look_back if weight >= self.strong else 0
            lo = max(ends[sent - 1 - back] if sent - 1 - back >= 0 else -1, t - self.window)
            hi = stop
            if text[stop:stop + 1] == ":" or text[stop - 1:stop] == ":":
                hi = min(len(text), t + self.window)  # the lines of a list the sentence opens
            if _within(services, lo, hi):
                return True
        return False

    def text_passes(self, text: str) -> bool:
        """A page the extractor could read an event in: a measure word paired with a service (`near`)."""
        return self.near(text, self.hits(text))

    def page_passes(self, html: str) -> bool:
        """The scan of a decoded page: its visible text holds a measure word near a service name."""
        return self.text_passes(visible_text(html))
