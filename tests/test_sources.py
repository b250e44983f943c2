"""feeds.toml: the committed file is valid, and a malformed one is refused with the source and field named."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import main
from tracker.languages import languages
from tracker.sources import ConfigError, load_feeds, select
from tracker.vocabulary import publisher_types

ROOT = Path(__file__).resolve().parent.parent
GOOD = """
[[source]]
name = "wire"
url = "https://example.org/feed.xml"
type = "rss"
publisher = "press"

[[source]]
name = "rkn"
url = "https://rkn.gov.ru/rss/"
type = "rss"
publisher = "regulator"
country = "RU"
language = "ru"
tags = ["regulator"]
enabled = false
poll_minutes = 30
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file_loads_with_defaults(tmp_path):
    wire, rkn = load_feeds(write(tmp_path, GOOD))
    assert (wire.enabled, wire.poll_minutes, wire.country, wire.tags) == (True, None, "", ())  # no poll_minutes: due on every run
    assert (rkn.country, rkn.language, rkn.tags, rkn.enabled, rkn.poll_minutes) == ("RU", "ru", ("regulator",),
                                                                                     False, 30)
    assert [s.name for s in select([wire, rkn])] == ["wire"]
    assert [s.name for s in select([wire, rkn], ["rkn"])] == ["rkn"]  # named sources run even when disabled
    with pytest.raises(ConfigError, match="unknown source.*nope"):
        select([wire, rkn], ["nope"])


def test_committed_feeds_toml_lists_enough_real_sources():
    sources = load_feeds(ROOT / "feeds.toml")
    assert len(sources) >= 30
    assert {s.publisher for s in sources} == set(publisher_types())
    assert sum(s.publisher == "regulator" for s in sources) >= 8
    assert all(s.url.startswith("https://") for s in sources)
    assert not any("127.0.0.1" in s.url or "localhost" in s.url or "example" in s.url for s in sources)
    text = (ROOT / "feeds.toml").read_text()
    assert "UNCONFIRMED" in text  # unverified URLs carry a mark


def test_committed_feeds_toml_reads_regulators_and_press_in_every_language():
    """Each language with a pack is read from its regulators' (or courts') own statements and its press."""
    sources = load_feeds(ROOT / "feeds.toml")
    for code in languages():
        mine = [s for s in sources if s.language == code]
        assert any(s.publisher in ("regulator", "court") for s in mine), code
        assert any(s.publisher == "press" for s in mine), code
    assert {s.language for s in sources} <= set(languages()) | {""}  # a source without one is detected


@pytest.mark.parametrize(("change", "message"), [
    (('url = "https://example.org/feed.xml"\n', ""), "source #1 'wire': field 'url': missing"),
    (('url = "https://example.org/feed.xml"', 'url = "ftp://example.org/feed"'), "source #1 'wire': field 'url'"),
    (('type = "rss"\npublisher = "press"', 'type = "json"\npublisher = "press"'),
     "source #1 'wire': field 'type': must be one of rss, atom, html, sitemap, got 'json'"),
    (('publisher = "press"', 'publisher = "blog"'), "source #1 'wire': field 'publisher'"),
    (('country = "RU"', 'country = "Russia"'), "source #2 'rkn': field 'country'"),
    (('country = "RU"\n', ""), "source #2 'rkn': field 'country': required for a regulator"),
    (('language = "ru"', 'language = "russian"'), "source #2 'rkn': field 'language'"),
    (('tags = ["regulator"]', 'tags = "regulator"'), "source #2 'rkn': field 'tags'"),
    (("enabled = false", 'enabled = "no"'), "source #2 'rkn': field 'enabled'"),
    (("poll_minutes = 30", "poll_minutes = 0"), "source #2 'rkn': field 'poll_minutes'"),
    (("poll_minutes = 30", 'polling = "hourly"'), "source #2 'rkn': field 'polling': unknown field"),
    (('name = "rkn"', 'name = "wire"'), "source #2 'wire': field 'name': duplicate of source #1"),
    (('name = "rkn"', 'name = "RKN news"'), "source #2 'RKN news': field 'name'"),
    (('name = "rkn"', "name = 3"), "source #2: field 'name': must be a non-empty string"),
    (("[[source]]\nname = \"rkn\"", "[[source]]\nname = \"rkn"), "invalid TOML"),
])
def test_malformed_file_names_source_and_field(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(ConfigError) as err:
        load_feeds(write(tmp_path, GOOD.replace(old, new, 1)))
    assert message in str(err.value)
    assert str(tmp_path / "feeds.toml") in str(err.value)


def test_empty_or_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="no \\[\\[source\\]\\] tables"):
        load_feeds(write(tmp_path, "# nothing yet\n"))
    with pytest.raises(ConfigError, match="file not found"):
        load_feeds(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="unknown top-level key"):
        load_feeds(write(tmp_path, GOOD.replace("[[source]]", "[[feed]]", 1)))


def test_cli_refuses_malformed_file_before_any_request(tmp_path, db_path):
    feeds = write(tmp_path, GOOD.replace('type = "rss"\npublisher = "press"', 'type = "json"\npublisher = "press"'))
    result = CliRunner().invoke(main, ["crawl", "--db", str(db_path), "--feeds", str(feeds)])
    assert result.exit_code == 1
    assert "source #1 'wire': field 'type'" in result.output
    assert not db_path.exists()  # the run did not start: no database, no fetch rows
