"""Headless Chromium for the browser tests, fenced to loopback the way docs/screenshot.py (which takes the
README's picture) fences it. The fixtures `browser` and `page` reach every test through conftest.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest


def _docs_screenshot_module():
    path = Path(__file__).parent.parent / "docs" / "screenshot.py"
    spec = importlib.util.spec_from_file_location("docs_screenshot", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shot = _docs_screenshot_module()


@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api  # a pinned test dependency: missing it is an install error, not a skip

    executable = shot.chromium_path()
    if executable is None:
        pytest.skip("chromium not found at /usr/bin/chromium or on PATH: run `make install` (installs Debian's "
                    "chromium) or set TRACKER_CHROMIUM")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=shot.CHROMIUM_ARGS, headless=True,
                              timeout=shot.TIMEOUT_MS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page; `page.js_errors` collects the page's uncaught JavaScript errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(shot.TIMEOUT_MS)
    shot.loopback_only(context)  # anything else (map tiles) is refused
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors
    yield pg
    context.close()
