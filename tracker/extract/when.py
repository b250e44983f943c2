"""Dates in any of tracker's languages, resolved against the publication date (docs/annotation.md, date).

Month and weekday names and the words for today and yesterday come from dateparser's locale data (shipped
inside the package, nothing downloaded), so one set of patterns reads "4 March 2022", "4 марта 2022 г.",
"4 Mart 2022", "4 de marzo de 2022", "٤ مارس ٢٠٢٢" and "Friday"/"пятницу"/"cuma". Persian texts also give
Solar Hijri dates ("۲۶ آبان ۱۳۹۸"), converted here. A date keeps the precision the text gives: a day, a
month or a year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december")
_WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Russian months after "в" ("в марте"), a case dateparser's data leaves out.
_RUSSIAN_IN_MONTH = ("январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре",
                     "октябре", "ноябре", "декабре")
#: The months of the Solar Hijri calendar, as the Iranian press writes them.
_JALALI = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
#: Levantine and Iraqi month names used by Arabic press beside the Egyptian ones dateparser knows.
_ARABIC_MONTHS = ("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
                  "تشرين الأول", "تشرين الثاني", "كانون الأول")


@dataclass(frozen=True)
class Found:
    start: int  # offsets in the text searched
    end: int
    value: str  # YYYY-MM-DD, YYYY-MM or YYYY
    relative: bool  # a weekday or "yesterday": only meaningful against the publication date


def normalise_digits(text: str) -> str:
    """Arabic-Indic and Persian digits as ASCII digits (same length)."""
    return text.translate(_DIGITS)


#: Words that join the two days of a range ("15 and 18 June", "du 3 au 5 mai", "5 и 6 октября", "6 ile 7 Ekim").
_RANGE_JOINERS = "and|to|through|or|y|al|a|e|até|et|au|à|ou|и|по|или|ile|ve|dan|hingga|sampai|و|تا|إلى|الى"


#: Languages whose month names are capitalised (a lower-case "march" or "august" is another word).
_CAPITALISED_MONTHS = {"en": True, "id": True}


@dataclass(frozen=True)
class _Tables:
    lang: str
    months: dict[str, int]
    weekdays: dict[str, int]
    today: tuple[str, ...]
    yesterday: tuple[str, ...]
    month_rx: str
    weekday_rx: re.Pattern
    day_month: re.Pattern
    day_range: re.Pattern  # "between 15 and 18 June 2019", "5 и 6 октября": dated by the first day
    month_day: re.Pattern
    month_year: re.Pattern
    relative_rx: re.Pattern | None
    bare_month: re.Pattern  # a month named alone ("in early April", "в марте")
    periods: dict[str, tuple[str, int]]  # "last month" -> ("month", 1), "this year" -> ("year", 0)
    period_rx: re.Pattern | None


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def _tables(lang: str) -> _Tables:
    from dateparser.languages import default_loader

    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    today: list[str] = []
    yesterday: list[str] = []
    periods: dict[str, tuple[str, int]] = {}
    own: set[str] = set()  # the text language's own month names, for months named alone
    for code in dict.fromkeys((lang, "en")):
        try:
            info = default_loader.get_locale(code).info
        except (KeyError, ValueError):
            continue
        for i, key in enumerate(_MONTH_KEYS, 1):
            for name in info.get(key, []):
                if len(name) >= 3 and not name[0].isupper():
                    months.setdefault(name.lower().rstrip("."), i)
                    if code == lang and len(name) >= 4 and not name.endswith("."):
                        own.add(name.lower())
        for i, key in enumerate(_WEEKDAY_KEYS):
            for name in info.get(key, []):
                if len(name) >= 4:
                    weekdays.setdefault(name.lower(), i)
        rel = info.get("relative-type", {})
        today += [w for w in rel.get("0 day ago", []) if len(w) >= 3]
        yesterday += [w for w in rel.get("1 day ago", []) if len(w) >= 3 and not any(c.isdigit() for c in w)]
        for unit in ("week", "month", "year"):
            for n in (0, 1):
                for w in rel.get(f"{n} {unit} ago", []):
                    if len(w) >= 5 and not any(c.isdigit() for c in w):
                        periods.setdefault(w.lower(), (unit, n))
                        periods.setdefault(_persian_letters(w.lower()), (unit, n))
    if lang == "ar":
        months.update({m: i for i, m in enumerate(_ARABIC_MONTHS, 1)})
        own.update(_ARABIC_MONTHS)
    if lang == "ru":
        months.update({m: i for i, m in enumerate(_RUSSIAN_IN_MONTH, 1)})
        own.update(_RUSSIAN_IN_MONTH)
    if lang == "en":
        months.pop("may", None)  # the modal verb; "May" is read with a day or a year only, below
    ordinal = r"(?:st|nd|rd|th|er|e|º|ª|\.|-?го|-?е|'?[ıiuü]n[cç][ıiuü]|'?[ıiuü]nc[ıiuü])?"
    month_rx = _alt([*months, *(["may"] if lang == "en" else [])])
    day_month = re.compile(rf"(?<!\d)(\d{{1,2}}){ordinal}\s+(?:de\s+|of\s+)?({month_rx})\.?(?:,?\s+(?:de\s+|del\s+)?"
                           rf"(\d{{4}}))?(?!\w)", re.IGNORECASE)
    day_range = re.compile(rf"(?<!\d)(\d{{1,2}}){ordinal}\s*(?:[-–—]|\s(?:{_RANGE_JOINERS})\s)\s*(\d{{1,2}}){ordinal}\s+"
                           rf"(?:de\s+|of\s+)?({month_rx})\.?(?:,?\s+(?:de\s+|del\s+)?(\d{{4}}))?(?!\w)", re.IGNORECASE)
    month_day = re.compile(rf"(?<!\w)({month_rx})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(\d{{4}}))?",
                           re.IGNORECASE)
    month_year = re.compile(rf"(?<!\w)({month_rx})\.?,?\s+(?:de\s+|del\s+|of\s+)?(\d{{4}})(?!\d)", re.IGNORECASE)
    weekday_rx = re.compile(rf"(?<!\w)({_alt(weekdays)})(?!\w)", re.IGNORECASE) if weekdays else re.compile("$^")
    relative = [*today, *yesterday]
    relative_rx = re.compile(rf"(?<!\w)({_alt(relative)})(?!\w)", re.IGNORECASE) if relative else None
    bare_month = re.compile(rf"(?<!\w)({_alt(m for m in own if m != 'may')})(?!\w)", re.IGNORECASE)
    period_rx = re.compile(rf"(?<!\w)({_alt(periods)})(?!\w)", re.IGNORECASE) if periods else None
    return _Tables(lang, months, weekdays, tuple(today), tuple(yesterday), month_rx, weekday_rx, day_month, day_range,
                   month_day,
                   month_year, relative_rx, bare_month, periods, period_rx)


def _persian_letters(text: str) -> str:
    """dateparser writes Persian with Arabic yeh and kaf; the Persian press uses the Persian letters."""
    return text.replace("\u064a", "\u06cc").replace("\u0643", "\u06a9")


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _year_for(month: int, day: int | None, pub: date | None) -> int | None:
    """The year of a day or month given without one: the publication's, unless that lies well ahead."""
    if pub is None:
        return None
    probe = _safe(pub.year, month, day or 1)
    return pub.year - 1 if probe and (probe - pub).days > 45 else pub.year


