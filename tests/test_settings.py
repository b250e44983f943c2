"""Tunables: models/settings.toml with a TRACKER_SETTINGS file over it, key by key; a typo or a value of
the wrong type is one line naming the file and the key; `tracker settings` shows what is in effect."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tracker import settings
from tracker.crawl.http import HttpOptions
from tracker.crawl.run import CrawlOptions

TRACKER = Path(sys.executable).parent / "tracker"


@pytest.fixture
def user_settings(tmp_path, monkeypatch):
    def write(text: str) -> Path:
        path = tmp_path / "mine.toml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("TRACKER_SETTINGS", str(path))
        return path

    yield write
    monkeypatch.delenv("TRACKER_SETTINGS", raising=False)


def test_defaults_come_from_the_packaged_file(monkeypatch):
    monkeypatch.delenv("TRACKER_SETTINGS", raising=False)
    assert settings.tunable("http", "timeout") == 20.0
    assert CrawlOptions().max_items == settings.tunable("crawl", "max_items")


def test_a_user_file_wins_key_by_key_and_reaches_the_code(user_settings):
    user_settings("[http]\ntimeout = 5\n\n[crawl]\nmax_items = 3\n")
    assert settings.tunable("http", "timeout") == 5.0 and isinstance(settings.tunable("http", "timeout"), float)
    assert settings.tunable("http", "retries") == 2  # not in the user file: the default
    assert HttpOptions().timeout == 5.0 and CrawlOptions().max_items == 3


@pytest.mark.parametrize(("text", "message"), [
    ("[http]\nnope = 1\n", "unknown setting 'http.nope'"),
    ("[http]\ntimeout = \"fast\"\n", "'http.timeout' must be a float like 20.0, got 'fast'"),
    ("[crawl]\nmax_items = -1\n", "'crawl.max_items' must not be negative"),
    ("[http\n", "invalid TOML"),
])
def test_a_bad_file_is_one_line_naming_file_and_key(user_settings, text, message):
    path = user_settings(text)
    with pytest.raises(settings.SettingsError) as exc:
        settings.tunables()
    assert str(exc.value).startswith(f"{path}: ") and message in str(exc.value)


def test_settings_command_shows_values_and_their_origin(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text("[digest]\nrecent_days = 7\n", encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "TRACKER_SETTINGS": str(mine), "HOME": str(tmp_path)}
    out = subprocess.run([str(TRACKER), "settings", "--csv"], check=False, capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    rows = {line.split(",")[0]: line.split(",")[1:] for line in out.stdout.splitlines()[1:]}
    assert rows["digest.recent_days"] == ["7", str(mine)]
    assert rows["http.timeout"] == ["20.0", "models/settings.toml"]
    bad = tmp_path / "bad.toml"
    bad.write_text("[digest]\nrecent = 7\n", encoding="utf-8")
    out = subprocess.run([str(TRACKER), "settings"], check=False, capture_output=True, text=True,
                         env={**env, "TRACKER_SETTINGS": str(bad)}, timeout=60)
    assert out.returncode == 1 and out.stderr.strip() == (
        f"Error: {bad}: unknown setting 'digest.recent' (see models/settings.toml for the keys)")
