"""OGC API - Tiles over HTTP: a collection's vector tiles and their metadata (geo.tiles does the work)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from geo import tiles
from geo.errors import NotFound
from webapp.context import base_url
from webapp.responses import check_only_f, json_response, wanted_format

bp = Blueprint("tiles", __name__)


def _store():
    return current_app.extensions["incidentmap.store"]


def _info(collection_id: str):
    store = _store()
    if collection_id not in store.names:
        raise NotFound(f"no collection {collection_id!r}")
    return next(info for info in store.collections() if info.id == collection_id)


@bp.get("/collections/<collection_id>/tiles")
def tilesets(collection_id: str) -> Response:
    check_only_f()
    wanted_format(("json",))
    info = _info(collection_id)
    return json_response(tiles.tilesets_document(base_url(), collection_id, info.title))


@bp.get(f"/collections/<collection_id>/tiles/{tiles.TMS}")
def tileset(collection_id: str) -> Response:
    check_only_f()
    wanted_format(("json",))
    info = _info(collection_id)
    return json_response(tiles.tileset_document(base_url(), collection_id, info.title, info.bbox))


@bp.get(f"/collections/<collection_id>/tiles/{tiles.TMS}/<int:z>/<int:row>/<int:col>")
def tile(collection_id: str, z: int, row: int, col: int) -> Response:
    """One Mapbox Vector Tile, with the items filters (bbox aside: the tile is the bbox)."""
    where = tiles.check_tile(z, row, col)
    query = tiles.tile_query(collection_id, request.args.to_dict(flat=True))
    data = tiles.render_tile(_store(), collection_id, where, query)
    return Response(data, mimetype=tiles.MVT)


@bp.get("/tileMatrixSets")
def tile_matrix_sets() -> Response:
    check_only_f()
    return json_response({"tileMatrixSets": [{
        "id": tiles.TMS, "title": "Google Maps Compatible for the World", "uri": tiles.TMS_URI,
        "links": [{"href": f"{base_url()}/tileMatrixSets/{tiles.TMS}", "rel": "self", "type": "application/json"}]}]})


@bp.get(f"/tileMatrixSets/{tiles.TMS}")
def tile_matrix_set() -> Response:
    check_only_f()
    return json_response(tiles.tile_matrix_set())
