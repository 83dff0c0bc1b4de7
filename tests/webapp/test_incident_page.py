"""The deep link /incidents/<id>: the map page opened on one incident (state ``incident``),
and a clear 404 page, with the id escaped, for one that is not stored."""

from __future__ import annotations

import json
import re

import pytest

from tests.webapp.test_hostile_input import is_error_body


def page_state(html: str) -> dict:
    """The map's state as the page hands it to map.js (MapConfig's JSON)."""
    found = re.search(r'"state":\s*(\{[^{}]*\})', html)
    assert found, "no map state in the page"
    return json.loads(found.group(1))


@pytest.mark.parametrize("backend", ["geojson", "postgis-sql"], indirect=True)
def test_deep_link_opens_the_map_on_the_incident(client):
    response = client.get("/incidents/t-embassy-1208")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Content-Security-Policy" in response.headers
    assert page_state(response.get_data(as_text=True)) == {
        "incident": "t-embassy-1208", "lon": "44.396", "lat": "33.299", "zoom": "12"}


def test_deep_link_keeps_the_rest_of_the_state(client):
    html = client.get("/incidents/t-kirkuk-1203?lat=35&lon=44&zoom=7&event_type=airstrike&min_killed=2")
    state = page_state(html.get_data(as_text=True))
    assert state == {"incident": "t-kirkuk-1203", "lat": "35", "lon": "44", "zoom": "7",
                     "event_type": "airstrike", "min_killed": "2"}


@pytest.mark.parametrize("fid", ["no-such-incident", "%3Cscript%3Ealert(1)%3Cb%3E", "a" * 200, "us-embassy-baghdad"])
def test_unknown_incident_is_a_404_page_naming_it_escaped(client, fid):
    response = client.get(f"/incidents/{fid}")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "No such incident" in html and "<script>alert" not in html
    if fid.startswith("%3C"):
        assert "&lt;script&gt;alert(1)&lt;b&gt;" in html


def test_map_state_takes_an_incident_and_checks_it(client):
    assert page_state(client.get("/map?incident=t-qaim-0202").get_data(as_text=True)) == {"incident": "t-qaim-0202"}
    is_error_body(client.get("/map?incident=%22%3E%3Cimg"), 400, "incident", "incident id")


def test_deep_link_with_a_bad_state_is_a_400(client):
    is_error_body(client.get("/incidents/t-qaim-0202?zoom=99"), 400, "zoom", "0 to 18")
