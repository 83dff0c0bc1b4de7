"""The details panel (issue 14): every field, each source with its evidence, disagreements shown as
such, claimed or attributed perpetrator, precision, status, links to history and review; the map
opens on the incident a link names (incident=<id>)."""

import urllib.request

import pytest

from tests.webapp.analyst_map import ARABIC_PLACE, ARABIC_QUOTE, HOSTILE, open_map
from tests.webapp.browser import browser_page, screenshot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(analyst_base):
    return analyst_base  # read only: one server for the modules that read the analyst's data


def open_incident(page, base: str, fid: str) -> None:
    open_map(page, f"{base}/map?incident={fid}")
    page.wait_for_selector(f"#im-details[data-incident='{fid}']")


def field(page, label: str) -> str:
    return page.locator("#im-details dt", has_text=label).first.evaluate("dt => dt.nextElementSibling.innerText")


def test_a_link_to_an_incident_opens_the_map_on_its_details(server):
    with browser_page(server) as page:
        open_incident(page, server, "t14-multi")
        panel = page.get_by_role("region", name="Incident details")
        assert panel.is_visible() and "Ain al-Asad Air Base" in panel.inner_text()
        page.wait_for_function("""() => { const c = INCIDENTMAP.map.getCenter();
            return Math.abs(c.lat - 33.786) < 0.01 && Math.abs(c.lng - 42.441) < 0.01; }""", timeout=10000)
        assert page.locator(".im-selected").count() == 1
        assert page.console_errors == [] and page.outside_requests == []


def test_every_field_and_each_source_with_its_evidence(server):
    with browser_page(server) as page:
        open_incident(page, server, "t14-multi")
        assert field(page, "When").startswith("2024-02-14 (precision: day)")
        assert field(page, "Perpetrator") == "Example Brigade: claimed"
        assert field(page, "Location precision") == "1: at the named place"
        assert field(page, "Place") == "Ain al-Asad Air Base, Anbar, Iraq"
        assert field(page, "Injured") == "3"
        assert page.inner_text("#im-details .im-status") == "Status: verified"
        sources = page.locator("#im-details .im-source")
        assert sources.count() == 3
        first = sources.nth(0)
        assert first.locator("a").inner_text() == "Example Wire" and first.locator("a").get_attribute("href") == \
            "https://example.org/one"
        assert "2024-02-14" in first.inner_text() and "Rockets hit a base" in first.inner_text()
        assert first.locator(".im-evidence").inner_text() == "Two people were killed when rockets struck the base."
        assert sources.nth(1).locator(".im-evidence").inner_text() == "Mortar rounds killed five, a local official said."


def test_disagreements_between_sources_are_shown_as_such(server):
    with browser_page(server) as page:
        open_incident(page, server, "t14-multi")
        note = page.locator("#im-details .im-disagree")
        assert "Sources disagree" in note.inner_text()
        assert "killed (2 / 5)" in note.inner_text() and "type (Rocket attack / Mortar attack)" in note.inner_text()
        assert field(page, "Killed") == "5 (sources differ: 2 / 5)"
        assert field(page, "Type") == "Rocket attack (sources differ: Rocket attack / Mortar attack)"
        screenshot(page, "map-details-disagreement")


@pytest.mark.parametrize(("fid", "who", "precision"), [
    ("t14-span", "Unnamed cell: attributed by others, not claimed", "2: near the place or in its area"),
    ("t14-arabic", "not named", "3: only the governorate or region"),
])
def test_attribution_and_location_precision(server, fid, who, precision):
    with browser_page(server) as page:
        open_incident(page, server, fid)
        assert field(page, "Perpetrator") == who
        assert field(page, "Location precision") == precision


def test_a_span_is_shown_as_a_span(server):
    with browser_page(server) as page:
        open_incident(page, server, "t14-span")
        assert field(page, "When") == "between 2024-02-01 and 2024-02-29 (precision: month)"


