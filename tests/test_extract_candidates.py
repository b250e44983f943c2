"""The deterministic half of extraction v2: sentences, lexicon and name matches, candidates and fields.

The forms real reports take (issue 13, section 3) must reach a candidate whatever the model then decides:
lists of services, bullet lines under a colon, services as modifiers, several countries in one sentence,
takedown orders, the measure words beyond "block", the services the old lists lacked. The model's own
quality is the gate's business (tests/test_gate.py).
"""

from __future__ import annotations

import pytest

from tracker.extract.candidates import Candidate, candidates, read
from tracker.extract.fields import read_actor, read_date, read_reason, read_scope
from tracker.extract.lexicon import pack
from tracker.extract.text import sentences
from tracker.extract.when import find, jalali_to_gregorian


def cands(text: str, lang: str = "en", published: str = "2024-03-15", title: str | None = None) -> list[Candidate]:
    return candidates(read(text, pack(lang), published, title))


def keys(text: str, lang: str = "en", **kw) -> set[tuple[str, str, str]]:
    return {(c.country, c.platform, c.klass) for c in cands(text, lang, **kw)}


# ---- sentences ----------------------------------------------------------------------------------------


def test_sentences_keep_offsets_abbreviations_and_lists():
    text = ("The U.S. embassy said nothing. Mr. Smith agreed.\n\n"
            "The regulator blocked these services:\n\n- Facebook\n- Instagram\n3. Bigo Live")
    sents = sentences(text, "en", "A title")
    assert [s.text for s in sents] == ["A title", "The U.S. embassy said nothing.", "Mr. Smith agreed.",
                                       "The regulator blocked these services:", "- Facebook", "- Instagram",
                                       "3. Bigo Live"]
    assert all(text[s.start:s.end] == s.text for s in sents[1:])
    assert [s.list_head for s in sents[4:]] == [3, 3, 3] and all(s.is_bullet for s in sents[4:])


def test_turkish_ordinals_do_not_end_a_sentence():
    text = "Ankara 1. Sulh Ceza Hakimliği erişim engeli getirdi. Karar açıklandı."
    assert [s.text for s in sentences(text, "tr", ordinal_dots=True)] == [
        "Ankara 1. Sulh Ceza Hakimliği erişim engeli getirdi.", "Karar açıklandı."]


# ---- what real reports look like ------------------------------------------------------------------------


def test_every_service_of_a_list_is_a_candidate():
    text = "Facebook, Instagram, WhatsApp and Telegram were restricted in Ethiopia on Thursday."
    assert {p for _, p, _ in keys(text)} >= {"Facebook", "Instagram", "WhatsApp", "Telegram"}


def test_services_after_including_and_such_as():
    text = "India banned 59 Chinese apps, including TikTok, Shareit and WeChat, on Monday."
    assert {("IN", p, "restrict") for p in ("TikTok", "SHAREit", "WeChat")} <= keys(text)


def test_bullet_lines_take_the_measure_of_the_sentence_that_opens_the_list():
    text = ("Azerbaijan's ministry said the following platforms were blocked on Sunday:\n\n"
            "• Facebook\n• TikTok\n• Medianálisis")
    assert {("AZ", p, "restrict") for p in ("Facebook", "TikTok", "Medianálisis")} <= keys(text)


def test_a_list_whose_opening_sentence_has_no_measure_takes_the_one_before_it():
    # the measure stands in the sentence before the list's opener, in its paragraph or the one before
    text = ("Moldova's security service ordered the blocking of 31 Russian media outlets. The list published "
            "on Monday includes:\n\n- TASS\n- Izvestia")
    assert {("MD", p, "restrict") for p in ("TASS", "Izvestia")} <= keys(text)
    text = ("Togo's government blocked several services on election day.\n\nServices affected:\n\n"
            "- Facebook\n- Signal")
    assert {("TG", p, "restrict") for p in ("Facebook", "Signal")} <= keys(text)


