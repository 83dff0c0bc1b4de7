"""The analyst's filters on the items API and everything built on its query (counts, aggregate,
trend, tiles): min_killed, min_injured, q over titles, evidence and site names/aliases, and
perpetrator over every actor the sources named; the same answers on every store."""

import pytest

BOTH_STORES = pytest.mark.parametrize("backend", ["geojson", "postgis", "postgis-sql"], indirect=True)

EXTRA = [  # written through the API, so each store stores them as it would any write
    {"type": "Feature", "id": "x-evidence", "geometry": {"type": "Point", "coordinates": [43.0, 36.2]},
     "properties": {"date": "2024-01-05", "event_type": "drone_attack", "perpetrator": "Islamic Resistance in Iraq",
                    "attribution": "claimed", "killed": 2, "injured": 9, "country_code": "IQ",
                    "site_name": "Zummar checkpoint",
                    "disagreements": {"perpetrator": ["Islamic Resistance in Iraq", "Harakat al-Nujaba"]},
                    "sources": [{"outlet": "Wire A", "title": "Checkpoint hit overnight",
                                 "quote": "A quadcopter dropped munitions on the sandbagged post."},
                                {"outlet": "Wire B", "title": "Drone strikes outpost",
                                 "quote": "نقطة تفتيش استهدفت بطائرة مسيرة"}]}},
]


def ids(response) -> set[str]:
    assert response.status_code == 200, response.get_json()
    return {f["id"] for f in response.get_json()["features"]}


def matched(client, query: str) -> tuple[set[str], int]:
    response = client.get(f"/collections/incidents/items?limit=1000&{query}")
    return ids(response), response.get_json()["numberMatched"]


@pytest.fixture
def seeded(client, auth):
    for feature in EXTRA:
        response = client.post("/collections/incidents/items", json=feature, headers=auth)
        assert response.status_code == 201, response.get_json()
    return client


@BOTH_STORES
@pytest.mark.parametrize("query, expected", [
    ("min_killed=3", {"t-kirkuk-1203", "t-tower22-0128"}),
    ("min_killed=5", {"t-kirkuk-1203"}),
    ("min_injured=1", {"t-tower22-0128", "t-erbil-0101", "x-evidence"}),
    ("min_killed=1&min_injured=1", {"t-tower22-0128", "x-evidence"}),
    ("min_killed=2&event_type=drone_attack", {"t-tower22-0128", "x-evidence"}),
    ("q=sandbagged", {"x-evidence"}),  # an evidence sentence
    ("q=quadcopter+checkpoint", {"x-evidence"}),  # evidence and title: every word somewhere
    ("q=مسيرة", {"x-evidence"}),  # Arabic evidence
    ("q=zummar", {"x-evidence"}),  # the site name as reported
    ("q=BIAP", {"t-airport-rejected"}),  # an alias of the known site baghdad-airport
    ("q=rumeilan", {"t-rmelan-nov"}),  # an alias of rmelan
    ("q=biap+rumeilan", set()),
    ("perpetrator=nujaba", {"x-evidence"}),  # named by one source only
    ("perpetrator=islamic+resistance", {"t-tower22-0128", "x-evidence"}),
    ("perpetrator=kataib", {"t-embassy-1208", "t-erbil-1231"}),
])
def test_filters_select_the_same_incidents_on_every_store(seeded, query, expected):
    found, number = matched(seeded, query)
    assert found == expected and number == len(expected)
    counts = seeded.get(f"/collections/incidents/counts?{query}").get_json()
    assert counts["total"] == len(expected)
    cells = seeded.get(f"/collections/incidents/aggregate?size=10&{query}").get_json()
    assert cells["numberMatched"] == len(expected)


def test_min_killed_zero_matches_incidents_with_no_reported_toll(client):
    every, number = matched(client, "")
    assert matched(client, "min_killed=0") == (every, number)
    assert "t-asad-span" in every  # killed is null there


