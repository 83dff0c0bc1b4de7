"""A whole layer's vector tiles in one PMTiles archive, for a static host (``incidentmap export
--format pmtiles``): every non-empty tile from zoom 0 to ``max_zoom``, as the server draws them."""

from __future__ import annotations

import copy
import gzip
import os
import tempfile
from pathlib import Path

import numpy as np
import orjson

from geo.errors import InvalidInput
from geo.query import Query
from geo.store import Store
from geo.tiles import DETAIL_ZOOM, Tile, render_tile

DEFAULT_MAX_ZOOM = 12


def occupied_tiles(lon: np.ndarray, lat: np.ndarray, z: int) -> list[Tile]:
    """The tiles at zoom ``z`` holding at least one of the points, in PMTiles order (by tile id)."""
    n = 1 << z
    lat = np.clip(lat, -85.0511287798, 85.0511287798)
    x = np.clip(np.floor((lon + 180.0) / 360.0 * n), 0, n - 1).astype(np.int64)
    rad = np.radians(lat)
    y = np.clip(np.floor((1.0 - np.log(np.tan(rad) + 1.0 / np.cos(rad)) / np.pi) / 2.0 * n), 0, n - 1).astype(np.int64)
    pairs = np.unique(np.stack([x, y], axis=1), axis=0) if len(x) else np.empty((0, 2), dtype=np.int64)
    return [Tile(z, int(a), int(b)) for a, b in pairs.tolist()]


def export_pmtiles(store: Store, collection: str, query: Query, path: Path,
                   max_zoom: int = DEFAULT_MAX_ZOOM) -> dict:
    """Write the layer's tiles to ``path`` (replaced whole once written); counts per zoom."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    everything = copy.copy(query)
    everything.limit = 10**12
    features = [orjson.loads(raw) for raw in store.query(collection, everything).feature_json]
    points = [_point(f) for f in features]
    points = [p for p in points if p is not None]
    lon = np.array([p[0] for p in points], dtype=np.float64)
    lat = np.array([p[1] for p in points], dtype=np.float64)
    path = Path(path)
    counts: dict[int, int] = {}
    entries: list[tuple[int, bytes]] = []
    for z in range(max_zoom + 1):
        tiles = occupied_tiles(lon, lat, z)
        counts[z] = len(tiles)
        for tile in tiles:
            data = render_tile(store, collection, tile, copy.copy(query))
            entries.append((zxy_to_tileid(tile.z, tile.x, tile.y), gzip.compress(data, mtime=0)))
    if not entries:
        raise InvalidInput("nothing matches, so there are no tiles to write")
    entries.sort(key=lambda e: e[0])
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            writer = Writer(out)
            for tileid, data in entries:
                writer.write_tile(tileid, data)
            west, south, east, north = _bounds(lon, lat)
            header = {"tile_type": TileType.MVT, "tile_compression": Compression.GZIP,
                      "min_lon_e7": int(west * 1e7), "min_lat_e7": int(south * 1e7),
                      "max_lon_e7": int(east * 1e7), "max_lat_e7": int(north * 1e7),
                      "center_zoom": min(DETAIL_ZOOM, max_zoom), "center_lon_e7": int((west + east) / 2 * 1e7),
                      "center_lat_e7": int((south + north) / 2 * 1e7)}
            metadata = {"name": collection, "format": "pbf", "vector_layers": [{
                "id": collection, "minzoom": 0, "maxzoom": max_zoom,
                "fields": {"id": "String", "event_type": "String", "count": "Number", "date_from": "String",
                           "date_to": "String", "killed": "Number", "injured": "Number", "status": "String",
                           "country_code": "String", "site_id": "String"}}]}
            writer.finalize(header, metadata)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return counts


def _point(feature: dict) -> tuple[float, float] | None:
    geometry = feature.get("geometry") or {}
    if geometry.get("type") == "Point":
        return geometry["coordinates"][0], geometry["coordinates"][1]
    if geometry:
        import shapely

        rep = shapely.from_geojson(orjson.dumps(geometry).decode()).representative_point()
        return rep.x, rep.y
    return None


def _bounds(lon: np.ndarray, lat: np.ndarray) -> tuple[float, float, float, float]:
    if not len(lon):
        return -180.0, -85.0, 180.0, 85.0
    return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())
