"""OGC API - Features over HTTP: parse the request, call geo.ogcapi, shape the response."""

from __future__ import annotations

import orjson
from flask import Blueprint, Response, current_app, render_template, request

from geo import history, ogcapi
from geo.errors import InvalidInput, InvalidParameterValue, Unauthorized, UnsupportedMediaType, WritesDisabled
from geo.live.alerts_worker import written as alerts_written
from geo.openapi import openapi_document
from geo.roles import Principal, write_guard
from geo.tokens import TokenFile
from webapp.context import base_url, extractor, store
from webapp.context import build_extractor as build_extractor  # where webapp.server once found it
from webapp.limits import limit_public_request
from webapp.responses import check_only_f, json_response, map_response, wanted_format

bp = Blueprint("api", __name__)

def token_holder() -> str | None:
    """The name of the caller's token when it sent a valid one, else None (no error)."""
    tokens: TokenFile = current_app.extensions["incidentmap.tokens"]
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip() or not tokens.entries():
        return None
    return tokens.identify(given.strip())


def require_token() -> Principal:
    """The holder (name and role) of the caller's token; 403 when the server has no tokens,
    401 for a missing or unknown one."""
    tokens: TokenFile = current_app.extensions["incidentmap.tokens"]
    if not tokens.entries():
        raise WritesDisabled("writes are disabled: the server has no tokens "
                             "(run 'incidentmap token add NAME')")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Unauthorized("this write needs the header 'Authorization: Bearer <token>'")
    entry = tokens.find(given.strip())
    if entry is None:
        raise Unauthorized("the bearer token is not valid (unknown or revoked)")
    return Principal(entry.name, entry.role)


@bp.get("/")
def landing() -> Response | str:
    check_only_f()
    document = ogcapi.landing(base_url())
    if wanted_format(("json", "html")) == "html":
        if request.args.get("f") == "html":  # the service's own HTML landing page
            return render_template("api/landing.html", doc=document, collections=store().collections())
        return map_response("page")  # a browser opening the service gets the map
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


@bp.get("/collections/<collection_id>/queryables")
def queryables(collection_id: str) -> Response:
    """What a CQL2 filter on the collection may name, as JSON Schema."""
    check_only_f()
    wanted_format(("json",))
    # JSON Schema's own media type, unless the client asks for plain JSON only (GDAL before 3.7)
    media = request.accept_mimetypes.best_match([ogcapi.SCHEMA, "application/json"], default=ogcapi.SCHEMA)
    return json_response(ogcapi.queryables(store(), base_url(), collection_id), media)


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str) -> Response | str:
    fmt = wanted_format(("geojson", "json", "html", "csv", "gpkg", "fgb", "atom"))
    if fmt in ("csv", "gpkg", "fgb"):
        return _download(collection_id, fmt)
    if fmt == "atom":  # the newest incidents for feed readers (geo.atom)
        from geo.atom import ATOM, atom_feed

        return Response(atom_feed(store(), base_url(), collection_id, request.args.to_dict(flat=True)), mimetype=ATOM)
    page = ogcapi.items(store(), base_url(), collection_id, request.args.to_dict(flat=True))
    if fmt == "html":
        return render_template("api/items.html", page=page, features=page.features(),
                               collection_id=collection_id)
    return Response(page.to_geojson(), mimetype="application/geo+json")


def _download(collection_id: str, fmt: str) -> Response:
    """Every match of the filters (or the page limit/offset ask for) as a file, streamed."""
    from geo.io.download import download

    file = download(store(), collection_id, request.args.to_dict(flat=True), fmt)
    return Response(file.chunks, mimetype=file.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{file.filename}"',
                             "OGC-NumberMatched": str(file.number_matched)})


@bp.get("/collections/<collection_id>/counts")
def counts(collection_id: str) -> Response:
    """Incidents per day with the items filters: what the map's time histogram draws."""
    return json_response(ogcapi.day_counts(store(), collection_id, request.args.to_dict(flat=True)))


@bp.get("/collections/<collection_id>/trend")
def trend(collection_id: str) -> Response:
    """Incidents per day, week or month stacked by type, with killed and injured: the trend chart."""
    from geo.trend import trend as trend_document

    wanted_format(("json",))
    return json_response(trend_document(store(), collection_id, request.args.to_dict(flat=True)))


@bp.get("/collections/<collection_id>/aggregate")
def aggregate(collection_id: str) -> Response:
    """Counts per grid cell of the view (size= degrees or zoom=): what the map draws when many are in view."""
    from geo.aggregate import aggregate as grid

    wanted_format(("geojson", "json"))
    return json_response(grid(store(), base_url(), collection_id, request.args.to_dict(flat=True)),
                         "application/geo+json")


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
    who = require_token()
    stored = ogcapi.create_item(store(), collection_id, request.get_data(), request.content_type, who.actor,
                                write_guard(who))
    alerts_written(store())
    location = f"{base_url()}/collections/{collection_id}/items/{stored['id']}"
    response = json_response(stored, "application/geo+json", status=201)
    response.headers["Location"] = location
    return response


