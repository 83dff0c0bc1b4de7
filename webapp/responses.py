"""How the web layer answers: output formats from ``f`` or Accept, JSON bodies, and the map
page (which the API's landing page also answers a browser with)."""

from __future__ import annotations

from flask import Response, current_app, request

from geo.errors import InvalidParameterValue
from geo.jsonbytes import to_json
from geo.mapview import parse_map_params

MEDIA = {"json": "application/json", "geojson": "application/geo+json", "html": "text/html",
         "csv": "text/csv", "gpkg": "application/geopackage+sqlite3", "fgb": "application/flatgeobuf",
         "atom": "application/atom+xml"}


def wanted_format(allowed: tuple[str, ...]) -> str:
    """The output format: ``f`` if given, else the best match for the Accept header."""
    f = request.args.get("f")
    if f is not None:
        if f not in allowed:
            raise InvalidParameterValue(f"f must be one of {', '.join(allowed)}, got {f!r}")
        return f
    offered = [MEDIA[name] for name in allowed]
    best = request.accept_mimetypes.best_match(offered, default=offered[0])
    return next(name for name in allowed if MEDIA[name] == best)


def check_only_f() -> None:
    """400 for any query parameter but ``f``."""
    for name in request.args:
        if name != "f":
            raise InvalidParameterValue(f"unknown query parameter {name!r}; only f is accepted here")


def json_response(data: object, media_type: str = "application/json", status: int = 200) -> Response:
    return Response(to_json(data), status=status, mimetype=media_type)


def map_options(mode: str, state: dict | None = None):
    """The map page's options; its query (the map's state) checked like the API's parameters,
    then ``state`` (e.g. the incident a deep link opens) on top."""
    from webapp.maps import MapOptions

    tiles = current_app.config["INCIDENTMAP_TILES"]
    checked = {**parse_map_params(request.args.to_dict(flat=True)), **(state or {})}
    return MapOptions(mode=mode, tiles=None if tiles in (None, "", "none") else tiles,
                      tiles_attribution=current_app.config["INCIDENTMAP_TILES_ATTRIBUTION"], state=checked,
                      source=checked.get("source") or current_app.config.get("INCIDENTMAP_MAP_SOURCE") or "features")


def map_response(mode: str, state: dict | None = None, status: int = 200) -> Response:
    """The map page (``page``) or its embeddable form (``embed``) as a response with its policy."""
    from webapp.maps import render_page
    from webapp.security import csp_for_page

    html = render_page(map_options(mode, state))
    if mode == "page":
        html = with_feed_link(html)
    response = Response(html, mimetype="text/html", status=status)
    response.headers["Content-Security-Policy"] = (
        csp_for_page(html, current_app.config["INCIDENTMAP_FRAME_ANCESTORS"]) if mode == "embed"
        else csp_for_page(html))
    return response


def with_feed_link(html: str) -> str:
    """The page with ``<link rel="alternate">`` to the Atom feed of the incidents its URL filters."""
    from html import escape
    from urllib.parse import urlencode

    from geo.query import EXACT_FILTERS, NUMBER_FILTERS, TEXT_FILTERS

    kept = {k: v for k, v in request.args.items()
            if k in ("bbox", "datetime", *EXACT_FILTERS, *TEXT_FILTERS, *NUMBER_FILTERS)}
    href = escape(f"{request.script_root}/collections/incidents/items?{urlencode({**kept, 'f': 'atom'})}")
    link = f'<link rel="alternate" type="application/atom+xml" title="Incidents (Atom feed)" href="{href}">'
    return html.replace("</head>", link + "\n</head>", 1)
