"""Paragraphs, sentences and tokens of a text, with character offsets, in any of tracker's languages.

Language-independent on purpose: the same rules cut English, Russian, Turkish, Arabic, Persian and the
Latin-script languages, so candidates and features mean the same thing in every language. A sentence
ends at . ! ? ؟ ۔ … followed by space and a letter that may start a sentence (or by a line break); a line
of a list (after a colon, or starting with a bullet or a number) is a sentence of its own. Offsets
always point into the original text, so evidence, actor and justification are exact substrings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: A word: letters and digits of any script, with inner apostrophes, hyphens and dots (U.S., Twitter'a,
#: e-mail, 5651). Arabic tatweel, Arabic vowel marks and the zero-width non-joiner (Persian) stay inside
#: words; the marks are dropped from the form words are compared in (حُجبت is read as حجبت).
_WORD_CHARS = r"\w\u0640\u200c\u064b-\u065f\u0670"
_TOKEN = re.compile(rf"[{_WORD_CHARS}]+(?:['’\-.][{_WORD_CHARS}]+)*", re.UNICODE)
_MARKS = re.compile(r"[\u064b-\u065f\u0670\u0640]")
_SENT_END = re.compile(r"(?<=[.!?؟۔…])[\"'”’»)\]]*\s+(?=[\"'“‘«(\[]?[^\W\d_a-z])|(?<=[.!?؟۔…])\s*\n", re.UNICODE)
_LIST_MARK = re.compile(r"^\s*(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]\s*$")
_BULLET = re.compile(r"^\s*(?:[-–—•*·▪●◦]|\d{1,2}[.)]|[a-z][.)])\s+", re.UNICODE)
#: Words before a full stop that do not end a sentence.
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "st", "no", "nos", "vs", "etc", "inc", "ltd", "co", "corp", "jr", "sr",
    "gen", "gov", "sen", "rep", "col", "lt", "sgt", "capt", "art", "para", "vol", "pp", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "e.g", "i.e", "approx",
    "ст", "г", "гг", "им", "т.е", "т.д", "ул", "р", "руб", "тыс", "млн", "млрд", "sn", "nr",
})


@dataclass
class Token:
    text: str
    start: int
    end: int
    lower: str
    lemma: str = ""


@dataclass
class Sentence:
    """One sentence (or list line, or the title) with its tokens; `index` counts from 0 in the text."""

    start: int
    end: int
    text: str
    paragraph: int
    index: int
    tokens: list[Token] = field(default_factory=list)
    is_title: bool = False
    is_bullet: bool = False
    list_head: int | None = None  # index of the sentence ending with ':' that this list line belongs to


#: Punctuation that ends a clause (a stated reason runs to the first of them).
CLAUSE_END = (",", ";", ".", ":", "!", "?", "—", "–", "(", ")", "،", "؛", "؟")


def clause_end(text: str, toks: list[Token], first: int, limit: int | None = None) -> int:
    """Where the clause that starts at token `first` ends (an exclusive token index): before the first clause
    punctuation after that token, at the sentence's end, or `limit` tokens on."""
    stop = len(toks) if limit is None else min(len(toks), first + limit)
    end = first + 1
    while end < stop and not any(p in text[toks[end - 1].end:toks[end].start] for p in CLAUSE_END):
        end += 1
    return min(end, len(toks))


def lower(text: str, language: str = "") -> str:
    """Case-folded text of the same length, so offsets still line up (Turkish dotted and dotless i kept)."""
    if language in ("tr", "az"):
        text = text.replace("İ", "i").replace("I", "ı")
    out = text.lower()
    return out if len(out) == len(text) else "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def tokens(text: str, offset: int = 0, language: str = "") -> list[Token]:
    low = lower(text, language)
    return [Token(m.group(), m.start() + offset, m.end() + offset, _MARKS.sub("", low[m.start():m.end()]))
            for m in _TOKEN.finditer(text)]


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in re.finditer(r"\n\s*\n", text):
        if text[start:m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _is_abbreviation(chunk: str) -> bool:
    words = chunk.rstrip().rsplit(None, 1)
    last = words[-1].rstrip(".").lower() if words else ""
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


_ORDINAL = re.compile(r"(?<![\d.])\d{1,2}\.$")


def _split_block(text: str, start: int, end: int, ordinal_dots: bool = False) -> list[tuple[int, int]]:
    """Sentence spans of one line or block, by sentence-final punctuation."""
    out, cur = [], start
    for m in _SENT_END.finditer(text, start, end):
        chunk = text[cur:m.start()]
        if _is_abbreviation(chunk) or _LIST_MARK.match(chunk) or (ordinal_dots and _ORDINAL.search(chunk)):
            continue
        if text[cur:m.start()].strip():
            out.append((cur, m.start()))
        cur = m.end()
    if text[cur:end].strip():
        out.append((cur, end))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentences(text: str, language: str = "", title: str | None = None, ordinal_dots: bool = False) -> list[Sentence]:
    """The title (when given, as sentence 0 with offsets into the title), then the text's sentences."""
    out: list[Sentence] = []
    if title and title.strip():
        s, e = _trim(title, 0, len(title))
        out.append(Sentence(s, e, title[s:e], -1, 0, tokens(title[s:e], s, language), is_title=True))
    head: int | None = None  # a list may start after a blank line below the sentence that opens it
    for p, (ps, pe) in enumerate(_paragraph_spans(text)):
        line_start = ps
        for line in text[ps:pe].split("\n"):
            ls, le = line_start, line_start + len(line)
            line_start = le + 1
            if not line.strip():
                continue
            bullet = bool(_BULLET.match(line))
            for s, e in _split_block(text, ls, le, ordinal_dots):
                s, e = _trim(text, s, e)
                if s >= e:
                    continue
                sent = Sentence(s, e, text[s:e], p, len(out), tokens(text[s:e], s, language), is_bullet=bullet,
                                list_head=head if bullet else None)
                out.append(sent)
            if not bullet or line.rstrip().endswith(":"):
                # the sentence before a list opens it, whether or not it ends with a colon; a list line
                # ending with a colon opens a list of its own
                head = len(out) - 1 if out and not out[-1].is_title else None
    return out