def test_a_sentence_without_a_country_may_take_any_country_of_its_context():
    # "Moldova's ... Russian media outlets": the country is Moldova, not the last country named
    text = "Moldova's security service blocked 31 Russian media outlets, among them:\n\n- TASS"
    assert {("MD", "TASS", "restrict"), ("RU", "TASS", "restrict")} <= keys(text)
    text = "Moldova's security service acted against 31 Russian media outlets. It blocked TASS on Monday."
    assert {("MD", "TASS", "restrict"), ("RU", "TASS", "restrict")} <= keys(text)


def test_a_service_as_modifier_of_a_fine():
    assert ("RU", "Google", "fine") in keys("A Moscow court fined Google 3 million roubles on Tuesday.")


def test_orders_to_remove_or_block_content_are_takedown_candidates():
    assert ("BR", "Twitter", "takedown_order") in keys(
        "Brazil's Supreme Court ordered Twitter to block 20 accounts within 24 hours.")
    assert ("RU", "Telegram", "takedown_order") in keys(
        "Roskomnadzor ordered Telegram to delete the posts by Friday.")


@pytest.mark.parametrize(("text", "key"), [
    ("Authorities in Guinea snapped the internet on Tuesday.", ("GN", "internet", "shutdown")),
    ("The fibre link to the region was severed on orders of Ethiopia's government.", ("ET", "internet", "shutdown")),
    ("Pakistan revoked the licence of Bigo Live on Monday.", ("PK", "Bigo Live", "restrict")),
    ("Users in Iran were prevented from accessing Instagram.", ("IR", "Instagram", "restrict")),
    ("Russia reduced the speed of YouTube on desktop computers.", ("RU", "YouTube", "throttle")),
    ("A communications blackout hit Myanmar's mobile internet on Monday.", ("MM", "mobile internet", "shutdown")),
    ("Tanzania announced the restoration of access to Twitter.", ("TZ", "Twitter", "unblock")),
])
def test_measure_words_beyond_block(text, key):
    assert key in keys(text)


def test_several_countries_in_one_sentence_give_a_candidate_each():
    text = "Uzbekistan and Tajikistan blocked TikTok in 2021."
    assert {("UZ", "TikTok", "restrict"), ("TJ", "TikTok", "restrict")} <= keys(text)


@pytest.mark.parametrize(("text", "platform"), [
    ("Roskomnadzor restricted access to Odnoklassniki and Moi Mir.", "Odnoklassniki"),
    ("Roskomnadzor restricted access to Odnoklassniki and Moi Mir.", "Moi Mir"),
    ("Ofcom fined 4chan on Monday.", "4chan"),
    ("Authorities in Iran blocked bulk SMS messages.", "SMS"),
    ("Mali's junta suspended RFI and France 24.", "RFI"),
    ("Mali's junta suspended RFI and France 24.", "France 24"),
    ("Kenya cut mobile broadband in Nairobi.", "mobile internet"),
])
def test_services_the_old_lists_lacked(text, platform):
    assert platform in {p for _, p, _ in keys(text)}


def test_the_contexts_country_stands_beside_the_one_the_sentence_names():
    text = "India's government acted.\nThe Centre banned 59 apps, TikTok among them, amid the stand-off with China."
    found = keys(text)
    assert ("IN", "TikTok", "restrict") in found and ("CN", "TikTok", "restrict") in found


def test_a_measure_told_without_its_service_looks_back_in_its_paragraph():
    text = "Ethiopia blocked Facebook and TikTok in February. The restrictions were lifted on 17 July."
    assert ("ET", "Facebook", "unblock") in keys(text)


@pytest.mark.parametrize(("lang", "text", "key"), [
    ("ru", "Роскомнадзор замедлил Twitter 10 марта 2021 года.", ("RU", "Twitter", "throttle")),
    ("tr", "BTK, Instagram'a erişim engeli getirdi.", ("TR", "Instagram", "restrict")),
    ("fa", "دادستانی تهران دسترسی به تلگرام را فیلتر کرد.", ("IR", "Telegram", "restrict")),
    ("ar", "حجبت السلطات المصرية موقع يوتيوب.", ("EG", "YouTube", "restrict")),
    ("es", "Conatel bloqueó el acceso a X en Venezuela.", ("VE", "Twitter", "restrict")),
    ("pt", "O STF determinou a suspensão do X no Brasil.", ("BR", "Twitter", "restrict")),
    ("fr", "Le Sénégal a coupé l'internet mobile dimanche.", ("SN", "mobile internet", "shutdown")),
    ("id", "Kominfo memblokir akses ke Telegram di Indonesia.", ("ID", "Telegram", "restrict")),
])
def test_every_language_pack_reaches_its_press(lang, text, key):
    assert key in keys(text, lang)


