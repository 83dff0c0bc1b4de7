"""CORS: other sites' scripts may read the API; writes get no CORS and still need the token."""

import pytest

from webapp import create_app

ORIGIN = {"Origin": "https://maps.example.org"}


def test_reads_are_open_to_other_origins(client):
    for path in ("/collections", "/collections/incidents/items?limit=1", "/collections/incidents/queryables",
                 "/collections/incidents/items?f=csv&limit=1"):
        response = client.get(path, headers=ORIGIN)
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
    exposed = client.get("/collections/incidents/items?f=csv", headers=ORIGIN).headers["Access-Control-Expose-Headers"]
    assert "OGC-NumberMatched" in exposed and "Content-Disposition" in exposed


def test_a_read_preflight_is_allowed(client):
    response = client.options("/collections/incidents/items", headers={
        **ORIGIN, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "accept"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("method, headers", [
    ("POST", "authorization,content-type"), ("PUT", "authorization"), ("DELETE", "authorization"),
])
def test_a_write_preflight_is_not_allowed(client, method, headers):
    response = client.options("/collections/incidents/items/t-embassy-1208", headers={
        **ORIGIN, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers})
    assert method not in response.headers.get("Access-Control-Allow-Methods", "")
    assert "authorization" not in response.headers.get("Access-Control-Allow-Headers", "").lower()


def test_writes_carry_no_cors_headers_and_still_need_the_token(client, auth):
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [44.0, 33.0]},
               "properties": {"date": "2024-01-05", "event_type": "ied"}}
    refused = client.post("/collections/incidents/items", json=feature, headers=ORIGIN)
    assert refused.status_code == 401
    assert not [h for h in refused.headers.keys() if h.lower().startswith("access-control-")]
    stored = client.post("/collections/incidents/items", json=feature, headers={**ORIGIN, **auth})
    assert stored.status_code == 201
    assert "Access-Control-Allow-Origin" not in stored.headers


@pytest.mark.parametrize("setting, origin, allowed", [
    ("https://a.example https://b.example", "https://b.example", "https://b.example"),
    ("https://a.example", "https://evil.example", None),
    ("none", "https://a.example", None),
])
def test_cors_origins_setting(data_dir, setting, origin, allowed):
    app = create_app({"DATA": str(data_dir), "TESTING": True, "CORS_ORIGINS": setting})
    response = app.test_client().get("/collections", headers={"Origin": origin})
    assert response.headers.get("Access-Control-Allow-Origin") == allowed
