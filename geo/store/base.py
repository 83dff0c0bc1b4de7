"""The Store protocol: what every storage backend offers the rest of the product."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import orjson

from geo.query import Query

COLLECTIONS = {
    "incidents": {
        "title": "Incidents",
        "description": "Attacks and strikes placed on known sites, with sources.",
        "temporal": True,
    },
    "sites": {
        "title": "Known sites",
        "description": "Bases, embassies, towns and areas incidents are placed on, with aliases.",
        "temporal": False,
    },
}


@dataclass
class CollectionInfo:
    """A collection's id, title and extents (bbox lon/lat and time interval)."""

    id: str
    title: str
    description: str
    count: int
    bbox: list[float] | None = None
    interval: list[str | None] | None = None


@dataclass
class QueryResult:
    """One page of features as pre-serialised GeoJSON, and the total that matched."""

    feature_json: list[bytes]
    number_matched: int
    number_matched_exact: bool = True
    extra: dict = field(default_factory=dict)

    def features(self) -> list[dict]:
        return [orjson.loads(b) for b in self.feature_json]


@dataclass
class WriteSummary:
    """What a batch write did."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@runtime_checkable
class Store(Protocol):
    """Storage of features per collection. Features are GeoJSON dicts."""

    names: tuple[str, ...]  # the collections this store holds

    def collections(self) -> list[CollectionInfo]: ...

    def query(self, collection: str, query: Query) -> QueryResult: ...

    def get(self, collection: str, fid: str) -> dict | None: ...

    def day_counts(self, collection: str, query: Query) -> list[tuple[str, int]]: ...

    def put(self, collection: str, feature: dict, *, create_only: bool = False,
            replace_only: bool = False) -> dict: ...

    def put_many(self, collection: str, features: Iterable[dict]) -> WriteSummary: ...

    def delete(self, collection: str, fid: str) -> bool: ...
