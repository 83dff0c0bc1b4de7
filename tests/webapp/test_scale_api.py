"""The API at scale: keyset next links, estimated totals, grid aggregates."""

import dataclasses
import random
import urllib.parse

import pytest

from geo.store.geojson import GeoJSONStore
from webapp import create_app


def walk(client, url: str) -> tuple[list[str], list[str]]:
    """Every feature id along the next links from ``url``, and the next links themselves."""
    seen, links = [], []
    while url:
        body = client.get(url.replace("http://localhost", "")).json
        seen += [f["id"] for f in body["features"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        if url:
            links.append(url)
    return seen, links


@pytest.fixture
def big_client(data_dir):
    store = GeoJSONStore(data_dir)
    rng = random.Random(5)
    store.put_many("incidents", [
        {"type": "Feature", "id": f"g-{k:04d}", "geometry": {"type": "Point", "coordinates":
                                                              [44 + rng.random(), 33 + rng.random()]},
         "properties": {"date": f"2024-03-{rng.randint(1, 9):02d}", "event_type": rng.choice(["ied", "airstrike"]),
                        "killed": rng.choice([None, 0, 1])}} for k in range(240)])
    return create_app({"STORE": store, "TESTING": True}).test_client()


@pytest.mark.parametrize("params", ["limit=17", "limit=17&sortby=-date", "limit=10&sortby=killed,-date",
                                    "limit=9&bbox=44,33,44.5,34&sortby=date"])
def test_next_links_use_cursors_and_match_offset_paging(big_client, params):
    by_cursor, links = walk(big_client, f"/collections/incidents/items?{params}")
    assert links and all("cursor=" in link and "offset=" not in link for link in links)
    matched = big_client.get(f"/collections/incidents/items?{params}").json["numberMatched"]
    limit = int(urllib.parse.parse_qs(params)["limit"][0])
    by_offset = []
    for offset in range(0, matched, limit):
        body = big_client.get(f"/collections/incidents/items?{params}&offset={offset}").json
        by_offset += [f["id"] for f in body["features"]]
    assert by_cursor == by_offset and len(set(by_cursor)) == matched


def test_offset_requests_keep_prev_links_and_cursor_pages_have_none(big_client):
    body = big_client.get("/collections/incidents/items?limit=20&offset=40").json
    rels = {link["rel"]: link["href"] for link in body["links"]}
    assert "offset=20" in rels["prev"] and "cursor=" in rels["next"]
    following = big_client.get(rels["next"].replace("http://localhost", "")).json
    assert "prev" not in {link["rel"] for link in following["links"]}
    assert following["features"][0]["id"] == big_client.get(
        "/collections/incidents/items?limit=1&offset=60").json["features"][0]["id"]


@pytest.mark.parametrize("query, message", [
    ("cursor=not-a-cursor", "cursor"),
    ("cursor=", "cursor"),
    ("cursor=eyJ2IjoxfQ", "cursor"),
    ("limit=5&sortby=-date&offset=5&cursor=eyJ2IjoxfQ", "offset or cursor"),
])
def test_bad_cursors_are_400_with_the_json_error(client, query, message):
    response = client.get(f"/collections/incidents/items?{query}")
    assert response.status_code == 400
    assert response.json["code"] == "InvalidParameterValue" and message in response.json["description"]


def test_a_cursor_for_another_sort_order_is_400(client):
    first = client.get("/collections/incidents/items?limit=2&sortby=-date").json
    cursor = urllib.parse.parse_qs(urllib.parse.urlparse(
        next(link["href"] for link in first["links"] if link["rel"] == "next")).query)["cursor"][0]
    response = client.get(f"/collections/incidents/items?limit=2&sortby=id&cursor={cursor}")
    assert response.status_code == 400 and "sortby" in response.json["description"]


class EstimatingStore:
    """The embedded store, but saying its totals are estimates, as PostGIS does on large tables."""

    def __init__(self, inner):
        self.inner = inner
        self.names = inner.names

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def query(self, collection, query):
        result = self.inner.query(collection, query)
        return dataclasses.replace(result, number_matched=result.number_matched + 1000,
                                   number_matched_exact=False)


def test_estimated_totals_say_so(data_dir):
    client = create_app({"STORE": EstimatingStore(GeoJSONStore(data_dir)), "TESTING": True}).test_client()
    body = client.get("/collections/incidents/items?limit=2").json
    assert body["numberMatched"] == 1013 and body["numberMatchedExact"] is False
    html = client.get("/collections/incidents/items?limit=2&f=html").get_data(as_text=True)
    assert "of about 1013 matching" in html


def test_exact_totals_carry_no_flag(client):
    body = client.get("/collections/incidents/items?limit=2").json
    assert body["numberMatched"] == 13 and "numberMatchedExact" not in body
    assert "of about" not in client.get("/collections/incidents/items?f=html").get_data(as_text=True)


# ---- grid aggregates ---------------------------------------------------------------

def test_aggregate_is_geojson_with_counts_that_add_up(big_client):
    response = big_client.get("/collections/incidents/aggregate?size=0.25&datetime=2024-03-01/2024-03-31")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    body = response.json
    items = big_client.get("/collections/incidents/items?limit=1&datetime=2024-03-01/2024-03-31").json
    assert body["numberMatched"] == items["numberMatched"] == 240
    assert sum(f["properties"]["count"] for f in body["features"]) == 240 == body["numberMatched"]
    assert body["numberReturned"] == len(body["features"]) <= 16
    for feature in body["features"]:
        props = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"]
        west, south, east, north = props["cell"]
        assert props["size"] == 0.25 and east - west == 0.25
        assert west <= props["bbox"][0] <= lon <= props["bbox"][2] <= east
        assert south <= props["bbox"][1] <= lat <= props["bbox"][3] <= north
        assert sum(props["by_type"].values()) == props["count"]


def test_aggregate_takes_the_items_filters(client):
    body = client.get("/collections/incidents/aggregate?zoom=6&bbox=44,33,45,34&event_type=rocket_attack").json
    assert body["numberMatched"] == 1 and body["size"] == 90 / 64
    assert body["features"][0]["properties"]["by_type"] == {"rocket_attack": 1}
    # limit, offset and sortby of a reused items URL do not change counts
    again = client.get("/collections/incidents/aggregate?zoom=6&limit=1&offset=3&sortby=-date").json
    assert again["numberMatched"] == 13


def test_zoom_on_a_large_bbox_gets_larger_cells(client):
    body = client.get("/collections/incidents/aggregate?zoom=18").json  # the whole world at zoom 18
    assert body["numberMatched"] == 13 and body["size"] >= 90 / 2**18
    assert (360 / body["size"]) * (180 / body["size"]) <= 10_000 * 4


@pytest.mark.parametrize("query, message", [
    ("", "size"), ("size=1&zoom=3", "size"), ("size=abc", "size"), ("size=0", "size"), ("size=nan", "size"),
    ("size=500", "size"), ("zoom=-1", "zoom"), ("zoom=99", "zoom"), ("zoom=x", "zoom"),
    ("size=0.00001", "size"), ("size=1&bbox=1,2,3", "bbox"),
    ("size=1&colour=red", "colour"), ("size=1&f=csv", "f must be"),
])
def test_bad_aggregate_requests_are_400(client, query, message):
    response = client.get(f"/collections/incidents/aggregate?{query}")
    assert response.status_code == 400, response.json
    assert response.json["code"] == "InvalidParameterValue" and message in response.json["description"]


def test_too_many_cells_is_400(client, monkeypatch):
    monkeypatch.setattr("geo.aggregate.MAX_CELLS", 5)
    response = client.get("/collections/incidents/aggregate?size=0.01")
    assert response.status_code == 400 and "cells" in response.json["description"]
    assert client.get("/collections/incidents/aggregate?size=0.01&bbox=44,33,45,34").status_code == 200


def test_aggregate_of_an_unknown_collection_is_404(client):
    assert client.get("/collections/nope/aggregate?size=1").status_code == 404


def test_openapi_describes_cursor_and_aggregate(client):
    paths = client.get("/openapi").json["paths"]
    assert "cursor" in {p["name"] for p in paths["/collections/{collectionId}/items"]["get"]["parameters"]}
    names = {p["name"] for p in paths["/collections/{collectionId}/aggregate"]["get"]["parameters"]}
    assert {"bbox", "datetime", "event_type", "size", "zoom"} <= names and "limit" not in names
