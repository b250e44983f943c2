"""Take the screenshot of the browsing interface shown in the README (docs/browse-event.png).

    .venv/bin/python docs/screenshot.py                 # over the test factory data (real measures)
    .venv/bin/python docs/screenshot.py --db tracker.db --event ev-...   # over a database of yours

It starts `tracker serve` on a free loopback port, opens an event page in headless
Debian Chromium through Playwright and saves the page as a PNG reduced to a palette
so the committed file stays small. tests/test_serve_browser.py calls `shoot` too, and
launches Chromium with this script's settings, so the picture in the README is taken by code
the tests run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "browse-event.png"
#: An event of the factory data with two sources, one of them the regulator's own statement.
DEFAULT_EVENT = "ev-ru-twitter-throttle-2021-03"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1100, "height": 800}
TIMEOUT_MS = 20_000


def chromium_path() -> str | None:
    """Debian's chromium (or $TRACKER_CHROMIUM), or None when there is none."""
    for candidate in (os.environ.get("TRACKER_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def loopback_only(context) -> None:
    """Refuse every request that leaves 127.0.0.1 (map tiles, fonts): pictures show only local data."""
    context.route("**/*", lambda route: route.continue_()
                  if urlsplit(route.request.url).hostname == "127.0.0.1" else route.abort())


def shoot(page, base_url: str, event_id: str, out: Path) -> Path:
    """Open an event's page and save it as a small PNG; returns `out`.

    Waits for the sources section so the picture always shows the articles and
    their evidence sentences, not a half-loaded page.
    """
    from tracker.digest.select import event_url

    page.goto(event_url(base_url, event_id), wait_until="networkidle")
    page.locator("section.tracker-event-sources").wait_for(state="visible")
    out.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out), full_page=True)
    _shrink(out)
    return out


def _shrink(path: Path) -> None:
    """Reduce to a 64-colour palette: text and table lines stay sharp, the file shrinks several times."""
    from PIL import Image

    with Image.open(path) as img:
        small = img.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def _factory_database(directory: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from tests import factories

    return factories.write_database(directory / "tracker.db")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="database to show (default: the test factory data)")
    parser.add_argument("--event", default=DEFAULT_EVENT, help="id of the event whose page is shown")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="PNG to write")
    args = parser.parse_args(argv)
    executable = chromium_path()
    if executable is None:
        parser.error("chromium not found at /usr/bin/chromium or on PATH: run `make install` or set TRACKER_CHROMIUM")
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from tracker.serve import start_in_background

    with tempfile.TemporaryDirectory(prefix="tracker-shot-") as tmp:
        db_path = args.db or _factory_database(Path(tmp))
        with start_in_background(db_path, timeout=60) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True,
                                        timeout=TIMEOUT_MS)
            try:
                context = browser.new_context(viewport=VIEWPORT)
                context.set_default_timeout(TIMEOUT_MS)
                loopback_only(context)
                out = shoot(context.new_page(), server.url, args.event, args.out)
            finally:
                browser.close()
    print(f"{out} ({out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
