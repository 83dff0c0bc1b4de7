"""OGC API - Features documents built from a store, with no web framework.

Each function takes the store, the service's base URL and already-split
parameters, and returns plain data (dicts, or bytes for large GeoJSON pages).
The Flask blueprint only parses the request and shapes the response.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import orjson

from geo.errors import InvalidInput, InvalidParameterValue, MethodNotAllowed, NotFound, UnsupportedMediaType
from geo.query import CRS84, parse_query
from geo.store import COLLECTIONS, CollectionInfo, Store
from geo.store.base import WriteGuard
from geo.timespan import utc_now_rfc3339

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    # Part 3 and CQL2: what geo.filters parses and evaluates
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    # OGC API - Tiles: vector tiles of each collection (geo.tiles)
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
]
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
SCHEMA = "application/schema+json"
GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
CSV = "text/csv"
GPKG = "application/geopackage+sqlite3"
FGB = "application/flatgeobuf"
ATOM = "application/atom+xml"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
WRITABLE = ("incidents",)


def _link(href: str, rel: str, media_type: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": media_type, "title": title}


def landing(base: str) -> dict:
    """The landing page: what the service is and where everything lives."""
    return {
        "title": "incidentmap",
        "description": "Attacks and strikes in Iraq, Syria and Jordan placed on known sites, "
                       "as an OGC API - Features service.",
        "links": [
            _link(f"{base}/?f=json", "self", JSON, "This document"),
            _link(f"{base}/?f=html", "alternate", HTML, "This page as HTML"),
            _link(f"{base}/openapi", "service-desc", OPENAPI, "The API definition (OpenAPI 3.0)"),
            _link(f"{base}/openapi?f=html", "service-doc", HTML, "The API documentation"),
            _link(f"{base}/conformance", "conformance", JSON, "Conformance classes"),
            _link(f"{base}/collections", "data", JSON, "The collections"),
        ],
    }


def conformance() -> dict:
    return {"conformsTo": list(CONFORMANCE)}


def collection_document(base: str, info: CollectionInfo) -> dict:
    url = f"{base}/collections/{info.id}"
    extent: dict = {"spatial": {"bbox": [info.bbox or [-180, -90, 180, 90]], "crs": CRS84}}
    if COLLECTIONS.get(info.id, {}).get("temporal"):
        extent["temporal"] = {"interval": [info.interval or [None, None]], "trs": TRS}
    return {
        "id": info.id,
        "title": info.title,
        "description": info.description,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": extent,
        "numberOfItems": info.count,
        "links": [
            _link(url, "self", JSON, "This collection"),
            _link(f"{url}?f=html", "alternate", HTML, "This collection as HTML"),
            _link(f"{url}/items", "items", GEOJSON, f"{info.title} as GeoJSON"),
            _link(f"{url}/items?f=html", "items", HTML, f"{info.title} as HTML"),
            _link(f"{url}/items?f=csv", "items", CSV, f"{info.title} as CSV"),
            _link(f"{url}/items?f=gpkg", "items", GPKG, f"{info.title} as GeoPackage"),
            _link(f"{url}/items?f=fgb", "items", FGB, f"{info.title} as FlatGeobuf"),
            *([_link(f"{url}/items?f=atom", "alternate", ATOM, "The newest incidents as an Atom feed")]
              if info.id == "incidents" else []),
            _link(f"{url}/queryables", QUERYABLES_REL, SCHEMA, "What a filter may name"),
            _link(f"{url}/queryables", "queryables", SCHEMA, "What a filter may name (the draft's relation)"),
            _link(f"{url}/tiles", "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", JSON,
                  "Vector tiles (Mapbox Vector Tiles, WebMercatorQuad)"),
        ],
    }


def collections(store: Store, base: str) -> dict:
    return {
        "links": [
            _link(f"{base}/collections", "self", JSON, "The collections"),
            _link(f"{base}/collections?f=html", "alternate", HTML, "The collections as HTML"),
        ],
        "collections": [collection_document(base, info) for info in store.collections()],
    }


def collection(store: Store, base: str, collection_id: str) -> dict:
    _check_exists(store, collection_id)
    for info in store.collections():
        if info.id == collection_id:
            return collection_document(base, info)
    raise NotFound(f"no collection {collection_id!r}")


@dataclass
class ItemsPage:
    """One page of an items request: the features and everything around them."""

    collection_id: str
    feature_json: list[bytes]
    number_matched: int
    links: list[dict]
    time_stamp: str
    number_matched_exact: bool = True  # False: number_matched is the store's estimate

    @property
    def number_returned(self) -> int:
        return len(self.feature_json)

    def features(self) -> list[dict]:
        return [orjson.loads(b) for b in self.feature_json]

    def to_geojson(self) -> bytes:
        """The FeatureCollection, assembled from pre-serialised features."""
        members: dict = {"numberMatched": self.number_matched}
        if not self.number_matched_exact:
            members["numberMatchedExact"] = False
        tail = orjson.dumps({
            **members,
            "numberReturned": self.number_returned,
            "timeStamp": self.time_stamp,
            "links": self.links,
        })
        return (b'{"type":"FeatureCollection","features":[' + b",".join(self.feature_json)
                + b"]," + tail[1:])


def _page_url(url: str, params: Mapping[str, str], **changes: object) -> str:
    merged = {k: v for k, v in params.items() if k not in changes}
    merged.update({k: str(v) for k, v in changes.items()})
    return f"{url}?{urlencode(merged)}"


def _check_exists(store: Store, collection_id: str) -> None:
    if collection_id not in store.names:
        raise NotFound(f"no collection {collection_id!r}")


def items(store: Store, base: str, collection_id: str, params: Mapping[str, str]) -> ItemsPage:
    """Filter, sort and page a collection; raises InvalidParameterValue or NotFound."""
    _check_exists(store, collection_id)
    query = parse_query(params, collection_id)
    if query.cursor is not None and "offset" in params:
        raise InvalidParameterValue("give offset or cursor, not both: a cursor says where its page starts")
    result = store.query(collection_id, query)
    url = f"{base}/collections/{collection_id}/items"
    plain = {k: v for k, v in params.items() if k != "f"}
    links = [
        _link(_page_url(url, plain, f="json"), "self", GEOJSON, "This page as GeoJSON"),
        _link(_page_url(url, plain, f="html"), "alternate", HTML, "This page as HTML"),
        _link(_page_url(url, plain, f="csv"), "alternate", CSV, "This page as CSV"),
        _link(f"{base}/collections/{collection_id}", "collection", JSON, "The collection"),
    ]
    if collection_id == "incidents":
        links.insert(3, _link(_page_url(url, plain, f="atom"), "alternate", ATOM, "The newest as an Atom feed"))
    returned = len(result.feature_json)
    if result.next_cursor:  # keyset paging: a deep page costs what the first does
        keyset = {k: v for k, v in plain.items() if k not in ("offset", "cursor")}
        links.append(_link(_page_url(url, keyset, f="json", cursor=result.next_cursor, limit=query.limit),
                           "next", GEOJSON, "Next page"))
    elif query.cursor is None and query.offset + returned < result.number_matched:
        links.append(_link(_page_url(url, plain, f="json", offset=query.offset + query.limit,
                                     limit=query.limit), "next", GEOJSON, "Next page"))
    if query.offset > 0:
        links.append(_link(_page_url(url, plain, f="json", offset=max(0, query.offset - query.limit),
                                     limit=query.limit), "prev", GEOJSON, "Previous page"))
    return ItemsPage(collection_id, result.feature_json, result.number_matched, links,
                     utc_now_rfc3339(), result.number_matched_exact)


def item(store: Store, base: str, collection_id: str, fid: str) -> dict:
    """One feature with its links; NotFound for an unknown collection or id."""
    _check_exists(store, collection_id)
    feature = store.get(collection_id, fid)
    if feature is None:
        raise NotFound(f"no feature {fid!r} in collection {collection_id!r}")
    url = f"{base}/collections/{collection_id}/items/{fid}"
    feature["links"] = [
        _link(f"{url}?f=json", "self", GEOJSON, "This feature"),
        _link(f"{url}?f=html", "alternate", HTML, "This feature as HTML"),
        _link(f"{base}/collections/{collection_id}", "collection", JSON, "The collection"),
    ]
    return feature


def parse_feature_body(body: bytes, content_type: str | None) -> dict:
    """The Feature in a write request's body; 415 for other media types, 400 for bad JSON."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in (GEOJSON, JSON):
        raise UnsupportedMediaType(
            f"send the feature as {GEOJSON} or {JSON}, not {media or 'no content type'!r}")
    try:
        feature = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"the body is not valid JSON: {exc}") from None
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise InvalidInput("the body must be one GeoJSON Feature")
    feature.pop("links", None)
    return feature


