"""The offline basemap shipped in data/basemap: present, valid, and covering the region."""

import json

from shapely.geometry import Point, shape

from geo.datadir import shipped_data_dir


def layer(name: str) -> list[dict]:
    return json.loads((shipped_data_dir() / "basemap" / f"{name}.geojson").read_text())["features"]


def test_countries_cover_the_region_and_hold_the_known_sites():
    countries = {f["properties"]["country_code"]: shape(f["geometry"]) for f in layer("countries")}
    assert {"IQ", "SY", "JO", "TR", "IR", "SA", "KW", "LB"} <= set(countries)
    assert countries["IQ"].contains(Point(44.396, 33.299))  # the US embassy in Baghdad
    assert countries["SY"].contains(Point(40.31, 35.34))  # the Conoco field
    assert countries["JO"].buffer(0.05).contains(Point(38.704, 33.316))  # Tower 22, by the border


def test_lines_towns_and_labels_are_there():
    assert len(layer("governorate_lines")) > 50
    towns = {f["properties"]["name"] for f in layer("towns")}
    assert {"Baghdad", "Mosul", "Basrah", "Erbil", "Kirkuk", "Damascus", "Amman"} <= towns
    labels = {f["properties"]["name"] for f in layer("governorate_labels")}
    assert {"Anbar", "Deir ez-Zor", "Mafraq"} <= labels
    for name in ("countries", "governorate_lines", "coastline", "towns", "governorate_labels"):
        assert all(shape(f["geometry"]).is_valid for f in layer(name))
