"""Content-Security-Policy for every HTML page: only the app's own scripts run.

Scripts come from the app itself (``script-src 'self'``); the map pages also carry the two small
scripts folium writes into the page (the map's construction and its options), allowed by their
SHA-256 hashes, computed from the page as rendered. Report text never reaches those scripts as
markup: it is fetched from the API and set with ``textContent``, and the options are JSON with
``<`` escaped (``webapp.maps.script_json``). No ``'unsafe-inline'`` and no ``'unsafe-eval'`` for
scripts. Styles allow ``'unsafe-inline'``: Leaflet, the legend and the layer control set inline
styles. Images may come from the tile server (``TILES``) and ``data:`` URIs (Leaflet's CSS icons).
Frames: ``/embed`` may be framed by ``FRAME_ANCESTORS``, every other page only by the app itself.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

SELF, NONE = "'self'", "'none'"
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>(.*?)</script>", re.S | re.I)


def inline_script_hashes(html: str) -> list[str]:
    """``'sha256-…'`` sources for each inline ``<script>`` of ``html``, in order, without repeats."""
    hashes = []
    for match in _INLINE_SCRIPT.finditer(html):
        digest = base64.b64encode(hashlib.sha256(match.group(1).encode("utf-8")).digest()).decode()
        if f"'sha256-{digest}'" not in hashes:
            hashes.append(f"'sha256-{digest}'")
    return hashes


def tile_source(template: str | None) -> str | None:
    """The CSP source of a tile URL template: ``https://{s}.tile.example/{z}/{x}/{y}.png`` gives
    ``https://*.tile.example``; a relative template or ``none`` needs nothing beyond 'self'."""
    if not template or template == "none":
        return None
    parts = urlsplit(template)
    if not parts.scheme or not parts.netloc:
        return None
    host = re.sub(r"\{[^}]*\}", "*", parts.netloc.rsplit("@", 1)[-1])
    host = re.sub(r"[^A-Za-z0-9.*:\[\]-]", "", host)  # nothing that could end the directive
    if not host.strip("*."):
        return None
    if "*" in host and not host.startswith("*."):
        host = "*." + host.split(".", 1)[1] if "." in host else host
    return f"{parts.scheme}://{host}"


def policy(script_hashes: list[str] | tuple[str, ...] = (), frame_ancestors: str = "'self'",
           tiles: str | None = None, standalone: bool = False) -> str:
    """The policy text. ``standalone`` is for a file opened from disk: nothing is fetched, only its
    own inline scripts run, and ``frame-ancestors`` is left out because a <meta> policy cannot carry it."""
    if standalone:
        return "; ".join([
            "default-src 'none'", f"script-src {' '.join(script_hashes) or NONE}", "style-src 'unsafe-inline'",
            "img-src data:", "object-src 'none'", "base-uri 'none'", "form-action 'none'"])
    images = " ".join(["'self'", "data:"] + ([tile_source(tiles)] if tile_source(tiles) else []))
    return "; ".join([
        "default-src 'self'", f"script-src {' '.join([SELF, *script_hashes])}", "style-src 'self' 'unsafe-inline'",
        f"img-src {images}", "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
        f"frame-ancestors {frame_ancestors}"])


def csp_for_page(html: str, frame_ancestors: str = "'self'") -> str:
    """The policy of a page that carries inline scripts of its own (the map pages)."""
    return policy(inline_script_hashes(html), frame_ancestors, current_app.config.get("INCIDENTMAP_TILES"))


def meta_policy(html: str) -> str:
    """``html`` with a <meta> Content-Security-Policy first in its <head>, allowing its own inline
    scripts by hash: for a file opened from disk, which no header can reach."""
    content = policy(inline_script_hashes(html), standalone=True)
    tag = f'<meta http-equiv="Content-Security-Policy" content="{content}">'
    head = re.search(r"<head[^>]*>", html, re.I)
    if head is None:
        return tag + html
    return html[:head.end()] + tag + html[head.end():]


# sent with every answer: links to other sites carry only our origin (tile servers want one), and
# the pages ask for no device or sensor
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                          "accelerometer=(), gyroscope=(), magnetometer=()",
}
EMBEDDABLE = ("pages.embed_page",)  # framed by FRAME_ANCESTORS: no X-Frame-Options, which knows no list


def register(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint not in EMBEDDABLE:
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")  # frame-ancestors 'self', for old browsers
        if response.mimetype == "text/html" and "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = policy(tiles=app.config.get("INCIDENTMAP_TILES"))
        return response
