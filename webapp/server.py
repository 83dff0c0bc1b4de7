"""Run the app: gunicorn in production, Flask's server only for development."""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    """gunicorn with the app built in each worker (after the fork), from our factory; what is
    costly to build (the store's index, the extractor) is built before, in the master."""

    def __init__(self, config: dict, options: dict):
        self.app_config = config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from webapp import create_app

        return create_app(self.app_config)


def shared_store(config: dict):
    """The store, opened and indexed once in gunicorn's master before it forks, so the workers
    share the index's memory instead of each building its own: the embedded store, or a
    database store with STORE_CACHE on (its pools closed before the fork, reopened in each
    worker). None for a database store without the cache, or a data folder that create_app
    still has to set up."""
    from geo.datadir import default_data_dir, is_initialised
    from geo.store import is_database_url, open_store
    from webapp.settings import resolve_settings

    settings = resolve_settings(config)
    if is_database_url(settings["STORE"]):
        if not settings["STORE_CACHE"]:
            return None
        store = open_store(settings["STORE"], settings["STORE_READ"], cache=True)
        _warm(store)
        store.close()  # no connection crosses the fork: each worker opens its own (post_fork)
        gc.freeze()
        return {**config, "STORE": store}
    folder = Path(settings["STORE"] or settings["DATA"] or default_data_dir())
    if not is_initialised(folder):
        return None
    store = open_store(folder, settings["STORE_READ"])
    _warm(store)
    gc.freeze()  # the index's objects stay in pages the workers share, untouched by the collector
    return {**config, "DATA": str(folder), "STORE": store}


# what every map page filters on beyond the index's columns: its timeline's day-precise counts
# (webapp/static/map/timeline.js); read in the master, or the first page after a start waits for it
MAP_FILTER_COLUMNS = ("date_precision",)


def _warm(store) -> None:
    """Build the store's in-memory indexes now, when it has any, saying how long that took."""
    warm = getattr(store, "warm", None)
    if warm is not None:
        started = time.monotonic()
        counts = warm()
        if "incidents" in counts and hasattr(store, "warm_filters"):
            store.warm_filters("incidents", MAP_FILTER_COLUMNS)
        print(f"indexed {', '.join(f'{n:,} {name}' for name, n in counts.items())} "
              f"in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)


def shared_extractor(config: dict):
    """The report extractor over the known sites of the store ``config`` names (its gazetteer of
    sites, GeoNames towns and places, and its date parser), built and warmed up now, in gunicorn's
    master, so that no worker pays for it on its first ingest and the workers share its memory."""
    from geo.datadir import default_data_dir
    from geo.store import is_database_url, open_store
    from webapp.context import build_extractor
    from webapp.settings import resolve_settings

    settings = resolve_settings(config)
    # a store of its own, read once for the known sites: the shared one's pools are closed by now
    location = settings["STORE"] if is_database_url(settings["STORE"]) else \
        Path(settings["STORE"] or settings["DATA"] or default_data_dir())
    store = open_store(location, settings["STORE_READ"])
    try:
        extractor = build_extractor(store)
    finally:
        getattr(store, "close", lambda: None)()
    gc.freeze()
    return extractor


def trusting_bind_host(config: dict, host: str) -> dict:
    """``config`` trusting the host name ``serve --host`` binds (when it names one), beside the
    defaults, unless TRUSTED_HOSTS or PUBLIC_URL says otherwise."""
    from webapp.links import DEFAULT_TRUSTED_HOSTS
    from webapp.settings import resolve_settings

    settings = resolve_settings(config)
    if settings["TRUSTED_HOSTS"] or settings["PUBLIC_URL"] or host in ("", "0.0.0.0", "::", "[::]"):
        return config
    if host in DEFAULT_TRUSTED_HOSTS or ":" in host:
        return config
    return {**config, "TRUSTED_HOSTS": ",".join([*DEFAULT_TRUSTED_HOSTS, host])}


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict:
    """How ``serve`` runs gunicorn: threaded workers that read each request's head before giving it
    a thread (webapp.worker), so slow or half-sent requests and long extractions do not stall
    the other requests."""
    return {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
            "worker_class": "webapp.worker.HeadFirstWorker", "accesslog": "-", "timeout": 120}


def preload_app_modules() -> None:
    """Import the app's modules (folium and pandas among them, most of a worker's start) once in
    the master, so each worker forks with them loaded instead of importing them again. Nothing is
    built: the app itself is still made in each worker, after the fork."""
    from webapp import api, cors, errors, pages, security, tiles  # noqa: F401


def run(config: dict, host: str = "127.0.0.1", port: int = 5000, workers: int = 2,
        dev: bool = False, threads: int = 4) -> None:
    """Serve until interrupted."""
    from webapp.settings import resolve_settings

    config = trusting_bind_host(config, host)
    if dev:
        from webapp import create_app

        create_app(config).run(host=host, port=port, debug=True)
        return
    extractor = None
    if resolve_settings(config)["PRELOAD_EXTRACTOR"]:
        started = time.monotonic()
        extractor = shared_extractor(config)
        print(f"extractor ready in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    config = {**(shared_store(config) or config), "EXTRACTOR": extractor}
    preload_app_modules()
    options = gunicorn_options(host, port, workers, threads)
    reconnect = getattr(config.get("STORE"), "reconnect", None)
    if reconnect is not None:  # a database store indexed in the master: each worker its own pools
        options["post_fork"] = lambda server, worker: reconnect()
    _Gunicorn(config, options).run()
