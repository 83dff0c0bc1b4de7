"""Pages for people: the review page, and the app's own copies of Leaflet."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, render_template, send_from_directory

from geo.model import ATTRIBUTIONS, EVENT_TYPES

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


@bp.get("/review")
def review() -> str:
    """Paste a report or open a stored incident; correct, accept or reject what was found."""
    return render_template("pages/review.html", event_types=EVENT_TYPES, attributions=ATTRIBUTIONS)
