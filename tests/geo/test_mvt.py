"""geo.mvt's point layers decode to what mapbox-vector-tile's own encoder gives for the same points."""

import mapbox_vector_tile
import numpy as np
import pytest
import shapely

from geo.mvt import encode_points, zigzag

PROPS = [
    {"id": "inc-1", "event_type": "rocket_attack", "count": 1, "killed": 0},
    {"id": "inc-2", "event_type": "rocket_attack", "count": 1, "killed": 3, "injured": -2},
    {"count": 12, "event_type": "drone_attack", "share": 0.25, "verified": True},
    {"count": 1, "name": "السفارة \"US\" `embassy` <b>", "verified": False, "nested": {"skip": 1}},
]


def library(x, y, props):
    features = [{"geometry": shapely.Point(round(a), round(b)), "properties": p}
                for a, b, p in zip(x, y, props, strict=True)]
    return mapbox_vector_tile.encode([{"name": "incidents", "features": features}],
                                     default_options={"extents": 4096})


@pytest.mark.parametrize("x, y", [
    ([0.0, 4095.6, 2048.0, -40.2], [0.0, 4096.0, 17.5, 4130.0]),  # edges, rounding, the buffer outside
    ([100.0, 100.0, 100.0, 100.0], [7.0, 7.0, 7.0, 7.0]),  # stacked on one spot
])
def test_points_decode_as_the_librarys(x, y):
    ours = mapbox_vector_tile.decode(encode_points("incidents", np.array(x), np.array(y), PROPS, 4096))
    theirs = mapbox_vector_tile.decode(library(x, y, PROPS))
    assert ours == theirs
    assert [f["properties"] for f in ours["incidents"]["features"]][3] == {
        "count": 1, "name": "السفارة \"US\" `embassy` <b>", "verified": False}  # the nested value is left out


def test_an_empty_layer_is_still_a_layer():
    data = encode_points("incidents", np.array([]), np.array([]), [], 4096)
    assert mapbox_vector_tile.decode(data)["incidents"]["features"] == []


def test_zigzag_matches_protobufs():
    assert zigzag(np.array([0, -1, 1, -2, 2, -4096])).tolist() == [0, 1, 2, 3, 4, 8191]
