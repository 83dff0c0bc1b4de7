import json

import pytest
from openapi_spec_validator import validate

from tests.conftest import store_state
from webapp import create_app

GEOJSON = "application/geo+json"
# tests marked so run against an app on each store (tests/conftest.py: backend, pg_store)
BOTH_STORES = pytest.mark.parametrize("backend", ["geojson", "postgis", "postgis-sql"], indirect=True)


def feature(fid=None, **props):
    body = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [44.396, 33.299]},
            "properties": {"date": "2024-03-01", "event_type": "rocket_attack", **props}}
    if fid:
        body["id"] = fid
    return body


def post(client, body, headers, content_type=GEOJSON):
    return client.post("/collections/incidents/items", data=json.dumps(body), headers=headers,
                       content_type=content_type)


# ---- reading ---------------------------------------------------------------

def test_landing_json_for_clients_html_for_browsers(client):
    as_json = client.get("/", headers={"Accept": "application/json"})
    assert as_json.status_code == 200 and as_json.json["links"]
    rels = {link["rel"] for link in as_json.json["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    assert client.get("/?f=json").json["title"] == "incidentmap"
    browser = client.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.status_code == 200 and browser.mimetype == "text/html"


def test_conformance_lists_core_geojson_html_oas30(client):
    classes = client.get("/conformance").json["conformsTo"]
    for part in ("conf/core", "conf/geojson", "conf/html", "conf/oas30"):
        assert any(c.endswith(part) for c in classes)


def test_openapi_is_a_valid_document(client):
    response = client.get("/openapi")
    assert response.mimetype == "application/vnd.oai.openapi+json"
    validate(response.json)
    assert "/collections/{collectionId}/items" in response.json["paths"]


@BOTH_STORES
def test_collections_carry_extents(client):
    collections = {c["id"]: c for c in client.get("/collections").json["collections"]}
    assert set(collections) == {"incidents", "sites"}
    extent = collections["incidents"]["extent"]
    assert extent["temporal"]["interval"] == [["2023-10-01T00:00:00Z", "2024-02-02T23:59:59Z"]]
    assert len(extent["spatial"]["bbox"][0]) == 4
    assert client.get("/collections/sites").json["id"] == "sites"


@BOTH_STORES
def test_items_filter_and_count(client):
    body = client.get("/collections/incidents/items?bbox=44,33,45,34&datetime=2023-12-08").json
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == body["numberReturned"] == 2
    assert {f["id"] for f in body["features"]} == {"t-embassy-1208", "t-airport-rejected"}
    only = client.get("/collections/incidents/items?status=verified&event_type=airstrike").json
    assert only["numberMatched"] == 2


@BOTH_STORES
def test_items_paging_links(client):
    first = client.get("/collections/incidents/items?limit=5&sortby=date").json
    rels = {link["rel"]: link["href"] for link in first["links"]}
    assert first["numberMatched"] == 13 and first["numberReturned"] == 5
    assert "next" in rels and "prev" not in rels
    seen = [f["id"] for f in first["features"]]
    url = rels["next"]
    while url:
        page = client.get(url.replace("http://localhost", "")).json
        seen += [f["id"] for f in page["features"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    assert len(seen) == len(set(seen)) == 13


@BOTH_STORES
@pytest.mark.parametrize("query, ids", [
    ("bbox=170,-20,-170,-10", ["t-east-of-dateline", "t-west-of-dateline"]),  # across the antimeridian
    ("bbox=44,33,45,34&datetime=2023-12-08T12:00:00Z", ["t-airport-rejected", "t-embassy-1208"]),
    ("datetime=2024-01-01/..&sortby=-date", ["t-qaim-0202", "t-tower22-0128", "t-erbil-0101"]),
    ("datetime=../2023-10-18&sortby=date", ["t-tanf-1001", "t-harir-1018"]),
    ("q=embassy&sortby=id", ["t-embassy-1208"]),
])
def test_bbox_datetime_and_sortby(client, query, ids):
    body = client.get(f"/collections/incidents/items?{query}").json
    found = [f["id"] for f in body["features"]]
    assert (found if "sortby" in query else sorted(found)) == ids and body["numberMatched"] == len(ids)


@BOTH_STORES
def test_cursor_pages_cover_the_offset_pages(client):
    def walk(url):
        seen = []
        while url:
            page = client.get(url.replace("http://localhost", "")).json
            seen += [f["id"] for f in page["features"]]
            url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
        return seen

    by_date = walk("/collections/incidents/items?limit=4&sortby=-date,killed")
    assert len(by_date) == 13
    everything = client.get("/collections/incidents/items?limit=100&sortby=-date,killed").json["features"]
    assert by_date == [f["id"] for f in everything]
    assert client.get("/collections/incidents/items?cursor=bm90LWEtY3Vyc29y").status_code == 400


@BOTH_STORES
def test_item_and_its_links(client):
    response = client.get("/collections/incidents/items/t-embassy-1208")
    assert response.status_code == 200 and response.mimetype == GEOJSON
    assert response.json["id"] == "t-embassy-1208"
    assert {link["rel"] for link in response.json["links"]} >= {"self", "collection"}


@BOTH_STORES
def test_csv_is_a_download(client):
    response = client.get("/collections/incidents/items?f=csv&event_type=airstrike")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="incidents.csv"'
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # the byte order mark: a spreadsheet reads Arabic text right
    lines = body.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("id,date,") and len(lines) == 3


@BOTH_STORES
def test_html_pages_escape_report_text(client, auth):
    hostile = '<script>alert("x")</script> `backtick` "quotes" <img src=x onerror=alert(1)>'
    post(client, feature("hostile", notes=hostile, perpetrator=hostile), auth)
    for url in ("/collections/incidents/items?f=html&q=hostile", "/collections/incidents/items/hostile?f=html"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(" in html


# ---- errors ----------------------------------------------------------------

@BOTH_STORES
@pytest.mark.parametrize("url, status, code, words", [
    ("/collections/incidents/items?bbox=1,2,3", 400, "InvalidParameterValue", "4 or 6 numbers"),
    ("/collections/incidents/items?bbox=nan,1,2,3", 400, "InvalidParameterValue", "finite"),
    ("/collections/incidents/items?datetime=last-friday", 400, "InvalidParameterValue", "datetime"),
    ("/collections/incidents/items?datetime=2024-01-02/2024-01-01", 400, "InvalidParameterValue", "ends before"),
    ("/collections/incidents/items?limit=0", 400, "InvalidParameterValue", "limit"),
    ("/collections/incidents/items?limit=lots", 400, "InvalidParameterValue", "limit"),
    ("/collections/incidents/items?offset=-3", 400, "InvalidParameterValue", "offset"),
    ("/collections/incidents/items?colour=red", 400, "InvalidParameterValue", "unknown query parameter"),
    ("/collections/incidents/items?f=xml", 400, "InvalidParameterValue", "f must be one of"),
    ("/collections?bbox=1,2,3,4", 400, "InvalidParameterValue", "unknown query parameter"),
    ("/collections/nope", 404, "NotFound", "no collection"),
    ("/collections/nope/items", 404, "NotFound", "no collection"),
    ("/collections/incidents/items/nope", 404, "NotFound", "no feature"),
    ("/no/such/path", 404, "NotFound", "no such path"),
])
def test_errors_are_json_with_the_right_status(client, url, status, code, words):
    response = client.get(url)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.json["code"] == code and words in response.json["description"]


def test_flask_405_is_json(client):
    response = client.patch("/collections/incidents/items")
    assert response.status_code == 405 and response.json["code"] == "MethodNotAllowed"
    assert "GET" in response.headers["Allow"]


@BOTH_STORES
def test_offset_past_the_end_is_empty_not_an_error(client):
    body = client.get("/collections/incidents/items?offset=1000").json
    assert body["numberReturned"] == 0 and body["numberMatched"] == 13


# ---- writes ----------------------------------------------------------------

def test_writes_refused_without_configured_token(data_dir):
    (data_dir / "tokens.json").unlink()
    client = create_app({"DATA": str(data_dir)}).test_client()
    before = store_state(data_dir)
    response = post(client, feature("w-1"), {"Authorization": "Bearer anything"})
    assert response.status_code == 403 and response.json["code"] == "Forbidden"
    assert client.delete("/collections/incidents/items/t-embassy-1208").status_code == 403
    assert store_state(data_dir) == before


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}])
def test_wrong_or_missing_token_is_401(client, data_dir, headers):
    before = store_state(data_dir)
    response = post(client, feature("w-2"), headers)
    assert response.status_code == 401 and response.json["code"] == "Unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert store_state(data_dir) == before


@BOTH_STORES
def test_create_read_replace_delete(client, auth):
    created = post(client, feature("w-3", killed=2), auth)
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/collections/incidents/items/w-3")
    assert client.get("/collections/incidents/items/w-3").json["properties"]["killed"] == 2
    replaced = client.put("/collections/incidents/items/w-3", data=json.dumps(feature(killed=4)),
                          headers=auth, content_type=GEOJSON)
    assert replaced.status_code == 200 and replaced.json["properties"]["killed"] == 4
    assert client.delete("/collections/incidents/items/w-3", headers=auth).status_code == 204
    assert client.get("/collections/incidents/items/w-3").status_code == 404


@BOTH_STORES
def test_create_without_id_gets_one(client, auth):
    created = post(client, feature(), auth)
    assert created.status_code == 201 and created.json["id"].startswith("2024-03-01-")


@pytest.mark.parametrize("body, content_type, status, words", [
    (feature("w-4", event_type="bombing"), GEOJSON, 400, "event_type"),
    (feature("w-5", killed=-2), GEOJSON, 400, "killed"),
    (feature("t-embassy-1208"), GEOJSON, 409, "already exists"),
    ({"type": "FeatureCollection", "features": []}, GEOJSON, 400, "one GeoJSON Feature"),
    (feature("w-6"), "text/plain", 415, "geo+json"),
])
def test_bad_writes(client, auth, data_dir, body, content_type, status, words):
    before = store_state(data_dir)
    response = post(client, body, auth, content_type)
    assert response.status_code == status and words in response.json["description"]
    assert store_state(data_dir) == before


def test_malformed_json_body(client, auth):
    response = client.post("/collections/incidents/items", data="{not json", headers=auth,
                           content_type=GEOJSON)
    assert response.status_code == 400 and "not valid JSON" in response.json["description"]


def test_oversized_body_is_413(data_dir, auth):
    client = create_app({"DATA": str(data_dir), "MAX_BODY_BYTES": 1000}).test_client()
    response = post(client, feature("big", notes="x" * 5000), auth)
    assert response.status_code == 413 and response.json["code"] == "PayloadTooLarge"


@BOTH_STORES
def test_put_and_delete_unknown_are_404(client, auth):
    put = client.put("/collections/incidents/items/ghost", data=json.dumps(feature()), headers=auth,
                     content_type=GEOJSON)
    assert put.status_code == 404
    assert client.delete("/collections/incidents/items/ghost", headers=auth).status_code == 404


def test_put_with_other_id_in_body_is_400(client, auth):
    response = client.put("/collections/incidents/items/t-embassy-1208", data=json.dumps(feature("other")),
                          headers=auth, content_type=GEOJSON)
    assert response.status_code == 400 and "differs" in response.json["description"]


def test_sites_are_read_only(client, auth):
    response = client.post("/collections/sites/items", data=json.dumps(feature("s")), headers=auth,
                           content_type=GEOJSON)
    assert response.status_code == 405 and response.json["code"] == "MethodNotAllowed"


REPORT = {"text": "A one-way attack drone hit Harir air base north of Erbil on Thursday; no one was hurt. "
                  "The Islamic Resistance in Iraq claimed the attack.",
          "published": "2024-01-05", "outlet": "Test Wire", "url": "https://wire.example/harir"}


def test_ingest_proposes_without_storing(client, data_dir):
    before = store_state(data_dir)
    response = client.post("/ingest", json=REPORT)
    assert response.status_code == 200
    [incident] = response.json["features"]
    props = incident["properties"]
    assert (props["site_id"], props["date"], props["event_type"], props["attribution"], props["injured"]) == (
        "harir-air-base", "2024-01-04", "drone_attack", "claimed", 0)
    assert "stored" not in response.json
    assert store_state(data_dir) == before


@BOTH_STORES
def test_ingest_stores_with_token_only(client, auth):
    assert client.post("/ingest?store=true", json=REPORT).status_code == 401
    stored = client.post("/ingest?store=true", json=REPORT, headers=auth)
    assert stored.status_code == 200 and len(stored.json["stored"]["new"]) == 1
    fid = stored.json["stored"]["new"][0]
    assert client.get(f"/collections/incidents/items/{fid}").json["properties"]["status"] == "reported"
    again = client.post("/ingest", data={**REPORT, "store": "true"}, headers=auth)
    assert again.json["stored"]["unchanged"] == [fid]


@pytest.mark.parametrize("kwargs, words", [
    ({"json": {"text": ""}}, "non-empty text"),
    ({"json": {"text": "Rockets hit Erbil.", "published": "last week"}}, "published must be a date"),
    ({"json": ["not", "an", "object"]}, "JSON object"),
])
def test_ingest_errors(client, kwargs, words):
    response = client.post("/ingest", **kwargs)
    assert response.status_code == 400 and words in response.json["description"]