# ---- fields ---------------------------------------------------------------------------------------------


def one(text: str, platform: str, klass: str | None = None, **kw) -> Candidate:
    return next(c for c in cands(text, **kw) if c.platform == platform and (klass is None or c.klass == klass))


@pytest.mark.parametrize(("lang", "text", "published", "want"), [
    ("en", "Iran blocked Signal on Friday.", "2024-03-12", ["2024-03-08"]),
    ("en", "The ban began on 4 March 2022 and was lifted in May 2023.", "2024-01-01", ["2022-03-04", "2023-05"]),
    ("ru", "4 марта 2022 г. Роскомнадзор заблокировал Facebook, вчера — Instagram.", "2022-03-15",
     ["2022-03-04", "2022-03-14"]),
    ("es", "El 4 de marzo de 2022 se bloqueó.", "2022-03-15", ["2022-03-04"]),
    ("ar", "في ٤ مارس ٢٠٢٢ حجبت الهيئة الموقع.", "2022-03-20", ["2022-03-04"]),
    ("fa", "در ۲۶ آبان ۱۳۹۸ اینترنت قطع شد.", "2019-11-20", ["2019-11-17"]),
    # periods and months named alone, at the precision they give (a week: the month of its Wednesday)
    ("en", "Access was cut last month; earlier this year the court fined it.", "2021-03-15", ["2021-02", "2021"]),
    ("en", "In early April a court fined Twitter; they will march in protest.", "2021-05-12", ["2021-04"]),
    ("en", "The regulator said last week it would act.", "2021-06-02", ["2021-05"]),
    ("ru", "В марте Роскомнадзор замедлил Twitter, а в прошлом месяце — Facebook.", "2021-05-12",
     ["2021-03", "2021-04"]),
    ("tr", "Geçen yıl erişim engeli getirildi.", "2021-05-12", ["2020"]),
    ("es", "Navegaban en el mar en noviembre.", "2021-05-12", ["2020-11"]),
    ("fa", "امسال فیلتر شد.", "2021-05-12", ["2021"]),
    # a numeric date that ends the sentence; a range of days, dated by its first
    ("en", "Services shall remain suspended in Ajmer on 26.09.2021.", "2021-09-25", ["2021-09-26"]),
    ("en", "WhatsApp was blocked between 15 and 18 June 2019.", "2019-06-21", ["2019-06-15"]),
    ("ru", "5 и 6 октября сервисы Google не открывались.", "2020-10-07", ["2020-10-05"]),
    ("fr", "L'accès a été coupé du 3 au 5 mai 2020.", "2020-05-10", ["2020-05-03"]),
    ("tr", "6-7 Ekim 2020 tarihlerinde erişim kesildi.", "2020-10-09", ["2020-10-06"]),
])
def test_dates_in_every_language(lang, text, published, want):
    assert [f.value for f in find(text, lang, published)] == want


def test_solar_hijri_dates_convert():
    assert jalali_to_gregorian(1403, 10, 4).isoformat() == "2024-12-24"


def test_date_of_a_new_measure_is_publication_and_background_has_none():
    lead = one("Authorities blocked Telegram in Iran.", "Telegram", published="2024-03-15")
    assert read_date(lead) == "2024-03-15"
    text = ("Iran's parliament met on Monday to debate the budget. Officials spoke at length. "
            "Ministers left early.\n\nElsewhere, Twitter has long been blocked in China.")
    background = one(text, "Twitter", published="2024-03-15")
    assert read_date(background) is None


def test_date_from_an_earlier_paragraph_of_the_same_story():
    """A sentence without a date takes the date an earlier paragraph gave the same service or country; a
    date another story's paragraph gave is not its date (the test above)."""
    text = ("Iran's regulator acted against Telegram on 3 March 2024, officials said. Users reported errors.\n\n"
            "Officials said Telegram was blocked to protect users.")
    c = one(text, "Telegram", published="2024-03-15")
    assert c.sentence.paragraph == 1
    assert read_date(c) == "2024-03-03"


