"""Who may write, and the history every write leaves: over HTTP."""

from __future__ import annotations

import json

import pytest

from tests.conftest import TOKEN, grant_token
from tests.webapp.test_api import feature, post

HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def stored_bytes(data_dir) -> dict:
    return {p.name: p.read_bytes() for p in sorted(data_dir.iterdir()) if p.is_file()}


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer wrong-token"},
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": "Bearer "},
    {"Authorization": f"Bearer {TOKEN}x"},
], ids=["missing", "wrong", "not-bearer", "empty", "longer"])
def test_every_write_without_a_valid_token_is_401_and_changes_nothing(client, data_dir, headers):
    before = stored_bytes(data_dir)
    url = "/collections/incidents/items/t-embassy-1208"
    responses = [
        post(client, feature("w-1"), headers),
        client.put(url, data=json.dumps(feature("t-embassy-1208")), headers=headers,
                   content_type="application/geo+json"),
        client.delete(url, headers=headers),
        client.post("/ingest?store=true", json={"text": "Rockets hit the US embassy in Baghdad on 8 December 2023."},
                    headers=headers),
        client.post(f"{url}/history/1/restore", headers=headers),
    ]
    for response in responses:
        assert response.status_code == 401, response.data
        assert response.json["code"] == "Unauthorized" and response.json["description"]
    assert stored_bytes(data_dir) == before


def test_a_revoked_token_stops_working_at_once(client, data_dir, auth):
    from geo.tokens import TokenFile

    assert post(client, feature("r-1"), auth).status_code == 201
    TokenFile(data_dir / "tokens.json").revoke("tester")
    grant_token(data_dir, "another-token", "other")
    response = post(client, feature("r-2"), auth)
    assert response.status_code == 401
    assert client.get("/collections/incidents/items/r-2").status_code == 404


def test_each_write_records_the_name_of_the_token_that_made_it(client, data_dir, auth):
    grant_token(data_dir, "bobs-token", "bob", role="reviewer")
    assert post(client, feature("n-1", killed=1), auth).status_code == 201
    bob = {"Authorization": "Bearer bobs-token"}
    response = client.put("/collections/incidents/items/n-1", data=json.dumps(feature("n-1", killed=4)),
                          headers=bob, content_type="application/geo+json")
    assert response.status_code == 200
    history = client.get("/collections/incidents/items/n-1/history").json
    assert [(c["action"], c["actor"]) for c in history["changes"]] == [("create", "tester (admin)"),
                                                                          ("replace", "bob (reviewer)")]
    assert history["changes"][1]["changed"] == ["killed"]
    assert history["changes"][1]["before"]["properties"]["killed"] == 1
    assert history["changes"][1]["after"]["properties"]["killed"] == 4
    # reading history is public, like every read
    assert client.get("/collections/incidents/history").status_code == 200


def test_ingest_with_store_records_the_editor_and_the_report(client, auth):
    text = ("Two rockets struck near the US embassy in Baghdad's Green Zone on Friday, 8 December 2023, "
            "officials said. No casualties were reported.")
    response = client.post("/ingest?store=true", json={"text": text, "url": "https://example.org/r1"}, headers=auth)
    assert response.status_code == 200, response.json
    fid = (response.json["stored"]["new"] + response.json["stored"]["merged"])[0]
    change = client.get(f"/collections/incidents/items/{fid}/history").json["changes"][-1]
    assert change["actor"] == "tester (admin)" and "https://example.org/r1" in change["note"]


def test_a_deleted_incident_is_restored_from_its_history(client, auth):
    assert post(client, feature("d-1", notes="first account"), auth).status_code == 201
    assert client.delete("/collections/incidents/items/d-1", headers=auth).status_code == 204
    assert client.get("/collections/incidents/items/d-1").status_code == 404

    history = client.get("/collections/incidents/items/d-1/history").json
    assert history["exists"] is False
    deletion = history["changes"][-1]
    assert deletion["action"] == "delete" and deletion["before"]["properties"]["notes"] == "first account"

    restored = client.post(deletion["restore"].removeprefix("http://localhost"), headers=auth)
    assert restored.status_code == 200, restored.json
    again = client.get("/collections/incidents/items/d-1").json
    assert again["properties"]["notes"] == "first account"
    last = client.get("/collections/incidents/items/d-1/history").json["changes"][-1]
    assert (last["action"], last["actor"], last["note"]) == ("create", "tester (admin)", f"restored from change {deletion['seq']}")


def test_restoring_an_older_version_undoes_an_edit(client, auth):
    post(client, feature("e-1", killed=2), auth)
    client.put("/collections/incidents/items/e-1", data=json.dumps(feature("e-1", killed=20)), headers=auth,
               content_type="application/geo+json")
    first = client.get("/collections/incidents/items/e-1/history").json["changes"][0]
    client.post(f"/collections/incidents/items/e-1/history/{first['seq']}/restore", headers=auth)
    assert client.get("/collections/incidents/items/e-1").json["properties"]["killed"] == 2


@pytest.mark.parametrize("url,status", [
    ("/collections/incidents/items/never/history", 404),
    ("/collections/nope/items/x/history", 404),
    ("/collections/incidents/items/t-embassy-1208/history?limit=0", 400),
    ("/collections/incidents/items/t-embassy-1208/history?after=-1", 400),
    ("/collections/incidents/history?colour=red", 400),
])
def test_history_reads_with_bad_input(client, url, status):
    response = client.get(url)
    assert response.status_code == status and response.json["code"]


def test_restoring_a_change_of_another_feature_is_404(client, auth):
    post(client, feature("x-1"), auth)
    post(client, feature("x-2"), auth)
    seq_of_x1 = client.get("/collections/incidents/items/x-1/history").json["changes"][0]["seq"]
    response = client.post(f"/collections/incidents/items/x-2/history/{seq_of_x1}/restore", headers=auth)
    assert response.status_code == 404 and "no change" in response.json["description"]


def test_history_page_shows_changes_as_text(client, auth):
    post(client, feature("p-1", notes=HOSTILE), auth)
    client.put("/collections/incidents/items/p-1", data=json.dumps(feature("p-1", notes="calm", perpetrator=HOSTILE)),
               headers=auth, content_type="application/geo+json")
    page = client.get("/collections/incidents/items/p-1/history?f=html")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.data.decode()
    assert "<script>window.__pwned" not in html and "onerror=\"window" not in html
    assert "&lt;script&gt;" in html and "tester" in html and "notes" in html and "perpetrator" in html
    item_page = client.get("/collections/incidents/items/p-1?f=html").data.decode()
    assert "/collections/incidents/items/p-1/history" in item_page
