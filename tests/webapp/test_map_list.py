"""The map's incident list (issue 14): the incidents of the view under the filters, newest first,
paged from the API, synced with the map; a bottom sheet on a phone."""

import urllib.parse

import pytest

from tests.webapp.analyst_map import analyst_server, api, list_query, matched, open_map, wait_for_list
from tests.webapp.browser import browser_page, need_browser, screenshot

pytestmark = pytest.mark.slow
EXTRA = 110  # generated incidents, so that the view holds more than one page (50) of the list


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_browser()
    with analyst_server(tmp_path_factory.mktemp("list") / "data", extra=EXTRA) as base:
        yield base


def rows(page) -> list[str]:
    return page.eval_on_selector_all("#im-list [role=listitem] button", "nodes => nodes.map(n => n.dataset.id)")


def heading_count(page) -> int:
    return int(page.get_attribute("#im-list-heading", "data-matched"))


def test_the_list_is_the_views_incidents_newest_first(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map")
        query = list_query(page)
        assert query["sortby"] == "-date" and "bbox" in query and "datetime" in query
        expected = api(server, **{**query, "limit": 50})
        assert heading_count(page) == expected["numberMatched"] > 50
        assert rows(page) == [f["id"] for f in expected["features"]]  # the API's first page, in its order
        dates = [f["properties"]["date"] for f in expected["features"]]
        assert dates == sorted(dates, reverse=True)
        listbox = page.get_by_role("list", name="Incidents in view, newest first")
        assert listbox.count() == 1 and listbox.get_by_role("listitem").count() == 50
        assert page.console_errors == [] and page.outside_requests == []


def test_a_row_shows_date_span_type_site_casualties_and_sources(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map?lat=33.9&lon=43.5&zoom=8&datetime=2024-02-01%2F2024-02-29")
        texts = dict(page.eval_on_selector_all("#im-list button", "ns => ns.map(n => [n.dataset.id, n.innerText])"))
        assert "2024-02-14" in texts["t14-multi"] and "Rocket attack" in texts["t14-multi"]
        assert "Ain al-Asad Air Base" in texts["t14-multi"] and "5 killed, 3 injured" in texts["t14-multi"]
        assert "3 sources" in texts["t14-multi"]
        assert "2024-02-01 – 2024-02-29" in texts["t14-span"]  # a span, not its first day
        assert page.locator("button[data-id=t14-span] .im-when.im-span").count() == 1
        assert page.locator("button[data-id=t14-multi] .im-when.im-span").count() == 0


def test_moving_the_map_and_the_time_range_update_the_list(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map")
        before = page.evaluate("document.body.dataset.listed")
        page.evaluate("() => INCIDENTMAP.map.setView([33.316, 38.704], 10)")  # Tower 22 only
        wait_for_list(page, before)
        query = list_query(page)
        assert heading_count(page) == matched(server, **{k: v for k, v in query.items() if k != "limit"})
        assert "t-tower22-0128" in rows(page) and "t14-multi" not in rows(page)
        before = page.evaluate("document.body.dataset.listed")
        page.click("button[data-preset='7']")
        wait_for_list(page, before)
        span = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["datetime"][0]
        assert list_query(page)["datetime"] == span
        assert heading_count(page) == matched(server, bbox=list_query(page)["bbox"], datetime=span) == 0
        assert rows(page) == []


def test_the_list_pages_through_every_match(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map")
        total = heading_count(page)
        assert len(rows(page)) == 50
        page.click("#im-more")
        page.wait_for_function("document.querySelectorAll('#im-list [role=listitem]').length > 50")
        # scrolled to its end, the list fetches the next page by itself
        for _ in range(10):
            if len(rows(page)) >= total:
                break
            count = len(rows(page))
            page.evaluate("() => { const l = document.getElementById('im-list'); l.scrollTop = l.scrollHeight; }")
            page.wait_for_function(f"document.querySelectorAll('#im-list [role=listitem]').length > {count}",
                                   timeout=10000)
        ids = rows(page)
        assert len(ids) == len(set(ids)) == total  # every match once, none twice
        assert page.locator("#im-more.im-hidden").count() == 1


def test_clicking_a_row_flies_there_and_opens_its_details(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map?datetime=2024-02-01%2F2024-02-29")
        page.click("#im-list button[data-id=t14-span]")
        page.wait_for_selector("#im-details[data-incident=t14-span]")
        page.wait_for_function("INCIDENTMAP.map.getZoom() >= 11", timeout=10000)
        page.wait_for_function("""() => { const c = INCIDENTMAP.map.getCenter();
            return Math.abs(c.lat - 34.2) < 0.01 && Math.abs(c.lng - 43.1) < 0.01; }""", timeout=10000)
        assert "incident=t14-span" in page.url
        assert page.locator(".im-selected").count() == 1


def test_hover_and_keyboard_focus_highlight_the_marker(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map?datetime=2024-02-01%2F2024-02-29")
        page.hover("#im-list button[data-id=t14-multi]")
        ring = page.locator(".im-highlight")
        assert ring.count() == 1 and ring.get_attribute("data-id") == "t14-multi"
        box = ring.bounding_box()
        centre = page.evaluate("() => INCIDENTMAP.map.latLngToContainerPoint([33.786, 42.441])")
        assert abs(box["x"] + box["width"] / 2 - centre["x"]) < 3 and abs(box["y"] + box["height"] / 2 - centre["y"]) < 3
        page.mouse.move(5, 500)
        assert page.locator(".im-highlight").count() == 0
        # the keyboard: Tab reaches the rows; focus highlights, Enter opens
        page.locator("#im-sheet-toggle").focus()
        for _ in range(5):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('im-row')"):
                break
        first = page.evaluate("document.activeElement.dataset.id")
        assert first and page.get_attribute(".im-highlight", "data-id") == first
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#im-details[data-incident='{first}']")
        assert page.evaluate("document.activeElement.id") == "im-details-title"


def test_on_a_phone_the_list_is_a_bottom_sheet_without_horizontal_scrolling(server):
    with browser_page(server) as page:
        page.set_viewport_size({"width": 390, "height": 844})
        open_map(page, f"{server}/map")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.evaluate("document.body.scrollWidth") <= 390
        sheet = page.locator("#im-side").bounding_box()
        assert sheet["x"] == 0 and sheet["width"] == 390 and abs(sheet["y"] + sheet["height"] - 844) < 1
        assert page.locator("#im-list [role=listitem]").first.is_visible()
        screenshot(page, "map-phone")
        page.click("#im-sheet-toggle")  # the sheet folds down to its handle, and back
        assert page.get_attribute("#im-sheet-toggle", "aria-expanded") == "false"
        assert page.locator("#im-side").bounding_box()["height"] < 80
        page.click("#im-sheet-toggle")
        page.click("#im-list [role=listitem] button >> nth=0")
        page.wait_for_selector("#im-details:not(.im-hidden)")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        details = page.locator("#im-details").bounding_box()
        assert details["width"] <= 390 and details["y"] > 200  # the sheet leaves the map in view above it
        assert page.console_errors == []
