import copy
import json
import re

import pytest

from geo.errors import ValidationError
from geo.model import Incident, Site, validate_feature
from tests.conftest import TEST_DATA


@pytest.fixture
def feature() -> dict:
    features = json.loads((TEST_DATA / "incidents.geojson").read_text())["features"]
    return copy.deepcopy(features[0])


def test_round_trip_keeps_every_property(feature):
    incident = Incident.from_feature(feature)
    again = incident.to_feature()
    assert again["geometry"] == {"type": "Point", "coordinates": [44.396, 33.299]}
    assert again["properties"] == feature["properties"]
    assert Incident.from_feature(again) == incident


def test_unknown_properties_pass_through(feature):
    feature["properties"]["acled_event_id"] = "IRQ123"
    assert Incident.from_feature(feature).to_feature()["properties"]["acled_event_id"] == "IRQ123"


def test_date_span_defaults_from_date(feature):
    for key in ("date_from", "date_to", "date_precision"):
        del feature["properties"][key]
    incident = Incident.from_feature(feature)
    assert (incident.date_from, incident.date_to, incident.date_precision) == ("2023-12-08", "2023-12-08", "day")


@pytest.mark.parametrize("path, value, field, message", [
    (("properties", "event_type"), "bombing", "event_type", "must be one of"),
    (("properties", "date"), "2023-13-01", "date", "must be a date"),
    (("properties", "date"), "8 December 2023", "date", "must be a date"),
    (("properties", "date_to"), "2023-12-01", "date_to", "is before date_from"),
    (("properties", "killed"), -1, "killed", "must not be negative"),
    (("properties", "injured"), "five", "injured", "whole number"),
    (("properties", "killed"), True, "killed", "whole number"),
    (("properties", "time_local"), "25:00", "time_local", "HH:MM"),
    (("properties", "geo_precision"), 4, "geo_precision", "must be one of"),
    (("properties", "status"), "confirmed", "status", "must be one of"),
    (("properties", "country_code"), "Iraq", "country_code", "alpha-2"),
    (("properties", "confidence"), 1.5, "confidence", "from 0 to 1"),
    (("geometry", "coordinates"), [44.0, 95.0], "geometry.coordinates", "latitude"),
    (("geometry", "coordinates"), [200.0, 33.0], "geometry.coordinates", "longitude"),
    (("geometry", "coordinates"), [44.0], "geometry.coordinates", "lon, lat"),
    (("geometry", "type"), "LineString", "geometry", "Point"),
    (("id",), "has space", "id", "URL-safe"),
])
def test_bad_feature_names_field_and_value(feature, path, value, field, message):
    target = feature
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    if path == ("id",):
        del feature["properties"]["id"]
    with pytest.raises(ValidationError) as caught:
        Incident.from_feature(feature)
    assert caught.value.field == field
    assert repr(value)[:20] in str(caught.value) or field == "geometry"
    assert re.search(message, str(caught.value))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "not a url"])
def test_source_url_must_be_http(feature, url):
    feature["properties"]["sources"][0]["url"] = url
    with pytest.raises(ValidationError, match=r"sources\[0\]\.url"):
        Incident.from_feature(feature)


def test_ids_must_agree(feature):
    feature["properties"]["id"] = "other"
    with pytest.raises(ValidationError, match="differs"):
        Incident.from_feature(feature)


def test_not_a_feature():
    with pytest.raises(ValidationError, match="GeoJSON Feature"):
        validate_feature("incidents", {"type": "FeatureCollection", "features": []})


def _site(ring):
    return {"type": "Feature", "id": "zone", "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"name": "Zone", "kind": "area", "aliases": ["the zone"]}}


def test_site_polygon_is_wound_counter_clockwise():
    clockwise = [[44.0, 33.0], [44.0, 33.1], [44.1, 33.1], [44.1, 33.0], [44.0, 33.0]]
    site = Site.from_feature(_site(clockwise))
    from shapely.geometry import Polygon

    assert Polygon(site.geometry["coordinates"][0]).exterior.is_ccw
    assert site.is_area and 44.0 < site.point[0] < 44.1


def test_site_polygon_must_close():
    with pytest.raises(ValidationError, match="closed"):
        Site.from_feature(_site([[44.0, 33.0], [44.0, 33.1], [44.1, 33.1], [44.1, 33.0]]))


def test_site_polygon_must_not_cross_itself():
    bowtie = [[44.0, 33.0], [44.1, 33.1], [44.1, 33.0], [44.0, 33.1], [44.0, 33.0]]
    with pytest.raises(ValidationError, match="invalid"):
        Site.from_feature(_site(bowtie))


def test_site_kind_checked():
    feature = _site([[44.0, 33.0], [44.1, 33.0], [44.1, 33.1], [44.0, 33.0]])
    feature["properties"]["kind"] = "castle"
    with pytest.raises(ValidationError, match="kind"):
        Site.from_feature(feature)
