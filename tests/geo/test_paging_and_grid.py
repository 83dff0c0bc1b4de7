"""Keyset cursors and grid aggregates of the in-memory index (geo/index.py, geo/cursor.py)."""

import json
import math
import random

import numpy as np
import pytest

from geo.cursor import decode_cursor, encode_cursor
from geo.errors import InvalidParameterValue
from geo.index import FeatureIndex
from geo.query import parse_query
from tests.conftest import TEST_DATA


@pytest.fixture(scope="module")
def index() -> FeatureIndex:
    return FeatureIndex.from_features(json.loads((TEST_DATA / "incidents.geojson").read_text())["features"])


def synthetic(n: int, seed: int = 3) -> list[dict]:
    """Incidents with many ties in date and killed, and some missing values."""
    rng = random.Random(seed)
    features = []
    for k in range(n):
        day = f"2024-01-{rng.randint(1, 5):02d}"
        features.append({"type": "Feature", "id": f"s-{rng.randrange(10**6):06d}-{k}",
                         "geometry": {"type": "Point", "coordinates": [44 + rng.random(), 33 + rng.random()]},
                         "properties": {"date": day, "event_type": rng.choice(["airstrike", "ied", "other"]),
                                        "killed": rng.choice([None, 0, 1, 2]), "status": "reported"}})
    return features


def offset_pages(index, limit, **params) -> list[str]:
    out, offset = [], 0
    while True:
        page = index.page(parse_query({**params, "limit": str(limit), "offset": str(offset)}))
        if not len(page.positions):
            return out
        out += [index.ids[i] for i in page.positions]
        offset += limit


def cursor_pages(index, limit, **params) -> list[str]:
    out, cursor, pages = [], None, 0
    while True:
        extra = {"cursor": cursor} if cursor else {}
        page = index.page(parse_query({**params, **extra, "limit": str(limit)}))
        out += [index.ids[i] for i in page.positions]
        pages += 1
        assert pages < 1000
        if page.next_cursor is None:
            return out
        cursor = page.next_cursor


@pytest.mark.parametrize("params", [{}, {"sortby": "-date"}, {"sortby": "date,-killed"}, {"sortby": "killed"},
                                    {"sortby": "-killed,event_type"}, {"sortby": "id"}, {"sortby": "-id"},
                                    {"sortby": "-date", "event_type": "airstrike,ied"}])
def test_cursor_pages_give_every_match_once_in_the_offset_order(params):
    index = FeatureIndex.from_features(synthetic(300))
    by_offset = offset_pages(index, 7, **params)
    by_cursor = cursor_pages(index, 7, **params)
    assert by_cursor == by_offset
    assert len(by_cursor) == len(set(by_cursor)) == index.page(parse_query(params)).number_matched


def test_default_order_is_by_id_and_missing_values_sort_last(index):
    assert offset_pages(index, 100) == sorted(index.ids)
    killed_desc = offset_pages(index, 100, sortby="-killed")
    assert killed_desc[0] == "t-kirkuk-1203" and killed_desc[-1] == "t-west-of-dateline"
    # ties (killed unknown) fall back to the id
    unknown = [fid for fid in killed_desc if fid not in ("t-kirkuk-1203", "t-tower22-0128",
                                                          "t-embassy-1208", "t-harir-1018")]
    assert unknown == sorted(unknown)


def test_last_page_has_no_cursor(index):
    assert index.page(parse_query({"limit": "13"})).next_cursor is None
    assert index.page(parse_query({"limit": "12"})).next_cursor is not None


def test_cursor_survives_a_deleted_row():
    features = synthetic(50)
    index = FeatureIndex.from_features(features)
    first = index.page(parse_query({"limit": "10", "sortby": "-date"}))
    last_id = index.ids[first.positions[-1]]
    smaller = FeatureIndex.from_features([f for f in features if f["id"] != last_id])
    rest = cursor_pages(smaller, 10, sortby="-date", cursor=first.next_cursor)
    assert rest == offset_pages(index, 100, sortby="-date")[10:]