def test_the_date_ranker_weighs_every_date_around_the_event():
    """Options come from the event's sentence, earlier and later sentences, the text's closing line, the
    publication date and none, each a row of the ranker's features (tests/test_gate.py checks that the
    trained ranker reads dates better than the rule it weighs)."""
    from tracker.extract.dates import FEATURES, SOURCES, options

    text = ("Telegram has been hard to reach since 2 March 2024, users said.\n\n"
            "The ministry blocked Telegram in Iran. It said the order was signed on 3 March 2024.\n\n"
            "Officials gave no further detail.\n\nTehran, 4 March 2024")
    c = next(c for c in cands(text, published="2024-03-05") if c.sentence.paragraph == 1)
    opts = options(c, False, read_date(c))
    assert all(len(o.row) == len(FEATURES) for o in opts)
    sources = {SOURCES[o.row[:len(SOURCES)].index(1.0)]: o.value for o in opts}
    assert sources == {"earlier_paragraph_other": "2024-03-02", "later": "2024-03-03", "closing": "2024-03-04",
                       "published": "2024-03-05", "none": None}
    rule = [o for o in opts if o.row[FEATURES.index("rule_choice")] == 1.0]
    assert [o.value for o in rule] == [read_date(c)] == ["2024-03-02"]


def test_actor_prefers_the_named_authority_and_keeps_a_demonym():
    assert read_actor(one("On Friday Roskomnadzor said it had slowed down Twitter.", "Twitter")) == "Roskomnadzor"
    assert read_actor(one("Iranian authorities blocked Instagram on Monday.", "Instagram")) == "Iranian authorities"
    assert read_actor(one("Turkey blocked Wikipedia in 2017.", "Wikipedia")) == "Turkey"


def test_a_list_lines_actor_options_know_the_sentence_of_the_measure():
    from tracker.extract import actors

    text = ("Pakistan's telecom regulator PTA ordered the blocking of several apps on Monday. They "
            "include:\n\n- TikTok\n- Bigo Live\n- Tinder\n- Tagged\n- Skout\n- Grindr\n- SayHi\n- Likee\n- Viber\n- Zoom")
    c = next(c for c in cands(text) if c.platform == "Zoom")
    assert c.from_list_head and c.trigger_sentence == 0
    opts = actors.options(c, False, None)
    at = actors.FEATURES.index("measure_sentence")
    # the opener stands more than BACK sentences above the last line: still an option, marked as the
    # measure's sentence
    marked = [o.value for o in opts if o.row[at] == 1.0]
    assert "PTA" in marked and "Pakistan's telecom regulator" in marked
    assert not any(o.row[at] for o in opts if o.value is None)


def test_an_actor_is_written_without_a_proclitic_or_a_dateline():
    """The conjunction attached to an Arabic name is not the name, its article is; a dateline's city is not
    the demonym of the generic noun after its dash."""
    c = one("وقررت الإمارات وقطر والسعودية حجب المكالمات عبر واتساب.", "WhatsApp", lang="ar")
    names = [c.doc.text[m.start:m.end] for m in c.doc.of(c.sentence.index, "country")]
    assert names == ["الإمارات", "قطر", "السعودية"]
    c = one("Tehran — The government blocked Instagram on Monday.", "Instagram")
    assert read_actor(c) == "government"
    assert read_actor(one("Iranian authorities blocked Instagram on Monday.", "Instagram")) == "Iranian authorities"


def test_reason_is_the_clause_after_its_opener_with_its_category():
    c = one("Russia blocked LinkedIn in 2016, citing its failure to store user data locally.", "LinkedIn")
    reason, category = read_reason(c)
    assert reason == "its failure to store user data locally" and category == "legal_noncompliance"
    c = one("Iraq cut the internet on Sunday to prevent cheating in exams.", "internet")
    assert read_reason(c) == ("cheating in exams", "exams")


