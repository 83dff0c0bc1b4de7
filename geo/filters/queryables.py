"""What a CQL2 filter may name, per collection, and the JSON Schema document that lists it.

Each queryable has a kind that decides which literals it is compared with: ``string`` (text;
``LIKE``, ``CASEI``), ``integer`` and ``number``, ``date`` (``DATE('2023-12-08')`` or the
same text), ``timestamp`` (``TIMESTAMP(...)``), ``span`` (an incident's ``date_from``..``date_to``
as whole days, for ``T_INTERSECTS``, as the ``datetime`` parameter matches) and ``geometry``.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.model import ATTRIBUTIONS, DATE_PRECISIONS, EVENT_TYPES, SITE_KINDS, STATUSES


@dataclass(frozen=True)
class Queryable:
    name: str
    kind: str  # string, integer, number, date, timestamp, span, geometry
    title: str
    enum: tuple | None = None


def _q(name: str, kind: str, title: str, enum: tuple | None = None) -> tuple[str, Queryable]:
    return name, Queryable(name, kind, title, enum)


_COMMON = (
    _q("geometry", "geometry", "Where it is (lon, lat on WGS 84)"),
    _q("id", "string", "Identifier"),
    _q("country_code", "string", "ISO 3166-1 alpha-2 country code"),
    _q("admin1", "string", "Governorate or province"),
)
QUERYABLES: dict[str, dict[str, Queryable]] = {
    "incidents": dict((
        *_COMMON,
        _q("datetime", "span", "The days the incident is known to lie in (date_from..date_to)"),
        _q("date", "date", "Best single day"),
        _q("date_from", "date", "First day it may have happened"),
        _q("date_to", "date", "Last day it may have happened"),
        _q("date_precision", "string", "How tight the date span is", DATE_PRECISIONS),
        _q("time_local", "string", "Local time HH:MM"),
        _q("event_type", "string", "The attack's means", EVENT_TYPES),
        _q("perpetrator", "string", "Who did it, as reported"),
        _q("target", "string", "What was attacked"),
        _q("attribution", "string", "Claimed, attributed or unknown", ATTRIBUTIONS),
        _q("killed", "integer", "People killed (null: not reported)"),
        _q("injured", "integer", "People injured (null: not reported)"),
        _q("site_id", "string", "The known site it was placed on"),
        _q("site_name", "string", "The known site's name"),
        _q("location", "string", "Place name"),
        _q("country", "string", "Country"),
        _q("geo_precision", "integer", "1 at the site, 2 near it, 3 only the region", (1, 2, 3)),
        _q("status", "string", "Review state", STATUSES),
        _q("confidence", "number", "The extractor's confidence, 0 to 1"),
        _q("created", "timestamp", "When it was first stored"),
        _q("updated", "timestamp", "When it was last changed"),
    )),
    "sites": dict((
        *_COMMON,
        _q("name", "string", "Name"),
        _q("kind", "string", "Kind of site", SITE_KINDS),
        _q("parent_id", "string", "The site it lies in"),
    )),
}

_SCHEMA_TYPES = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "timestamp": {"type": "string", "format": "date-time"},
    "span": {"type": "string", "format": "date"},
    "geometry": {"format": "geometry-any"},
}


def queryables(collection: str) -> dict[str, Queryable]:
    return QUERYABLES.get(collection, QUERYABLES["incidents"])


def queryables_document(base: str, collection: str) -> dict:
    """The collection's queryables as JSON Schema (OGC API - Features Part 3)."""
    properties = {}
    for q in queryables(collection).values():
        schema = {"title": q.title, **_SCHEMA_TYPES[q.kind]}
        if q.enum:
            schema["enum"] = list(q.enum)
        if q.kind == "geometry":
            schema["x-ogc-role"] = "primary-geometry"
        if q.kind == "span":
            schema["x-ogc-role"] = "primary-instant"
            schema["description"] = "For T_INTERSECTS: the incident's whole days date_from..date_to"
        properties[q.name] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base}/collections/{collection}/queryables",
        "type": "object",
        "title": f"What a filter on {collection} may name",
        "properties": properties,
        "additionalProperties": False,
        # the draft's list, which GDAL before 3.7 reads to learn what it may filter on the server
        "queryables": [{"id": q.name, "type": _SCHEMA_TYPES[q.kind].get("type", "geometry")}
                       for q in queryables(collection).values()],
    }
