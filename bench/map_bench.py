"""How fast the map page is with many incidents in view, in headless Chromium (Debian's chromium).

    python bench/map_bench.py [--n 10000] [--runs 5]

Generates N incidents (bench/generate.py), serves them with gunicorn, and measures, as medians of
several runs:
  - page usable: from navigation until every incident of the filter is drawn (clustered) and the
    time filter works;
  - slider redraw: from moving the range until the histogram and dates are redrawn (the panel's
    own feedback), and until the layers are refetched from the API and drawn again.

    python bench/map_bench.py --store postgis [--n 1000000] [--runs 5] [--cache /tmp/incidentmap-scale]

The PostGIS mode (issue 14's first view): generates N incidents once (cached under --cache, shared with
bench/scale_bench.py), loads them with one COPY into a database of a throwaway PostgreSQL + PostGIS cluster
kept in the cache (loaded once, reused), serves it with ``incidentmap serve`` (gunicorn, 2 workers, reads
from the store's in-memory index, the default), and opens /map in headless Chromium: time to interactive
of the first view (navigation until the view is drawn and the page is ready, ``body[data-drawn]`` and
``body[data-ready]``, as the tests wait), the most features any single ``/collections/*/items`` answer
delivered, and the p50 time of each kind of request the page made (aggregate, counts, list, trend ...).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.webapp.browser import browser_page  # noqa: E402
from tests.webapp.live_server import running_server  # noqa: E402

MOVE = """() => { const t0 = performance.now(); const from = document.getElementById('im-from');
  const before = document.body.dataset.drawn;
  from.value = String(Number(from.value) + 30); from.dispatchEvent(new Event('input'));
  const panel = performance.now() - t0;
  return new Promise((resolve) => { const check = () => {
    if (document.body.dataset.drawn !== before) resolve([panel, performance.now() - t0]);
    else requestAnimationFrame(check); }; check(); }); }"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--store", choices=("geojson", "postgis"), default="geojson")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/incidentmap-scale"))
    args = parser.parse_args()
    if args.store == "postgis":
        first_view_postgis(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "incidents.geojson"
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(args.n), str(source)], check=True,
                       stdout=subprocess.DEVNULL)
        data = Path(tmp) / "data"
        subprocess.run([sys.executable, "-m", "geo", "init", "--data", str(data), "--empty"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-m", "geo", "import", str(source), "--data", str(data)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with running_server(data, env={"INCIDENTMAP_TILES": "none"}) as base:
            loads, panels, layers, drawn = [], [], [], 0
            with browser_page(base) as page:
                page.goto(f"{base}/map")  # warm the server's index and the browser's cache
                page.wait_for_selector("body[data-drawn]", state="attached", timeout=120_000)
                for _ in range(args.runs):
                    page.goto(f"{base}/map?datetime=2023-10-01%2F2024-12-31")
                    page.wait_for_selector("body[data-drawn]", state="attached", timeout=120_000)
                    loads.append(page.evaluate("performance.now()"))
                    drawn = int(page.get_attribute("#im-count", "data-rendered"))
                    page.evaluate("document.getElementById('im-from').value = '0'")
                    for _ in range(3):
                        panel, layer = page.evaluate(MOVE)
                        panels.append(panel)
                        layers.append(layer)
                assert not page.console_errors, page.console_errors
    print(f"{args.n} incidents generated, {drawn} drawn in view (all of them)")
    print(f"page usable (all drawn, filter live): median {statistics.median(loads):.0f} ms over {len(loads)} loads")
    print(f"slider: panel redrawn in median {statistics.median(panels):.1f} ms; layers refetched and redrawn in "
          f"median {statistics.median(layers):.0f} ms over {len(layers)} moves")


# ---- the PostGIS mode -------------------------------------------------------------------------------

def copy_incidents(url: str, source: Path) -> int:
    """Load a bench/generate.py file into the incidents table with one COPY (the store's own
    columns, geo.store.pg_sql.feature_row; no history rows, as for a restored dump). How many."""
    import orjson
    import psycopg

    from geo.store import pg_sql

    columns = ", ".join(pg_sql.COLUMNS)
    n = 0
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY incidents ({columns}) FROM STDIN") as copy, source.open("rb") as lines:
            for line in lines:
                line = line.strip().rstrip(b",")
                if not line.startswith(b'{"type": "Feature"'):
                    continue  # the FeatureCollection's first and last lines
                feature = orjson.loads(line)
                row = pg_sql.feature_row(orjson.dumps(feature), feature)
                x, y = feature["geometry"]["coordinates"][:2]
                row["geom"] = f"SRID=4326;POINT({x!r} {y!r})"
                copy.write_row([row[c] for c in pg_sql.COLUMNS])
                n += 1
        cur.execute("ANALYZE incidents")
    return n


def postgis_database(args) -> tuple[object, str, str]:
    """(the cached cluster, started; the URL of a database holding N generated incidents; how they were loaded)."""
    from scale_bench import CachedCluster, generated_file

    args.source = None
    source = generated_file(args, [])
    cluster = CachedCluster(args.cache / "pg").start()
    name = f"map_{args.n}"
    url = cluster.url(name)
    marker = cluster.root / f"{name}.loaded"
    if marker.exists():
        subprocess.run([sys.executable, "-m", "geo", "db", "upgrade", "--store", url], check=True,
                       stdout=subprocess.DEVNULL)
        return cluster, url, f"{marker.read_text().strip()} (cached)"
    cluster.execute(f"DROP DATABASE IF EXISTS {name}")
    cluster.create_database(name)
    subprocess.run([sys.executable, "-m", "geo", "db", "upgrade", "--store", url], check=True,
                   stdout=subprocess.DEVNULL)  # the schema and the known sites
    started = time.perf_counter()
    count = copy_incidents(url, source)
    took = f"{count} incidents by COPY in {time.perf_counter() - started:.0f} s"
    marker.write_text(took + "\n")
    return cluster, url, took


def kind_of(url: str) -> str:
    """What a request of the map page is for, by its path and parameters."""
    parts = urllib.parse.urlparse(url)
    query = urllib.parse.parse_qs(parts.query)
    path = parts.path
    if path.endswith("/items"):
        if "sortby" in query and query.get("limit") == ["50"]:
            return "items (list, 50)"
        if "filter" in query:
            return "items (timeline spans)"
        return f"items ({path.split('/')[2]})"
    if path.count("/") == 2:
        return f"collection ({path.split('/')[2]})"
    return path.rsplit("/", 1)[-1] if path.startswith("/collections/") else path


def first_view_postgis(args) -> None:
    from scale_bench import Server, serving, wait_for_workers

    args.cache = args.cache.resolve() / f"scale-bench-{args.n}"
    args.cache.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "bench"))
    cluster, url, loaded = postgis_database(args)
    try:
        server = Server("map-postgis", [sys.executable, "-m", "geo", "--store", url, "serve", "--port", "{port}",
                                        "--workers", "2"], env={"PYTHONPATH": str(ROOT), "INCIDENTMAP_TILES": "none"})
        with serving(server, args.cache):
            started = time.monotonic()
            wait_for_workers(server, "/collections/incidents/items?limit=1", timeout=1800)
            ready = time.monotonic() - started
            base = f"http://127.0.0.1:{server.port}"
            loads, most, timings = [], defaultdict(int), defaultdict(list)
            with browser_page(base) as page:
                def record(response):
                    if "/collections/" in response.url and "/items" in response.url and response.ok:
                        kind = kind_of(response.url)
                        try:
                            most[kind] = max(most[kind], len(json.loads(response.body()).get("features", [])))
                        except Exception:  # noqa: BLE001 - the page navigated on before the body was read
                            pass

                def finished(request):
                    timing = request.timing
                    if request.url.startswith(base + "/collections/") and timing["responseEnd"] > 0:
                        timings[kind_of(request.url)].append(timing["responseEnd"] - timing["requestStart"])
                page.on("response", record)
                page.on("requestfinished", finished)
                cold = []  # the first loads after start fill each worker's caches (columns a filter reads)
                for _ in range(2):
                    page.goto(f"{base}/map")
                    page.wait_for_selector("body[data-drawn][data-ready]", state="attached", timeout=600_000)
                    cold.append(page.evaluate("performance.now()"))
                timings.clear()
                for _ in range(args.runs):
                    page.goto(f"{base}/map")
                    page.wait_for_selector("body[data-drawn][data-ready]", state="attached", timeout=600_000)
                    loads.append(page.evaluate("performance.now()"))
                    page.wait_for_selector("body[data-listed]", state="attached", timeout=600_000)
                mode = page.evaluate("document.body.dataset.mode")
                errors = list(page.console_errors)
    finally:
        cluster.stop()
    assert not errors, errors
    print(f"{args.n:,} incidents in PostGIS ({loaded}); gunicorn 2 workers reading from the store's index, "
          f"both answering {ready:.0f} s after start")
    print(f"first view (/map, drawn as {mode}, page ready): time to interactive median {statistics.median(loads):.0f} ms "
          f"over {len(loads)} loads (goal: < 2,000 ms)")
    print(f"the first two loads after start (not counted above): {cold[0]:.0f} ms and {cold[1]:.0f} ms")
    print(f"most features in one items answer: {max(most.values(), default=0)} (goal: <= 5,000); by kind: "
          + ", ".join(f"{kind} {n}" for kind, n in sorted(most.items())))
    print("requests of the page, p50 ms (count): " + ", ".join(
        f"{kind} {statistics.median(v):.0f} ({len(v)})" for kind, v in sorted(timings.items())))


if __name__ == "__main__":
    main()
