"""Vector tiles (OGC API - Tiles, WebMercatorQuad) of a collection, with the items filters.

A tile holds one layer named after the collection. Up to ``DETAIL_FEATURES`` matches (from
zoom ``DETAIL_ZOOM`` on) it holds every matching feature as a point with a few properties;
above that, or at lower zooms, the matches are counted per cell of 1/64 of the tile (the store's
grid aggregate) and each non-empty cell is a point at its features' mean position with
``count`` and its most frequent ``event_type``. The PostGIS store answering in SQL builds
detailed tiles with ``ST_AsMVT``; every other tile is written by :mod:`geo.mvt` into
mapbox-vector-tile's protobuf message.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import orjson

from geo.errors import InvalidParameterValue, NotFound
from geo.query import Query, parse_query
from geo.store import Store

TMS = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
CRS_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
MVT = "application/vnd.mapbox-vector-tile"
MAX_ZOOM = 22
DETAIL_ZOOM = 7
DETAIL_FEATURES = 2_000  # a map's view of ~20 tiles draws at most a few tens of thousands; encoding is ~20 µs each
EXTENT = 4096
BUFFER = 64  # tile units around the tile, so symbols on an edge are drawn on both tiles
CELLS_PER_TILE = 64
HALF = 20037508.342789244  # half the Web Mercator world, metres
PROPERTIES = ("id", "event_type", "date_from", "date_to", "killed", "injured", "status", "country_code",
              "site_id", "name", "kind")
_PAGE = ("limit", "offset", "cursor", "sortby")


@dataclass(frozen=True)
class Tile:
    z: int
    x: int  # tileCol
    y: int  # tileRow, from the north

    def bounds_3857(self) -> tuple[float, float, float, float]:
        size = 2 * HALF / (1 << self.z)
        minx = -HALF + self.x * size
        maxy = HALF - self.y * size
        return minx, maxy - size, minx + size, maxy

    def bounds_lonlat(self, buffer: float = 0.0) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees, widened by ``buffer`` of the tile's width."""
        n = 1 << self.z
        west = self.x / n * 360 - 180 - buffer * 360 / n
        east = (self.x + 1) / n * 360 - 180 + buffer * 360 / n
        north = _lat(self.y - buffer, n)
        south = _lat(self.y + 1 + buffer, n)
        return max(west, -180.0), max(south, -85.0511287798), min(east, 180.0), min(north, 85.0511287798)


def _lat(y: float, n: int) -> float:
    y = min(max(y, 0), n)
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))


def check_tile(z: int, row: int, col: int) -> Tile:
    if not 0 <= z <= MAX_ZOOM:
        raise NotFound(f"no tile matrix {z} in {TMS} (0 to {MAX_ZOOM})")
    if not (0 <= row < (1 << z) and 0 <= col < (1 << z)):
        raise NotFound(f"no tile row {row}, column {col} at tile matrix {z} (0 to {(1 << z) - 1})")
    return Tile(z, col, row)


