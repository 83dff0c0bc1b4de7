"""Pages for people: the review page, and the app's own copies of Leaflet."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, request, send_from_directory

from geo.mapview import IMAGE_SIZE, is_incident_id, parse_map_params
from geo.model import ATTRIBUTIONS, EVENT_TYPES
from geo.store import Store
from webapp.context import store
from webapp.maps import MapOptions, render_page
from webapp.responses import map_response
from webapp.security import inline_script_hashes, meta_policy, policy

bp = Blueprint("pages", __name__)


def vendor_dirs() -> dict[str, Path]:
    """Front-end packages served by the app itself (never a CDN)."""
    import xstatic.pkg.leaflet as leaflet
    import xstatic.pkg.leaflet_markercluster as markercluster

    return {"leaflet": Path(leaflet.BASE_DIR), "leaflet-markercluster": Path(markercluster.BASE_DIR)}


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str) -> Response:
    folder = vendor_dirs().get(package)
    if folder is None:
        abort(404)
    return send_from_directory(folder, filename, max_age=86400)


BASEMAP_LAYERS = ("countries", "governorate_lines", "coastline", "towns", "governorate_labels", "governorates")


@bp.get("/basemap/<name>.geojson")
def basemap(name: str) -> Response:
    """The offline basemap's layers (data/basemap), drawn under any tiles."""
    from geo.datadir import shipped_data_dir

    if name not in BASEMAP_LAYERS:
        abort(404)
    response = send_from_directory(shipped_data_dir() / "basemap", f"{name}.geojson", max_age=86400)
    response.mimetype = "application/geo+json"
    return response


@bp.get("/map")
def map_page() -> Response:
    """The map: layers per event type, sites and areas, a heat map, and the time filter."""
    return map_response("page")


@bp.get("/embed")
def embed_page() -> Response:
    """The same map without the page's chrome, for an iframe in a report."""
    return map_response("embed")


DEEP_LINK_ZOOM = "12"


@bp.get("/incidents/<fid>")
def incident_page(fid: str) -> Response | tuple[str, int]:
    """The map opened on one incident (its details open; geo.mapview's ``incident`` state), centred
    on it unless the link says where; a page saying so (404) when there is no such incident."""
    source = store()
    found = is_incident_id(fid) and "incidents" in source.names and source.get("incidents", fid)
    if not found:
        return render_template("pages/incident_missing.html", fid=fid), 404
    state = {"incident": fid}
    coordinates = (found.get("geometry") or {}).get("coordinates")
    if coordinates and not {"lat", "lon"} & set(request.args):
        state.update(lon=f"{coordinates[0]:g}", lat=f"{coordinates[1]:g}", zoom=request.args.get("zoom") or DEEP_LINK_ZOOM)
    return map_response("page", state)


def asset_files() -> dict[str, Path]:
    """The app's own URLs of scripts and styles, and the files behind them."""
    files = {}
    for package, folder in vendor_dirs().items():
        for path in folder.rglob("*"):
            files[f"/vendor/{package}/{path.relative_to(folder).as_posix()}"] = path
    static = Path(__file__).parent / "static"
    for path in static.rglob("*"):
        files[f"/static/{path.relative_to(static).as_posix()}"] = path
    return files


def standalone_html(store: Store, params: dict) -> str:
    """One HTML file with the map, its assets and the filtered data inside: opens from disk, offline."""
    from geo.datadir import shipped_data_dir
    from geo.exports import export_data
    from webapp.maps import inline_assets

    data = export_data(store, params)
    basemap = {name: json.loads((shipped_data_dir() / "basemap" / f"{name}.geojson").read_text())
               for name in ("countries", "governorate_lines", "coastline", "towns", "governorates")}
    embedded = {"incidents": {"type": "FeatureCollection", "features": data.incidents},
                "sites": {"type": "FeatureCollection", "features": data.sites},
                "counts": data.counts(), "interval": data.interval, "basemap": basemap}
    options = MapOptions(mode="standalone", tiles=None, state={k: v for k, v in params.items()
                                                                  if k in ("datetime", "layers", "lat", "lon", "zoom")},
                         embedded_data=embedded)
    title = params.get("title") or "incidentmap export"
    # opened from disk, the file has no headers: its policy travels in a <meta> element
    return meta_policy(inline_assets(render_page(options, title=f"{title} · {data.description}"), asset_files()))


@bp.get("/export/map.<fmt>")
def export_map(fmt: str) -> Response:
    """The current filter as a file for a report: html (self-contained), png, svg or pdf."""
    from geo.errors import InvalidParameterValue
    from geo.exports import export_data
    from geo.render import FORMATS, RenderRequest, render
    if fmt == "html":
        params = parse_map_params(request.args.to_dict(flat=True), extra=("title",))
        html = standalone_html(store(), params)
        response = Response(html, mimetype="text/html")
        response.headers["Content-Security-Policy"] = policy(inline_script_hashes(html), standalone=True)
    elif fmt in FORMATS:
        params = parse_map_params(request.args.to_dict(flat=True), extra=("title", *IMAGE_SIZE))
        data = export_data(store(), params)
        width, height, dpi = (int(params.get(name, default)) for name, default in
                              (("width", 1600), ("height", 1200), ("dpi", 200)))
        picture = render(RenderRequest(data.incidents, data.sites, title=params.get("title") or "Incidents",
                                       subtitle=data.description, fmt=fmt, width_px=width, height_px=height, dpi=dpi,
                                       trend=data.trend))
        response = Response(picture, mimetype=FORMATS[fmt])
    else:
        raise InvalidParameterValue(f"export format must be html, png, svg or pdf, got {fmt!r}")
    response.headers["Content-Disposition"] = f'attachment; filename="incidentmap.{fmt}"'
    return response


@bp.get("/review")
def review() -> str:
    """Paste a report or open a stored incident; correct, accept or reject what was found."""
    return render_template("pages/review.html", event_types=EVENT_TYPES, attributions=ATTRIBUTIONS)
