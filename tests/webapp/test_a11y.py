"""An automated accessibility audit (axe-core, through axe-playwright-python) of the map page, the
embed and the review page: no moderate, serious or critical violation (issue 14; the moderate ones,
folium's zoom-forbidding viewport and the map outside any landmark, are fixed in webapp/maps.py)."""

from __future__ import annotations

import pytest

from tests.webapp.browser import browser_page

SEVERE = ("moderate", "serious", "critical")


@pytest.fixture(scope="module")
def server(analyst_base):
    pytest.importorskip("axe_playwright_python")
    return analyst_base  # read only: one server for the modules that read the analyst's data


def severe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in SEVERE]


@pytest.mark.parametrize("path, ready", [
    ("/map?lat=33.5&lon=43&zoom=6", "body[data-ready=true]"),
    ("/embed", "body[data-ready=true]"),
    ("/review", "#report-form"),
    ("/incidents/t14-multi", "body[data-ready=true]"),  # the details of a multi-source incident open
])
def test_no_moderate_serious_or_critical_violations(server, path, ready):
    with browser_page(server) as page:
        page.goto(f"{server}{path}")
        page.wait_for_selector(ready, state="attached", timeout=30000)
        page.wait_for_timeout(300)  # the list and the chart fill after the page is ready
        assert severe_violations(page) == []


@pytest.mark.parametrize("width, height", [(390, 844)])
def test_no_moderate_or_serious_violations_on_a_phone(server, width, height):
    with browser_page(server) as page:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{server}/map")
        page.wait_for_selector("body[data-ready=true]", state="attached", timeout=30000)
        page.wait_for_timeout(300)
        assert severe_violations(page) == []
