"""Run the app: gunicorn in production, Flask's server only for development."""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    """gunicorn with the app built in each worker (after the fork), from our factory."""

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
    """The embedded store, opened and indexed once in gunicorn's master before it forks,
    so the workers share the index's memory instead of each building its own (None for a
    database store, or a data folder that create_app still has to set up)."""
    from geo.datadir import default_data_dir, is_initialised
    from geo.store import is_database_url, open_store
    from webapp.settings import resolve_settings

    settings = resolve_settings(config)
    if is_database_url(settings["STORE"]):
        return None
    folder = Path(settings["STORE"] or settings["DATA"] or default_data_dir())
    if not is_initialised(folder):
        return None
    store = open_store(folder, settings["STORE_READ"])
    warm = getattr(store, "warm", None)
    if warm is not None:
        started = time.monotonic()
        counts = warm()
        print(f"indexed {', '.join(f'{n:,} {name}' for name, n in counts.items())} "
              f"in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    gc.freeze()  # the index's objects stay in pages the workers share, untouched by the collector
    return {**config, "DATA": str(folder), "STORE": store}


def run(config: dict, host: str = "127.0.0.1", port: int = 5000, workers: int = 2,
        dev: bool = False) -> None:
    """Serve until interrupted."""
    if dev:
        from webapp import create_app

        create_app(config).run(host=host, port=port, debug=True)
        return
    config = shared_store(config) or config
    _Gunicorn(config, {"bind": f"{host}:{port}", "workers": workers, "accesslog": "-",
                       "timeout": 120}).run()