def test_scope_from_regions_and_government_devices():
    assert read_scope(one("Manipur suspended mobile internet for five days.", "mobile internet"), "shutdown") == \
        "regional"
    assert read_scope(one("Canada banned TikTok on government devices.", "TikTok"), "restrict") == \
        "government_devices"
    assert read_scope(one("Russia fined Google on Monday.", "Google", "fine"), "fine") is None


# ---- names written as common words; services as channels ------------------------------------------------


def platforms_named(text: str, lang: str = "en") -> list[str]:
    doc = read(text, pack(lang), "2024-03-15", None)
    return [m.value for ms in doc.matches for m in ms if m.kind == "platform"]


def test_a_service_named_like_a_common_word_is_matched_only_as_written():
    """An alias row marked exact decides the case of the canonical name too: LINE, Signal and Telegram
    as services, never "a tram line", "the signal" or "a telegram"."""
    assert platforms_named("Authorities blocked LINE, Signal and Telegram on Friday.") == ["LINE", "Signal",
                                                                                           "Telegram"]
    assert platforms_named("A new tram line opened; the signal was lost and a telegram arrived.") == []


def _relation(text: str, service: str, measure: str, lang: str = "en") -> tuple[float, float]:
    from tracker.extract.parse import NAMES, relation_features

    for c in cands(text, lang):
        if c.platform == service and c.trigger.value and text[c.trigger.start:c.trigger.end].startswith(measure):
            row = dict(zip(NAMES, relation_features(c, frozenset()), strict=True))
            return row["trigger_in_other_clause"], row["svc_as_channel"]
    raise AssertionError(f"no candidate ({service}, {measure}) in {text!r}")


@pytest.mark.parametrize(("lang", "text", "service", "measure", "expected"), [
    ("en", "Kenya's education minister announced on Facebook that schools would reopen on Monday.", "Facebook",
     "reopen", (1, 1)),
    ("en", "In a post on X, Nepal's minister confirmed that TikTok would be blocked.", "Twitter", "blocked", (1, 1)),
    ("en", "In a post on X, Nepal's minister confirmed that TikTok would be blocked.", "TikTok", "blocked", (0, 0)),
    ("en", "Russia's regulator said on Telegram that access to Viber had been restricted.", "Viber", "restricted",
     (0, 0)),
    ("en", "Authorities in Uganda imposed restrictions on Facebook on Monday.", "Facebook", "restrictions", (0, 0)),
    ("fr", "Le ministre sénégalais a annoncé sur Facebook que les écoles rouvriraient lundi.", "Facebook", "rouvri",
     (1, 1)),
])
def test_the_parser_tells_a_channel_from_the_target(lang, text, service, measure, expected):
    """The parse features that say a measure word sits in another clause than the service, reached through
    "on", "in", "via" (the channel of an announcement, docs/annotation.md 3.13)."""
    assert _relation(text, service, measure, lang) == expected


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_sentences_parsed_together_read_as_parsed_one_by_one(lang):
    """The extractor parses a text's candidate sentences in one call (spaCy's pipe, for speed): every parse
    feature of every candidate is what parsing each sentence alone gives."""
    from tracker.extract.parse import NAMES, parse_sentences, relation_features

    text = {
        "en": ("Kenya's education minister announced on Facebook that schools would reopen on Monday. Authorities "
               "in Uganda imposed restrictions on Facebook and WhatsApp. In a post on X, Nepal's minister confirmed "
               "that TikTok would be blocked, and Telegram was throttled the same week."),
        "fr": ("Le ministre sénégalais a annoncé sur Facebook que les écoles rouvriraient lundi. Les autorités "
               "guinéennes ont suspendu l'accès à TikTok et à WhatsApp. Au Mali, Telegram a été bloqué mardi."),
    }[lang]

    def features(together: bool) -> list[list[float]]:
        found = cands(text, lang)
        if together:
            parse_sentences(found)
        return [relation_features(c, frozenset()) for c in found]

    alone, together = features(False), features(True)
    assert len(alone) >= 5 and len({tuple(c) for c in together}) > 1
    assert [[repr(x) for x in row] for row in together] == [[repr(x) for x in row] for row in alone]
    assert len(NAMES) == len(alone[0])