def jalali_to_gregorian(jy: int, jm: int, jd: int) -> date:
    """A Solar Hijri date as a Gregorian one (the arithmetic of the 33-year cycle)."""
    jy += 1595
    days = -355668 + 365 * jy + (jy // 33) * 8 + ((jy % 33) + 3) // 4 + jd
    days += (jm - 1) * 31 if jm < 7 else (jm - 7) * 30 + 186
    gy = 400 * (days // 146097)
    days %= 146097
    if days > 36524:
        days -= 1
        gy += 100 * (days // 36524)
        days %= 36524
        if days >= 365:
            days += 1
    gy += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        gy += (days - 1) // 365
        days = (days - 1) % 365
    gd = days + 1
    leap = (gy % 4 == 0 and gy % 100 != 0) or gy % 400 == 0
    lengths = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    gm = 0
    while gm < 12 and gd > lengths[gm]:
        gd -= lengths[gm]
        gm += 1
    return date(gy, gm + 1, gd)


_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_NUMERIC = re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})[./](\d{4})(?!\d|\.\d)")
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)")
_JALALI_RX = re.compile(r"(?<!\d)(\d{1,2})\s+(" + "|".join(_JALALI) + r")(?:\s+(?:ماه\s+)?(1[34]\d\d))?")


def _numbers(text: str, pub: date | None, lang: str) -> list[Found]:
    out: list[Found] = []
    for m in _ISO.finditer(text):
        d = _safe(int(m[1]), int(m[2]), int(m[3]))
        if d:
            out.append(Found(m.start(), m.end(), d.isoformat(), False))
    for m in _NUMERIC.finditer(text):
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        d = _safe(y, a, b) if lang == "en" and a <= 12 < b else _safe(y, b, a)  # day first, but 12/25/2024
        if d:
            out.append(Found(m.start(), m.end(), d.isoformat(), False))
    for m in _JALALI_RX.finditer(text):
        jy = int(m[3]) if m[3] else None
        if jy is None and pub is not None:
            jy = pub.year - 621 - (1 if (pub.month, pub.day) < (3, 21) else 0)
        if jy:
            try:
                g = jalali_to_gregorian(jy, _JALALI.index(m[2]) + 1, int(m[1]))
            except ValueError:
                continue
            out.append(Found(m.start(), m.end(), g.isoformat(), False))
    return out


