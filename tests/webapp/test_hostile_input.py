"""Hostile and malformed requests, one named case per row: each gets the right status, and every 4xx
the one JSON error body that names the problem."""

from __future__ import annotations

import json
import math

import pytest

from geo.errors import ValidationError
from geo.model import validate_feature
from tests.conftest import store_state
from webapp import create_app

GEOJSON = "application/geo+json"
ITEMS = "/collections/incidents/items"


def is_error_body(response, status: int, *words: str) -> dict:
    """The response is ``status`` with the JSON error body, its description holding ``words``."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"code", "description"} and body["description"], body
    for word in words:
        assert word.lower() in body["description"].lower(), (word, body["description"])
    return body


def point(coordinates, fid=None, **props) -> dict:
    body = {"type": "Feature", "geometry": {"type": "Point", "coordinates": coordinates},
            "properties": {"date": "2024-03-01", "event_type": "other", **props}}
    if fid:
        body["id"] = fid
    return body


# ---- query parameters --------------------------------------------------------------------------

@pytest.mark.parametrize("query, words", [
    ("bbox=nan,33,45,34", ["finite"]),
    ("bbox=44,NaN,45,34", ["finite"]),
    ("bbox=inf,33,45,34", ["finite"]),
    ("bbox=44,33,-Infinity,34", ["finite"]),
    ("bbox=1e309,33,45,34", ["finite"]),
    ("bbox=44,34,45,33", ["south edge", "north"]),  # swapped south and north
    ("bbox=44,33,45", ["4 or 6 numbers"]),
    ("bbox=44,33,45,34,5", ["4 or 6 numbers"]),
    ("bbox=44,33,45,34,5,6,7", ["4 or 6 numbers"]),
    ("bbox=", ["4 or 6 numbers"]),
    ("bbox=a,b,c,d", ["numbers"]),
    ("bbox=44,33,181,34", ["longitude"]),
    ("bbox=44,-91,45,34", ["latitude"]),
    ("datetime=2023-02-29", ["datetime", "day is out of range"]),  # not a leap year
    ("datetime=2023-02-29/2023-03-01", ["datetime"]),
    ("datetime=../..", ["no bound"]),
    ("datetime=..", ["names no time"]),
    ("datetime=/", ["no bound"]),
    ("datetime=a/b/c", ["more than one"]),
    ("datetime=last%20friday", ["RFC 3339"]),
    ("datetime=2023-12-08T25:00:00Z", ["RFC 3339"]),
    ("datetime=2023-12-08T10:00:00%2B24:00", ["RFC 3339"]),
    ("datetime=9999-12-31T23:59:59-23:59", ["outside the years"]),  # the zone carries it past 9999
    ("datetime=%D9%A2%D9%A0%D9%A2%D9%A3-12-08", ["RFC 3339"]),  # Arabic-Indic digits
    ("datetime=2023-12-09/2023-12-08", ["ends before"]),
    ("datetime=", ["empty"]),
    ("limit=0", ["at least 1"]),
    ("limit=-5", ["at least 1"]),
    ("limit=1.5", ["whole number"]),
    ("limit=" + "9" * 5000, ["whole number"]),  # more digits than int() takes
    ("limit=%EF%BC%91", ["ASCII digits"]),  # full-width 1, which int() reads (issue 16)
    ("limit=1_0", ["ASCII digits"]),  # which int() reads as 10
    ("offset=%D9%A3", ["ASCII digits"]),  # Arabic-Indic 3
    ("bbox=%EF%BC%94%EF%BC%94,33,45,34", ["numbers"]),  # full-width 44
    ("offset=-1", ["offset"]),
    ("offset=" + "9" * 30, ["offset"]),
    ("sortby=-nothing", ["cannot sort"]),
    ("sortby=,", ["names no property"]),
    ("crs=EPSG:4326", ["not supported"]),
    ("event_type=", ["empty"]),
    ("colour=red", ["unknown query parameter 'colour'"]),
    ("BBOX=44,33,45,34", ["unknown query parameter"]),  # names are case-sensitive
    ("%3Cscript%3E=1", ["unknown query parameter"]),
])
def test_bad_item_queries_are_400(client, query, words):
    is_error_body(client.get(f"{ITEMS}?{query}"), 400, *words)


@pytest.mark.parametrize("url", [
    "/collections?colour=red", "/collections/incidents?limit=1", "/conformance?x=1",
    "/collections/incidents/items/t-embassy-1208?bbox=1,2,3,4", "/openapi?q=1",
])
def test_unknown_parameters_elsewhere_are_400(client, url):
    is_error_body(client.get(url), 400, "unknown query parameter")


@pytest.mark.parametrize("query, matched", [
    ("datetime=2024-02-29", 0),  # a leap day is a day
    ("datetime=2023-12-08T01:00:00Z", 2),
    ("datetime=2023-12-08T01:00:00%2B03:00", 0),  # 22:00 UTC on the 7th: not the embassy's day
    ("datetime=2023-12-08T01:00:00-03:00", 2),
    ("datetime=2023-12-08T12:00:00.123456789Z", 2),
    ("datetime=2023-12-08t12:00:00z", 2),
    ("datetime=2023-12-08/..", None),
    ("datetime=../2023-12-08", None),
    ("limit=" + "9" * 30, 13),  # huge: clamped, not refused
    ("limit=10001", 13),
    ("offset=1000", 13),  # past the end: an empty page
    ("bbox=44,33,0,45,34,100", 2),  # 6 numbers: heights ignored
    ("bbox=-180,-90,180,90", 13),
])
def test_edge_queries_answer_200(client, query, matched):
    response = client.get(f"{ITEMS}?{query}&bbox-crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84"
                          if "bbox" in query else f"{ITEMS}?{query}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    if matched is not None:
        assert body["numberMatched"] == matched
    if "offset=1000" in query:
        assert body["numberReturned"] == 0 and body["features"] == []
    if "limit=" in query:
        assert body["numberReturned"] == 13


def test_bbox_across_the_antimeridian_finds_both_sides(client, auth):
    for fid, lon in (("east-of-180", 179.5), ("west-of-180", -179.5), ("greenwich", 0.5)):
        assert client.post(ITEMS, data=json.dumps(point([lon, -17.0], fid)), headers=auth,
                           content_type=GEOJSON).status_code == 201
    body = client.get(f"{ITEMS}?bbox=170,-20,-170,-10").get_json()
    found = {f["id"] for f in body["features"]}
    assert {"east-of-180", "west-of-180"} <= found and "greenwich" not in found
    assert all(abs(f["geometry"]["coordinates"][0]) >= 170 for f in body["features"])
    counts = client.get("/collections/incidents/counts?bbox=170,-20,-170,-10").get_json()
    assert counts["total"] == body["numberMatched"]


# ---- write bodies -------------------------------------------------------------------------------

NAN_BODY = json.dumps(point([float("nan"), 33.0], "nan-1"))  # Python writes the NaN literal JSON lacks
assert "NaN" in NAN_BODY


@pytest.mark.parametrize("body, words", [
    (NAN_BODY, ["not valid JSON"]),
    (json.dumps(point([float("inf"), 33.0])), ["not valid JSON"]),
    ('{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1' + "0" * 400 + ', 33]}, '
     '"properties": {"date": "2024-03-01", "event_type": "other"}}', ["not valid JSON"]),
    (json.dumps(point([200, 33])), ["coordinates", "longitude"]),
    (json.dumps(point([44, 95])), ["coordinates", "latitude"]),
    (json.dumps(point([44, -90.0001])), ["latitude"]),
    (json.dumps(point([[44, 33]])), ["[lon, lat]"]),  # wrong nesting
    (json.dumps(point([44])), ["[lon, lat]"]),
    (json.dumps(point([44, 33, 1, 2])), ["[lon, lat]"]),
    (json.dumps(point(["44", "33"])), ["[lon, lat]"]),
    (json.dumps(point([True, 33])), ["[lon, lat]"]),
    (json.dumps(point(None)), ["[lon, lat]"]),
    (json.dumps({**point([44, 33]), "geometry": {"type": "Polygon", "coordinates": [[[44, 33], [45, 33], [45, 34],
                                                                                      [44, 33]]]}}), ["Point"]),
    (json.dumps({**point([44, 33]), "geometry": None}), ["Point"]),
    (json.dumps(point([44, 33], sources=[{"url": "javascript:alert(1)"}])), ["sources[0].url", "http"]),
    (json.dumps(point([44, 33], sources=[{"url": "data:text/html,<script>alert(1)</script>"}])), ["http"]),
    (json.dumps(point([44, 33], sources=[{"url": " https://a.example"}])), ["http"]),
    (json.dumps(point([44, 33], date="2023-02-29")), ["date"]),
    (json.dumps(point([44, 33], geo_precision=True)), ["geo_precision"]),
    (json.dumps(point([44, 33], created="9999-12-31T23:59:59-23:59")), ["created"]),
    ("{not json", ["not valid JSON"]),
    ("", ["not valid JSON"]),
    ("\xff\xfe", ["not valid JSON"]),
    ("[1, 2]", ["one GeoJSON Feature"]),
    ('"Feature"', ["one GeoJSON Feature"]),
    ("null", ["one GeoJSON Feature"]),
    ("42", ["one GeoJSON Feature"]),
    ('{"type": "FeatureCollection", "features": []}', ["one GeoJSON Feature"]),
    ("[" * 10000 + "]" * 10000, ["not valid JSON"]),  # deeper than the JSON parser goes
])
def test_bad_features_are_400_naming_the_problem(client, auth, data_dir, body, words):
    before = store_state(data_dir)
    is_error_body(client.post(ITEMS, data=body, headers=auth, content_type=GEOJSON), 400, *words)
    is_error_body(client.put(f"{ITEMS}/t-embassy-1208", data=body, headers=auth, content_type=GEOJSON), 400)
    assert store_state(data_dir) == before


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "", "application/geojson"])
def test_wrong_content_type_is_415(client, auth, content_type):
    body = json.dumps(point([44, 33]))
    headers = {**auth, **({"Content-Type": content_type} if content_type else {})}
    is_error_body(client.post(ITEMS, data=body, headers=headers), 415, "geo+json")
    is_error_body(client.put(f"{ITEMS}/t-embassy-1208", data=body, headers=headers), 415)


@pytest.fixture
def small_client(data_dir):
    """An app that takes bodies of at most 1000 bytes."""
    return create_app({"DATA": str(data_dir), "MAX_BODY_BYTES": 1000, "TESTING": True}).test_client()


@pytest.mark.parametrize("method, url, kwargs", [
    ("post", ITEMS, {"data": json.dumps(point([44, 33], notes="x" * 2000)), "content_type": GEOJSON}),
    ("put", f"{ITEMS}/t-embassy-1208", {"data": json.dumps(point([44, 33], notes="x" * 2000)),
                                         "content_type": GEOJSON}),
    ("post", "/ingest", {"json": {"text": "Rockets hit Erbil. " * 100}}),
    ("post", "/ingest", {"data": {"text": "Rockets hit Erbil. " * 100}}),  # a form
    ("post", "/ingest", {"data": {"text": (None, "x" * 2000)}}),  # multipart
    ("post", ITEMS, {"data": b"x" * 5000, "content_type": "text/plain"}),  # too big comes before the type
])
def test_oversized_bodies_are_413(small_client, auth, method, url, kwargs):
    response = getattr(small_client, method)(url, headers=auth, **kwargs)
    is_error_body(response, 413, "larger than 1000 bytes")


def test_a_body_under_the_limit_passes(small_client, auth):
    response = small_client.post(ITEMS, data=json.dumps(point([44, 33], "small")), headers=auth, content_type=GEOJSON)
    assert response.status_code == 201


# ---- /ingest ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, status, words", [
    ({"data": "Rockets hit Erbil.", "content_type": "text/plain"}, 415, ["send the report"]),
    ({"data": "Rockets hit Erbil."}, 415, ["send the report"]),  # no content type
    ({"data": b"<report/>", "content_type": "application/xml"}, 415, ["application/json"]),
    ({"data": "{not json", "content_type": "application/json"}, 400, ["not valid JSON"]),
    ({"data": "", "content_type": "application/json"}, 400, ["not valid JSON"]),
    ({"json": ["Rockets hit Erbil."]}, 400, ["JSON object"]),
    ({"json": "Rockets hit Erbil."}, 400, ["JSON object"]),
    ({"data": "null", "content_type": "application/json"}, 400, ["JSON object"]),
    ({"json": {"text": 42}}, 400, ["text must be a string"]),
    ({"json": {"text": ["a"]}}, 400, ["text must be a string"]),
    ({"json": {"text": "Rockets hit Erbil.", "title": {"x": 1}}}, 400, ["title must be a string"]),
    ({"json": {"text": "Rockets hit Erbil.", "url": 5}}, 400, ["url must be a string"]),
    ({"json": {"text": " \u200b\u200b \u202e "}}, 400, ["has no text"]),  # only invisible characters
    ({"json": {"text": "Rockets hit Erbil.", "store": "maybe"}}, 400, ["store must be true or false"]),
    ({"json": {"text": "Rockets hit Erbil.", "store": 2}}, 400, ["store must be true or false"]),
    ({"json": {"text": "Rockets hit Erbil.", "published": "2023-02-29"}}, 400, ["published must be a date"]),
])
def test_bad_ingest_requests(client, kwargs, status, words):
    is_error_body(client.post("/ingest", **kwargs), status, *words)


def test_a_report_over_500000_characters_is_400(client, auth):
    # with a token: without one, the body is over MAX_PUBLIC_INGEST_BYTES first (tests/webapp/test_limits.py)
    is_error_body(client.post("/ingest", json={"text": "x" * 500_001}, headers=auth), 400, "500,000")


@pytest.mark.parametrize("query, words", [("store=maybe", ["store must be true or false"]),
                                          ("colour=red", ["unknown query parameter"])])
def test_bad_ingest_parameters_are_400(client, query, words):
    is_error_body(client.post(f"/ingest?{query}", json={"text": "Rockets hit Erbil."}), 400, *words)


def test_ingest_store_false_needs_no_token(client):
    assert client.post("/ingest?store=false", json={"text": "Rockets hit Erbil on Friday."}).status_code == 200
    assert client.post("/ingest", json={"text": "Rockets hit Erbil.", "store": False}).status_code == 200


# ---- geometry validation in the model (sites take polygons) ---------------------------------------

def site(coordinates, geometry_type="Polygon") -> dict:
    return {"type": "Feature", "id": "zone", "geometry": {"type": geometry_type, "coordinates": coordinates},
            "properties": {"name": "A zone", "kind": "area"}}


SQUARE = [[44.0, 33.0], [45.0, 33.0], [45.0, 34.0], [44.0, 34.0], [44.0, 33.0]]


@pytest.mark.parametrize("coordinates, field, words", [
    ([SQUARE[:-1]], "geometry.coordinates", ["closed"]),  # unclosed ring
    ([[[44, 33], [45, 34], [45, 33], [44, 34], [44, 33]]], "geometry", ["invalid", "self-intersection"]),  # bow tie
    ([[[44, 33], [45, 33], [44, 33], [44, 33]]], "geometry", ["invalid"]),  # no area
    ([SQUARE, [[50, 50], [51, 50], [51, 51], [50, 50]]], "geometry", ["invalid", "hole"]),  # hole outside
    ([[[44, 33], [200, 33], [45, 34], [44, 33]]], "geometry.coordinates", ["longitude"]),  # out of range
    ([[[44, 33], [45, 95], [45, 34], [44, 33]]], "geometry.coordinates", ["latitude"]),
    ([[[44, 33], [math.nan, 33], [45, 34], [44, 33]]], "geometry.coordinates", ["longitude"]),  # NaN
    ([[[44, 33], [45, math.inf], [45, 34], [44, 33]]], "geometry.coordinates", ["latitude"]),
    (SQUARE, "geometry.coordinates", ["4 or more positions"]),  # one level too shallow
    ([[SQUARE]], "geometry.coordinates", ["positions"]),  # one level too deep
    ([[SQUARE] * 4], "geometry.coordinates", ["[lon, lat]"]),
    ([], "geometry.coordinates", ["list of rings"]),
    ([[[44, 33], [45, 33], [44, 33]]], "geometry.coordinates", ["4 or more"]),
])
def test_invalid_polygons_name_the_problem(coordinates, field, words):
    with pytest.raises(ValidationError) as caught:
        validate_feature("sites", site(coordinates))
    assert caught.value.field == field
    for word in words:
        assert word.lower() in caught.value.description.lower(), caught.value.description


def test_a_valid_polygon_is_wound_counter_clockwise():
    clockwise = [list(reversed(SQUARE))]
    out = validate_feature("sites", site(clockwise))
    ring = out["geometry"]["coordinates"][0]
    area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))
    assert area2 > 0
