"""OGC API - Features Part 3 over HTTP: queryables, conformance, filter= on items, counts and
aggregates on every store, and 400s with the one error body."""

import json
from urllib.parse import quote

import pytest

BOTH_STORES = pytest.mark.parametrize("backend", ["geojson", "postgis", "postgis-sql"], indirect=True)
PART3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/"


def ids(response) -> set[str]:
    assert response.status_code == 200, response.get_json()
    return {f["id"] for f in response.get_json()["features"]}


def test_conformance_declares_filtering(client):
    classes = set(client.get("/conformance").get_json()["conformsTo"])
    assert {PART3 + "queryables", PART3 + "filter", PART3 + "features-filter", CQL2 + "cql2-text",
            CQL2 + "cql2-json", CQL2 + "basic-cql2", CQL2 + "advanced-comparison-operators",
            CQL2 + "basic-spatial-functions"} <= classes


@pytest.mark.parametrize("collection, present, absent", [
    ("incidents", {"event_type", "killed", "datetime", "geometry", "perpetrator"}, {"kind"}),
    ("sites", {"kind", "name", "geometry"}, {"killed"}),
])
def test_queryables_are_json_schema(client, collection, present, absent):
    response = client.get(f"/collections/{collection}/queryables")
    assert response.status_code == 200 and response.mimetype == "application/schema+json"
    doc = response.get_json()
    assert doc["$schema"].startswith("https://json-schema.org/") and doc["type"] == "object"
    assert present <= set(doc["properties"]) and not absent & set(doc["properties"])
    if collection == "incidents":
        assert doc["properties"]["killed"]["type"] == "integer"
        assert "airstrike" in doc["properties"]["event_type"]["enum"]
        assert doc["properties"]["geometry"]["x-ogc-role"] == "primary-geometry"
    links = client.get(f"/collections/{collection}").get_json()["links"]
    assert any(link["rel"].endswith("/queryables") and link["href"].endswith(f"/{collection}/queryables")
               for link in links)


def test_queryables_of_an_unknown_collection_is_404(client):
    response = client.get("/collections/nothing/queryables")
    assert response.status_code == 404 and response.get_json()["code"] == "NotFound"


@BOTH_STORES
def test_items_counts_and_aggregate_take_a_filter(client):
    cql = quote("event_type IN ('drone_attack', 'rocket_attack') AND S_INTERSECTS(geometry, BBOX(40, 30, 46, 38))")
    found = ids(client.get(f"/collections/incidents/items?filter={cql}&limit=1000"))
    plain = ids(client.get("/collections/incidents/items?event_type=drone_attack,rocket_attack&bbox=40,30,46,38"
                           "&limit=1000"))
    assert found == plain and len(found) > 2
    counts = client.get(f"/collections/incidents/counts?filter={cql}").get_json()
    assert counts["total"] == len(found)
    cells = client.get(f"/collections/incidents/aggregate?filter={cql}&size=1").get_json()
    assert cells["numberMatched"] == len(found)


@BOTH_STORES
def test_cql2_json_and_paging_keep_the_filter(client):
    body = json.dumps({"op": "<>", "args": [{"property": "event_type"}, "other"]})
    url = f"/collections/incidents/items?filter-lang=cql2-json&filter={quote(body)}&limit=3&sortby=id"
    seen: list[str] = []
    while url:
        page = client.get(url).get_json()
        seen += [f["id"] for f in page["features"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    assert len(seen) == len(set(seen)) == page["numberMatched"] == 11
    assert all(not i.startswith("t-east") and not i.startswith("t-west") for i in seen)


@BOTH_STORES
@pytest.mark.parametrize("cql, words", [
    ("wind_speed > 3", "unknown property 'wind_speed'"),
    ("killed = 'lots'", "killed is an integer property"),
    ("killed >", "not valid cql2-text"),
    (" OR ".join(f"killed = {i}" for i in range(10_000)), "at most 20000"),
])
def test_a_bad_filter_is_a_400_with_the_error_body(client, cql, words):
    response = client.get(f"/collections/incidents/items?filter={quote(cql)}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == "InvalidParameterValue" and words in body["description"]


def test_a_10000_term_filter_in_a_post_sized_query_string_is_refused(client):
    cql = " OR ".join(f"site_id = 's{i}'" for i in range(10_000))
    response = client.get(f"/collections/incidents/items?filter={quote(cql)}")
    assert response.status_code in (400, 414) and response.status_code != 500


def test_filter_on_sites(client):
    found = ids(client.get("/collections/sites/items?filter=" + quote("kind = 'embassy'")))
    assert found and all(i for i in found)
    response = client.get("/collections/sites/items?filter=" + quote("killed > 1"))
    assert response.status_code == 400 and "queryables of sites" in response.get_json()["description"]


def test_openapi_lists_filter_and_queryables(client):
    doc = client.get("/openapi").get_json()
    names = {p["name"] for p in doc["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]}
    assert {"filter", "filter-lang", "filter-crs"} <= names
    assert "/collections/{collectionId}/queryables" in doc["paths"]