def test_links_to_history_and_review(server):
    with browser_page(server) as page:
        open_incident(page, server, "t14-multi")
        history = page.get_attribute("#im-details .im-history-link", "href")
        review = page.get_attribute("#im-details .im-review-link", "href")
        assert history == "/collections/incidents/items/t14-multi/history?f=html"
        assert review == "/review?id=t14-multi"
        for href in (history, review):
            with urllib.request.urlopen(f"{server}{href}") as response:
                assert response.status == 200
        page.click("#im-details .im-review-link")
        page.wait_for_url("**/review?id=t14-multi")


def test_arabic_text_reads_right_to_left(server):
    with browser_page(server) as page:
        open_incident(page, server, "t14-multi")
        evidence = page.locator("#im-details .im-evidence", has_text=ARABIC_QUOTE)
        assert evidence.evaluate("n => getComputedStyle(n).direction") == "rtl"
        english = page.locator("#im-details .im-evidence").first
        assert english.evaluate("n => getComputedStyle(n).direction") == "ltr"
        open_incident(page, server, "t14-arabic")
        title = page.locator("#im-details-title bdi")
        assert title.inner_text() == ARABIC_PLACE
        assert title.evaluate("n => getComputedStyle(n).direction") == "rtl"


def test_closing_returns_to_the_list_and_leaves_the_url(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map?datetime=2024-02-01%2F2024-02-29")
        row = "#im-list button[data-id=t14-multi]"
        page.focus(row)
        page.keyboard.press("Enter")
        page.wait_for_selector("#im-details[data-incident=t14-multi]")
        assert "incident=t14-multi" in page.url
        page.keyboard.press("Escape")
        assert page.locator("#im-details.im-hidden").count() == 1
        assert "incident=" not in page.url
        assert page.evaluate("document.activeElement.dataset.id") == "t14-multi"  # back where the user was


def test_the_popup_opens_the_details(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map?datetime=2024-02-12%2F2024-02-12&lat=33.9&lon=44.9&zoom=12")
        # the marker may be drawn a moment after the page says it is ready (a busy machine): open its
        # popup once it is there, rather than once
        page.wait_for_function("""() => {
            Object.values(INCIDENTMAP.map._layers)
              .forEach(l => { if (l.getPopup && l.getPopup() && l.getLatLng && !l.isPopupOpen()) l.openPopup(); });
            return document.querySelector(".im-popup .im-open-details") !== null; }""", timeout=30000)
        page.click(".im-popup .im-open-details")
        page.wait_for_selector("#im-details[data-incident=t14-arabic]")


def test_hostile_text_in_the_details_shows_as_text(server):
    with browser_page(server) as page:
        open_incident(page, server, "t14-hostile")
        panel = page.locator("#im-details")
        assert HOSTILE in panel.inner_text() and "<b>Outlet</b>" in panel.inner_text()
        assert page.locator("#im-details img, #im-details script, #im-details b").count() == 0
        assert page.locator("#im-details a[href^='javascript']").count() == 0
        assert page.dialogs == [] and page.console_errors == []


def test_a_link_to_an_unknown_incident_says_so(server):
    with browser_page(server) as page:
        page.goto(f"{server}/map?incident=no-such-incident")
        page.wait_for_selector("body[data-ready=true]", state="attached", timeout=30000)
        assert page.inner_text("#im-details-title") == "No incident no-such-incident is stored"
        assert "incident=" not in page.url
        page.click("#im-details .im-close")
        assert page.locator("#im-details.im-hidden").count() == 1


def test_the_incident_page_opens_the_map_on_its_details(server):
    with browser_page(server) as page:
        page.goto(f"{server}/incidents/t14-span")
        page.wait_for_selector("#im-details[data-incident=t14-span]", timeout=30000)
        assert page.get_by_role("region", name="Incident details").is_visible()
        page.wait_for_function("""() => { const c = INCIDENTMAP.map.getCenter();
            return Math.abs(c.lat - 34.2) < 0.01 && Math.abs(c.lng - 43.1) < 0.01; }""", timeout=10000)
        assert page.console_errors == []
