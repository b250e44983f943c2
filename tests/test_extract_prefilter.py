"""The cheap first pass: which paragraphs go to the parser, through the real spaCy tokenizer."""

from __future__ import annotations

from tracker.extract import extract_events
from tracker.extract.extractor import relevant
from tracker.extract.prefilter import scan, worth_parsing

ORDINARY = (
    "The league suspended the striker for three matches after he was sent off in the derby.\n"
    "Heavy rain is expected across the north until Sunday, the weather service said.\n"
    "The minister announced on Facebook that schools would reopen on Monday after the holiday.\n"
)


def test_measure_word_far_from_a_service_is_not_parsed():
    scans = [scan(p) for p in ORDINARY.splitlines()]
    assert scans[0].triggers and scans[2].platforms  # both halves are there, two paragraphs apart
    assert worth_parsing(scans) == []
    assert not relevant(ORDINARY)
    assert extract_events(ORDINARY, "2024-03-12") == []


def test_service_in_the_paragraph_before_or_in_the_title_counts():
    paras = ["Telegram has grown fast in the region, with millions of new users this year.",
             "On Friday the regulator blocked the app, citing national security."]
    assert worth_parsing([scan(p) for p in paras]) == [1]
    weather = ["Heavy rain is expected until Sunday.", "The regulator blocked the app on Friday."]
    assert worth_parsing([scan(p) for p in weather]) == []
    assert worth_parsing([scan(p) for p in weather], scan("Regulator blocks Telegram")) == [1]
    assert relevant("\n".join(weather), title="Regulator blocks Telegram")


def test_whole_internet_shutdown_without_a_platform_is_parsed():
    text = "Authorities in Chad cut off the internet on Friday during the unrest in the capital."
    assert relevant(text)
    mobile = "Senegal suspended mobile data on Sunday as protests spread."
    assert relevant(mobile)
    assert {(e["country"], e["platform"]) for e in extract_events(text, "2024-02-10")} == {("TD", "internet")}


def test_follow_up_far_from_the_name_is_read_once_a_measure_was_found():
    text = (
        "Russia's media regulator blocked Telegram in April 2018 after the company refused to hand over "
        "encryption keys.\n"
        "The decision drew protests in Moscow, where thousands of people marched through the city centre.\n"
        "Critics said the measure had largely failed, as millions of Russians kept using the app.\n"
        "The regulator lifted the ban in June 2020, saying the company had agreed to help fight extremism.\n"
    )
    assert worth_parsing([scan(p) for p in text.splitlines()]) == [0]
    evs = {(e["country"], e["platform"], e["action"], e["date"]) for e in extract_events(text, "2020-07-01")}
    assert ("RU", "Telegram", "unblock", "2020-06") in evs, evs