@bp.put("/collections/<collection_id>/items/<fid>")
def replace_item(collection_id: str, fid: str) -> Response:
    who = require_token()
    stored = ogcapi.replace_item(store(), collection_id, fid, request.get_data(), request.content_type,
                                 who.actor, write_guard(who))
    alerts_written(store())
    return json_response(stored, "application/geo+json")


@bp.delete("/collections/<collection_id>/items/<fid>")
def delete_item(collection_id: str, fid: str) -> Response:
    who = require_token()
    who.require("admin", "deleting a feature")
    ogcapi.delete_item(store(), collection_id, fid, who.actor)
    return Response(status=204)


@bp.get("/collections/<collection_id>/items/<fid>/history")
def item_history(collection_id: str, fid: str) -> Response | str:
    """Every stored change to one feature: who, when, what changed, before and after."""
    fmt = wanted_format(("json", "html"))
    params = request.args.to_dict(flat=True)
    doc = history.feature_history(store(), base_url(), collection_id, fid, params)
    if fmt == "html":
        return render_template("api/history.html", doc=doc, collection_id=collection_id)
    return json_response(doc)


@bp.get("/collections/<collection_id>/history")
def collection_history(collection_id: str) -> Response:
    """All changes to a collection after a seq: an audit feed."""
    wanted_format(("json",))
    return json_response(history.collection_history(store(), base_url(), collection_id,
                                                    request.args.to_dict(flat=True)))


@bp.post("/collections/<collection_id>/items/<fid>/history/<int:seq>/restore")
def restore_item(collection_id: str, fid: str, seq: int) -> Response:
    """Store the feature as it was in change ``seq``; undoes a deletion too."""
    who = require_token()
    who.require("admin", "restoring from the history")
    check_only_f()
    ogcapi.check_writable(store(), collection_id)
    stored = history.restore(store(), collection_id, fid, seq, who.actor)
    alerts_written(store())
    return json_response(stored, "application/geo+json")


# read once when an extractor is built, so that whatever it loads lazily is loaded then
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _report_fields() -> dict:
    """The report's fields from a JSON object or a form; 415 for other bodies, 400 for bad ones."""
    if request.is_json:
        try:
            data = orjson.loads(request.get_data())
        except orjson.JSONDecodeError as exc:
            raise InvalidInput(f"the body is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise InvalidInput("the body must be a JSON object {text, title, url, outlet, published}")
    elif request.mimetype in _FORMS:
        request.get_data(cache=True)  # kept, so that a 413 can tell which form limit was passed
        data = request.form.to_dict()
    else:
        raise UnsupportedMediaType("send the report as application/json {text, ...} or as a form "
                                   f"(application/x-www-form-urlencoded) with a text field, not "
                                   f"{request.mimetype or 'no content type'!r}")
    for key in ("text", "title", "url", "outlet", "published"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise InvalidInput(f"{key} must be a string, got {orjson.dumps(data[key])[:40].decode()}")
    return data


def _flag(name: str, value: object) -> bool:
    """true/false, 1/0, yes/no, on/off (or a JSON boolean); 400 for anything else."""
    if value is None or isinstance(value, bool):
        return bool(value)
    word = value.strip().lower() if isinstance(value, str) else None
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise InvalidParameterValue(f"{name} must be true or false, got {value!r}")


@bp.post("/ingest")
def ingest() -> Response:
    """Report text in; proposed incidents out, stored as well with store=true and a token."""
    from geo.ingest import ingest_features
    from geo.report import parse_report

    if token_holder() is None:  # reading costs CPU: a smaller body and a rate per client
        limit_public_request("ingest")
    fields = _report_fields()
    text = fields.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("the report needs a non-empty text")
    for name in request.args:
        if name != "store":
            raise InvalidParameterValue(f"unknown query parameter {name!r}; only store is accepted here")
    wants_store = _flag("store", request.args["store"] if "store" in request.args else fields.get("store"))
    who = require_token() if wants_store else None
    payload = {k: fields.get(k) for k in ("title", "url", "outlet", "published") if fields.get(k)}
    payload["text"] = text
    report = parse_report(orjson.dumps(payload), "report.json")
    result = extractor().extract(report)
    body = {"type": "FeatureCollection", "features": result.features, "report": result.summary()}
    if who is not None:
        summary = ingest_features(store(), result.features, extractor().ancestors, actor=who.actor,
                                  note=f"ingested from {payload.get('url') or payload.get('title') or 'a report'}",
                                  guard=write_guard(who))
        body["stored"] = {"new": summary.new, "merged": summary.merged, "unchanged": summary.unchanged}
    return json_response(body, "application/geo+json")
