"""The map page in a real browser (Debian's chromium, headless), against gunicorn on 127.0.0.1."""

import json
import urllib.parse
import urllib.request

import pytest

from tests.conftest import grant_token
from tests.webapp.browser import browser_page, need_browser, screenshot
from tests.webapp.live_server import running_server

pytestmark = pytest.mark.slow
TOKEN = "map-token"
HOSTILE_NOTE = 'Hostile <script>alert("x")</script> <img src=x onerror=alert(2)> `tick` "quote"'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_browser()
    from geo.datadir import init_data_dir

    folder = tmp_path_factory.mktemp("map") / "data"
    init_data_dir(folder)  # the shipped sites and the 52 sample incidents
    hostile = {"type": "Feature", "id": "hostile-popup", "geometry": {"type": "Point", "coordinates": [47.78, 30.51]},
               "properties": {"date": "2023-11-15", "event_type": "other", "notes": HOSTILE_NOTE,
                              "perpetrator": "<b>bold</b>", "location": "Basra",
                              "sources": [{"url": "https://example.org/x", "outlet": "<i>Outlet</i>"}]}}
    grant_token(folder, TOKEN, "mapper")
    with running_server(folder, env={"INCIDENTMAP_TILES": "none"}) as base:
        request = urllib.request.Request(f"{base}/collections/incidents/items", data=json.dumps(hostile).encode(),
                                         method="POST", headers={"Content-Type": "application/geo+json",
                                                                 "Authorization": f"Bearer {TOKEN}"})
        urllib.request.urlopen(request).read()
        yield base


def matched(base: str, **params) -> int:
    query = urllib.parse.urlencode({**params, "limit": 1})
    with urllib.request.urlopen(f"{base}/collections/incidents/items?{query}") as response:
        return json.loads(response.read())["numberMatched"]


def open_map(page, url):
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", state="attached", timeout=30000)
    page.wait_for_function("document.getElementById('im-count').dataset.rendered !== undefined")


def drawn(page) -> int:
    return int(page.get_attribute("#im-count", "data-rendered"))


