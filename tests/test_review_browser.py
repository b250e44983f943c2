"""A reviewer at work in headless Debian Chromium (Playwright), against a real `tracker serve` (issue 15): log in,
reject an event, see it leave the public list and the Atom feed, log out; an anonymous visitor sees no control
and a POST without a login is refused."""

from __future__ import annotations

from pathlib import Path

import feedparser
import httpx
import pytest

from tests.test_review_web import NAME, PASSWORD, database
from tracker.serve import RunningServer, start_in_background

pytestmark = pytest.mark.browser

EVENT = "ev-ir-telegram-restrict-2026-11"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> RunningServer:
    srv = start_in_background(database(tmp_path_factory.mktemp("review-browser")), timeout=60)
    yield srv
    srv.stop()


def listed(page, server: RunningServer) -> list[str]:
    page.goto(f"{server.url}/tracker/event_list?_size=max", wait_until="networkidle")
    return [t.strip() for t in page.locator("table.rows-and-columns tbody tr td.col-id").all_inner_texts()]


def in_feed(server: RunningServer) -> list[str]:
    parsed = feedparser.parse(httpx.get(f"{server.url}/-/events.atom", timeout=30).content)
    return [e.link.rsplit("/", 1)[1] for e in parsed.entries]


def test_reject_an_event_from_its_page(page, server: RunningServer, tmp_path: Path) -> None:
    event_page = f"{server.url}/tracker/events/{EVENT}"
    page.goto(event_page, wait_until="networkidle")
    assert page.locator(".tracker-review-controls").count() == 0  # anonymous: no control
    assert page.locator("form[action='/-/review']").count() == 0
    assert EVENT in listed(page, server) and EVENT in in_feed(server)

    page.goto(event_page, wait_until="networkidle")
    page.get_by_role("link", name="log in").click()
    page.fill("input[name=name]", NAME)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")
    assert page.url == event_page
    controls = page.locator(".tracker-review-controls")
    assert controls.is_visible() and NAME in controls.inner_text()

    reject = page.locator("form.tracker-review-reject")
    reject.locator("input[name=reason]").fill("an app store's own decision, no authority ordered it")
    reject.get_by_role("button", name="Reject").click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(tmp_path / "rejected.png"), full_page=True)
    assert f"Saved: rejected {EVENT}." in page.locator("body").inner_text()
    assert page.locator(".tracker-review-status").inner_text().startswith("Review status: rejected")
    assert "an app store's own decision" in page.locator("ul.tracker-reviews").inner_text()
    assert EVENT not in listed(page, server)  # gone from the public list ...
    assert EVENT not in in_feed(server)  # ... and from the feed
    page.goto(f"{server.url}/tracker/rejected_events", wait_until="networkidle")
    assert EVENT in page.locator("table.rows-and-columns").inner_text()  # still reachable

    page.goto(f"{server.url}/-/logout", wait_until="networkidle")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{server.url}/tracker/events/ev-in-google-play-restrict-2026-11", wait_until="networkidle")
    assert page.locator(".tracker-review-controls").count() == 0
    refused = page.request.post(f"{server.url}/-/review", form={"event_id": "ev-in-google-play-restrict-2026-11",
                                                                "verdict": "rejected", "reason": "x"})
    assert refused.status == 403
    assert "ev-in-google-play-restrict-2026-11" in listed(page, server)
    assert page.js_errors == []
