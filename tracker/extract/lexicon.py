"""A language's knowledge, loaded once: lemmas, lexicon matches (measure words and cues), names.

`Pack.annotate(sentence)` fills each token's lemma and returns what the sentence holds: the lexicon
entries it matches (trigger, threat, negation, reason, ...) and the names of services, countries and
authorities, each with its token span. Names come from the shared gazetteers (`models/*.csv`, mostly
Latin-script names that every language's press uses: "Twitter", "Roskomnadzor") and from the language's
own `names.csv` (ВКонтакте, Роскомнадзор, تويتر).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path

from .. import vocabulary
from ..languages import Language, language
from ..paths import models_dir
from .text import Sentence, Token, lower


@dataclass(frozen=True)
class Entry:
    kind: str
    pattern: tuple[str, ...]
    value: str
    weight: float


@dataclass(frozen=True)
class Match:
    kind: str  # lexicon kind, or "platform" / "country" / "authority" for names
    value: str  # trigger action, category, canonical platform, country code
    weight: float
    first: int  # token indexes in the sentence, end exclusive
    last: int
    start: int  # character offsets in the text
    end: int

    @property
    def center(self) -> float:
        return (self.first + self.last - 1) / 2


@dataclass(frozen=True)
class Name:
    tokens: tuple[str, ...]  # lower case
    exact: str | None  # the form to match case-sensitively ("X", "VK", "RT"), else None
    kind: str  # platform, country, authority
    value: str  # canonical platform, country code ('' for an authority whose country varies)
    weight: float = 1.0  # below 1 for a place inside a country (models/regions.csv)


def _read(path: Path) -> list[dict[str, str]]:
    return list(vocabulary.read_csv(path)) if path.exists() else []


def _parse_pattern(pattern: str, lang: str) -> tuple[str, ...]:
    return tuple(lower(p, lang) for p in pattern.split())


@dataclass
class Pack:
    """One language's lexicon, names and lemmatizer."""

    lang: Language
    entries: list[Entry]
    names: list[Name]
    by_first: dict[str, list[Entry]] = field(default_factory=dict)
    prefix_entries: list[Entry] = field(default_factory=list)
    names_by_first: dict[str, list[Name]] = field(default_factory=dict)
    #: stem -> positions in prefix_entries of the entries whose first word is that stem ("заблокир*")
    prefix_index: dict[str, list[int]] = field(default_factory=dict)
    stem_lengths: tuple[int, ...] = ()
    word_sets: dict[str, frozenset[str]] = field(default_factory=dict)
    #: what a word may start, worked out once per word and kept (news repeats its words): (form, lemma) ->
    #: the lexicon entries to try there; form -> the names to try there
    _entries_at: dict[tuple[str, str], tuple[Entry, ...]] = field(default_factory=dict, repr=False)
    _names_at: dict[str, tuple[Name, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, list[Entry]] = defaultdict(list)
        for e in self.entries:
            head = e.pattern[0]
            if head.endswith("*") and len(head) > 1:
                self.prefix_entries.append(e)
            else:
                index[head].append(e)
        self.by_first = dict(index)
        stems: dict[str, list[int]] = defaultdict(list)
        for k, e in enumerate(self.prefix_entries):
            stems[e.pattern[0][:-1]].append(k)
        self.prefix_index = dict(stems)
        self.stem_lengths = tuple(sorted({len(stem) for stem in stems}))
        names: dict[str, list[Name]] = defaultdict(list)
        for n in self.names:
            names[n.tokens[0]].append(n)
        self.names_by_first = dict(names)

    def words(self, kind: str) -> frozenset[str]:
        """The one-word patterns of a lexicon kind (list joiners, words that are never names), built once."""
        found = self.word_sets.get(kind)
        if found is None:
            found = self.word_sets[kind] = frozenset(e.pattern[0] for e in self.entries
                                                     if e.kind == kind and len(e.pattern) == 1)
        return found

    # ---- lemmas ------------------------------------------------------------------------------------------

    def lemma(self, word: str) -> str:
        return _lemmatizer(self.lang.code, self.lang.lemmatizer)(word)

    # ---- lexicon -----------------------------------------------------------------------------------------

    def _token_ok(self, pat: str, tok: Token) -> bool:
        if pat.endswith("*") and len(pat) > 1:
            stem = pat[:-1]
            return tok.lower.startswith(stem) or tok.lemma.startswith(stem)
        return tok.lower == pat or tok.lemma == pat or self._clitic_ok(pat, tok.lower)

    def _clitic_ok(self, pat: str, word: str) -> bool:
        if self.lang.suffixes and word.startswith(pat) and len(pat) >= 4:
            return True
        return any(word == p + pat for p in self.lang.proclitics)

    def _match_at(self, toks: list[Token], i: int, pattern: tuple[str, ...]) -> int | None:
        """End index (exclusive) when `pattern` matches from token i, else None; "*" skips up to 3 tokens,
        "**" up to 8 (a list of services: "can use Facebook, Telegram, TikTok and YouTube again")."""
        j = i
        k = 0
        while k < len(pattern):
            pat = pattern[k]
            if pat in ("*", "**"):
                nxt = pattern[k + 1] if k + 1 < len(pattern) else None
                for skip in range(4 if pat == "*" else 9):
                    if j + skip < len(toks) and nxt and self._token_ok(nxt, toks[j + skip]):
                        j += skip
                        break
                else:
                    return None
                k += 1
                continue
            if j >= len(toks) or not self._token_ok(pat, toks[j]):
                return None
            j += 1
            k += 1
        return j

    def _prefix_hits(self, tok: Token) -> list[Entry]:
        """The stem entries whose stem starts the token's form or lemma, in prefix_entries order: looked up by
        the token's own prefixes, one per stem length, instead of trying every stem on every token."""
        hits: set[int] = set()
        for word in {tok.lower, tok.lemma}:
            for n in self.stem_lengths:
                if n > len(word):
                    break
                hits.update(self.prefix_index.get(word[:n], ()))
        return [self.prefix_entries[k] for k in sorted(hits)]

    def lexicon_matches(self, toks: list[Token]) -> list[Match]:
        out: list[Match] = []
        for i, tok in enumerate(toks):
            candidates = self._entries_at.get((tok.lower, tok.lemma))
            if candidates is None:
                candidates = _remember(self._entries_at, (tok.lower, tok.lemma), self._entries_for(tok))
            for e in candidates:
                end = self._match_at(toks, i, e.pattern)
                if end is not None:
                    out.append(Match(e.kind, e.value, e.weight, i, end, tok.start, toks[end - 1].end))
        return _longest(out)

    def _entries_for(self, tok: Token) -> tuple[Entry, ...]:
        """The entries that may match from this token: by its form then its lemma (in that order: a set's order
        follows the hash seed, and so would the matches'), by a stem, by the word inside its clitics."""
        keys = (tok.lower,) if tok.lemma == tok.lower else (tok.lower, tok.lemma)
        candidates = [e for key in keys for e in self.by_first.get(key, ())]
        candidates += self._prefix_hits(tok)
        if self.lang.proclitics or self.lang.suffixes:
            candidates += [e for e in self._clitic_entries(tok.lower) if e not in candidates]
        return tuple(candidates)

    def _clitic_entries(self, word: str) -> list[Entry]:
        heads = [word[len(p):] for p in self.lang.proclitics if word.startswith(p) and len(word) > len(p) + 1]
        if self.lang.suffixes:
            heads += [word[:n] for n in range(4, len(word))]
        return [e for h in heads for e in self.by_first.get(h, ())]

    # ---- names -------------------------------------------------------------------------------------------

    def _name_token_ok(self, want: str, tok: Token, last: bool, exact: str | None = None) -> bool:
        """Whether a token is a name's word: the same word, or on the name's last word a possessive, a case
        ending (languages with suffixes) or a proclitic before it; `exact` compares case-sensitively."""
        word = tok.text if exact is not None else tok.lower
        want = exact if exact is not None else want
        if word == want:
            return True
        if last and word.startswith(want) and word[len(want):] in ("'s", "’s", "'", "’"):
            return True  # possessive: "Russia's", "Twitter’s"
        if last and self.lang.suffixes and word.startswith(want) and len(want) >= 3:
            rest = word[len(want):]
            return rest[:1] in ("'", "’") or (len(want) >= 5 and rest.isalpha() and len(rest) <= 5)
        return any(word == p + want for p in self.lang.proclitics)

    def _lead(self, tok: Token, name: Name) -> int:
        """How many letters of a name's first word are a proclitic that is not the name's ("و" of "والسعودية",
        and Saudi Arabia; "d'" of "d'Arcep"), so that a name's span, an actor's say, is the name as the text
        writes it; the language's article stays ("السعودية", "l'Arcep")."""
        word, head = tok.lower, name.tokens[0]
        prefix = word[:len(word) - len(head)]
        if not prefix or not word.endswith(head) or prefix not in self.lang.proclitics:
            return 0
        kept = next((a for a in self.lang.articles if prefix.endswith(a)), "")
        return len(prefix) - len(kept)

    def _names_for(self, word: str) -> tuple[Name, ...]:
        """The names whose first word this word may be: itself, without a possessive, inside its clitics or
        (languages with suffixes) before its case ending. The heads in a fixed order (never a set's, which
        follows the hash seed and would make the order of equal-length matches, and so the extraction, differ
        from one process to the next)."""
        heads = [word, word.replace("’", "'").removesuffix("'s").removesuffix("'")]
        heads += [word[len(p):] for p in self.lang.proclitics if word.startswith(p)]
        if self.lang.suffixes:
            heads += [word.replace("’", "'").split("'")[0], *(word[:n] for n in range(5, len(word)))]
        return tuple(name for head in dict.fromkeys(heads) for name in self.names_by_first.get(head, ()))

    def name_matches(self, toks: list[Token], text: str = "", base: int = 0) -> list[Match]:
        """Names in the tokens; with the sentence's `text` (starting at offset `base`), a name's words must
        be separated by spaces only ("Facebook, Messenger" is two names, not "Facebook Messenger")."""
        out: list[Match] = []
        for i, tok in enumerate(toks):
            names = self._names_at.get(tok.lower)
            if names is None:
                names = _remember(self._names_at, tok.lower, self._names_for(tok.lower))
            for name in names:
                n = len(name.tokens)
                if i + n > len(toks):
                    continue
                span = toks[i:i + n]
                if text and any(text[a.end - base:b.start - base].strip() for a, b in pairwise(span)):
                    continue
                exact = name.exact.split(" ") if name.exact is not None else [None] * n
                if len(exact) != n or not all(self._name_token_ok(w, t, k == n - 1, x) for k, (w, t, x) in
                                              enumerate(zip(name.tokens, span, exact, strict=True))):
                    continue
                out.append(Match(name.kind, name.value, name.weight, i, i + n, span[0].start + self._lead(span[0], name),
                                 span[-1].end))
        return _longest(out)

    def annotate(self, sent: Sentence) -> list[Match]:
        """Lemmatise the sentence's tokens and return every lexicon and name match in it."""
        for tok in sent.tokens:
            if not tok.lemma:
                tok.lemma = self.lemma(tok.lower)
        return self.lexicon_matches(sent.tokens) + self.name_matches(sent.tokens, sent.text, sent.start)


#: Words remembered per pack before the memory is cleared (a few MB; a long backfill meets millions of words).
_REMEMBERED = 200_000


def _remember(memo: dict, key: object, value: tuple) -> tuple:
    if len(memo) >= _REMEMBERED:
        memo.clear()
    memo[key] = value
    return value


def _longest(matches: list[Match]) -> list[Match]:
    """Of matches of one kind that overlap, the longest (earliest on a tie) wins; kinds never block each
    other (a trigger word can also be a cue)."""
    out: list[Match] = []
    by_kind: dict[str, list[Match]] = defaultdict(list)
    for m in matches:
        by_kind[m.kind].append(m)
    for ms in by_kind.values():
        taken: list[Match] = []
        for m in sorted(ms, key=lambda m: (-(m.last - m.first), m.first)):
            crossing = any(m.first < t.last and t.first < m.last for t in taken)
            # measure words inside a longer measure phrase are kept ("lifted the ban" tells a lift and the
            # ban it ends; "for failing to remove" is a reason): the features say where each one sits and the
            # model weighs them; for every other kind the longest match wins
            if not crossing or m.kind == "trigger":
                taken.append(m)
        out += taken
    return sorted(out, key=lambda m: (m.first, m.kind))


@cache
def _lemmatizer(code: str, kind: str):
    if kind == "pymorphy3":
        import pymorphy3

        morph = pymorphy3.MorphAnalyzer(lang=code)

        @lru_cache(maxsize=200_000)
        def morph_lemma(word: str) -> str:
            return morph.parse(word)[0].normal_form

        return morph_lemma
    if kind == "simplemma":
        import simplemma

        @lru_cache(maxsize=200_000)
        def simple_lemma(word: str) -> str:
            try:
                return simplemma.lemmatize(word, lang=code).lower()
            except ValueError:
                return word

        return simple_lemma
    return lambda word: word


#: The weight of a country read from a place inside it (a region, a state, a province).
REGION_WEIGHT = 0.8


def _shared_names() -> list[tuple]:
    """(name, kind, value, exact case[, weight]) from the shared gazetteers in models/."""
    out = []
    aliased: set[str] = set()
    for row in vocabulary.read_csv(models_dir() / "platform_aliases.csv"):
        aliased.add(row["alias"].lower())
        if row.get("parent") == "yes":
            continue
        out.append((row["alias"], "platform", row["platform"], row.get("case") == "exact"))
    for name in vocabulary.platforms():
        if name.lower() not in aliased:  # an alias row decides its case: "LINE" and "Signal" only as written
            out.append((name, "platform", name, False))
    for row in vocabulary.read_csv(models_dir() / "countries.csv"):
        out.append((row["name"], "country", row["code"], False))
    for row in vocabulary.read_csv(models_dir() / "country_aliases.csv"):
        out.append((row["alias"], "country", row["code"], True))
    for row in vocabulary.read_csv(models_dir() / "authorities.csv"):
        short = row["name"].isupper() and len(row["name"]) <= 6
        out.append((row["name"], "authority", row.get("country") or "", short))
    for row in vocabulary.read_csv(models_dir() / "regions.csv"):
        out.append((row["name"], "country", row["code"], row["name"].isupper(), REGION_WEIGHT))
    return out


def _name(raw: str, kind: str, value: str, exact: bool, weight: float = 1.0, *, lang: str) -> Name | None:
    from .text import tokens

    toks = tokens(raw, language=lang)
    if not toks:
        return None
    return Name(tuple(t.lower for t in toks), " ".join(t.text for t in toks) if exact else None, kind, value,
                weight)


@cache
def pack(code: str) -> Pack | None:
    """The pack of a registered language (None when the language is not registered)."""
    lang = language(code)
    if lang is None:
        return None
    folder = models_dir() / "languages" / lang.code
    entries = [Entry(r["kind"], _parse_pattern(r["pattern"], lang.code), r.get("value") or "",
                     float(r.get("weight") or 1)) for r in _read(folder / "lexicon.csv")]
    # The shared gazetteers are English names; read in another language's text they must be written as
    # names are ("Cuba", not the Spanish "cuba", a tub; "Mali", not the Turkish "mali", financial).
    shared = _shared_names()
    if lang.code != "en" and lang.casing:
        shared = [(row[0], row[1], row[2], True, *row[4:]) for row in shared]
    raw = shared + [(r["name"], r["kind"], r.get("value") or "", (r.get("case") or "") == "exact")
                    for r in _read(folder / "names.csv")]
    names = [n for n in (_name(*row, lang=lang.code) for row in raw) if n is not None]
    return Pack(lang, entries, names)
