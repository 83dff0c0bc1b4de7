"""GET /collections/incidents/items?f=atom: the newest incidents as an Atom feed, read as feedparser reads it."""

from __future__ import annotations

import feedparser
import pytest


def feed_of(client, query: str):
    response = client.get(f"/collections/incidents/items?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.mark.parametrize("filters", [
    "",
    "datetime=2023-12-01/2023-12-31",
    "bbox=43,33,45,34",
    "event_type=rocket_attack,drone_attack",
    "site_id=erbil-air-base",
    "filter=killed > 0",
    "q=embassy&limit=3",
])
def test_the_feed_holds_what_the_api_returns_for_the_same_filters(client, filters):
    parsed = feed_of(client, f"{filters}&f=atom")
    api = client.get(f"/collections/incidents/items?{filters}&sortby=-date,-updated&f=json").get_json()
    expected = [f"http://localhost/collections/incidents/items/{f['id']}" for f in api["features"]]
    assert [entry.id for entry in parsed.entries] == expected
    assert parsed.feed.title.startswith("incidentmap: incidents")


def test_entries_are_newest_first_and_link_to_the_incident(client):
    parsed = feed_of(client, "f=atom")
    dates = [client.get(e.id + "?f=json").get_json()["properties"]["date"] for e in parsed.entries]
    assert dates == sorted(dates, reverse=True) and len(dates) > 3
    entry = parsed.entries[0]
    links = {(link.rel, link.type): link.href for link in entry.links}
    assert links[("alternate", "text/html")] == entry.id + "?f=html"
    assert client.get(links[("alternate", "text/html")]).status_code == 200
    assert client.get(links[("alternate", "application/geo+json")]).get_json()["id"] == entry.id.rsplit("/", 1)[1]
    assert links[("related", "text/html")].startswith("http://localhost/map?lat=")
    assert entry.updated_parsed and entry.tags[0].term
    assert entry.where  # the GeoRSS point
    self_link = next(link for link in parsed.feed.links if link.rel == "self")
    assert self_link.href == "http://localhost/collections/incidents/items?f=atom"


def test_report_text_is_escaped(client, auth):
    hostile = "<script>alert(1)</script> & co"
    feature = {"type": "Feature", "id": "atom-xss", "geometry": {"type": "Point", "coordinates": [44.39, 33.3]},
               "properties": {"date": "2030-01-01", "event_type": "rocket_attack", "location": hostile,
                              "perpetrator": "A & B <i>", "notes": "Note with </summary> & <b>tags</b>."}}
    assert client.post("/collections/incidents/items", json=feature, headers=auth).status_code == 201
    raw = client.get("/collections/incidents/items?f=atom&limit=1").data
    assert b"<script>" not in raw and b"&lt;script&gt;" in raw and b"&amp; co" in raw
    entry = feedparser.parse(raw).entries[0]
    assert entry.id.endswith("/atom-xss")
    assert "& co, 2030-01-01" in entry.title and "alert(1)" in entry.title
    assert "A & B" in entry.summary and "</summary>" not in raw.decode().split("<summary")[1].split("</summary>")[0]


def test_paging_links_stay_in_the_feed(client):
    parsed = feed_of(client, "f=atom&limit=2")
    assert len(parsed.entries) == 2
    following = next(link.href for link in parsed.feed.links if link.rel == "next")
    assert "f=atom" in following and "cursor=" in following
    second = feedparser.parse(client.get(following.replace("http://localhost", "")).data)
    assert not {e.id for e in second.entries} & {e.id for e in parsed.entries}


@pytest.mark.parametrize("url, code", [
    ("/collections/incidents/items?f=atom&bbox=1,2,3", "InvalidParameterValue"),
    ("/collections/incidents/items?f=atom&datetime=yesterday", "InvalidParameterValue"),
    ("/collections/sites/items?f=atom", "InvalidParameterValue"),
])
def test_bad_feed_requests_are_json_errors(client, url, code):
    response = client.get(url)
    assert response.status_code == 400 and response.get_json()["code"] == code


def test_the_feed_is_announced_by_the_items_links_the_map_page_and_openapi(client):
    items = client.get("/collections/incidents/items?event_type=ied").get_json()
    atom = [link for link in items["links"] if link["type"] == "application/atom+xml"]
    assert atom and "f=atom" in atom[0]["href"] and "event_type=ied" in atom[0]["href"]
    collection = client.get("/collections/incidents").get_json()
    assert any(link["type"] == "application/atom+xml" for link in collection["links"])
    page = client.get("/map?event_type=ied&layers=sites&zoom=7").get_data(as_text=True)
    assert ('<link rel="alternate" type="application/atom+xml" title="Incidents (Atom feed)" '
            'href="/collections/incidents/items?event_type=ied&amp;f=atom">') in page
    document = client.get("/openapi").get_json()
    items_get = document["paths"]["/collections/{collectionId}/items"]["get"]
    assert "atom" in next(p for p in items_get["parameters"] if p["name"] == "f")["schema"]["enum"]
    assert "application/atom+xml" in items_get["responses"]["200"]["content"]
