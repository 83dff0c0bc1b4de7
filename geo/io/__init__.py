"""Incidents as GeoDataFrames and as files: every format in and out, through geopandas and pyogrio.

``read_incidents(source, **filters)`` reads a data folder, a PostGIS database or a running
server into a GeoDataFrame; ``write_incidents(gdf, target)`` writes one to a file (the format
from the extension) or stores it. ``write_file`` and ``read_file`` are what ``incidentmap
export`` and ``import`` use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from geo.errors import InvalidInput

if TYPE_CHECKING:
    import geopandas as gpd

EXPORT_FORMATS = ("geojson", "csv", "gpkg", "fgb", "parquet", "shp", "kml", "acled", "ucdp", "pmtiles")
IMPORT_FORMATS = ("geojson", "csv", "gpkg", "fgb", "parquet", "shp", "kml", "acled", "ucdp")

__all__ = ["EXPORT_FORMATS", "IMPORT_FORMATS", "read_file", "read_incidents", "write_file", "write_incidents"]


def write_file(features: Iterable[dict], path: Path, fmt: str, collection: str = "incidents") -> int:
    """Write the features to ``path`` in ``fmt`` (one of EXPORT_FORMATS); how many were written."""
    path = Path(path)
    if fmt in ("csv", "acled", "ucdp"):
        from geo.io.tables import csv_chunks

        if fmt == "csv":
            from geo.csvio import to_csv

            rows = list(features)
            path.write_text(to_csv(collection, rows), encoding="utf-8-sig", newline="")  # BOM: for spreadsheets
            return len(rows)
        count = 0

        def counted():
            nonlocal count
            for feature in features:
                count += 1
                yield feature

        with path.open("w", encoding="utf-8-sig", newline="") as out:
            for chunk in csv_chunks(counted(), fmt):
                out.write(chunk)
        return count
    if fmt == "geojson":
        from geo.index import dumps

        count = 0
        with path.open("wb") as out:
            out.write(b'{"type": "FeatureCollection", "features": [\n')
            for feature in features:
                out.write((b",\n" if count else b"") + dumps(feature))
                count += 1
            out.write(b"\n]}\n")
        return count
    from geo.io.formats import write_features

    return write_features(features, path, fmt, collection)


def read_file(path: Path, fmt: str | None = None, collection: str = "incidents",
              country_codes: Mapping[str, str] | None = None) -> list[dict]:
    """The features of a file in any of IMPORT_FORMATS (GeoJSON aside: the CLI streams that);
    ``fmt`` None: from the extension. InvalidInput names the file, the row or feature and the field."""
    from geo.io.formats import format_of, read_features

    path = Path(path)
    if fmt in ("acled", "ucdp") or (fmt is None and path.suffix.lower() == ".csv") or fmt == "csv":
        from geo.io.tables import read_csv_features

        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        try:
            return read_csv_features(text, country_codes or {}, fmt)
        except InvalidInput as exc:
            raise InvalidInput(f"{path.name}: {exc.description}") from None
    fmt = format_of(path, fmt)
    return read_features(path, fmt, collection)


def read_incidents(source: str | Path, collection: str = "incidents", **filters: str) -> gpd.GeoDataFrame:
    """The incidents (or ``collection``) matching the filters as a GeoDataFrame in CRS84.

    ``source`` is a data folder, a ``postgresql://`` URL or a server's base URL (``http://...``);
    filters are the items parameters (``bbox="43,33,45,35"``, ``datetime="2023-12-01/2023-12-31"``,
    ``event_type="airstrike"``, ``filter="killed > 0"``, ...)::

        >>> gdf = read_incidents("http://127.0.0.1:5000", datetime="2023-12-01/2023-12-31")
        >>> gdf.sjoin(districts, predicate="within").groupby("district").size()
    """
    from geo.io.frame import frame_from_features

    params = {k.replace("_lang", "-lang"): str(v) for k, v in filters.items()}
    text = str(source)
    if text.startswith(("http://", "https://")):
        from geo.io.remote import fetch_features

        features = fetch_features(text, collection, params)
    else:
        features = _stored_features(source, collection, params)
    return frame_from_features(features, collection)


def _stored_features(location: str | Path, collection: str, params: Mapping[str, str]) -> list[dict]:
    from geo.query import parse_query
    from geo.store import open_store

    store = open_store(location)
    try:
        query = parse_query(params, collection)
        query.limit = 10**12
        return store.query(collection, query).features()
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            close()


def write_incidents(gdf: gpd.GeoDataFrame, target: str | Path, fmt: str | None = None,
                    collection: str = "incidents", actor: str | None = None) -> int:
    """Write a GeoDataFrame of incidents (as ``read_incidents`` gives, or any with those columns)
    to a file (the format from the extension, or ``fmt``), or store it in a data folder or a
    ``postgresql://`` database (validated first; all or nothing). How many were written."""
    from geo.io.formats import format_of
    from geo.io.frame import features_from_frame

    if gdf.crs is not None and not gdf.crs.equals("OGC:CRS84"):
        gdf = gdf.to_crs("OGC:CRS84")
    features = list(features_from_frame(gdf, collection))
    text = str(target)
    from geo.store import is_database_url

    if is_database_url(text) or Path(text).is_dir():
        from geo.store import open_store

        store = open_store(target)
        try:
            summary = store.put_many(collection, features, actor=actor, note="written from a GeoDataFrame")
        finally:
            close = getattr(store, "close", None)
            if close is not None:
                close()
        return len(summary.added) + len(summary.replaced) + len(summary.unchanged)
    return write_file(features, Path(target), fmt or format_of(Path(target)), collection)
