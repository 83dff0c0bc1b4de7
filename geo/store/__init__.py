"""Storage backends behind one protocol; ``open_store`` picks one from a location."""

from __future__ import annotations

from pathlib import Path

from geo.store.base import COLLECTIONS, Change, CollectionInfo, GridCell, QueryResult, Store, WriteSummary

__all__ = ["COLLECTIONS", "Change", "CollectionInfo", "GridCell", "QueryResult", "Store", "WriteSummary", "open_store"]


def open_store(location: str | Path) -> Store:
    """A store for a data folder path (the embedded GeoJSON store)."""
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        raise NotImplementedError("the PostGIS store is not built yet; use a data folder")
    from geo.store.geojson import GeoJSONStore

    return GeoJSONStore(Path(text))