def test_loads_offline_with_every_incident_of_the_filter(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map")
        assert drawn(page) == matched(server) == 53
        assert page.locator(".im-site").count() >= 25  # known sites drawn
        assert page.locator(".leaflet-pane path").count() > 50  # the offline basemap
        screenshot(page, "map-page")
        assert page.console_errors == [] and page.outside_requests == []


def test_time_filter_changes_markers_and_url(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map")
        page.click("button[data-preset='30']")
        page.wait_for_function("!location.search.includes('2023-10-')")
        assert "datetime=2024-01-09%2F2024-02-07" in page.url
        page.wait_for_function(f"document.getElementById('im-count').dataset.rendered == "
                               f"'{matched(server, datetime='2024-01-09/2024-02-07')}'")
        assert drawn(page) < 53
        # the Download link is the API's own URL for the same filter
        assert "datetime=2024-01-09%2F2024-02-07" in page.get_attribute("#im-geojson", "href")


def test_the_url_carries_the_state(server):
    url = f"{server}/map?datetime=2023-12-01%2F2023-12-10&layers=airstrike,sites&lat=35.5&lon=44.4&zoom=8"
    with browser_page(server) as page:
        open_map(page, url)
        assert page.input_value("#im-from") != "0"
        assert page.inner_text("#im-from-label") == "2023-12-01"
        assert page.evaluate("INCIDENTMAP.map.getZoom()") == 8
        shown = page.evaluate("Object.values(INCIDENTMAP.map._layers).filter(l => l.id).map(l => l.id).sort()")
        assert shown == ["airstrike", "sites"]
        assert drawn(page) == matched(server, datetime="2023-12-01/2023-12-10")


def test_turning_a_layer_off_hides_it(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map")
        visible = "document.querySelectorAll('.im-site').length"
        assert page.evaluate(visible) > 0
        page.locator(".leaflet-control-layers-overlays label", has_text="Known sites").locator("input").click()
        assert page.evaluate(visible) == 0
        assert "sites" not in urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["layers"][0].split(",")


def test_hostile_text_in_a_popup_shows_as_text(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map?datetime=2023-11-15%2F2023-11-15")
        page.evaluate("""() => { const m = INCIDENTMAP.map; m.setView([30.51, 47.78], 12);
            Object.values(m._layers).forEach(l => { if (l.getPopup && l.getPopup() && l.getLatLng) l.openPopup(); }); }""")
        popup = page.locator(".im-popup")
        popup.wait_for()
        assert HOSTILE_NOTE in popup.inner_text() and "<b>bold</b>" in popup.inner_text()
        assert page.locator(".im-popup script, .im-popup img, .im-popup b, .im-popup i").count() == 0
        assert page.dialogs == [] and page.console_errors == []


def test_embed_works_inside_an_iframe(server, tmp_path):
    with browser_page(server) as page:
        page.goto(f"{server}/conformance?f=html")  # a page of the same origin to host the iframe
        page.set_content(f'<iframe id="f" src="{server}/embed?datetime=2023-12-01%2F2023-12-31" '
                         f'width="800" height="600"></iframe>')
        frame = page.frame_locator("#f")
        frame.locator("body[data-ready=true]").wait_for(state="attached", timeout=30000)
        count = frame.locator("#im-count")
        count.wait_for()
        page.wait_for_timeout(500)
        assert int(count.get_attribute("data-rendered")) == matched(server, datetime="2023-12-01/2023-12-31")
        assert frame.locator(".im-title").count() == 0  # no page chrome
        assert page.console_errors == [] and page.outside_requests == []
    with urllib.request.urlopen(f"{server}/embed") as response:
        assert "frame-ancestors *" in response.headers["Content-Security-Policy"]


def test_the_embed_button_gives_the_iframe_of_the_current_view(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map")
        page.click("button[data-preset='7']")
        page.click("#im-embed")
        code = page.input_value("#im-embed-code")
        assert code.startswith(f'<iframe src="{server}/embed?') and "datetime=" in code


def test_dragging_the_range_refetches(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map")
        before = page.url
        page.evaluate("""() => { const from = document.getElementById('im-from');
            from.value = String(Number(from.max) - 20); from.dispatchEvent(new Event('input')); }""")
        page.wait_for_function(f"location.href !== {before!r}")
        span = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["datetime"][0]
        page.wait_for_function(f"document.getElementById('im-count').dataset.rendered == "
                               f"'{matched(server, datetime=span)}'")


def test_play_steps_through_time(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map")
        page.click("button[data-preset='7']")
        page.click("#im-play")
        first = page.inner_text("#im-from-label")
        page.wait_for_function(f"document.getElementById('im-from-label').textContent !== {first!r}", timeout=5000)
        page.wait_for_function(f"document.getElementById('im-from-label').textContent > {first!r}")
        assert page.get_attribute("#im-play", "aria-pressed") == "true"
        page.click("#im-play")
        assert page.get_attribute("#im-play", "aria-pressed") == "false"


# ---- many incidents: counts per area at low zoom, incidents when few are in view ------------------

MANY = 20_000
VIEW_LIMIT = 5000


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """A server over 20,000 generated incidents (bench/generate.py)."""
    import subprocess
    import sys
    from pathlib import Path

    need_browser()
    root = Path(__file__).resolve().parents[2]
    folder = tmp_path_factory.mktemp("crowded")
    source = folder / "incidents.geojson"
    subprocess.run([sys.executable, str(root / "bench" / "generate.py"), str(MANY), str(source)], check=True,
                   stdout=subprocess.DEVNULL)
    data = folder / "data"
    for command in (["init", "--data", str(data), "--empty"], ["import", str(source), "--data", str(data)]):
        subprocess.run([sys.executable, "-m", "geo", *command], check=True, capture_output=True)
    with running_server(data, env={"INCIDENTMAP_TILES": "none"}) as base:
        yield base


def watch_requests(page) -> list[dict]:
    """The query parameters of every API request the page makes, with its path."""
    seen = []

    def record(request):
        url = urllib.parse.urlparse(request.url)
        if url.path.startswith("/collections/"):
            seen.append({"path": url.path, **dict(urllib.parse.parse_qsl(url.query))})

    page.on("request", record)
    return seen


def wait_for_view(page, mode: str) -> None:
    page.wait_for_function(f"document.body.dataset.mode === {mode!r} && "
                           "document.getElementById('im-count').dataset.mode === document.body.dataset.mode",
                           timeout=30000)
    page.wait_for_timeout(400)  # a debounced move may still be on its way
    page.wait_for_function(f"document.body.dataset.mode === {mode!r}", timeout=30000)


def last(requests: list[dict], path: str) -> dict:
    return [r for r in requests if r["path"] == path][-1]


def test_many_incidents_are_counts_per_area_that_add_up(crowded):
    with browser_page(crowded) as page:
        requests = watch_requests(page)
        open_map(page, f"{crowded}/map")
        wait_for_view(page, "aggregate")
        view = last(requests, "/collections/incidents/aggregate")
        expected = matched(crowded, bbox=view["bbox"], datetime=view["datetime"])
        assert expected > 10_000  # nearly everything is in the region view
        circles = page.eval_on_selector_all(".im-agg", "nodes => nodes.map(n => Number(n.dataset.count))")
        assert len(circles) > 5 and sum(circles) == expected
        assert int(page.get_attribute("#im-count", "data-matched")) == expected
        assert drawn(page) == 0  # no individual incidents at this scale
        screenshot(page, "map-aggregated")
        assert all(int(r.get("limit", 0)) <= VIEW_LIMIT for r in requests if r["path"].endswith("/items"))
        assert page.console_errors == [] and page.outside_requests == []


def test_zooming_into_a_small_area_shows_individual_incidents(crowded):
    with browser_page(crowded) as page:
        requests = watch_requests(page)
        open_map(page, f"{crowded}/map")
        wait_for_view(page, "aggregate")
        page.evaluate("() => { INCIDENTMAP.map.setView([33.506, 38.618], 13); }")  # al-Tanf
        wait_for_view(page, "incidents")
        items = last(requests, "/collections/incidents/items")
        expected = matched(crowded, bbox=items["bbox"], datetime=items["datetime"])
        assert 0 < expected <= 2000
        page.wait_for_function(f"document.getElementById('im-count').dataset.rendered == '{expected}'")
        assert page.locator(".im-agg").count() == 0
        screenshot(page, "map-zoomed-in")
        # and back out: counts again, and the markers are gone
        page.evaluate("() => { INCIDENTMAP.map.setZoom(6); }")
        wait_for_view(page, "aggregate")
        assert drawn(page) == 0 and page.locator(".im-agg").count() > 0
        assert all(int(r.get("limit", 0)) <= VIEW_LIMIT for r in requests if r["path"].endswith("/items"))
        assert page.console_errors == []


def test_clicking_a_count_zooms_into_it(crowded):
    with browser_page(crowded) as page:
        open_map(page, f"{crowded}/map?datetime=2024-06-01%2F2024-06-30")
        wait_for_view(page, "aggregate") if page.evaluate("document.body.dataset.mode") != "incidents" else None
        for _ in range(6):  # each click zooms into the smallest circle's incidents
            if page.evaluate("document.body.dataset.mode") == "incidents":
                break
            zoom = page.evaluate("INCIDENTMAP.map.getZoom()")
            smallest = page.eval_on_selector_all(".im-agg", """nodes => nodes.map((n, i) => [Number(n.dataset.count), i])
                .sort((a, b) => a[0] - b[0])[0][1]""")
            page.locator(".im-agg").nth(smallest).click()
            page.wait_for_function(f"INCIDENTMAP.map.getZoom() > {zoom}")
            page.wait_for_timeout(600)
            page.wait_for_function("document.getElementById('im-count').dataset.mode === document.body.dataset.mode")
        assert page.evaluate("document.body.dataset.mode") == "incidents" and drawn(page) > 0


def test_pans_never_ask_for_more_than_the_view_limit(crowded):
    with browser_page(crowded) as page:
        requests = watch_requests(page)
        open_map(page, f"{crowded}/map?lat=33.3&lon=44.4&zoom=12")
        for dx, dy in [(300, 0), (0, 300), (-600, 0), (0, -600)]:
            before = page.evaluate("document.body.dataset.drawn")
            page.evaluate(f"() => {{ INCIDENTMAP.map.panBy([{dx}, {dy}], {{animate: false}}); }}")
            page.wait_for_function(f"document.body.dataset.drawn !== {before!r}", timeout=30000)
        limits = [int(r["limit"]) for r in requests if r["path"].endswith("/items")]
        assert limits and max(limits) <= VIEW_LIMIT
        assert int(page.get_attribute("#im-count", "data-rendered")) <= VIEW_LIMIT
        assert page.console_errors == []


def test_tile_mode_draws_the_incidents_of_the_view_from_vector_tiles(server):
    with browser_page(server) as page:
        tiles = []
        page.on("request", lambda r: tiles.append(r.url) if "/tiles/WebMercatorQuad/" in r.url else None)
        page.goto(f"{server}/map?source=tiles&lat=33.3&lon=44.4&zoom=8")
        page.wait_for_selector("body[data-mode=tiles]", state="attached", timeout=30000)
        view = page.evaluate("() => window.INCIDENTMAP.map.getBounds().toBBoxString()")
        in_view = matched(server, bbox=view)
        assert in_view > 0
        # every incident of the view is drawn (the tiles reach a little past it), and no more than exist
        assert in_view <= drawn(page) <= matched(server)
        assert page.locator("path.im-tile-incident").count() >= in_view
        assert tiles and all("/8/" in url for url in tiles)
        assert page.locator(".im-tile-cell").count() == 0  # at tile matrix 8, few incidents: no counts
        assert page.locator(".im-incident").count() == 0  # nothing from the items
        screenshot(page, "map-tiles")
        assert page.console_errors == [] and page.outside_requests == []


# the map's caps lowered before core.js sets them (its assignments then do nothing), so 20,000
# incidents are far more than a view may fetch
SMALL_CAPS = """(() => { const caps = {DETAIL_MAX: 200, VIEW_LIMIT: 600, CLOSE_ZOOM: 12};
  const im = window.incidentmap = {};
  Object.entries(caps).forEach(([name, value]) => Object.defineProperty(im, name, {get: () => value, set: () => {}}));
})()"""


# the region; Baghdad airport with about 670 incidents in view (counts) and with about 300 (incidents:
# more than DETAIL_MAX, allowed from CLOSE_ZOOM on, up to VIEW_LIMIT)
@pytest.mark.parametrize("view", ["", "?lat=33.26&lon=44.23&zoom=14", "?lat=33.26&lon=44.23&zoom=15"])
def test_a_first_view_never_delivers_more_than_the_cap(crowded, view):
    with browser_page(crowded) as page:
        page.add_init_script(SMALL_CAPS)
        delivered = []

        def count(response):
            if "/collections/" in response.url and "/items" in response.url and response.ok:
                delivered.append(len(response.json()["features"]))
        page.on("response", count)
        requests = watch_requests(page)
        open_map(page, f"{crowded}/map{view}")
        page.wait_for_selector("body[data-drawn][data-listed]", state="attached", timeout=30000)
        assert page.evaluate("INCIDENTMAP.map && window.incidentmap.VIEW_LIMIT") == 600
        grid = last(requests, "/collections/incidents/aggregate")
        in_view = matched(crowded, bbox=grid["bbox"], datetime=grid["datetime"])
        assert delivered and max(delivered) <= 600
        assert drawn(page) <= 600 and all(int(r.get("limit", 0)) <= 600 for r in requests if r["path"].endswith("/items"))
        mode = page.evaluate("document.body.dataset.mode")
        assert mode == ("aggregate" if in_view > 600 else "incidents")  # past the cap: counts, not incidents
        if mode == "incidents":
            assert 200 < drawn(page) == in_view
        assert page.console_errors == []
