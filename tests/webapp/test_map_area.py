"""Precision-3 incidents drawn as their area (issue 14): an incident placed only to its governorate
gets the governorate outlined while it is selected (details open) or its list row is hovered."""

from __future__ import annotations

import json

import pytest

from tests.webapp.analyst_map import _incident, analyst_data, open_map
from tests.webapp.browser import browser_page, need_browser, screenshot
from tests.webapp.live_server import running_server

pytestmark = pytest.mark.slow

# made up: incidents known only to their governorate, at its capital (as the gazetteer places them)
AREA_ONLY = [
    _incident("t14-area-anbar", 43.30778, 33.42056, event_type="ied", geo_precision=3, location="Anbar",
              admin1="Anbar", date_from="2024-02-20", date_to="2024-02-20"),
    _incident("t14-area-nineveh", 43.1, 36.34, event_type="drone_attack", geo_precision=3, location="Nineveh",
              admin1="Nineveh", date_from="2024-02-21", date_to="2024-02-21"),
    _incident("t14-area-basra", 47.78, 30.51, event_type="rocket_attack", geo_precision=3, location="Basra area",
              admin1=None, date_from="2024-02-22", date_to="2024-02-22"),  # no admin1: the area it lies in
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_browser()
    folder = analyst_data(tmp_path_factory.mktemp("area") / "data")
    incidents = json.loads((folder / "incidents.geojson").read_text())
    incidents["features"].extend(AREA_ONLY)
    (folder / "incidents.geojson").write_text(json.dumps(incidents, ensure_ascii=False))
    with running_server(folder, env={"INCIDENTMAP_TILES": "none"}) as base:
        yield base


def inside_outline(page, selector: str, lon: float, lat: float) -> bool:
    """Whether (lon, lat) lies inside the outline drawn by ``selector`` (an SVG path in layer points)."""
    return page.evaluate("""([selector, lat, lon]) => {
        const path = document.querySelector(selector);
        const p = INCIDENTMAP.map.latLngToLayerPoint([lat, lon]);
        return path.isPointInFill(new DOMPoint(p.x, p.y)); }""", [selector, lat, lon])


def field(page, label: str) -> str:
    return page.locator("#im-details dt", has_text=label).first.evaluate("dt => dt.nextElementSibling.innerText")


def test_an_area_only_incident_selected_is_drawn_as_its_governorate(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map?incident=t14-area-anbar&zoom=6")
        outline = page.wait_for_selector("path.im-area-selected", timeout=10000)
        assert outline.get_attribute("data-incident") == "t14-area-anbar"
        assert outline.get_attribute("data-governorates") == "Anbar"
        page.wait_for_timeout(700)  # the fly to the incident ends
        page.evaluate("INCIDENTMAP.map.setView([33.4, 42.0], 6, {animate: false})")
        selector = "path.im-area-selected"
        assert inside_outline(page, selector, 43.31, 33.42)  # Ramadi, its capital
        assert inside_outline(page, selector, 41.08, 34.37)  # al-Qaim, far west in Anbar
        assert not inside_outline(page, selector, 44.39, 33.31)  # Baghdad
        assert not inside_outline(page, selector, 43.13, 36.34)  # Mosul
        assert field(page, "Location precision") == "3: only the governorate or region"
        assert field(page, "Area") == "Anbar governorate, outlined on the map"
        screenshot(page, "map-area-precision3")
        page.click("#im-details .im-close")
        page.wait_for_selector("path.im-area", state="detached", timeout=5000)
        assert page.console_errors == [] and page.outside_requests == []


def test_hovering_a_row_outlines_the_area_and_a_precise_incident_has_none(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map?lat=33.5&lon=43&zoom=6&datetime=2024-02-01%2F2024-02-29")
        page.hover("#im-list button[data-id=t14-area-anbar]")
        hovered = page.wait_for_selector("path.im-area-hover", timeout=10000)
        assert hovered.get_attribute("data-governorates") == "Anbar"
        page.hover("#im-list button[data-id=t14-multi]")  # at its site (precision 1): a ring, no area
        page.wait_for_selector("path.im-area", state="detached", timeout=5000)
        assert page.locator(".im-highlight").count() == 1
        page.focus("#im-list button[data-id=t14-area-basra]")  # keyboard focus too; no admin1: the area it is in
        assert page.wait_for_selector("path.im-area-hover").get_attribute("data-governorates") == "Basra"


def test_an_area_the_basemap_does_not_split_says_so(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map?incident=t14-area-nineveh")
        outline = page.wait_for_selector("path.im-area-selected", timeout=10000)
        assert {"Nineveh", "Erbil", "Dohuk"} <= set(outline.get_attribute("data-governorates").split(","))
        text = field(page, "Area")
        assert text.startswith("Nineveh governorate, outlined on the map together with ")
        assert "draws no boundary between them" in text and "Erbil" in text