@pytest.mark.parametrize("query, words", [
    ("min_killed=-1", "min_killed must be from 0 to"),
    ("min_killed=two", "min_killed must be a whole number"),
    ("min_injured=1.5", "min_injured must be a whole number"),
    ("min_injured=", "min_injured must be a whole number"),
    ("min_killed=%D9%A3", "min_killed must be a whole number in ASCII digits"),
    ("min_killed=99999999999", "min_killed must be from 0 to"),
])
@pytest.mark.parametrize("path", ["items", "counts", "aggregate?size=1&", "trend", "tiles/WebMercatorQuad/3/3/4"])
def test_bad_minimum_is_a_400_with_the_error_body(client, path, query, words):
    joiner = "" if path.endswith("&") else "?"
    response = client.get(f"/collections/incidents/{path}{joiner}{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == "InvalidParameterValue" and words in body["description"]


def test_openapi_lists_the_new_filters(client):
    doc = client.get("/openapi?f=json").get_json()
    params = {p["name"]: p for p in doc["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]}
    assert params["min_killed"]["schema"] == {"type": "integer", "minimum": 0}
    assert "min_injured" in params and "evidence" in params["q"]["description"]
    queryables = client.get("/collections/incidents/queryables").get_json()["properties"]
    assert {"killed", "injured", "perpetrator"} <= set(queryables)


@BOTH_STORES
def test_trend_per_week_stacks_types_and_sums_tolls(client):
    doc = client.get("/collections/incidents/trend?period=week&datetime=2023-12-01/2024-01-31").get_json()
    assert doc["period"] == "week" and doc["periods"][0]["start"] == "2023-11-27"  # the Monday of its week
    weeks = {p["start"]: p for p in doc["periods"]}
    # from the week of the first match (a span from 28 November) to that of the last; empty weeks listed
    assert len(weeks) == 9 and weeks["2023-12-11"]["count"] == 0 and doc["periods"][-1]["start"] == "2024-01-22"
    assert weeks["2023-12-04"]["byType"] == {"mortar_attack": 1, "other": 2, "rocket_attack": 1}
    assert (weeks["2024-01-22"]["killed"], weeks["2024-01-22"]["injured"]) == (3, 47)
    every = client.get("/collections/incidents/items?datetime=2023-12-01/2024-01-31&limit=1000").get_json()
    assert doc["total"] == sum(p["count"] for p in doc["periods"]) == every["numberMatched"] == 9
    assert doc["killed"] == sum(f["properties"]["killed"] or 0 for f in every["features"]) == 8


@BOTH_STORES
@pytest.mark.parametrize("query", ["", "period=day", "period=month&event_type=airstrike,drone_attack",
                                   "min_killed=1", "q=erbil", "perpetrator=forces&period=day"])
def test_trend_counts_what_the_items_match(client, query):
    doc = client.get(f"/collections/incidents/trend?{query}").get_json()
    items_query = "&".join(part for part in query.split("&") if not part.startswith("period="))
    matched = client.get(f"/collections/incidents/items?limit=1&{items_query}").get_json()["numberMatched"]
    assert doc["total"] == matched  # every test incident has a date
    for p in doc["periods"]:
        assert p["count"] == sum(p["byType"].values())


@pytest.mark.parametrize("query, status, words", [
    ("period=year", 400, "period must be one of day, week, month, auto"),
    ("sortby=-date&limit=5", 200, None),
    ("f=csv", 400, "f must be one of json"),
])
def test_trend_parameters(client, query, status, words):
    response = client.get(f"/collections/incidents/trend?{query}")
    assert response.status_code == status or (words is None and response.status_code == 200)
    if words:
        assert words in response.get_json()["description"]


def test_trend_of_an_unknown_collection_is_404(client):
    assert client.get("/collections/nothing/trend").get_json()["code"] == "NotFound"


@pytest.mark.parametrize("period", ["", "fortnight", "Week"])
def test_a_period_the_chart_cannot_draw_is_a_400(client, period):
    response = client.get(f"/collections/incidents/trend?period={period}")
    assert response.status_code == 400
    assert "period must be one of day, week, month, auto" in response.get_json()["description"]
