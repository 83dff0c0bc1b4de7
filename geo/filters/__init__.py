"""OGC API - Features Part 3 filters: CQL2 text and JSON, checked against each collection's
queryables, evaluated on the in-memory index (``evaluate``) and in SQL on PostGIS (``sql``)."""

from geo.filters.parse import LANGS, Filter, parse_filter
from geo.filters.queryables import QUERYABLES, queryables, queryables_document

__all__ = ["LANGS", "QUERYABLES", "Filter", "parse_filter", "queryables", "queryables_document"]
