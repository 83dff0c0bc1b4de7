"""Seeded synthetic incidents around the shipped known sites, for benchmarks.

    python bench/generate.py 100000 /tmp/incidents-100k.geojson [--seed 7]

Dates are spread over 2023-10-01..2024-12-31 with a surge in late 2023;
points scatter a few kilometres around a site. The same N and seed give the
same file. The incidents are synthetic and describe nothing real.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from datetime import date, timedelta
from pathlib import Path

SITES_FILE = Path(__file__).resolve().parent.parent / "data" / "sites.geojson"
TYPES = ["rocket_attack", "drone_attack", "mortar_attack", "airstrike", "ied", "small_arms",
         "missile_attack", "other"]
TYPE_WEIGHTS = [26, 30, 9, 14, 8, 6, 4, 3]
START, DAYS = date(2023, 10, 1), 458


def site_points() -> list[tuple[str, str, str, float, float]]:
    from shapely.geometry import shape

    out = []
    for feature in json.loads(SITES_FILE.read_text())["features"]:
        geom = shape(feature["geometry"])
        point = geom if geom.geom_type == "Point" else geom.representative_point()
        props = feature["properties"]
        out.append((feature["id"], props["name"], props["country_code"], point.x, point.y))
    return out


def generate(n: int, seed: int):
    rng = random.Random(seed)
    sites = site_points()
    weights = [8 if s[0] in ("baghdad", "green-zone", "ain-al-asad", "erbil-air-base", "al-tanf-garrison")
               else 2 for s in sites]
    days = sorted(rng.randrange(DAYS) if rng.random() < 0.6 else rng.randrange(17, 126) for _ in range(n))
    for i, offset in enumerate(days, start=1):
        site_id, name, cc, lon0, lat0 = rng.choices(sites, weights)[0]
        spread = rng.uniform(0.5, 8) / 111.0
        lon = round(lon0 + rng.gauss(0, spread) / math.cos(math.radians(lat0)), 5)
        lat = round(lat0 + rng.gauss(0, spread), 5)
        day = (START + timedelta(days=offset)).isoformat()
        fid = f"inc-{i:07d}"
        yield {"type": "Feature", "id": fid, "geometry": {"type": "Point", "coordinates": [lon, lat]},
               "properties": {
                   "id": fid, "date": day, "date_from": day, "date_to": day, "date_precision": "day",
                   "event_type": rng.choices(TYPES, TYPE_WEIGHTS)[0], "site_id": site_id,
                   "site_name": name, "location": name, "country_code": cc, "geo_precision": 2,
                   "killed": rng.choice([0, 0, 0, 1, 2, None]), "injured": rng.choice([0, 0, 1, 3, None]),
                   "status": "reported",
                   "sources": [{"url": f"https://bench.example.org/{fid}", "outlet": "bench"}],
                   "notes": f"Synthetic incident {i} near {name}, generated for benchmarking."}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with args.out.open("w") as out:
        out.write('{"type": "FeatureCollection", "features": [\n')
        for k, feature in enumerate(generate(args.n, args.seed)):
            out.write((",\n" if k else "") + json.dumps(feature))
        out.write("\n]}\n")
    print(f"wrote {args.n} incidents to {args.out}")


if __name__ == "__main__":
    main()
