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


def test_each_governorate_has_one_area_holding_its_capital():
    """governorates.geojson (scripts/build_governorates.py): every governorate of admin_areas.json in
    exactly one area, in its country, its capital inside; each name and alias leads to it."""
    admin1 = json.loads((shipped_data_dir() / "admin_areas.json").read_text())["admin1"]
    areas = layer("governorates")
    assert all(shape(f["geometry"]).is_valid and not shape(f["geometry"]).is_empty for f in areas)
    for governorate in admin1:
        holding = [f for f in areas if governorate["name"] in f["properties"]["governorates"]]
        assert len(holding) == 1, governorate["name"]
        props = holding[0]["properties"]
        assert props["country_code"] == governorate["country_code"]
        assert shape(holding[0]["geometry"]).buffer(0.01).contains(Point(governorate["lon"], governorate["lat"]))
        for name in (governorate["name"], *governorate["aliases"]):
            assert props["aliases"][name.lower()] == governorate["name"]
    alone = {f["properties"]["governorates"][0] for f in areas if len(f["properties"]["governorates"]) == 1}
    assert {"Anbar", "Baghdad", "Basra", "Deir ez-Zor", "Homs", "Mafraq"} <= alone

