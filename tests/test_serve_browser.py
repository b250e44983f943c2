"""The browsing interface as people see it: headless Debian Chromium driven by Playwright.

Only loopback requests are let through; map tiles from the internet are refused, so
the map test checks the Leaflet container and the event markers, not the tiles.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import factories
from tests.browser import shot
from tracker.metadata import QUERIES
from tracker.serve import RunningServer, start_in_background

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> RunningServer:
    srv = start_in_background(factories.write_database(tmp_path_factory.mktemp("browse") / "tracker.db"),
                              timeout=60)
    yield srv
    srv.stop()


def test_events_page(page, server: RunningServer, tmp_path: Path) -> None:
    page.goto(f"{server.url}/tracker/events", wait_until="networkidle")
    page.screenshot(path=str(tmp_path / "events.png"), full_page=True)
    assert page.locator("h1").inner_text().strip().startswith("events")
    assert "merged from its mentions" in page.locator(".metadata-description").inner_text()
    # column descriptions are folded away but still there, and shown as header tooltips
    fold = page.locator("details.tracker-column-descriptions")
    assert fold.locator("summary").is_visible() and not fold.locator("dl").is_visible()
    assert page.locator("th[data-column=evidence]").get_attribute("title") == "The clearest sentence stating the measure."
    facets = page.locator(".facet-info").all_inner_texts()
    assert {f.split()[0] for f in facets} >= {"country", "platform", "action", "status",
                                              "justification_category", "publisher_type"}
    # labels from the lookup tables, newest event first
    body = page.locator("table.rows-and-columns").inner_text()
    assert "Russia" in body and "Turkey" in body
    first_link = page.locator("table.rows-and-columns tbody tr").first.locator("td").first.inner_text()
    assert first_link.strip() == "ev-ir-telegram-restrict-2026-11"
    assert page.locator("input[name=_search]").is_visible()
    assert (tmp_path / "events.png").stat().st_size > 10_000
    # the publisher type facet filters the events to those a regulator reported
    page.locator("#facet-publisher_type").get_by_role("link", name="regulator").click()
    page.wait_for_load_state("networkidle")
    ids = page.locator("table.rows-and-columns tbody tr td:first-child").all_inner_texts()
    assert [i.strip() for i in ids] == ["ev-ru-twitter-throttle-2021-03"]
    assert page.js_errors == []


def test_search_from_the_page(page, server: RunningServer, tmp_path: Path) -> None:
    page.goto(f"{server.url}/tracker/articles", wait_until="networkidle")
    page.fill("input[name=_search]", "Wikipedia")
    page.locator("input[name=_search]").press("Enter")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)
    titles = page.locator("table.rows-and-columns tbody tr").all_inner_texts()
    assert len(titles) == 2
    assert any("Turkey blocks Wikipedia" in t for t in titles)


def test_event_page_shows_sources(page, server: RunningServer, tmp_path: Path) -> None:
    page.goto(f"{server.url}/tracker/events/ev-ru-twitter-throttle-2021-03", wait_until="networkidle")
    page.screenshot(path=str(tmp_path / "event.png"), full_page=True)
    assert page.get_by_role("heading", name="Sources").is_visible()
    links = page.locator("a.tracker-article-link")
    assert links.count() == 2
    assert links.first.inner_text() == "Russia slows down Twitter"
    assert links.first.get_attribute("href") == "http://127.0.0.1/wire/1"
    evidence = page.locator("q.tracker-evidence").all_inner_texts()
    assert factories.MENTIONS[0][12] in evidence
    # the NG article title carries a script tag: shown as text, never run
    page.goto(f"{server.url}/tracker/events/ev-ng-twitter-restrict-2021-06", wait_until="networkidle")
    assert "<script>alert(1)</script>" in page.locator("a.tracker-article-link").inner_text()
    assert page.js_errors == []


def test_map_of_events(page, server: RunningServer, tmp_path: Path) -> None:
    page.goto(f"{server.url}/tracker/events_map", wait_until="networkidle")
    page.locator(".leaflet-container").wait_for(state="visible")
    page.locator(".leaflet-marker-icon").first.wait_for(state="visible")
    page.screenshot(path=str(tmp_path / "map.png"), full_page=True)
    # clusters say how many events they hold; single markers count one each
    clusters = page.locator(".marker-cluster").all_inner_texts()
    singles = page.locator(".leaflet-marker-icon:not(.marker-cluster)").count()
    assert sum(int(t) for t in clusters) + singles == len(factories.EVENTS)
    assert page.js_errors == []


def test_chart_of_events_per_month(page, server: RunningServer, tmp_path: Path) -> None:
    page.goto(f"{server.url}/tracker", wait_until="networkidle")
    page.get_by_role("link", name=QUERIES["events_per_month"]["title"]).click()
    page.wait_for_load_state("networkidle")
    chart = page.locator(".vega-embed canvas, .vega-embed svg").first
    chart.wait_for(state="visible")
    page.screenshot(path=str(tmp_path / "chart.png"), full_page=True)
    box = chart.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    assert page.locator("select[name=x_column]").input_value() == "month"
    assert page.locator("select[name=color_column]").input_value() == "action"


def test_readme_screenshot_is_taken_by_this_code(page, server: RunningServer, tmp_path: Path) -> None:
    out = shot.shoot(page, server.url, shot.DEFAULT_EVENT, tmp_path / "browse-event.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert 10_000 < out.stat().st_size < 300_000
    # what the picture shows: the event as fields with their meaning, then its sources
    fields = page.locator("table.tracker-event-fields")
    assert fields.locator("tr.col-evidence td").first.inner_text() == factories.MENTIONS[0][12]
    assert "The clearest sentence stating the measure." in fields.locator("tr.col-evidence").inner_text()
    assert fields.locator("tr.col-country td").first.inner_text() == "RU (Russia)"
    assert fields.locator("tr.col-justification_category td").first.inner_text().startswith("legal_noncompliance (")
    assert page.locator("a.tracker-article-link").count() == 2
    assert page.js_errors == []