def check_writable(store: Store, collection_id: str) -> None:
    _check_exists(store, collection_id)
    if collection_id not in WRITABLE:
        raise MethodNotAllowed(f"collection {collection_id!r} is read-only over the API")


def create_item(store: Store, collection_id: str, body: bytes, content_type: str | None,
                actor: str | None = None, guard: WriteGuard | None = None) -> dict:
    """Store a new feature (409 if its id exists); returns it as stored. ``guard``: the writer's
    role check (geo.roles); created/updated are the server's."""
    check_writable(store, collection_id)
    return store.put(collection_id, parse_feature_body(body, content_type), create_only=True, actor=actor,
                     guard=guard)


def replace_item(store: Store, collection_id: str, fid: str, body: bytes,
                 content_type: str | None, actor: str | None = None, guard: WriteGuard | None = None) -> dict:
    """Replace an existing feature; the id in the URL wins over one in the body."""
    check_writable(store, collection_id)
    feature = parse_feature_body(body, content_type)
    body_id = feature.get("id", (feature.get("properties") or {}).get("id"))
    if body_id is not None and str(body_id) != fid:
        raise InvalidInput(f"the body's id {body_id!r} differs from the URL's {fid!r}")
    feature["id"] = fid
    if isinstance(feature.get("properties"), dict):
        feature["properties"]["id"] = fid
    return store.put(collection_id, feature, replace_only=True, actor=actor, guard=guard)


def delete_item(store: Store, collection_id: str, fid: str, actor: str | None = None) -> None:
    check_writable(store, collection_id)
    if not store.delete(collection_id, fid, actor=actor):
        raise NotFound(f"no feature {fid!r} in collection {collection_id!r}")


def queryables(store: Store, base: str, collection_id: str) -> dict:
    """The collection's queryables as JSON Schema (Part 3); NotFound for no collection."""
    from geo.filters import queryables_document

    _check_exists(store, collection_id)
    return queryables_document(base, collection_id)


def day_counts(store: Store, collection_id: str, params: Mapping[str, str]) -> dict:
    """Incidents per day under the same filters as items (limit and offset do not apply)."""
    _check_exists(store, collection_id)
    query = parse_query({k: v for k, v in params.items() if k not in ("limit", "offset", "sortby")}, collection_id)
    counts = store.day_counts(collection_id, query)
    return {"collection": collection_id, "by": "day", "total": sum(c for _, c in counts),
            "counts": [{"date": day, "count": count} for day, count in counts]}
