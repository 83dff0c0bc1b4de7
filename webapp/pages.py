"""Pages for people: the review page, and the app's own copies of Leaflet."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request, send_from_directory

from geo.model import ATTRIBUTIONS, EVENT_TYPES
from webapp.maps import MapOptions, render_page

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


BASEMAP_LAYERS = ("countries", "governorate_lines", "coastline", "towns", "governorate_labels")


@bp.get("/basemap/<name>.geojson")
def basemap(name: str) -> Response:
    """The offline basemap's layers (data/basemap), drawn under any tiles."""
    from geo.datadir import shipped_data_dir

    if name not in BASEMAP_LAYERS:
        abort(404)
    response = send_from_directory(shipped_data_dir() / "basemap", f"{name}.geojson", max_age=86400)
    response.mimetype = "application/geo+json"
    return response


def map_options(mode: str) -> MapOptions:
    tiles = current_app.config["INCIDENTMAP_TILES"]
    return MapOptions(mode=mode, tiles=None if tiles in (None, "", "none") else tiles,
                      tiles_attribution=current_app.config["INCIDENTMAP_TILES_ATTRIBUTION"],
                      state=request.args.to_dict(flat=True))


@bp.get("/map")
def map_page() -> Response:
    """The map: layers per event type, sites and areas, a heat map, and the time filter."""
    response = Response(render_page(map_options("page")), mimetype="text/html")
    response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
    return response


@bp.get("/embed")
def embed_page() -> Response:
    """The same map without the page's chrome, for an iframe in a report."""
    response = Response(render_page(map_options("embed")), mimetype="text/html")
    response.headers["Content-Security-Policy"] = f"frame-ancestors {current_app.config['INCIDENTMAP_FRAME_ANCESTORS']}"
    return response


@bp.get("/review")
def review() -> str:
    """Paste a report or open a stored incident; correct, accept or reject what was found."""
    return render_template("pages/review.html", event_types=EVENT_TYPES, attributions=ATTRIBUTIONS)
