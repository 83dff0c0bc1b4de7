"""CORS for reads: other sites' web maps may load our layers; writes stay same-origin.

flask-cors answers preflights and adds ``Access-Control-Allow-Origin`` to GET and HEAD answers
for the origins of ``CORS_ORIGINS``. Writes get no CORS headers at all, and a preflight never
allows the ``Authorization`` header or a write method, so a page on another site cannot make a
visitor's browser send a write, token or not.
"""

from __future__ import annotations

from flask import Flask, request
from flask_cors import CORS

READ_METHODS = ["GET", "HEAD", "OPTIONS"]
EXPOSED = ["OGC-NumberMatched", "Content-Disposition", "Content-Length", "Link"]


def register(app: Flask) -> None:
    setting = str(app.config.get("INCIDENTMAP_CORS_ORIGINS", "*")).strip()
    if setting.lower() in ("", "none", "off"):
        return
    origins = "*" if setting == "*" else setting.split()

    # registered before flask-cors's own hook, so it runs after it (Flask runs them last first)
    @app.after_request
    def no_cors_for_writes(response):
        if request.method not in READ_METHODS:
            for name in [h for h in response.headers.keys() if h.lower().startswith("access-control-")]:
                del response.headers[name]
        return response

    CORS(app, origins=origins, methods=READ_METHODS, allow_headers=["Accept", "Content-Type"],
         expose_headers=EXPOSED, supports_credentials=False, send_wildcard=origins == "*", max_age=3600)
