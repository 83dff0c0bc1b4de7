"""The trend chart and the clusters that keep meaning, in headless Chromium (issue 14): the chart's
accessible name and table, following the filters; clusters drawn as rings of the type colours
with their count; markers whose outline tells the location's precision."""

from __future__ import annotations

import pytest

from tests.webapp.analyst_map import api
from tests.webapp.browser import browser_page, screenshot


@pytest.fixture(scope="module")
def server(analyst_base):
    return analyst_base  # read only: one server for the modules that read the analyst's data


def open_page(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", state="attached", timeout=30000)
    page.wait_for_selector("body[data-drawn]", state="attached", timeout=30000)  # the layers' first draw
    page.wait_for_function("document.getElementById('im-trend-chart').dataset.periods !== undefined", timeout=30000)


def table_rows(page) -> list[list[str]]:
    return page.evaluate("[...document.querySelectorAll('#im-trend-table tbody tr')]"
                         ".map((tr) => [...tr.children].map((c) => c.textContent))")


def test_trend_chart_has_its_name_and_a_table_of_the_api_numbers(server):
    expected = api(server, "/collections/incidents/trend")
    with browser_page(server) as page:
        open_page(page, f"{server}/map")
        chart = page.locator("#im-trend-chart")
        assert chart.get_attribute("role") == "img"
        assert chart.get_attribute("aria-label").startswith(f"Incidents per {expected['period']}")
        assert page.locator("#im-trend-table caption").text_content().startswith("Incidents per")
        rows = table_rows(page)
        assert [r[0] for r in rows] == [p["start"] for p in expected["periods"]]
        assert [int(r[1]) for r in rows] == [p["count"] for p in expected["periods"]]
        assert [(int(r[-2]), int(r[-1])) for r in rows] == [(p["killed"], p["injured"]) for p in expected["periods"]]
        bars = page.locator("#im-trend-chart rect[data-type]").count()
        assert bars == sum(len(p["byType"]) for p in expected["periods"])
        page.locator("#im-trend").scroll_into_view_if_needed()
        screenshot(page, "trend-chart")
        assert page.console_errors == []


def test_trend_chart_follows_the_filters_and_period(server):
    with browser_page(server) as page:
        open_page(page, f"{server}/map")
        page.locator("#im-filters summary").click()
        page.select_option("#im-filter-form select[name=event_type]", "drone_attack")
        wanted = api(server, "/collections/incidents/trend", event_type="drone_attack")
        page.wait_for_function(f"document.querySelectorAll('#im-trend-table tbody tr').length === {len(wanted['periods'])}"
                               f" && document.getElementById('im-trend-note').textContent.includes('{wanted['total']} incidents')",
                               timeout=30000)
        assert sum(int(r[1]) for r in table_rows(page)) == wanted["total"]
        page.select_option("#im-trend-period", "month")
        page.wait_for_function("document.getElementById('im-trend-chart').dataset.period === 'month'", timeout=30000)
        assert page.locator("#im-trend-chart").get_attribute("aria-label").startswith("Incidents per month")
        months = api(server, "/collections/incidents/trend", event_type="drone_attack", period="month")
        assert [r[0] for r in table_rows(page)] == [p["start"] for p in months["periods"]]


def test_a_cluster_is_a_ring_of_the_type_colours_it_holds(server):
    with browser_page(server) as page:
        # zoomed out over Baghdad: the embassy's rockets and the airport's mortars share a cluster
        open_page(page, f"{server}/map?lat=33.3&lon=44.3&zoom=7&datetime=2023-12-01/2023-12-31")
        page.wait_for_selector(".im-cluster svg", timeout=30000)
        clusters = page.evaluate("""[...document.querySelectorAll('.im-cluster')].map((node) => ({
            label: node.querySelector('.im-visually-hidden').textContent,
            count: node.querySelector('text').textContent,
            colours: [...node.querySelectorAll('circle[data-type]')].map((c) => c.getAttribute('stroke')),
            types: [...node.querySelectorAll('circle[data-type]')].map((c) => c.dataset.type)}))""")
        mixed = [c for c in clusters if len(c["types"]) > 1]
        assert mixed, clusters
        colours = {t["id"]: t["colour"] for t in page.evaluate("INCIDENTMAP.eventTypes || window.incidentmap.cfg.eventTypes")}
        for cluster in mixed:
            assert cluster["colours"] == [colours[t] for t in cluster["types"]]
        for cluster in clusters:  # each cluster button's name: its count and the types it holds
            assert cluster["label"].startswith(f"{cluster['count']} incidents: ") and cluster["label"].endswith("zoom in")
        screenshot(page, "cluster-rings")
        assert page.console_errors == []


def test_markers_show_their_precision_and_the_legend_explains_it(server):
    with browser_page(server) as page:
        open_page(page, f"{server}/map?lat=33.9&lon=43.5&zoom=8&datetime=2024-02-01/2024-02-29")
        # the markers are drawn by a refresh that may end after the page says it is ready: wait for them
        styles = page.wait_for_function("""(() => {
            const out = {};
            window.incidentmap.cfg.eventTypes.forEach((t) => window.incidentmap.overlays[t.id].cluster.getLayers()
              .forEach((m) => { out[m.feature ? m.feature.id : m.getLatLng().toString()] = m.options; }));
            const styles = Object.values(out).map((o) => [o.dashArray, o.fillOpacity, o.radius]);
            return styles.length ? styles : null;
        })""", timeout=30000).json_value()
        kinds = {(dash, fill) for dash, fill, _ in styles}
        assert {(None, 0.85), ("4 3", 0.15), ("1 4", 0)} <= kinds  # exact, near, area only
        legend = page.locator(".im-precision-key").text_content()
        assert "named site" in legend and "near it" in legend and "only the governorate" in legend
        assert page.locator(".im-legend-key").count() == 1  # the legend appears once
        screenshot(page, "precision-markers")