def to_3857(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = np.clip(lat, -85.0511287798, 85.0511287798)
    x = np.asarray(lon, dtype=np.float64) * HALF / 180.0
    y = np.log(np.tan((90.0 + lat) * math.pi / 360.0)) * HALF / math.pi
    return x, y


def tile_query(collection: str, params: Mapping[str, str]) -> Query:
    """The items filters of a tile request; 400 for page parameters, which a tile has no use for."""
    for name in _PAGE:
        if name in params:
            raise InvalidParameterValue(f"{name} does not apply to a tile; give the items filters only")
    return parse_query({k: v for k, v in params.items() if k != "f"}, collection)


def render_tile(store: Store, collection: str, tile: Tile, query: Query) -> bytes:
    """The tile as Mapbox Vector Tile bytes (an empty tile when nothing matches)."""
    if collection not in store.names:
        raise NotFound(f"no collection {collection!r}")
    query.bbox = tile.bounds_lonlat(buffer=BUFFER / EXTENT)
    if tile.z >= DETAIL_ZOOM:
        from geo.store.pg_tiles import sql_tile, tiles_in_sql

        if tiles_in_sql(store):
            data = sql_tile(store, collection, tile, query, DETAIL_FEATURES)
            if data is not None:
                return data
        else:  # counted first: most such tiles at scale hold too many, and the counts are then the tile
            cells = store.aggregate(collection, query, cell_size(tile))
            if sum(cell.count for cell in cells) > DETAIL_FEATURES:
                return _encode_cells(collection, tile, cells)
            query.limit = DETAIL_FEATURES
            return encode_features(collection, tile, store.query(collection, query).feature_json)
    return encode_cells(collection, tile, store, query)


def encode_features(collection: str, tile: Tile, raws: list[bytes]) -> bytes:
    import shapely

    features = [orjson.loads(raw) for raw in raws]
    lon, lat, props = [], [], []
    for f in features:
        geometry = f.get("geometry") or {}
        kind = geometry.get("type")
        if kind == "Point":
            x, y = geometry["coordinates"][:2]
        elif kind:  # sites' areas: drawn at their representative point
            point = shapely.from_geojson(orjson.dumps(geometry).decode()).representative_point()
            x, y = point.x, point.y
        else:
            continue
        lon.append(x)
        lat.append(y)
        props.append(_properties(f))
    return _encode(collection, tile, np.array(lon, dtype=np.float64), np.array(lat, dtype=np.float64), props)


def _properties(feature: dict) -> dict:
    props = feature.get("properties") or {}
    values = {"id": feature.get("id")} | {k: props.get(k) for k in PROPERTIES if k != "id"}
    values = {k: v for k, v in values.items() if v is not None}
    values["count"] = 1
    return values


def cell_size(tile: Tile) -> float:
    """Degrees of longitude of a count cell: 1/CELLS_PER_TILE of the tile's width."""
    return 360.0 / (1 << tile.z) / CELLS_PER_TILE


def encode_cells(collection: str, tile: Tile, store: Store, query: Query) -> bytes:
    return _encode_cells(collection, tile, store.aggregate(collection, query, cell_size(tile)))


def _encode_cells(collection: str, tile: Tile, cells: list) -> bytes:
    props = []
    for cell in cells:
        values = {"count": cell.count}
        if cell.by_type:
            values["event_type"] = next(iter(cell.by_type))
        props.append(values)
    lon = np.array([c.lon for c in cells], dtype=np.float64)
    lat = np.array([c.lat for c in cells], dtype=np.float64)
    return _encode(collection, tile, lon, lat, props)


def _encode(collection: str, tile: Tile, lon: np.ndarray, lat: np.ndarray, props: list[dict]) -> bytes:
    """One layer of points: lon, lat to Web Mercator, then to tile units (y up; geo.mvt flips
    it), all at once with numpy, then encoded by geo.mvt."""
    from geo.mvt import encode_points

    minx, miny, maxx, maxy = tile.bounds_3857()
    scale = EXTENT / (maxx - minx)
    x, y = to_3857(lon, lat)
    return encode_points(collection, (x - minx) * scale, (y - miny) * scale, props, EXTENT)


# ---- OGC API - Tiles documents ------------------------------------------------------------


def _link(href: str, rel: str, media_type: str, title: str, templated: bool = False) -> dict:
    link = {"href": href, "rel": rel, "type": media_type, "title": title}
    if templated:
        link["templated"] = True
    return link


def tilesets_document(base: str, collection: str, title: str) -> dict:
    """The collection's tilesets (one: vector tiles in WebMercatorQuad)."""
    return {"links": [_link(f"{base}/collections/{collection}/tiles", "self", "application/json", "Tilesets")],
            "tilesets": [_tileset_summary(base, collection, title)]}


def _tileset_summary(base: str, collection: str, title: str) -> dict:
    url = f"{base}/collections/{collection}/tiles/{TMS}"
    return {
        "title": f"{title} as vector tiles", "dataType": "vector", "crs": CRS_3857, "tileMatrixSetURI": TMS_URI,
        "links": [
            _link(url, "self", "application/json", "The tileset"),
            _link(f"{base}/tileMatrixSets/{TMS}", "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
                  "application/json", "The tile matrix set"),
            _link(url + "/{tileMatrix}/{tileRow}/{tileCol}", "item", MVT, "A tile", templated=True),
        ],
    }


def tileset_document(base: str, collection: str, title: str, bbox: list[float] | None) -> dict:
    """The tileset's metadata: tiling scheme, layer, zoom range, bounding box."""
    doc = _tileset_summary(base, collection, title)
    doc["tileMatrixSetLimits"] = [{"tileMatrix": str(z)} for z in range(0, MAX_ZOOM + 1)]
    doc["layers"] = [{
        "id": collection, "title": title, "dataType": "vector", "geometryType": "points",
        "minTileMatrix": "0", "maxTileMatrix": str(MAX_ZOOM),
        "propertiesSchema": {"type": "object", "properties": {
            "id": {"type": "string"}, "event_type": {"type": "string"}, "count": {
                "type": "integer", "description": f"features the point stands for: 1, or a cell's count (below "
                                                  f"tile matrix {DETAIL_ZOOM} or over {DETAIL_FEATURES} in a tile)"},
            "date_from": {"type": "string", "format": "date"}, "date_to": {"type": "string", "format": "date"},
            "killed": {"type": "integer"}, "injured": {"type": "integer"}, "status": {"type": "string"},
            "country_code": {"type": "string"}, "site_id": {"type": "string"}}},
    }]
    if bbox:
        doc["boundingBox"] = {"lowerLeft": bbox[:2], "upperRight": bbox[2:],
                              "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}
    return doc


def tile_matrix_set() -> dict:
    """The WebMercatorQuad tile matrix set definition (OGC 17-083r4)."""
    matrices = []
    for z in range(MAX_ZOOM + 1):
        n = 1 << z
        matrices.append({"id": str(z), "scaleDenominator": 559082264.0287178 / n,
                         "cellSize": 156543.03392804097 / n, "cornerOfOrigin": "topLeft",
                         "pointOfOrigin": [-HALF, HALF], "tileWidth": 256, "tileHeight": 256,
                         "matrixWidth": n, "matrixHeight": n})
    return {"id": TMS, "title": "Google Maps Compatible for the World", "uri": TMS_URI,
            "crs": CRS_3857, "orderedAxes": ["E", "N"], "wellKnownScaleSet":
            "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible", "tileMatrices": matrices}
