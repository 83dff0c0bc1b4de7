"""OGC API - Features over HTTP: parse the request, call geo.ogcapi, shape the response."""

from __future__ import annotations

import hmac

import orjson
from flask import Blueprint, Response, current_app, render_template, request

from geo import ogcapi
from geo.csvio import to_csv
from geo.errors import InvalidInput, InvalidParameterValue, Unauthorized, WritesDisabled
from geo.openapi import openapi_document
from geo.query import parse_query
from geo.store import Store

bp = Blueprint("api", __name__)

_MEDIA = {"json": "application/json", "geojson": "application/geo+json", "html": "text/html",
          "csv": "text/csv"}


def store() -> Store:
    return current_app.extensions["incidentmap.store"]


def base_url() -> str:
    return request.url_root.rstrip("/")


def wanted_format(allowed: tuple[str, ...]) -> str:
    """The output format: ``f`` if given, else the best match for the Accept header."""
    f = request.args.get("f")
    if f is not None:
        if f not in allowed:
            raise InvalidParameterValue(f"f must be one of {', '.join(allowed)}, got {f!r}")
        return f
    offered = [_MEDIA[name] for name in allowed]
    best = request.accept_mimetypes.best_match(offered, default=offered[0])
    return next(name for name in allowed if _MEDIA[name] == best)


def check_only_f() -> None:
    for name in request.args:
        if name != "f":
            raise InvalidParameterValue(f"unknown query parameter {name!r}; only f is accepted here")


def json_response(data: object, media_type: str = "application/json", status: int = 200) -> Response:
    return Response(orjson.dumps(data), status=status, mimetype=media_type)


def require_token() -> str:
    """The caller's token if it matches the configured one; 403 when writes are off, else 401."""
    expected = current_app.config.get("INCIDENTMAP_TOKEN")
    if not expected:
        raise WritesDisabled("writes are disabled: the server has no token configured "
                             "(set INCIDENTMAP_TOKEN)")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Unauthorized("this write needs the header 'Authorization: Bearer <token>'")
    if not hmac.compare_digest(given.strip().encode(), str(expected).encode()):
        raise Unauthorized("the bearer token is not valid")
    return given.strip()


@bp.get("/")
def landing() -> Response | str:
    check_only_f()
    document = ogcapi.landing(base_url())
    if wanted_format(("json", "html")) == "html":
        if request.args.get("f") == "html":  # the service's own HTML landing page
            return render_template("api/landing.html", doc=document, collections=store().collections())
        from webapp.pages import map_page

        return map_page()  # a browser opening the service gets the map
    return json_response(document)


@bp.get("/conformance")
def conformance() -> Response | str:
    check_only_f()
    document = ogcapi.conformance()
    if wanted_format(("json", "html")) == "html":
        return render_template("api/conformance.html", doc=document)
    return json_response(document)


@bp.get("/openapi")
def openapi() -> Response | str:
    check_only_f()
    document = openapi_document(base_url())
    if wanted_format(("json", "html")) == "html":
        return render_template("api/openapi.html", doc=document)
    return json_response(document, ogcapi.OPENAPI)


@bp.get("/collections")
def collections() -> Response | str:
    check_only_f()
    document = ogcapi.collections(store(), base_url())
    if wanted_format(("json", "html")) == "html":
        return render_template("api/collections.html", doc=document)
    return json_response(document)


@bp.get("/collections/<collection_id>")
def collection(collection_id: str) -> Response | str:
    check_only_f()
    document = ogcapi.collection(store(), base_url(), collection_id)
    if wanted_format(("json", "html")) == "html":
        return render_template("api/collection.html", doc=document)
    return json_response(document)


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str) -> Response | str:
    fmt = wanted_format(("geojson", "json", "html", "csv"))
    page = ogcapi.items(store(), base_url(), collection_id, request.args.to_dict(flat=True))
    if fmt == "html":
        return render_template("api/items.html", page=page, features=page.features(),
                               collection_id=collection_id)
    if fmt == "csv":
        return Response(to_csv(collection_id, page.features()), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{collection_id}.csv"',
                                 "OGC-NumberMatched": str(page.number_matched)})
    return Response(page.to_geojson(), mimetype="application/geo+json")


@bp.get("/collections/<collection_id>/counts")
def counts(collection_id: str) -> Response:
    """Incidents per day with the items filters: what the map's time histogram draws."""
    return json_response(ogcapi.day_counts(store(), collection_id, request.args.to_dict(flat=True)))


@bp.get("/collections/<collection_id>/items/<fid>")
def item(collection_id: str, fid: str) -> Response | str:
    check_only_f()
    fmt = wanted_format(("geojson", "json", "html"))
    feature = ogcapi.item(store(), base_url(), collection_id, fid)
    if fmt == "html":
        return render_template("api/item.html", feature=feature, collection_id=collection_id)
    return json_response(feature, "application/geo+json")


@bp.post("/collections/<collection_id>/items")
def create_item(collection_id: str) -> Response:
    require_token()
    stored = ogcapi.create_item(store(), collection_id, request.get_data(), request.content_type)
    location = f"{base_url()}/collections/{collection_id}/items/{stored['id']}"
    response = json_response(stored, "application/geo+json", status=201)
    response.headers["Location"] = location
    return response


@bp.put("/collections/<collection_id>/items/<fid>")
def replace_item(collection_id: str, fid: str) -> Response:
    require_token()
    stored = ogcapi.replace_item(store(), collection_id, fid, request.get_data(), request.content_type)
    return json_response(stored, "application/geo+json")


@bp.delete("/collections/<collection_id>/items/<fid>")
def delete_item(collection_id: str, fid: str) -> Response:
    require_token()
    ogcapi.delete_item(store(), collection_id, fid)
    return Response(status=204)


def extractor():
    """One extractor per app, over the store's known sites (built on first use)."""
    cached = current_app.extensions.get("incidentmap.extractor")
    if cached is None:
        from geo.extract import Extractor
        from geo.gazetteer import Gazetteer

        sites = store().query("sites", parse_query({"limit": "10000"})).features()
        cached = Extractor(Gazetteer.from_features(sites))
        current_app.extensions["incidentmap.extractor"] = cached
    return cached


def _report_fields() -> dict:
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise InvalidInput("the body must be a JSON object {text, title, url, outlet, published}")
        return data
    if request.form:
        return request.form.to_dict()
    raise InvalidInput("send the report as JSON {text, ...} or as a form with a text field")


@bp.post("/ingest")
def ingest() -> Response:
    """Report text in; proposed incidents out, stored as well with store=true and a token."""
    from geo.ingest import ingest_features
    from geo.report import parse_report

    fields = _report_fields()
    text = fields.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("the report needs a non-empty text")
    wants_store = str(request.args.get("store", fields.get("store", "false"))).lower() in ("1", "true", "yes", "on")
    if wants_store:
        require_token()
    payload = {k: fields.get(k) for k in ("title", "url", "outlet", "published") if fields.get(k)}
    payload["text"] = text
    report = parse_report(orjson.dumps(payload), "report.json")
    result = extractor().extract(report)
    body = {"type": "FeatureCollection", "features": result.features, "report": result.summary()}
    if wants_store:
        summary = ingest_features(store(), result.features, extractor().ancestors)
        body["stored"] = {"new": summary.new, "merged": summary.merged, "unchanged": summary.unchanged}
    return json_response(body, "application/geo+json")