def _month(t: _Tables, word: str) -> int:
    """A month name's number (0 when unknown); English "may", left out of the names as a common word, is May."""
    return t.months.get(word.lower().rstrip("."), 5 if word.lower() == "may" else 0)


def _day(t: _Tables, month_word: str, day: int, year_text: str | None, pub: date | None) -> str | None:
    """A named month's day as an ISO date; without a year, the publication's (or the one before)."""
    month = _month(t, month_word)
    if not month:
        return None
    year = int(year_text) if year_text else _year_for(month, day, pub)
    d = _safe(year, month, day) if year else None
    return d.isoformat() if d else None


def _named(text: str, pub: date | None, t: _Tables) -> list[Found]:
    out: list[Found] = []
    for m in t.day_range.finditer(text):  # dated by its first day
        value = _day(t, m[3], int(m[1]), m[4], pub) if int(m[1]) < int(m[2]) else None
        if value:
            out.append(Found(m.start(), m.end(), value, False))
    for rx, month, day, year in ((t.day_month, 2, 1, 3), (t.month_day, 1, 2, 3)):
        for m in rx.finditer(text):
            value = _day(t, m[month], int(m[day]), m[year], pub)
            if value:
                out.append(Found(m.start(), m.end(), value, False))
    for m in t.month_year.finditer(text):
        month = _month(t, m[1])
        if month:
            out.append(Found(m.start(), m.end(), f"{int(m[2]):04d}-{month:02d}", False))
    for m in t.bare_month.finditer(text):  # the last such month up to publication ("in early April")
        month = t.months.get(m[1].lower().rstrip("."), 0)
        if month and (m[1][0].isupper() or not _CAPITALISED_MONTHS.get(t.lang, False)):
            year = _year_for(month, None, pub)
            if year:
                out.append(Found(m.start(), m.end(), f"{year:04d}-{month:02d}", True))
    return out


def _relative(text: str, pub: date | None, t: _Tables) -> list[Found]:
    if pub is None:
        return []
    out: list[Found] = []
    for m in t.weekday_rx.finditer(text):
        back = (pub.weekday() - t.weekdays[m[1].lower()]) % 7
        out.append(Found(m.start(), m.end(), (pub - timedelta(days=back)).isoformat(), True))
    if t.relative_rx is not None:
        for m in t.relative_rx.finditer(text):
            word = m[1].lower()
            days = 1 if word in {w.lower() for w in t.yesterday} else 0
            out.append(Found(m.start(), m.end(), (pub - timedelta(days=days)).isoformat(), True))
    if t.period_rx is not None:
        for m in t.period_rx.finditer(text):
            out.append(Found(m.start(), m.end(), _period(pub, *t.periods[m[1].lower()]), True))
    return out


def _period(pub: date, unit: str, back: int) -> str:
    """"last month" and "this year" at the precision they give; a week is dated by the month of its Wednesday
    (docs/annotation.md)."""
    if unit == "year":
        return f"{pub.year - back:04d}"
    if unit == "week":
        wednesday = pub - timedelta(days=7 * back + pub.weekday() - 2)
        return f"{wednesday.year:04d}-{wednesday.month:02d}"
    month = pub.month - back
    year = pub.year - (1 if month < 1 else 0)
    return f"{year:04d}-{(month - 1) % 12 + 1:02d}"


def find(text: str, lang: str, published: str | None) -> list[Found]:
    """Every date the text gives, most precise first where two overlap, in order of appearance."""
    pub = _published(published)
    text = normalise_digits(text)
    t = _tables(lang)
    found = _numbers(text, pub, lang) + _named(text, pub, t) + _relative(text, pub, t)
    taken: list[Found] = []
    for f in sorted(found, key=lambda f: (-len(f.value), -(f.end - f.start), f.start)):
        if all(f.end <= g.start or f.start >= g.end for g in taken):
            taken.append(f)
    for m in _YEAR.finditer(text):  # a bare year, where no fuller date covers it
        if all(m.end() <= g.start or m.start() >= g.end for g in taken):
            taken.append(Found(m.start(), m.end(), m[1], False))
    return sorted(taken, key=lambda f: f.start)


def _published(value: str | None) -> date | None:
    if not value:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(value))
    return _safe(int(m[1]), int(m[2]), int(m[3])) if m else None
