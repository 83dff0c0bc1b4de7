"""Reads answered from an in-memory FeatureIndex per collection: shared by the embedded store
and the PostGIS store's cache, which differ only in how they keep the index current."""

from __future__ import annotations

import dataclasses

import orjson

from geo.index import FeatureIndex
from geo.query import Query
from geo.store.base import COLLECTIONS, CollectionInfo, GridCell, QueryResult


class IndexedReads:
    """The Store protocol's reads over ``self._index(collection)``, which a store supplies."""

    names: tuple[str, ...]

    def _index(self, collection: str) -> FeatureIndex:
        raise NotImplementedError

    def _indexes(self) -> dict[str, FeatureIndex]:
        """Every collection's current index (a store may take them in one snapshot)."""
        return {name: self._index(name) for name in self.names}

    def collections(self) -> list[CollectionInfo]:
        infos = []
        for name, index in self._indexes().items():
            bbox, interval = index.extent()
            meta = COLLECTIONS.get(name, {"title": name, "description": ""})
            infos.append(CollectionInfo(name, meta["title"], meta["description"], len(index), bbox, interval))
        return infos

    def _resolved(self, collection: str, query: Query) -> Query:
        """``query`` with each word of ``q`` tied to the known sites whose name or aliases hold
        it, so an incident placed on such a site matches the word too."""
        if "q" not in query.text or collection == "sites" or "sites" not in self.names:
            return query
        sites = self._index("sites")
        found = {}
        for word in query.text["q"].split():
            rows = sites._rows_containing("q", word)
            found[word] = frozenset(sites.ids[i] for i in rows.tolist())
        return dataclasses.replace(query, site_words=found)

    def query(self, collection: str, query: Query) -> QueryResult:
        index = self._index(collection)
        page = index.page(self._resolved(collection, query))
        return QueryResult(index.feature_bytes(page.positions), page.number_matched,
                           next_cursor=page.next_cursor)

    def get(self, collection: str, fid: str) -> dict | None:
        raw = self._index(collection).get(fid)
        return None if raw is None else orjson.loads(raw)

    def day_counts(self, collection: str, query: Query) -> list[tuple[str, int]]:
        return self._index(collection).day_counts(self._resolved(collection, query))

    def day_type_counts(self, collection: str, query: Query) -> list[tuple[str, str | None, int, int, int]]:
        """(day, event_type, incidents, killed, injured) of the matches (geo.trend)."""
        return self._index(collection).day_type_counts(self._resolved(collection, query))

    def warm_filters(self, collection: str, names: tuple[str, ...]) -> None:
        """Read now the columns a CQL2 filter on ``names`` needs from the features' JSON
        (geo.filters.evaluate.warm_columns), rather than on the first such filter."""
        from geo.filters.evaluate import warm_columns

        warm_columns(self._index(collection), collection, names)

    def aggregate(self, collection: str, query: Query, size: float) -> list[GridCell]:
        """Matching features per grid cell of ``size`` degrees (see GridCell), counted exactly."""
        return self._index(collection).aggregate(self._resolved(collection, query), size)
