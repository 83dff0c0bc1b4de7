"""The map over a million incidents, in headless Chromium (Debian's chromium), and the aggregate endpoint.

    python bench/map_scale_bench.py [--n 1000000] [--runs 5] [--cache /tmp/incidentmap-scale]

Generates N incidents (bench/generate.py) into a GeoJSON data folder, cached under --cache and reused
by later runs (the generator's output is already the store's one-feature-per-line layout, so the
folder is written directly rather than through `incidentmap import`, which validates every feature
in memory first). Serves it with gunicorn (2 workers) and measures, as medians:
  - server start: until the first request that needs the index is answered (one worker's index);
  - map usable: from navigation until the first view is drawn and the time filter works;
  - pan and zoom: from the move until the new view is drawn (this includes the map's 200 ms
    debounce of moves);
  - the most features sent to the browser for one view, over every view of the run;
  - the aggregate endpoint's p50 for a region view and a Baghdad view (one client), with each
    answer's total checked against the items endpoint's numberMatched.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Error as PlaywrightError  # noqa: E402

from tests.webapp.browser import browser_page  # noqa: E402
from tests.webapp.live_server import running_server  # noqa: E402

# (what, URL query of the map page); all times, so the region view holds every incident
VIEWS = {
    "region": "lat=33.3&lon=42.5&zoom=6",
    "Baghdad": "lat=33.31&lon=44.39&zoom=11",
    "a Baghdad street": "lat=33.33&lon=44.45&zoom=17",
}
AGGREGATE = {
    "region": {"bbox": "34,28,51,39", "zoom": "6"},
    "Baghdad": {"bbox": "44.1,33.15,44.7,33.45", "zoom": "11"},
}
MOVE = """(move) => new Promise((resolve) => { const before = document.body.dataset.drawn;
  const t0 = performance.now(); const m = INCIDENTMAP.map;
  if (move.pan) m.panBy(move.pan, {animate: false}); else m.setZoom(m.getZoom() + move.zoom, {animate: false});
  const check = () => { if (document.body.dataset.drawn !== before) resolve(performance.now() - t0);
    else requestAnimationFrame(check); }; check(); })"""


def folder_for(n: int, cache: Path) -> Path:
    """A data folder with n generated incidents, built once and reused."""
    folder = cache / f"{n}"
    data = folder / "data"
    if (folder / "complete").exists():
        return data
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "geo", "init", "--data", str(data), "--empty"], check=True,
                   capture_output=True)
    started = time.monotonic()
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(n), str(data / "incidents.geojson")],
                   check=True, stdout=subprocess.DEVNULL)
    print(f"generated {n} incidents in {time.monotonic() - started:.0f} s into {data}")
    (folder / "complete").write_text("yes\n")
    return data


def get(url: str) -> tuple[float, dict]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as response:
        body = json.loads(response.read())
    return (time.perf_counter() - started) * 1000, body


def measure_aggregates(base: str, runs: int) -> dict[str, tuple[float, int, int]]:
    out = {}
    for name, params in AGGREGATE.items():
        times, body = [], {}
        for _ in range(runs):
            ms, body = get(f"{base}/collections/incidents/aggregate?{urllib.parse.urlencode(params)}")
            times.append(ms)
        _, items = get(f"{base}/collections/incidents/items?limit=1&bbox={params['bbox']}")
        counted = sum(f["properties"]["count"] for f in body["features"])
        assert body["numberMatched"] == items["numberMatched"] == counted, (name, body["numberMatched"], counted)
        out[name] = (statistics.median(times), body["numberMatched"], len(body["features"]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/incidentmap-scale"))
    args = parser.parse_args()
    data = folder_for(args.n, args.cache)
    with running_server(data, env={"INCIDENTMAP_TILES": "none"}) as base:
        started = time.monotonic()
        get(f"{base}/collections/incidents?f=json")
        first_index = time.monotonic() - started
        for _ in range(4):  # the other worker builds its index too
            get(f"{base}/collections/incidents?f=json")
        both = time.monotonic() - started
        aggregates = measure_aggregates(base, 30)
        loads, pans, zooms, sent, asked, modes = [], [], [], [], [], set()
        with browser_page(base) as page:
            def record(response):
                if "/collections/incidents/items" in response.url and response.ok:
                    try:
                        sent.append(json.loads(response.body())["numberReturned"])
                    except PlaywrightError:  # the page navigated on before the body was read
                        pass

            def ask(request):
                if "/collections/incidents/items" in request.url:
                    query = urllib.parse.parse_qs(urllib.parse.urlparse(request.url).query)
                    asked.append(int(query.get("limit", ["100"])[0]))
            page.on("response", record)
            page.on("request", ask)
            page.goto(f"{base}/map?{VIEWS['region']}")  # warm the browser's cache
            page.wait_for_selector("body[data-drawn]", state="attached", timeout=300_000)
            for _ in range(args.runs):
                for name, view in VIEWS.items():
                    page.goto(f"{base}/map?{view}")
                    page.wait_for_selector("body[data-drawn]", state="attached", timeout=300_000)
                    if name == "region":
                        loads.append(page.evaluate("performance.now()"))
                    modes.add((name, page.evaluate("document.body.dataset.mode")))
                    for pan in ([250, 120], [-250, -120]):
                        pans.append(page.evaluate(MOVE, {"pan": pan}))
                    for step in (1, -1):
                        zooms.append(page.evaluate(MOVE, {"zoom": step}))
            errors = list(page.console_errors)
        assert not errors, errors
    print(f"{args.n} incidents; gunicorn 2 workers; first index built and answered in {first_index:.1f} s, "
          f"both workers ready in {both:.1f} s")
    print(f"views: {', '.join(f'{name} drawn as {mode}' for name, mode in sorted(modes))}")
    print(f"map usable (region view drawn, filter live): median {statistics.median(loads):.0f} ms over "
          f"{len(loads)} loads")
    print(f"pan redrawn: median {statistics.median(pans):.0f} ms over {len(pans)}; zoom redrawn: median "
          f"{statistics.median(zooms):.0f} ms over {len(zooms)} (both include the 200 ms move debounce)")
    print(f"most features sent for one view: {max(sent, default=0)} (over {len(sent)} item answers read); "
          f"largest limit asked: {max(asked, default=0)} (over {len(asked)} item requests; the cap is 5,000)")
    for name, (ms, total, cells) in aggregates.items():
        print(f"aggregate, {name} view: p50 {ms:.1f} ms ({total} incidents in {cells} cells; "
              "total checked against items)")


if __name__ == "__main__":
    main()
