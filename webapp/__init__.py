"""The incidentmap web application: ``create_app`` builds it, reading nothing at import."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from geo.datadir import default_data_dir, init_data_dir, is_initialised
from geo.store import Store, is_database_url, open_store
from geo.tokens import TokenFile, default_token_path
from webapp.limits import RateLimit
from webapp.links import PublicURL, trusted_hosts
from webapp.settings import resolve_settings

MAX_FORM_PARTS = 50  # a report form has six fields


class AsciiIntConverter(IntegerConverter):
    """``<int:...>`` in a path takes ASCII digits only (werkzeug's \\d also takes "１" and "٣")."""

    regex = r"[0-9]+"


def _data_folder(settings: dict) -> Path:
    """The data folder: STORE when it is a folder, else DATA, else the default one."""
    location = settings["STORE"] if not is_database_url(settings["STORE"]) else None
    return Path(location or settings["DATA"] or default_data_dir())


def _configured_store(settings: dict) -> Store:
    """The store STORE names (a PostGIS URL or a folder), else the DATA folder, seeded when new."""
    if is_database_url(settings["STORE"]):
        return open_store(settings["STORE"], settings["STORE_READ"], cache=settings["STORE_CACHE"])
    data_dir = _data_folder(settings)
    if not is_initialised(data_dir):
        init_data_dir(data_dir, empty=not settings["SEED"])
    return open_store(data_dir, settings["STORE_READ"])


def _attach_alerts(store: Store, settings: dict) -> None:
    """Alerts of the app's store live in its data folder; writes nudge them (geo.live.alerts_worker)."""
    from geo.live.alerts_worker import AlertSettings, attach

    attach(store, _data_folder(settings), AlertSettings(
        backoff=settings["ALERT_BACKOFF"], attempts=settings["ALERT_ATTEMPTS"], timeout=settings["ALERT_TIMEOUT"],
        wait=settings["ALERT_WAIT"], public_url=settings["PUBLIC_URL"]))


def create_app(config: dict | None = None) -> Flask:
    """Build the app. ``config`` may hold settings (see webapp.settings), a ready
    ``STORE`` object, and any Flask option; the environment fills the rest."""
    config = dict(config or {})
    app = Flask(__name__)
    ready: Store | None = None
    if config.get("STORE") is not None and not isinstance(config["STORE"], (str, Path)):
        ready = config.pop("STORE")  # a store object, not a STORE location setting
    extractor = config.pop("EXTRACTOR", None)  # built before the fork (webapp.server)
    settings = resolve_settings(config)
    app.config.update({f"INCIDENTMAP_{k}": v for k, v in settings.items()})
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_BODY_BYTES"]
    app.config["MAX_FORM_MEMORY_SIZE"] = settings["MAX_BODY_BYTES"]  # a form field, too (Flask's own is 500 kB)
    app.config["MAX_FORM_PARTS"] = MAX_FORM_PARTS
    app.config.update({k: v for k, v in config.items() if k.isupper() and k != "STORE"})
    app.config["TRUSTED_HOSTS"] = trusted_hosts(settings["TRUSTED_HOSTS"], settings["PUBLIC_URL"])
    app.json.sort_keys = False
    app.url_map.converters["int"] = AsciiIntConverter

    store = ready if ready is not None else _configured_store(settings)
    app.extensions["incidentmap.store"] = store
    _attach_alerts(store, settings)
    if extractor is not None:
        app.extensions["incidentmap.extractor"] = extractor
    tokens_path = settings["TOKENS"] or default_token_path(_data_folder(settings))
    app.extensions["incidentmap.tokens"] = TokenFile(Path(tokens_path))
    app.extensions["incidentmap.ingest_rate"] = RateLimit(settings["INGEST_RATE_LIMIT"],
                                                          settings["RATE_LIMIT_STORAGE"])

    if settings["PUBLIC_URL"]:
        app.wsgi_app = PublicURL(app.wsgi_app, settings["PUBLIC_URL"])
    if settings["PROXY_HOPS"]:  # outside PublicURL, which then overrides the forwarded host
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)

    from webapp import api, cors, errors, pages, security, tiles

    errors.register(app)
    security.register(app)
    cors.register(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(tiles.bp)
    return app