@pytest.mark.parametrize("cursor", ["!!!", "abc", encode_cursor([], [], "x")[:-3] + "AAA",
                                    "eyJ2IjoxfQ", encode_cursor([("date", False)], [1], "x")])
def test_malformed_or_foreign_cursors_are_400(index, cursor):
    with pytest.raises(InvalidParameterValue, match="cursor"):
        index.page(parse_query({"cursor": cursor, "sortby": "-date"}))


def test_a_cursor_with_values_of_another_type_is_400(index):
    cursor = encode_cursor([("killed", False)], ["many"], "x")
    with pytest.raises(InvalidParameterValue, match="cursor"):
        index.page(parse_query({"cursor": cursor, "sortby": "killed"}))


def test_cursor_round_trip():
    text = encode_cursor([("date", True), ("id", False)], [1701993600, "a"], "a")
    assert "=" not in text and "/" not in text and "+" not in text
    assert decode_cursor(text, [("date", True), ("id", False)]) == ([1701993600, "a"], "a")


# ---- grid aggregates ---------------------------------------------------------------

def test_grid_counts_add_up_and_cells_are_aligned(index):
    cells = index.aggregate(parse_query({}), 1.0)
    assert sum(c.count for c in cells) == 13
    for cell in cells:
        west, south = -180 + cell.i * 1.0, -90 + cell.j * 1.0
        minx, miny, maxx, maxy = cell.bbox
        assert west <= minx <= cell.lon <= maxx <= west + 1 and south <= miny <= cell.lat <= maxy <= south + 1
        assert sum(cell.by_type.values()) == cell.count
    erbil = next(c for c in cells if c.i == 223 and c.j == 126)  # 43.963, 36.238
    assert erbil.count == 2 and erbil.by_type == {"drone_attack": 1, "rocket_attack": 1}
    assert (erbil.lon, erbil.lat) == (43.963, 36.238)


def test_grid_applies_the_filters(index):
    cells = index.aggregate(parse_query({"bbox": "44,33,45,34", "datetime": "2023-12-01/2023-12-31"}), 0.5)
    assert sum(c.count for c in cells) == 2  # the embassy and the airport on 8 December
    assert index.aggregate(parse_query({"event_type": "no_such"}), 1.0) == []


def test_grid_cell_means_and_by_type_order():
    features = synthetic(400)
    index = FeatureIndex.from_features(features)
    cells = index.aggregate(parse_query({}), 0.25)
    assert sum(c.count for c in cells) == 400 and len(cells) <= 16
    for cell in cells:
        inside = [f for f in features if math.floor((f["geometry"]["coordinates"][0] + 180) / 0.25) == cell.i
                  and math.floor((f["geometry"]["coordinates"][1] + 90) / 0.25) == cell.j]
        assert len(inside) == cell.count
        assert cell.lon == pytest.approx(sum(f["geometry"]["coordinates"][0] for f in inside) / len(inside))
        assert list(cell.by_type.values()) == sorted(cell.by_type.values(), reverse=True)


def test_grid_at_the_edges_of_the_world():
    edge = [{"type": "Feature", "id": f"e{k}", "geometry": {"type": "Point", "coordinates": xy},
             "properties": {"date": "2024-01-01", "event_type": "other"}}
            for k, xy in enumerate([[180, 90], [-180, -90], [179.9, 89.9]])]
    cells = FeatureIndex.from_features(edge).aggregate(parse_query({}), 7)
    assert sum(c.count for c in cells) == 3
    assert {(c.i, c.j) for c in cells} == {(51, 25), (0, 0)}


def test_grouping_by_counting_and_by_sorting_agree():
    from geo.index import _groups

    rng = np.random.default_rng(4)
    i, j = rng.integers(100, 140, 5000), rng.integers(50, 70, 5000)
    dense_cells, dense_groups = _groups(i, j, 180)
    sparse_cells, sparse_groups = _groups(np.r_[i, 10**6], np.r_[j, 10**5], 180)  # a far outlier: sort
    assert list(sparse_cells[:-1]) == list(dense_cells) and list(sparse_groups[:-1]) == list(dense_groups)
    assert list(dense_cells[dense_groups]) == list(i * 180 + j)
