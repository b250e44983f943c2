"""The registry of languages the extractor reads: one folder of data plus one registration each.

A language's knowledge lives in `models/languages/<code>/` (its lexicon of measure words and cues, and
the names of services, countries and authorities as written in it); this module says how to read it:
which lemmatizer, whether names take suffixes (Turkish "Twitter'a") or attached prefixes (Arabic
"وتويتر"), which spaCy pipeline parses it when one exists. Registrations are made the way an outside
module would make them (`register_languages(register)`, as llm's hooks and datasette's DEFAULT_PLUGINS),
and TRACKER_LANGUAGES names extra modules. A text in a language without a registration is reported as
skipped, never silently dropped.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Language:
    """How to read one language; its data is in models/languages/<code>/."""

    code: str  # ISO 639-1
    name: str  # in English
    lemmatizer: str = "simplemma"  # "simplemma", "pymorphy3" or "none"
    parser: str | None = None  # spaCy pipeline with a dependency parser, when the package is installed
    suffixes: bool = False  # names take case endings ("Twitter'a", "Türkiye'de")
    proclitics: tuple[str, ...] = ()  # letters attached before a name ("و", "ب", "ال")
    articles: tuple[str, ...] = ()  # of those, the ones a name keeps when it is quoted: its article ("ال")
    dateparser_locale: str | None = None  # dateparser language for dates written out (default: code)
    casing: bool = True  # the script has capital letters (names of unknown services can be seen)
    ordinal_dots: bool = False  # "1." before a noun is an ordinal, not a sentence end ("Ankara 1. Sulh Ceza")
    direction: str = "ltr"  # "rtl" for scripts written right to left (HTML `dir`, so quotes in mail read right)


def register_languages(register: Callable[[Language], None]) -> None:
    """The built-in languages."""
    register(Language("en", "English", parser="en_core_web_sm"))
    register(Language("ru", "Russian", lemmatizer="pymorphy3"))
    register(Language("tr", "Turkish", suffixes=True, ordinal_dots=True))
    register(Language("fa", "Persian", proclitics=("و", "ب", "از", "در", "به", "ی"), casing=False, direction="rtl"))
    register(Language("ar", "Arabic", proclitics=("وبال", "وال", "بال", "فال", "كال", "ولل", "لل", "ال", "وب", "ول",
                                                  "وك", "فب", "و", "ب", "ف", "ل", "ك"), articles=("ال",),
                      casing=False, direction="rtl"))
    register(Language("es", "Spanish"))
    register(Language("pt", "Portuguese"))
    register(Language("fr", "French", parser="fr_core_news_sm", proclitics=("l'", "l’", "d'", "d’", "qu'", "qu’"),
                      articles=("l'", "l’")))
    register(Language("id", "Indonesian"))


#: Modules whose `register_languages` provide the built-in languages.
BUILTIN = ("tracker.languages",)


@cache
def languages() -> dict[str, Language]:
    """Every registered language by code: the built-ins, then the modules named in TRACKER_LANGUAGES."""
    found: dict[str, Language] = {}

    def register(lang: Language) -> None:
        if lang.code in found:
            raise ValueError(f"language {lang.code!r} is registered twice")
        found[lang.code] = lang

    extra = [m.strip() for m in os.environ.get("TRACKER_LANGUAGES", "").split(",") if m.strip()]
    for module in (*BUILTIN, *extra):
        importlib.import_module(module).register_languages(register)
    return found


def language(code: str | None) -> Language | None:
    """The registered language with this code, or None (the text is then reported as skipped)."""
    return languages().get((code or "").lower())


def language_name(code: str | None) -> str:
    """The English name of a registered language ("ru" -> "Russian"); the code itself for another one."""
    lang = language(code)
    return lang.name if lang else (code or "")


def direction(code: str | None) -> str:
    """The writing direction of a language: "rtl" (Arabic, Persian) or "ltr" (every other, packless ones too)."""
    lang = language(code)
    return lang.direction if lang else "ltr"


# ---- which language a text is in -----------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]{2,}")

#: From this many characters on, detection is right about every time: on the corpus's train and dev texts
#: py3langid was right for 100% of texts read whole or from their first 400 characters, 99.3% from the
#: first 200, 95.4% from 120 and 91.4% from 60 (725 texts; 99.5%, 96.5% and 92.6% on the 952 of today:
#: bench/langid.py, README, Languages). Shorter texts trust the page first.
DETECT_FROM = 200
#: Detection reads at most this many characters: the measurements above find it right from 400 on, every
#: corpus text gets the same answer from its first 1,000 as from its first 5,000, and py3langid's time grows
#: with the length (0.7 ms for 1,000 characters, about 2 ms for a long article's 5,000 on this machine; the
#: backfill detects the language of every page its scan keeps).
DETECT_SAMPLE = 1000


def detect(text: str) -> str | None:
    """ISO 639-1 code of the text's language by py3langid (its model ships in the package), or None when
    there are too few words to tell."""
    sample = text[:DETECT_SAMPLE]
    if len(_WORD.findall(sample)) < 4:
        return None
    import py3langid  # loads its model on first use

    lang, _score = py3langid.classify(sample)
    return lang


def decide(text: str, declared: str = "", source_language: str = "") -> str:
    """The one language decision for a page, made at crawl time and stored with it: detected from the text
    when there is enough of it; for a shorter text the page's declared language (<html lang>), then the
    source's (feeds.toml), then detection anyway."""
    declared = (declared or "").split("-")[0].split("_")[0].lower()[:2]
    if len(text) < DETECT_FROM and (declared or source_language):
        return declared or source_language
    return detect(text) or declared or source_language or ""
