"""The OpenAPI 3.0 document that describes the service as it really behaves."""

from __future__ import annotations

from geo import __version__
from geo.aggregate import MAX_CELLS, MAX_ZOOM, MIN_SIZE
from geo.history import MAX_HISTORY_LIMIT
from geo.model import ATTRIBUTIONS, DATE_PRECISIONS, EVENT_TYPES, STATUSES
from geo.ogcapi import WRITABLE
from geo.query import DEFAULT_LIMIT, EXACT_FILTERS, MAX_LIMIT, SORTABLE
from geo.store import COLLECTIONS


def _param(name: str, description: str, schema: dict, where: str = "query", **extra) -> dict:
    return {"name": name, "in": where, "description": description, "schema": schema,
            "required": where == "path", **extra}


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Exception"}}}}


def _ok(description: str, *media: str) -> dict:
    return {"description": description, "content": {m: {} for m in media}}


def openapi_document(base: str) -> dict:
    """The API definition for a service mounted at ``base``."""
    collection_id = _param("collectionId", "A collection", {"type": "string",
                                                             "enum": list(COLLECTIONS)}, "path")
    writable_id = _param("collectionId", "A collection that takes writes", {"type": "string",
                                                                           "enum": list(WRITABLE)}, "path")
    feature_id = _param("featureId", "A feature's id", {"type": "string"}, "path")
    f_item = _param("f", "Output format (else chosen from the Accept header)",
                    {"type": "string", "enum": ["json", "geojson", "html"]})
    f_items = _param("f", "Output format (else chosen from the Accept header)",
                     {"type": "string", "enum": ["json", "geojson", "csv", "gpkg", "fgb", "html", "atom"]})
    f_doc = _param("f", "Output format", {"type": "string", "enum": ["json", "html"]})
    item_filters = [
        _param("bbox", "minlon,minlat,maxlon,maxlat in CRS84 (4 or 6 numbers); west > east crosses "
               "the antimeridian", {"type": "array", "minItems": 4, "maxItems": 6,
                                    "items": {"type": "number"}}, style="form", explode=False),
        _param("bbox-crs", "Only CRS84 is supported", {"type": "string"}),
        _param("datetime", "RFC 3339 instant or interval (a/b, ../b, a/..); an incident matches when "
               "its date_from..date_to span meets it; a date-only bound covers its whole day",
               {"type": "string"}),
        _param("limit", f"Page size, 1 to {MAX_LIMIT} (larger values are clamped)",
               {"type": "integer", "minimum": 1, "default": DEFAULT_LIMIT}),
        _param("offset", "Features to skip", {"type": "integer", "minimum": 0, "default": 0}),
        _param("sortby", f"Comma-separated properties, '-' for descending: {', '.join(SORTABLE)}",
               {"type": "string"}),
        _param("perpetrator", "Case-insensitive part of the perpetrator: the one the incident names "
               "(claimed or attributed) or one another of its sources named", {"type": "string"}),
        _param("q", "Words that must all appear in the feature's text: its sources' titles and evidence "
               "sentences, site name, place, notes, or the name or aliases of its known site",
               {"type": "string"}),
        _param("min_killed", "At least this many killed (an incident with no reported toll never "
               "matches; 0 matches all)", {"type": "integer", "minimum": 0}),
        _param("min_injured", "At least this many injured (as min_killed)", {"type": "integer", "minimum": 0}),
    ] + [_param(name, f"Exact {name}; several values separated by commas", {"type": "string"})
         for name in EXACT_FILTERS] + [
        _param("filter", "A CQL2 filter (OGC API - Features Part 3) over the collection's queryables, e.g. "
               "event_type = 'airstrike' AND killed > 0 AND S_INTERSECTS(geometry, BBOX(43,33,45,35))",
               {"type": "string", "maxLength": 20000}),
        _param("filter-lang", "The filter's encoding (cql-text: the draft's name, read as cql2-text)", {"type": "string", "enum": ["cql2-text", "cql2-json", "cql-text"],
                                                        "default": "cql2-text"}),
        _param("filter-crs", "Only CRS84 is supported", {"type": "string"}),
    ]
    cursor = _param("cursor", "Where the page starts: the opaque value in the previous page's next link "
                    "(keyset paging: deep pages cost what the first does); not with offset",
                    {"type": "string", "maxLength": 1000})
    history_after = _param("after", "Only changes with a larger seq", {"type": "integer", "minimum": 0})
    history_limit = _param("limit", "At most this many changes", {"type": "integer", "minimum": 1,
                                                                   "maximum": MAX_HISTORY_LIMIT, "default": 100})
    aggregate_params = [collection_id] + item_filters[:3] + item_filters[6:] + [
        _param("size", "Cell size in degrees (cells are aligned on multiples of it from -180, -90); "
               f"at most {MAX_CELLS} cells with features in one answer. Give size or zoom",
               {"type": "number", "minimum": MIN_SIZE, "maximum": 180}),
        _param("zoom", "A web map's zoom level; picks cells of about 64 pixels (90 / 2^zoom degrees), "
               "larger when the bbox would need too many. Give size or zoom",
               {"type": "integer", "minimum": 0, "maximum": MAX_ZOOM}),
        _param("f", "Output format", {"type": "string", "enum": ["json", "geojson"]})]
    auth_errors = {"400": _error("The feature is invalid or the body is not JSON; the description names "
                                 "the field"),
                   "401": _error("Missing or wrong bearer token"),
                   "403": _error("Writes are disabled (no token is configured), or the token's role does not "
                                 "allow this write (editor: create, replace its own, never set status; "
                                 "reviewer: also status and any incident; admin: also delete)"),
                   "404": _error("No such collection or feature"),
                   "405": _error("The collection is read-only"),
                   "413": _error("The body is too large"),
                   "415": _error("The body's Content-Type is not application/geo+json or application/json"),
                   "503": _error("The store cannot be written now")}
    feature_body = {"required": True, "content": {
        "application/geo+json": {"schema": {"$ref": "#/components/schemas/IncidentFeature"}},
        "application/json": {"schema": {"$ref": "#/components/schemas/IncidentFeature"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "incidentmap", "version": __version__,
                 "description": "Incidents placed on known sites (OGC API - Features, Parts 1 and 4)."},
        "servers": [{"url": base or "/"}],
        "paths": {
            "/": {"get": {"summary": "Landing page", "operationId": "getLandingPage",
                          "parameters": [f_doc],
                          "responses": {"200": _ok("The landing page", "application/json", "text/html"),
                                        "400": _error("Bad parameter")}}},
            "/conformance": {"get": {"summary": "Conformance classes", "operationId": "getConformance",
                                     "parameters": [f_doc],
                                     "responses": {"200": _ok("Conformance", "application/json",
                                                              "text/html"),
                                                   "400": _error("Bad parameter")}}},
            "/openapi": {"get": {"summary": "This document", "operationId": "getOpenAPI",
                                 "parameters": [f_doc],
                                 "responses": {"200": _ok("OpenAPI 3.0",
                                                          "application/vnd.oai.openapi+json;version=3.0",
                                                          "text/html"),
                                               "400": _error("Bad parameter")}}},
            "/collections": {"get": {"summary": "The collections", "operationId": "getCollections",
                                     "parameters": [f_doc],
                                     "responses": {"200": _ok("Collections with extents",
                                                              "application/json", "text/html"),
                                                   "400": _error("Bad parameter")}}},
            "/collections/{collectionId}": {"get": {
                "summary": "One collection", "operationId": "describeCollection",
                "parameters": [collection_id, f_doc],
                "responses": {"200": _ok("The collection", "application/json", "text/html"),
                              "400": _error("Bad parameter"), "404": _error("No such collection")}}},
            "/collections/{collectionId}/items": {
                "get": {"summary": "Features, filtered and paged", "operationId": "getFeatures",
                        "parameters": [collection_id, f_items] + item_filters + [cursor],
                        "responses": {"200": _ok("A page of features with numberMatched (with "
                                                 "numberMatchedExact: false when it is an estimate) "
                                                 "and next/prev links; csv, gpkg and fgb: every "
                                                 "match unless limit is given, as a file; atom "
                                                 "(incidents): the newest as an Atom feed",
                                                 "application/geo+json", "text/csv",
                                                 "application/geopackage+sqlite3", "application/flatgeobuf",
                                                 "text/html", "application/atom+xml"),
                                      "400": _error("A malformed parameter, named in the description"),
                                      "404": _error("No such collection")}},
                "post": {"summary": "Add a feature (incidents only)", "operationId": "createFeature",
                         "parameters": [writable_id], "security": [{"bearer": []}],
                         "requestBody": feature_body,
                         "responses": {"201": {"description": "Stored; Location names it"},
                                       "409": _error("The id exists already"), **auth_errors}}},
            "/collections/{collectionId}/items/{featureId}": {
                "get": {"summary": "One feature", "operationId": "getFeature",
                        "parameters": [collection_id, feature_id, f_item],
                        "responses": {"200": _ok("The feature", "application/geo+json", "text/html"),
                                      "400": _error("Bad parameter"),
                                      "404": _error("No such collection or feature")}},
                "put": {"summary": "Replace a feature", "operationId": "replaceFeature",
                        "parameters": [writable_id, feature_id], "security": [{"bearer": []}],
                        "requestBody": feature_body,
                        "responses": {"200": _ok("The stored feature", "application/geo+json"),
                                      **auth_errors}},
                "delete": {"summary": "Delete a feature", "operationId": "deleteFeature",
                           "parameters": [writable_id, feature_id], "security": [{"bearer": []}],
                           "responses": {"204": {"description": "Deleted"}, **auth_errors}}},
            "/collections/{collectionId}/queryables": {"get": {
                "summary": "What a filter may name, as JSON Schema", "operationId": "getQueryables",
                "parameters": [collection_id, _param("f", "Output format", {"type": "string", "enum": ["json"]})],
                "responses": {"200": _ok("The queryables", "application/schema+json"),
                              "400": _error("Bad parameter"), "404": _error("No such collection")}}},
            "/collections/{collectionId}/counts": {"get": {
                "summary": "Features per day under the items filters (the map's time histogram)",
                "operationId": "getDayCounts",
                "parameters": [collection_id] + item_filters[:2] + [item_filters[2]] + item_filters[6:],
                "responses": {"200": _ok("Counts per day", "application/json"),
                              "400": _error("A malformed parameter"), "404": _error("No such collection")}}},
            "/collections/{collectionId}/trend": {"get": {
                "summary": "Features per day, week or month stacked by event type, with the killed and "
                           "injured reported, under the items filters (the map's trend chart)",
                "operationId": "getTrend",
                "parameters": [collection_id] + item_filters[:3] + item_filters[6:] + [
                    _param("period", "day, week (from Monday), month, or auto (the default: days up to "
                           "about three months of matches, weeks up to three years, months beyond)",
                           {"type": "string", "enum": ["day", "week", "month", "auto"], "default": "auto"})],
                "responses": {"200": _ok("periods: start, end, count, byType, killed, injured", "application/json"),
                              "400": _error("A malformed parameter, or more than 2000 periods"),
                              "404": _error("No such collection")}}},
            "/collections/{collectionId}/aggregate": {"get": {
                "summary": "Features counted per grid cell under the items filters (what a map draws "
                           "when many are in view)",
                "operationId": "getGridAggregate",
                "parameters": aggregate_params,
                "responses": {"200": _ok("A FeatureCollection of Points, one per non-empty cell at the mean "
                                         "position of its features, with count, by_type, bbox (of its "
                                         "features), cell and size; numberMatched is the total",
                                         "application/geo+json"),
                              "400": _error("A malformed parameter, neither or both of size and zoom, "
                                            "or too many cells"),
                              "404": _error("No such collection")}}},
            "/collections/{collectionId}/items/{featureId}/history": {"get": {
                "summary": "Every stored change to one feature, oldest first: who (the token's name), "
                           "when, what changed, before and after",
                "operationId": "getFeatureHistory",
                "parameters": [collection_id, feature_id, f_doc, history_after, history_limit],
                "responses": {"200": _ok("The changes, whether the feature exists now, and each change's "
                                         "restore link", "application/json", "text/html"),
                              "400": _error("A malformed or unknown parameter"),
                              "404": _error("No such collection, or no feature with that id ever")}}},
            "/collections/{collectionId}/items/{featureId}/history/{seq}/restore": {"post": {
                "summary": "Store the feature as it was in change seq (as it was before it, for a deletion)",
                "operationId": "restoreFeature",
                "parameters": [writable_id, feature_id,
                               _param("seq", "A change of this feature", {"type": "integer", "minimum": 0},
                                      "path")],
                "security": [{"bearer": []}],
                "responses": {"200": _ok("The feature as now stored", "application/geo+json"),
                              "400": _error("A query parameter, or the version breaks the limits on a "
                                            "feature (unknown properties nested deeper than 16 levels, ...)"),
                              "401": _error("No valid bearer token"),
                              "403": _error("Writes are disabled (no tokens), or the token is not an admin's"),
                              "404": _error("No such collection, or no such change of this feature"),
                              "405": _error("The collection is read-only"),
                              "503": _error("The store cannot be written now")}}},
            "/collections/{collectionId}/history": {"get": {
                "summary": "Every change to a collection after a seq, oldest first (an audit feed)",
                "operationId": "getCollectionHistory",
                "parameters": [collection_id, _param("f", "Output format", {"type": "string", "enum": ["json"]}),
                               history_after, history_limit],
                "responses": {"200": _ok("The changes, with a next link when more follow", "application/json"),
                              "400": _error("A malformed or unknown parameter"),
                              "404": _error("No such collection")}}},
            "/ingest": {"post": {
                "summary": "Propose incidents from a report's text; with store=true and a token, store them",
                "operationId": "ingestReport",
                "parameters": [_param("store", "Store the incidents (needs the bearer token)",
                                      {"type": "boolean", "default": False})],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Report"}},
                    "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Report"}}}},
                "responses": {"200": _ok("Proposed incidents, the report's dates as resolved, and what was "
                                         "stored", "application/geo+json"),
                              "400": _error("No text, text over 500,000 characters, a bad published date, "
                                            "a bad store flag or malformed JSON"),
                              "401": _error("store=true without a valid token"),
                              "403": _error("store=true but writes are disabled, or an editor's report would "
                                            "change an incident it did not create"),
                              "413": _error("The body is too large (without a valid token the limit is "
                                            "smaller), or a form has too many parts"),
                              "415": _error("The body is neither JSON nor a form"),
                              "429": _error("Too many reports from this client without a token; "
                                            "Retry-After says when to try again"),
                              "503": _error("store=true but the store cannot be written now")}}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Exception": {"type": "object", "required": ["code", "description"],
                              "properties": {"code": {"type": "string"},
                                             "description": {"type": "string"}}},
                "Report": {"type": "object", "required": ["text"], "properties": {
                    "text": {"type": "string", "minLength": 1, "maxLength": 500_000, "pattern": r"\S"},
                    "title": {"type": "string", "nullable": True}, "url": {"type": "string", "nullable": True},
                    "outlet": {"type": "string", "nullable": True},
                    "published": {"type": "string", "nullable": True,
                                  "description": "YYYY-MM-DD, or an RFC 3339 date-time whose day is taken; empty, "
                                  "null or absent: looked for in the text"},
                    "store": {"type": "boolean"}}},
                "IncidentFeature": {
                    "type": "object", "required": ["type", "geometry", "properties"],
                    "properties": {
                        "type": {"type": "string", "enum": ["Feature"]},
                        "id": {"type": "string"},
                        "geometry": {"type": "object"},
                        "properties": {"type": "object", "required": ["date", "event_type"], "properties": {
                            "date": {"type": "string", "format": "date"},
                            "date_from": {"type": "string", "format": "date"},
                            "date_to": {"type": "string", "format": "date"},
                            "date_precision": {"type": "string", "enum": list(DATE_PRECISIONS)},
                            "event_type": {"type": "string", "enum": list(EVENT_TYPES)},
                            "attribution": {"type": "string", "enum": list(ATTRIBUTIONS)},
                            "status": {"type": "string", "enum": list(STATUSES)},
                            "killed": {"type": "integer", "minimum": 0, "nullable": True},
                            "injured": {"type": "integer", "minimum": 0, "nullable": True},
                            "geo_precision": {"type": "integer", "enum": [1, 2, 3]},
                        }},
                    }},
            },
        },
    }
