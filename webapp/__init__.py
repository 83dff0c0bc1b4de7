"""The incidentmap web application: ``create_app`` builds it, reading nothing at import."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from geo.datadir import default_data_dir, init_data_dir, is_initialised
from geo.store import Store, open_store
from webapp.settings import resolve_settings


def create_app(config: dict | None = None) -> Flask:
    """Build the app. ``config`` may hold settings (see webapp.settings), a ready
    ``STORE`` object, and any Flask option; the environment fills the rest."""
    config = dict(config or {})
    app = Flask(__name__)
    settings = resolve_settings(config)
    app.config.update({f"INCIDENTMAP_{k}": v for k, v in settings.items()})
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_BODY_BYTES"]
    app.config.update({k: v for k, v in config.items() if k.isupper() and k != "STORE"})
    app.json.sort_keys = False

    store: Store | None = config.get("STORE")
    if store is None:
        data_dir = Path(settings["DATA"]) if settings["DATA"] else default_data_dir()
        if not is_initialised(data_dir):
            init_data_dir(data_dir, empty=not settings["SEED"])
        store = open_store(data_dir)
    app.extensions["incidentmap.store"] = store

    if settings["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)

    from webapp import api, errors, pages

    errors.register(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    return app
