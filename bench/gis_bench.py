"""The GIS issue's benchmark at a million incidents: CQL2 filters against their dedicated
parameters, vector tiles, and a GeoPackage download, on both stores.

    python bench/gis_bench.py [--n 1000000] [--requests 30] [--cache /tmp/incidentmap-scale]

Reuses bench/scale_bench.py's data (generated once, imported into a data folder and migrated
into a throwaway PostGIS cluster, all cached under --cache) and serves each store with
``incidentmap serve`` (gunicorn, 2 workers): the embedded store, the PostGIS store reading from
its in-memory index (STORE_CACHE on, the default) and the PostGIS store answering in SQL
(STORE_CACHE=off). From one client thread, seeded, it times:

- the same query as a CQL2 filter and as its dedicated parameters, one after the other: a bbox
  around Baghdad, a 30-day window and one event type (limit 1000); the whole region and 7 days;
  every pair's two answers must hold the same ids;
- z/x/y tiles at a random incident's place: tile matrices 5 and 6 (grid counts) and 9, 11 and 13
  (features, or counts past 2,000 in a tile), without and with a 30-day window;
- a GeoPackage download (f=gpkg) of a window holding about 100,000 incidents, read to the end and
  counted with pyogrio.

Prints the p50 of each, the CQL2/parameter ratio (goal: within 2x), the tile p50 (goal: < 50 ms)
and the download's median (goal: < 5 s).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import numpy as np
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale_bench import (  # noqa: E402
    BAGHDAD,
    REGION,
    START,
    CachedCluster,
    generated_file,
    geojson_folder,
    get,
    incidentmap_server,
    load_postgis,
    load_truth,
    serving,
    wait_for_workers,
)

TYPES = ("rocket_attack", "drone_attack", "mortar_attack", "airstrike")


def day(offset: int) -> str:
    return (START + timedelta(days=int(offset))).isoformat()


def timed(port: int, path: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    status, body = get(port, path)
    took = (time.perf_counter() - started) * 1000
    if status != 200:
        raise RuntimeError(f"{path[:200]} answered {status}: {body[:300]!r}")
    return took, body


def ids(body: bytes) -> list[str]:
    return [f["id"] for f in orjson.loads(body)["features"]]


def pairs(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """(kind, parameter query, CQL2 query) for the two kinds of filter."""
    out = []
    for _ in range(n):
        start = rng.randrange(0, 420)
        kind_type = rng.choice(TYPES)
        bbox = ",".join(map(str, BAGHDAD))
        window = f"{day(start)}/{day(start + 29)}"
        cql = (f"event_type = '{kind_type}' AND S_INTERSECTS(geometry, BBOX({', '.join(map(str, BAGHDAD))})) "
               f"AND T_INTERSECTS(datetime, INTERVAL('{day(start)}', '{day(start + 29)}'))")
        out.append(("Baghdad, 30 d, one type", f"bbox={bbox}&datetime={window}&event_type={kind_type}&limit=1000",
                    f"filter={quote(cql)}&limit=1000"))
        start = rng.randrange(0, 450)
        bbox = ",".join(map(str, REGION))
        cql = (f"S_INTERSECTS(geometry, BBOX({', '.join(map(str, REGION))})) "
               f"AND T_INTERSECTS(datetime, INTERVAL('{day(start)}', '{day(start + 6)}'))")
        out.append(("region, 7 d", f"bbox={bbox}&datetime={day(start)}/{day(start + 6)}&limit=1000",
                    f"filter={quote(cql)}&limit=1000"))
    return out


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    x = int((lon + 180) / 360 * n)
    rad = np.radians(lat)
    y = int((1 - np.log(np.tan(rad) + 1 / np.cos(rad)) / np.pi) / 2 * n)
    return y, x


def tiles(rng: random.Random, truth, n: int) -> list[tuple[str, str]]:
    out = []
    for _ in range(n):
        i = rng.randrange(len(truth))
        for z in (5, 6, 9, 11, 13):
            row, col = tile_of(float(truth.lon[i]), float(truth.lat[i]), z)
            path = f"/collections/incidents/tiles/WebMercatorQuad/{z}/{row}/{col}"
            kind = "counts (z5, z6)" if z < 7 else "features (z9, z11, z13)"
            out.append((kind, path))
            start = rng.randrange(0, 420)
            out.append((kind + ", 30 d", f"{path}?datetime={day(start)}/{day(start + 29)}"))
    return out


def window_of(truth, want: int) -> tuple[str, int]:
    """A datetime window starting at day 200 holding about ``want`` incidents, and how many."""
    first = 200
    for last in range(first, 460):
        count = int(((truth.day_to >= first) & (truth.day_from <= last)).sum())
        if count >= want:
            return f"{day(first)}/{day(last)}", count
    return f"{day(first)}/{day(457)}", count


def bench(name: str, server, truth, args) -> dict:
    rng = random.Random(7)
    result: dict = {"cql": {}, "param": {}, "tiles": {}, "download": []}
    with serving(server, args.cache):
        print(f"  {name}: waiting for the workers ...", flush=True)
        wait_for_workers(server, "/collections/incidents/items?limit=1", timeout=1800)
        for kind, param, cql in pairs(rng, args.requests):
            order = [("param", param), ("cql", cql)]
            rng.shuffle(order)
            answers = {}
            for label, query in order:
                took, body = timed(server.port, f"/collections/incidents/items?{query}")
                result[label].setdefault(kind, []).append(took)
                answers[label] = ids(body)
            if answers["param"] != answers["cql"]:
                raise RuntimeError(f"{name}: the filter and the parameters disagree for {param}")
        for kind, path in tiles(rng, truth, args.requests):
            took, _ = timed(server.port, path)
            result["tiles"].setdefault(kind, []).append(took)
        window, expected = window_of(truth, 100_000)
        result["download_count"] = expected
        for _ in range(3):
            started = time.perf_counter()
            status, body = get(server.port, f"/collections/incidents/items?f=gpkg&datetime={window}", timeout=600)
            result["download"].append(time.perf_counter() - started)
            import pyogrio

            with tempfile.NamedTemporaryFile(suffix=".gpkg") as handle:
                handle.write(body)
                handle.flush()
                count = pyogrio.read_info(handle.name)["features"]
            if status != 200 or count != expected:
                raise RuntimeError(f"{name}: the download held {count} incidents, not {expected} (status {status})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30, help="queries per kind")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/incidentmap-scale"))
    parser.add_argument("--stores", default="geojson,postgis,postgis-sql")
    args = parser.parse_args()
    args.cache = args.cache.resolve() / f"scale-bench-{args.n}"
    args.cache.mkdir(parents=True, exist_ok=True)
    args.source = args.data = None
    loads: list[str] = []
    source = generated_file(args, loads)
    truth = load_truth(source, args.cache)
    data = geojson_folder(args, source, loads)
    stores = [s.strip() for s in args.stores.split(",")]
    results = {}
    if "geojson" in stores:
        print("benchmarking the embedded store ...", flush=True)
        results["embedded store"] = bench("embedded", incidentmap_server("geojson", str(data)), truth, args)
        report({"embedded store": results["embedded store"]}, loads, args)  # in case a later store fails
    if {"postgis", "postgis-sql"} & set(stores):
        cluster = CachedCluster(args.cache / "pg").start()
        try:
            print("loading PostGIS (incidentmap migrate, once) ...", flush=True)
            url, took = load_postgis(cluster, data, args.n)
            loads.append(f"load postgis: {took}")
            if "postgis" in stores:
                print("benchmarking PostGIS, reads from its index ...", flush=True)
                results["PostGIS store"] = bench("postgis", incidentmap_server("postgis", url), truth, args)
            if "postgis-sql" in stores:
                print("benchmarking PostGIS, reads in SQL ...", flush=True)
                server = incidentmap_server("postgis-sql", url)
                server.env["INCIDENTMAP_STORE_CACHE"] = "off"
                results["PostGIS store in SQL (STORE_CACHE=off)"] = bench("postgis-sql", server, truth, args)
        finally:
            cluster.stop()
    report(results, loads, args)


def p50(values: list[float]) -> float:
    return statistics.median(values)


def report(results: dict, loads: list[str], args) -> None:
    print(f"\n{args.n:,} incidents; {args.requests} queries per kind, 1 client thread, gunicorn 2 workers")
    for line in loads:
        print("  " + line)
    print("\nCQL2 filter against the same query's parameters (p50 ms; goal: filter within 2x):")
    for store, result in results.items():
        for kind in result["cql"]:
            cql, param = p50(result["cql"][kind]), p50(result["param"][kind])
            verdict = "PASS" if cql <= 2 * param else "FAIL"
            print(f"  {store:40} {kind:26} filter {cql:7.1f}  parameters {param:7.1f}  "
                  f"ratio {cql / param:4.2f}  {verdict}")
    print("\nTiles (p50 ms; goal: < 50 ms):")
    for store, result in results.items():
        every = [v for values in result["tiles"].values() for v in values]
        parts = "  ".join(f"{kind} {p50(values):.1f}" for kind, values in result["tiles"].items())
        verdict = "PASS" if p50(every) < 50 else "FAIL"
        print(f"  {store:40} all {p50(every):6.1f}  {verdict}   ({parts})")
    print("\nGeoPackage download (median of 3, s; goal: < 5 s):")
    for store, result in results.items():
        took = p50(result["download"])
        print(f"  {store:40} {result['download_count']:,} incidents in {took:.2f} s  "
              f"{'PASS' if took < 5 else 'FAIL'}")


if __name__ == "__main__":
    main()
