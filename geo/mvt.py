"""A Mapbox Vector Tile layer of points, built straight into mapbox-vector-tile's own protobuf
message (``vector_tile_pb2``), which serialises it.

``mapbox_vector_tile.encode`` takes any geometry and costs about 50 µs per feature in Python
(a shapely object per point, its geometry encoder, its attribute checks): 100 ms for a tile of
2,000 points. A tile of ours holds only points, and a point's geometry is three integers
(MoveTo once, then the zigzag-encoded x and y), so here the tile units are computed for all the
points at once with numpy and each feature is a few field assignments on the message. The
output decodes with ``mapbox_vector_tile.decode`` to the same features as the library's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from mapbox_vector_tile.Mapbox import vector_tile_pb2

MOVE_TO_ONCE = (1 & 0x7) | (1 << 3)  # command MoveTo (1), repeated once
POINT = vector_tile_pb2.tile.Point


def zigzag(values: np.ndarray) -> np.ndarray:
    """Protobuf's zigzag encoding of signed integers: 0, -1, 1, -2 ... as 0, 1, 2, 3 ..."""
    values = values.astype(np.int64)
    return (values << 1) ^ (values >> 63)


def encode_points(name: str, x: np.ndarray, y: np.ndarray, properties: Sequence[dict], extent: int) -> bytes:
    """One layer ``name`` of points at tile units ``x``, ``y`` (y up from the tile's bottom, as
    mapbox_vector_tile takes them; a tile stores y down) with their properties (text, whole
    numbers, floats or booleans; other values are left out, as the library does)."""
    tile = vector_tile_pb2.tile()
    layer = tile.layers.add()
    layer.version = 2
    layer.name = name
    layer.extent = extent
    xs = zigzag(np.rint(x)).tolist()
    ys = zigzag(extent - np.rint(y)).tolist()
    keys: dict[str, int] = {}
    values: dict[tuple[type, object], int] = {}
    features = layer.features
    for props, zx, zy in zip(properties, xs, ys, strict=True):
        feature = features.add()
        tags = []
        for key, value in props.items():
            kind = type(value)
            if kind not in (str, int, float, bool) or not isinstance(key, str):
                continue
            k = keys.get(key)
            if k is None:
                k = keys[key] = len(keys)
                layer.keys.append(key)
            v = values.get((kind, value))
            if v is None:
                v = values[(kind, value)] = len(values)
                _add_value(layer, value)
            tags += (k, v)
        feature.tags.extend(tags)
        feature.type = POINT
        feature.geometry.extend((MOVE_TO_ONCE, zx, zy))
    return tile.SerializeToString()


def _add_value(layer, value: object) -> None:
    slot = layer.values.add()
    if isinstance(value, bool):
        slot.bool_value = value
    elif isinstance(value, str):
        slot.string_value = value
    elif isinstance(value, int):
        slot.int_value = value
    else:
        slot.double_value = value
