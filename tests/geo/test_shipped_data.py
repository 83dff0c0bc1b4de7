"""The data the product ships: real sites with sources, real incidents with sources."""

import json

import pytest
from shapely.geometry import Point, shape

from geo.datadir import shipped_data_dir
from geo.model import Incident, Site

REQUIRED_SITES = [
    "green-zone", "us-embassy-baghdad", "iraqi-nss-hq", "baghdad-airport", "victory-base-complex",
    "baghdad-diplomatic-support-center", "union-iii", "ain-al-asad", "erbil-air-base", "harir-air-base",
    "kirkuk-area", "k1-air-base", "jurf-al-sakhar", "al-qaim", "akashat", "al-tanf-garrison", "mss-conoco",
    "mss-green-village", "al-omar-oil-field", "mss-euphrates", "rmelan", "kharab-al-jir", "al-shaddadi",
    "tal-baydar", "rukban", "deir-ez-zor", "albu-kamal", "mayadin", "tower-22",
]


def features(name: str) -> list[dict]:
    return json.loads((shipped_data_dir() / name).read_text())["features"]


@pytest.fixture(scope="module")
def sites() -> dict[str, Site]:
    return {f["id"]: Site.from_feature(f) for f in features("sites.geojson")}


def test_sites_are_many_valid_and_cited(sites):
    assert len(sites) >= 30
    assert set(REQUIRED_SITES) <= set(sites)
    for site in sites.values():
        assert site.source and len(site.source) > 10, site.id
        lon, lat = site.point
        assert 35 <= lon <= 49 and 29 <= lat <= 38, site.id
        assert site.parent_id is None or site.parent_id in sites


def test_areas_are_polygons_holding_their_children(sites):
    for area_id in ("green-zone", "kirkuk-area"):
        assert sites[area_id].is_area
    zone = shape(sites["green-zone"].geometry)
    for child in ("us-embassy-baghdad", "iraqi-nss-hq"):
        assert zone.contains(Point(sites[child].point))
    assert shape(sites["kirkuk-area"].geometry).contains(Point(sites["k1-air-base"].point))


def test_no_alias_names_two_sites(sites):
    owner: dict[str, str] = {}
    for site in sites.values():
        for alias in [site.name, *site.aliases]:
            key = alias.casefold()
            assert owner.setdefault(key, site.id) == site.id, alias


def test_sample_incidents_are_real_and_on_their_sites(sites):
    incidents = [Incident.from_feature(f) for f in features("sample_incidents.geojson")]
    assert len(incidents) >= 17
    for incident in incidents:
        assert incident.sources and all(s.url and s.url.startswith("http") for s in incident.sources)
        assert "2023-10-01" <= incident.date <= "2024-02-29"
        if incident.site_id:
            assert (incident.lon, incident.lat) == pytest.approx(sites[incident.site_id].point, abs=1e-5)
    by_id = {i.id: i for i in incidents}
    embassy = by_id["2023-12-08-us-embassy-baghdad-rocket"]
    assert (embassy.site_id, embassy.event_type, embassy.killed) == ("us-embassy-baghdad", "rocket_attack", 0)
    kirkuk = by_id["2023-12-03-kirkuk-area-airstrike"]
    assert (kirkuk.killed, kirkuk.geo_precision, kirkuk.site_id) == (5, 2, "kirkuk-area")
    assert by_id["2024-01-28-tower-22-drone"].killed == 3
    assert {"2024-02-02-al-qaim-airstrike", "2024-02-02-akashat-airstrike",
            "2023-10-18-ain-al-asad-drone", "2023-10-18-harir-air-base-drone"} <= set(by_id)


def test_admin_areas_cover_the_region():
    admin = json.loads((shipped_data_dir() / "admin_areas.json").read_text())
    per_country = {}
    for area in admin["admin1"]:
        per_country[area["country_code"]] = per_country.get(area["country_code"], 0) + 1
    assert per_country["IQ"] >= 18 and per_country["SY"] == 14 and per_country["JO"] == 12
