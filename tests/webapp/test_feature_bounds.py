"""Stored features are bounded and every history view reads whatever the store holds (issue 16,
findings 2 and 3), on both stores.

Before: an unknown property nested 250 levels deep was stored (201) and then every history page
that included its change answered 500, for good (the history is append-only); an id ending in a
newline was committed, then answered 500, and a retry got 409.
"""

from __future__ import annotations

import json

import pytest

from geo import bounds
from tests.geo.test_bounds import nested
from tests.webapp.test_api import GEOJSON, feature, post
from tests.webapp.test_roles import snapshot

STORES = pytest.mark.parametrize("backend", ["geojson", "postgis"], indirect=True)
ITEMS = "/collections/incidents/items"


def every_view(client, fid: str) -> list:
    """Each read of a feature and of its history, in each format."""
    urls = [f"{ITEMS}/{fid}/history", f"{ITEMS}/{fid}/history?f=html", "/collections/incidents/history",
            "/collections/incidents/history?limit=1000", f"{ITEMS}/{fid}?f=html", f"{ITEMS}?f=html&limit=1000",
            f"{ITEMS}?f=csv&limit=1000", f"{ITEMS}?limit=1000"]
    if client.get(f"{ITEMS}/{fid}").status_code != 404:
        urls.append(f"{ITEMS}/{fid}")
    return [(url, client.get(url)) for url in urls]


@STORES
def test_the_deepest_allowed_feature_is_stored_and_every_history_view_reads_it(client, auth):
    deep = nested(bounds.MAX_DEPTH, "bottom")
    assert post(client, feature("deep-1", extra=deep), auth).status_code == 201
    body = json.dumps(feature("deep-1", extra=deep, killed=2))
    assert client.put(f"{ITEMS}/deep-1", data=body, headers=auth, content_type=GEOJSON).status_code == 200
    for url, response in every_view(client, "deep-1"):
        assert response.status_code == 200, url
    changes = client.get(f"{ITEMS}/deep-1/history").json["changes"]
    assert changes[-1]["after"]["properties"]["extra"] == deep
    assert client.delete(f"{ITEMS}/deep-1", headers=auth).status_code == 204
    for url, response in every_view(client, "deep-1"):
        assert response.status_code in (200, 404) if url == f"{ITEMS}/deep-1?f=html" else 200, url


@STORES
@pytest.mark.parametrize("depth", [bounds.MAX_DEPTH + 1, 250, 600])
def test_a_deeper_feature_is_400_naming_the_limit_and_nothing_is_stored(client, auth, depth):
    before = snapshot(client)
    response = post(client, feature("deep-2", extra=nested(depth)), auth)
    assert response.status_code == 400
    assert response.json["code"] == "InvalidInput"
    assert "properties.extra" in response.json["description"] and "at most 16 levels" in response.json["description"]
    assert snapshot(client) == before


@STORES
def test_a_deep_feature_stored_before_the_limit_keeps_its_history_readable(client, auth, monkeypatch):
    # as an older incidentmap stored it: nested 250 deep (its history answered 500 then)
    monkeypatch.setattr(bounds, "MAX_DEPTH", 1000)
    assert post(client, feature("legacy-1", extra=nested(250)), auth).status_code == 201
    monkeypatch.undo()
    for url, response in every_view(client, "legacy-1"):
        assert response.status_code == 200, url
    history = client.get(f"{ITEMS}/legacy-1/history").json
    assert history["changes"][0]["after"]["properties"]["extra"] == nested(250)
    # restoring that version goes through the model again: refused, naming the limit
    restore = client.post(f"{ITEMS}/legacy-1/history/{history['changes'][0]['seq']}/restore", headers=auth)
    assert restore.status_code == 400 and "at most 16 levels" in restore.json["description"]
    # an admin can still delete it, and the history stays readable
    assert client.delete(f"{ITEMS}/legacy-1", headers=auth).status_code == 204
    assert client.get("/collections/incidents/history").status_code == 200
    assert client.get(f"{ITEMS}/legacy-1/history?f=html").status_code == 200


@STORES
@pytest.mark.parametrize("fid", ["nl-demo\n", "nl-demo\r\n", "tab\tdemo"])
def test_an_id_with_a_control_character_is_400_every_time_and_nothing_is_stored(client, auth, fid):
    before = snapshot(client)
    for _ in range(2):  # the retry gets the same answer, not a 409
        response = post(client, feature(fid), auth)
        assert response.status_code == 400 and response.json["description"].startswith("id: ")
    body = json.dumps(feature())  # the id comes from the URL
    put = client.put(f"{ITEMS}/nl-demo%0A", data=body, headers=auth, content_type=GEOJSON)
    assert put.status_code == 400
    assert snapshot(client) == before
