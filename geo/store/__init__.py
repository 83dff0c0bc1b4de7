"""Storage backends behind one protocol; ``open_store`` picks one from a location."""

from __future__ import annotations

from pathlib import Path

from geo.store.base import COLLECTIONS, Change, CollectionInfo, GridCell, QueryResult, Store, WriteSummary

__all__ = ["COLLECTIONS", "Change", "CollectionInfo", "GridCell", "QueryResult", "Store", "WriteSummary",
           "is_database_url", "open_store"]


def is_database_url(location: str | Path | None) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) URL, False for a data folder path."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def open_store(location: str | Path, read_location: str | None = None, *, cache: bool = False) -> Store:
    """The store at ``location``: a PostGIS database for a ``postgresql://`` URL (reading from
    ``read_location``, a replica, when given; with ``cache``, answering reads from an in-memory
    index kept in step through the history), else the GeoJSON store of that data folder."""
    text = str(location)
    if is_database_url(text):
        if cache:
            from geo.store.pg_memory import CachedPostGISStore

            return CachedPostGISStore(text, read_location)
        from geo.store.postgis import PostGISStore

        return PostGISStore(text, read_location)
    if read_location:
        raise ValueError("a read replica (STORE_READ) needs a postgresql:// STORE, not a data folder")
    from geo.store.geojson import GeoJSONStore

    return GeoJSONStore(Path(text))
