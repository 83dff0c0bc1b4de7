"""Build data/basemap/governorates.geojson: the governorates' areas, for drawing an incident whose
place is known only to its governorate (geo_precision 3) as that area.

    python scripts/build_governorates.py

Made from files already shipped, so it needs no download: the country polygons
(countries.geojson) are cut along the governorate boundary lines (governorate_lines.geojson, Natural
Earth admin-1 lines); each piece is named by the governorates of data/admin_areas.json whose capital
lies in it. Natural Earth draws no line between some governorates (northern Iraq: Nineveh, Dohuk,
Erbil, Kirkuk, Salah al-Din, Sulaymaniyah, Diyala, Halabja; a few in Syria, Lebanon, Kuwait): their
piece is one area that names all of them, so the map outlines a larger area rather than invent a
boundary. Pieces that hold no capital (small islands) are left out.
"""

from __future__ import annotations

import json
from pathlib import Path

from shapely import set_precision
from shapely.geometry import Point, mapping, shape
from shapely.ops import unary_union

DATA = Path(__file__).resolve().parents[1] / "data"
GAP = 0.004  # degrees: the cut's half-width, which also closes the lines' small gaps (simplified to ~300 m)
TOLERANCE = 0.003


def _rounded(geometry) -> dict:
    def walk(value):
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], float):
                return [round(value[0], 4), round(value[1], 4)]
            return [walk(v) for v in value]
        return value
    data = mapping(set_precision(geometry, 0.0001))  # snapped to the grid first, so it stays valid
    return {"type": data["type"], "coordinates": walk(data["coordinates"])}


def _polygons(geometry):
    """Only the polygons of an intersection (it may add stray lines or points along the border)."""
    parts = [g for g in getattr(geometry, "geoms", [geometry]) if g.geom_type in ("Polygon", "MultiPolygon")]
    return unary_union(parts)


def build() -> list[dict]:
    """One feature per area: its governorates' names, each name and alias lower-cased to the name
    it stands for (the lookup by an incident's ``admin1``), the country, and the polygon."""
    basemap = DATA / "basemap"
    countries = json.loads((basemap / "countries.geojson").read_text())["features"]
    lines = unary_union([shape(f["geometry"]) for f in
                         json.loads((basemap / "governorate_lines.geojson").read_text())["features"]])
    admin1 = json.loads((DATA / "admin_areas.json").read_text())["admin1"]
    cut = lines.buffer(GAP)
    features = []
    for country in countries:
        code = country["properties"]["country_code"]
        areas = [a for a in admin1 if a["country_code"] == code]
        if not areas:
            continue
        outline = shape(country["geometry"])
        pieces = outline.difference(cut)
        for piece in getattr(pieces, "geoms", [pieces]):
            held = [a for a in areas if piece.distance(Point(a["lon"], a["lat"])) < GAP * 1.5]
            if not held:
                continue
            polygon = _polygons(piece.buffer(GAP).intersection(outline).simplify(TOLERANCE, preserve_topology=True))
            names = [a["name"] for a in held]
            aliases = {n.lower(): a["name"] for a in held for n in [a["name"], *a.get("aliases", [])]}
            features.append({"type": "Feature", "geometry": _rounded(polygon),
                             "properties": {"country_code": code, "governorates": names,
                                                            "aliases": dict(sorted(aliases.items()))}})
    return features


def main() -> None:
    features = build()
    path = DATA / "basemap" / "governorates.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                               separators=(",", ":")) + "\n")
    print(f"{path.name}: {len(features)} areas, {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
