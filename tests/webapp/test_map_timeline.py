"""Time drawn honestly and one legend (issue 14): the histogram stacks the types, incidents known only
within a span are drawn as spans (never as a spike on their first day); the layer control is the
only legend."""

import urllib.parse

import pytest

from tests.webapp.analyst_map import api, matched, open_map
from tests.webapp.browser import browser_page, screenshot
from webapp.maps import EVENT_COLOURS, EVENT_LABELS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(analyst_base):
    return analyst_base  # read only: one server for the modules that read the analyst's data


def canvas_colours(page, top: int, bottom: int) -> set[str]:
    """The opaque colours drawn in rows top..bottom of the histogram, as #rrggbb."""
    return set(page.evaluate(f"""() => {{
        const c = document.getElementById('im-histogram');
        const data = c.getContext('2d').getImageData(0, {top}, c.width, {bottom - top}).data;
        const seen = new Set();
        for (let i = 0; i < data.length; i += 4) {{
            if (data[i + 3] === 255) seen.add('#' + [data[i], data[i + 1], data[i + 2]]
                .map(v => v.toString(16).padStart(2, '0')).join('').toUpperCase());
        }}
        return [...seen];
    }}"""))


def test_the_histogram_stacks_types_and_draws_spans_as_spans(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map")
        page.wait_for_function("document.getElementById('im-histogram').dataset.counts !== undefined")
        uncertain = matched(server, filter="date_precision <> 'day'")
        assert uncertain == 3
        assert page.get_attribute("#im-histogram", "data-spans") == str(uncertain)
        bars = canvas_colours(page, 16, 64)  # under the span strip: the bars, in the types' colours
        assert {EVENT_COLOURS["drone_attack"], EVENT_COLOURS["rocket_attack"], EVENT_COLOURS["airstrike"]} <= bars
        assert bars <= set(EVENT_COLOURS.values())
        # the month-long IED is a line a month wide in the strip above the bars, and no bar
        assert EVENT_COLOURS["ied"] not in bars
        width = page.evaluate("""() => { const c = document.getElementById('im-histogram');
            const data = c.getContext('2d').getImageData(0, 0, c.width, 16).data; let n = 0;
            for (let x = 0; x < c.width; x++) { for (let y = 0; y < 16; y++) {
                const i = (y * c.width + x) * 4;
                if (data[i] === 0 && data[i + 1] === 0x9E && data[i + 2] === 0x73 && data[i + 3] > 0) { n++; break; } } }
            return n / c.width; }""")
        days = page.evaluate("INCIDENTMAP.map && window.incidentmap.days.length")
        assert abs(width - 29 / days) < 0.02  # 29 days of February 2024 over the whole timeline
        screenshot(page, "map-default")
        assert page.console_errors == [] and page.outside_requests == []


def test_the_legend_appears_once_in_the_layer_control(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map")
        assert page.locator(".im-legend").count() == 0
        control = page.locator(".leaflet-control-layers")
        assert control.count() == 1 and control.get_attribute("aria-label") == "Layers and legend"
        labels = control.locator(".leaflet-control-layers-overlays label").all_inner_texts()
        assert [label.strip() for label in labels][:len(EVENT_LABELS)] == list(EVENT_LABELS.values())
        # the type colours' key appears once, in the control (the list's and details' icons mark incidents)
        keyed = page.eval_on_selector_all(".im-swatch", """ns => ns.filter(n => !n.closest('#im-side'))
            .map(n => n.style.background).filter(Boolean)""")
        assert len(keyed) == len(EVENT_LABELS) == control.locator(".im-swatch[style]").count()
        assert control.locator(".im-legend-key").count() == 1  # and what the outlines (precision) mean


def test_the_histogram_comes_from_one_trend_request(server):
    """One /trend?period=day request stacks the histogram (no /counts request per type), and what it
    holds per day equals the API's /counts of the incidents known to the day."""
    with browser_page(server) as page:
        asked = []
        page.on("request", lambda r: asked.append(r.url) if "/collections/incidents/" in r.url else None)
        open_map(page, f"{server}/map")
        page.wait_for_function("document.getElementById('im-histogram').dataset.counts !== undefined")
        assert not [url for url in asked if "/collections/incidents/counts" in url]
        per_day = [url for url in asked if "/trend?" in url and "period=day" in url]
        assert len(per_day) == 1 and "date_precision" in urllib.parse.unquote_plus(per_day[0])
        drawn = page.evaluate("window.incidentmap.counts")
        known = api(server, "/collections/incidents/counts", filter="date_precision = 'day'")["counts"]
        assert {day: sum(types.values()) for day, types in drawn.items()} == {c["date"]: c["count"] for c in known}
        assert sum(drawn.get("2024-02-14", {}).values()) >= 1 and drawn["2024-02-14"].get("rocket_attack")
        # a filter refetches it, still in one request
        asked.clear()
        before = page.get_attribute("#im-histogram", "data-counts")
        page.goto(f"{server}/map?event_type=airstrike")
        page.wait_for_selector("body[data-ready=true]", state="attached", timeout=30000)
        page.wait_for_function("document.getElementById('im-histogram').dataset.counts !== undefined")
        assert len([url for url in asked if "/trend?" in url and "period=day" in url]) == 1
        drawn = page.evaluate("window.incidentmap.counts")
        assert {t for types in drawn.values() for t in types} == {"airstrike"}
        assert before is not None and page.console_errors == []
