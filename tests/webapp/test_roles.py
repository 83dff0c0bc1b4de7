"""Token roles (issue 16, finding 8): editor, reviewer and admin, on every write route and on both stores.

Before: every token could create, replace, delete and restore, and a writer's ``created`` and
``updated`` were stored as given.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import grant_token
from tests.webapp.test_api import GEOJSON, feature, post

STORES = pytest.mark.parametrize("backend", ["geojson", "postgis"], indirect=True)
ITEMS = "/collections/incidents/items"
EDITOR = {"Authorization": "Bearer editor-token"}
OTHER_EDITOR = {"Authorization": "Bearer other-editor-token"}
REVIEWER = {"Authorization": "Bearer reviewer-token"}
REPORT = ("Two rockets struck Ain al-Asad air base in Anbar on Sunday, 3 March 2024, "
          "officials said. No casualties were reported.")


@pytest.fixture
def roles(data_dir):
    grant_token(data_dir, "editor-token", "eddie", role="editor")
    grant_token(data_dir, "other-editor-token", "olga", role="editor")
    grant_token(data_dir, "reviewer-token", "rita", role="reviewer")


def put(client, fid, body, headers):
    return client.put(f"{ITEMS}/{fid}", data=json.dumps(body), headers=headers, content_type=GEOJSON)


def snapshot(client) -> tuple:
    """Every stored incident and every change in the history, as the API shows them."""
    items = client.get(f"{ITEMS}?limit=10000").json["features"]
    changes = client.get("/collections/incidents/history?limit=1000").json["changes"]
    return items, [c["seq"] for c in changes]


def forbidden(response, *words):
    assert response.status_code == 403, response.data
    assert response.json["code"] == "Forbidden"
    for word in words:
        assert word in response.json["description"]


@STORES
def test_an_editor_creates_and_replaces_its_own_reports(client, roles):
    assert post(client, feature("own-1", killed=1), EDITOR).status_code == 201
    replaced = put(client, "own-1", feature("own-1", killed=3), EDITOR)
    assert replaced.status_code == 200 and replaced.json["properties"]["killed"] == 3
    history = client.get(f"{ITEMS}/own-1/history").json["changes"]
    assert [c["actor"] for c in history] == ["eddie (editor)", "eddie (editor)"]


@STORES
@pytest.mark.parametrize("write, words", [
    (lambda c: put(c, "t-embassy-1208", feature("t-embassy-1208", killed=9), EDITOR),
     ("t-embassy-1208", "only the incidents it created")),
    (lambda c: put(c, "olgas", feature("olgas", killed=9), EDITOR), ("'olga'", "only the incidents it created")),
    (lambda c: post(c, feature("ed-verified", status="verified"), EDITOR), ("status", "reviewer")),
    (lambda c: put(c, "eddies", feature("eddies", status="rejected"), EDITOR), ("status", "reviewer")),
    (lambda c: c.delete(f"{ITEMS}/eddies", headers=EDITOR), ("deleting", "admin", "'eddie' is an editor")),
    (lambda c: c.post(f"{ITEMS}/eddies/history/1/restore", headers=EDITOR), ("restoring", "admin")),
    (lambda c: c.delete(f"{ITEMS}/eddies", headers=REVIEWER), ("deleting", "admin", "'rita' is a reviewer")),
    (lambda c: c.post(f"{ITEMS}/eddies/history/1/restore", headers=REVIEWER), ("restoring", "admin")),
], ids=["editor-replaces-imported", "editor-replaces-another-editors", "editor-creates-verified",
        "editor-rejects-own", "editor-deletes", "editor-restores", "reviewer-deletes", "reviewer-restores"])
def test_writes_beyond_a_role_are_403_and_change_nothing(client, roles, write, words):
    assert post(client, feature("olgas"), OTHER_EDITOR).status_code == 201
    assert post(client, feature("eddies"), EDITOR).status_code == 201
    before = snapshot(client)
    forbidden(write(client), *words)
    assert snapshot(client) == before


@STORES
def test_an_editors_ingest_may_not_merge_into_another_editors_incident(client, roles):
    first = client.post("/ingest?store=true", json={"text": REPORT, "url": "https://example.org/a"}, headers=OTHER_EDITOR)
    assert first.status_code == 200 and first.json["stored"]["new"], first.json
    before = snapshot(client)
    # the same event from another outlet merges into olga's incident: eddie may not change it
    again = client.post("/ingest?store=true", json={"text": REPORT, "url": "https://example.org/b"}, headers=EDITOR)
    forbidden(again, "only the incidents it created")
    assert snapshot(client) == before
    # a reviewer may
    merged = client.post("/ingest?store=true", json={"text": REPORT, "url": "https://example.org/b"}, headers=REVIEWER)
    assert merged.status_code == 200 and merged.json["stored"]["merged"] == first.json["stored"]["new"]


@STORES
def test_the_review_pages_accept_and_reject_need_a_reviewer(client, roles):
    proposal = client.post("/ingest", json={"text": REPORT}).json["features"][0]
    fid = proposal["id"]

    def decision(status: str) -> dict:  # what webapp/static/review.js sends: the edited proposal
        props = {k: v for k, v in proposal["properties"].items() if k not in ("created", "updated")}
        return {"type": "Feature", "id": fid, "geometry": proposal["geometry"],
                "properties": {**props, "status": status}}

    before = snapshot(client)
    forbidden(post(client, decision("verified"), EDITOR), "reviewer")
    assert snapshot(client) == before
    assert post(client, decision("verified"), REVIEWER).status_code == 201
    rejected = put(client, fid, decision("rejected"), REVIEWER)
    assert rejected.status_code == 200 and rejected.json["properties"]["status"] == "rejected"
    actors = [c["actor"] for c in client.get(f"{ITEMS}/{fid}/history").json["changes"]]
    assert actors == ["rita (reviewer)", "rita (reviewer)"]


@STORES
def test_an_admin_deletes_and_restores(client, roles, auth):
    assert post(client, feature("adm-1"), EDITOR).status_code == 201
    assert client.delete(f"{ITEMS}/adm-1", headers=auth).status_code == 204
    deletion = client.get(f"{ITEMS}/adm-1/history").json["changes"][-1]
    assert client.post(f"{ITEMS}/adm-1/history/{deletion['seq']}/restore", headers=auth).status_code == 200
    assert [c["actor"] for c in client.get(f"{ITEMS}/adm-1/history").json["changes"]] == [
        "eddie (editor)", "tester (admin)", "tester (admin)"]


@STORES
def test_created_and_updated_are_set_by_the_server(client, roles):
    forged = {"created": "1999-01-01T00:00:00Z", "updated": "2099-01-01T00:00:00Z"}
    created = post(client, feature("stamp-1", **forged), EDITOR).json["properties"]
    assert created["created"] > "2024" and created["created"] < "2099" and created["updated"] == created["created"]
    replaced = put(client, "stamp-1", feature("stamp-1", killed=2, **forged), EDITOR).json["properties"]
    assert replaced["created"] == created["created"]
    assert created["created"] <= replaced["updated"] < "2099"
    stored = client.get(f"{ITEMS}/stamp-1").json["properties"]
    assert (stored["created"], stored["updated"]) == (replaced["created"], replaced["updated"])


def test_tokens_from_before_roles_are_editors(client, data_dir):
    from geo.tokens import hash_token

    path = data_dir / "tokens.json"
    tokens = json.loads(path.read_text())
    tokens["tokens"].append({"name": "old", "sha256": hash_token("old-token"), "created": "2024-01-01T00:00:00Z"})
    path.write_text(json.dumps(tokens))
    old = {"Authorization": "Bearer old-token"}
    assert post(client, feature("old-1"), old).status_code == 201
    forbidden(client.delete(f"{ITEMS}/old-1", headers=old), "admin", "'old' is an editor")
    assert client.get(f"{ITEMS}/old-1/history").json["changes"][0]["actor"] == "old (editor)"
