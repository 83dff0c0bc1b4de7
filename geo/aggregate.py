"""Grid aggregates for maps: how many incidents lie in each cell of a view, not the incidents.

A map over a million incidents cannot draw them one by one; it asks for the
counts per grid cell of the view (the same bbox, time and filters as items)
and draws one numbered circle per cell, switching to individual incidents
only when few are in view. ``size`` is the cell size in degrees; ``zoom``
(a web map's zoom level) picks one of about 64 pixels on screen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from urllib.parse import urlencode

from geo.errors import InvalidParameterValue, NotFound
from geo.query import is_plain_number, parse_int, parse_query
from geo.store import Store
from geo.timespan import utc_now_rfc3339

MAX_CELLS = 10_000  # cells one answer may hold: what a browser can draw at once
MIN_SIZE = 1e-4  # degrees, about 10 m
MAX_ZOOM = 22
# page parameters of items that mean nothing for counts; accepted so an items URL can be reused
IGNORED = ("limit", "offset", "cursor", "sortby")


def size_for_zoom(zoom: int) -> float:
    """A cell of about 64 screen pixels at a web map's zoom level: 90 / 2**zoom degrees.

    The sizes divide 360 and halve with each zoom level, so cells nest from one level to the next.

    >>> size_for_zoom(6)
    1.40625
    """
    return 90 / 2**zoom


def parse_size(text: str) -> float:
    try:
        if not is_plain_number(text):
            raise ValueError(text)
        size = float(text.strip())
    except ValueError:
        raise InvalidParameterValue(f"size must be a number of degrees, got {text!r}") from None
    if not math.isfinite(size) or not MIN_SIZE <= size <= 180:
        raise InvalidParameterValue(f"size must be from {MIN_SIZE:g} to 180 degrees, got {text!r}")
    return size


def cells_spanned(bbox: tuple[float, float, float, float] | None, size: float) -> int:
    """How many grid cells of ``size`` a bbox touches (the whole world for None)."""
    minx, miny, maxx, maxy = bbox or (-180.0, -90.0, 180.0, 90.0)

    def run(low: float, high: float, origin: float, last: int) -> int:
        first = min(last, math.floor((low - origin) / size))
        return min(last, math.floor((high - origin) / size)) - first + 1

    columns, rows = math.ceil(360 / size) - 1, math.ceil(180 / size) - 1
    across = run(minx, maxx, -180, columns) if minx <= maxx else \
        run(minx, 180, -180, columns) + run(-180, maxx, -180, columns)
    return across * run(miny, maxy, -90, rows)


def aggregate(store: Store, base: str, collection_id: str, params: Mapping[str, str]) -> dict:
    """A GeoJSON FeatureCollection with one Point per non-empty cell (at the mean position of its
    features) and ``numberMatched``, the total under the filters. Give ``size`` (degrees) or
    ``zoom``. A zoom whose cells would be more than MAX_CELLS over the bbox gets larger cells;
    a size that leaves more than MAX_CELLS cells with features answers 400."""
    if collection_id not in store.names:
        raise NotFound(f"no collection {collection_id!r}")
    filters = {k: v for k, v in params.items() if k not in ("size", "zoom") + IGNORED}
    query = parse_query(filters, collection_id)
    if ("size" in params) == ("zoom" in params):
        raise InvalidParameterValue("give the cell size in degrees (size=0.5) or a map zoom level (zoom=6), "
                                    "one of the two")
    if "zoom" in params:
        zoom = parse_int("zoom", params["zoom"], 0, MAX_ZOOM)
        size = size_for_zoom(zoom)
        while cells_spanned(query.bbox, size) > MAX_CELLS:
            size *= 2
    else:
        size = parse_size(params["size"])
    cells = store.aggregate(collection_id, query, size)
    if len(cells) > MAX_CELLS:
        raise InvalidParameterValue(
            f"size {size:g} gives {len(cells)} cells with features; at most {MAX_CELLS}: "
            "use larger cells, a smaller bbox or narrower filters")
    features = [{
        "type": "Feature", "id": f"{cell.i}-{cell.j}",
        "geometry": {"type": "Point", "coordinates": [round(cell.lon, 6), round(cell.lat, 6)]},
        "properties": {
            "count": cell.count, "by_type": cell.by_type, "bbox": [round(v, 6) for v in cell.bbox],
            "cell": [-180 + cell.i * size, -90 + cell.j * size,
                     min(180.0, -180 + (cell.i + 1) * size), min(90.0, -90 + (cell.j + 1) * size)],
            "size": size},
    } for cell in cells]
    url = f"{base}/collections/{collection_id}"
    here = {k: v for k, v in params.items() if k != "f"}
    return {
        "type": "FeatureCollection", "features": features,
        "numberMatched": sum(cell.count for cell in cells), "numberReturned": len(features),
        "size": size, "timeStamp": utc_now_rfc3339(),
        "links": [
            {"href": f"{url}/aggregate?{urlencode(here)}", "rel": "self", "type": "application/geo+json",
             "title": "These counts"},
            {"href": f"{url}/items?{urlencode({k: v for k, v in filters.items() if k != 'f'})}", "rel": "items",
             "type": "application/geo+json", "title": "The features counted"},
        ],
    }
