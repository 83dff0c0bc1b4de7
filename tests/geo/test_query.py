import json

import pytest

from geo.errors import InvalidParameterValue
from geo.index import FeatureIndex
from geo.query import MAX_LIMIT, parse_bbox, parse_query
from tests.conftest import TEST_DATA


@pytest.fixture(scope="module")
def index() -> FeatureIndex:
    return FeatureIndex.from_features(json.loads((TEST_DATA / "incidents.geojson").read_text())["features"])


def ids(index, **params) -> list[str]:
    query = parse_query({k: str(v) for k, v in params.items()})
    page = index.page(query)
    return [index.ids[i] for i in page.positions]


@pytest.mark.parametrize("text, expected", [
    ("44,33,45,34", (44, 33, 45, 34)),
    (" 44 , 33 , 45 , 34 ", (44, 33, 45, 34)),
    ("44,33,0,45,34,100", (44, 33, 45, 34)),
    ("170,-20,-170,-10", (170, -20, -170, -10)),
])
def test_bbox_parses(text, expected):
    assert parse_bbox(text) == expected


@pytest.mark.parametrize("text, message", [
    ("1,2,3", "4 or 6 numbers"),
    ("1,2,3,4,5", "4 or 6 numbers"),
    ("a,b,c,d", "numbers"),
    ("nan,1,2,3", "finite"),
    ("inf,1,2,3", "finite"),
    ("0,91,1,92", "latitude"),
    ("-181,0,1,1", "longitude"),
    ("0,10,1,5", "south edge"),
    ("４４,33,45,34", "numbers"),  # full-width digits (issue 16): float() takes them, the API does not
    ("44,٣٣,45,34", "numbers"),  # Arabic-Indic digits
    ("4_4,33,45,34", "numbers"),  # float() takes "4_4" as 44
])
def test_bad_bbox(text, message):
    with pytest.raises(InvalidParameterValue, match=message):
        parse_bbox(text)


@pytest.mark.parametrize("params, message", [
    ({"limit": "0"}, "at least 1"),
    ({"limit": "-5"}, "at least 1"),
    ({"limit": "ten"}, "whole number"),
    ({"limit": "１"}, "ASCII digits"),  # full-width one (issue 16): int() takes it, the API does not
    ({"limit": "1_0"}, "ASCII digits"),  # int() reads 10
    ({"limit": "٣"}, "ASCII digits"),  # Arabic-Indic three
    ({"offset": "１０"}, "ASCII digits"),
    ({"offset": "-1"}, "offset"),
    ({"sortby": "-colour"}, "cannot sort"),
    ({"colour": "red"}, "unknown query parameter"),
    ({"bbox-crs": "EPSG:4326"}, "not supported"),
    ({"event_type": ""}, "empty"),
])
def test_bad_parameters(params, message):
    with pytest.raises(InvalidParameterValue, match=message):
        parse_query(params)


def test_huge_limit_is_clamped():
    assert parse_query({"limit": "99999999"}).limit == MAX_LIMIT


def test_bbox_filter(index):
    assert set(ids(index, bbox="44.0,33.0,44.5,33.5")) == {"t-embassy-1208", "t-airport-rejected"}


def test_bbox_edge_is_inclusive(index):
    assert ids(index, bbox="44.396,33.299,44.5,33.4") == ["t-embassy-1208"]


def test_bbox_across_antimeridian(index):
    assert set(ids(index, bbox="179,-18,-179,-16")) == {"t-east-of-dateline", "t-west-of-dateline"}
    assert ids(index, bbox="179,-18,180,-16") == ["t-east-of-dateline"]


def test_datetime_day_matches_span_that_contains_it(index):
    assert set(ids(index, datetime="2023-12-01")) == {"t-asad-span"}
    assert set(ids(index, datetime="2023-11-15")) == {"t-rmelan-nov"}


def test_datetime_instant(index):
    assert set(ids(index, datetime="2023-12-08T12:00:00Z")) == {"t-embassy-1208", "t-airport-rejected"}


def test_datetime_interval_intersects_spans(index):
    got = set(ids(index, datetime="2023-11-30T00:00:00Z/2023-12-03T23:59:59Z"))
    assert got == {"t-asad-span", "t-rmelan-nov", "t-kirkuk-1203"}


def test_datetime_open_ends(index):
    assert set(ids(index, datetime="2024-01-01/..")) == {"t-erbil-0101", "t-tower22-0128", "t-qaim-0202"}
    assert set(ids(index, datetime="../2023-10-18")) == {"t-tanf-1001", "t-harir-1018"}


def test_datetime_across_midnight_boundary(index):
    assert ids(index, datetime="2023-12-31T23:59:59Z/2024-01-01T00:00:00Z", sortby="date") == [
        "t-erbil-1231", "t-erbil-0101"]


def test_outside_data_gives_nothing(index):
    assert ids(index, datetime="2020-01-01/2020-02-01") == []


def test_property_filters(index):
    assert set(ids(index, event_type="airstrike")) == {"t-kirkuk-1203", "t-qaim-0202"}
    assert set(ids(index, event_type="airstrike,mortar_attack", country_code="IQ")) == {
        "t-kirkuk-1203", "t-qaim-0202", "t-airport-rejected"}
    assert ids(index, status="rejected") == ["t-airport-rejected"]
    assert ids(index, site_id="tower-22") == ["t-tower22-0128"]
    assert ids(index, event_type="no_such_type") == []


def test_perpetrator_is_case_insensitive_part(index):
    assert set(ids(index, perpetrator="kataib")) == {"t-embassy-1208", "t-erbil-1231"}


def test_text_search_needs_every_word(index):
    assert ids(index, q="tower22 nowhere") == []
    assert ids(index, q="t-tower22-0128 incident") == ["t-tower22-0128"]


def test_sort_and_page(index):
    everything = ids(index, sortby="-date", limit=100)
    assert everything[0] == "t-qaim-0202" and everything[-1] == "t-tanf-1001"
    assert ids(index, sortby="-date", limit=3, offset=2) == everything[2:5]
    assert ids(index, sortby="-date", offset=500) == []
    page = index.page(parse_query({"limit": "2"}))
    assert page.number_matched == len(index) and len(page.positions) == 2


def test_sort_by_killed_puts_unknown_last(index):
    got = ids(index, sortby="-killed", limit=100)
    assert got[:2] == ["t-kirkuk-1203", "t-tower22-0128"]
