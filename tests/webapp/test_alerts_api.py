"""Alerts fire from the API's writes, after the write, without holding the response."""

from __future__ import annotations

import threading
import time

import orjson
from click.testing import CliRunner

from geo.cli import cli
from geo.live.alerts_worker import worker_for
from tests.geo.live.conftest import dead_url, smtp, webhook  # noqa: F401  (the real receivers)


def feature(fid: str) -> dict:
    return {"type": "Feature", "id": fid, "geometry": {"type": "Point", "coordinates": [44.396, 33.299]},
            "properties": {"date": "2024-02-01", "event_type": "drone_attack", "site_id": "us-embassy-baghdad"}}


def add_rule(data_dir, *args):
    result = CliRunner().invoke(cli, ["alert", "add", "--data", str(data_dir), *args])
    assert result.exit_code == 0, result.output


def test_a_posted_incident_is_sent_once_and_a_replace_is_not(app, client, auth, data_dir, webhook):  # noqa: F811
    add_rule(data_dir, "--webhook", webhook.url, "--type", "drone_attack")
    assert client.post("/collections/incidents/items", json=feature("api-1"), headers=auth).status_code == 201
    assert [orjson.loads(r.body)["id"] for r in webhook.wait_for(1)] == ["api-1"]
    changed = feature("api-1")
    changed["properties"]["killed"] = 3
    assert client.put("/collections/incidents/items/api-1", json=changed, headers=auth).status_code == 200
    store = app.extensions["incidentmap.store"]
    assert worker_for(store).wait_idle(10)
    assert len(webhook.received) == 1


def test_a_hanging_receiver_does_not_hold_the_write(app, client, auth, data_dir, webhook):  # noqa: F811
    webhook.hang = threading.Event()
    add_rule(data_dir, "--webhook", webhook.url)
    started = time.monotonic()
    response = client.post("/collections/incidents/items", json=feature("api-hang"), headers=auth)
    assert response.status_code == 201
    assert time.monotonic() - started < 5  # availability: the receiver holds its request for 30 s
    assert client.get("/collections/incidents/items/api-hang").status_code == 200
