"""Run the app: gunicorn in production, Flask's server only for development."""

from __future__ import annotations

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


def run(config: dict, host: str = "127.0.0.1", port: int = 5000, workers: int = 2,
        dev: bool = False) -> None:
    """Serve until interrupted."""
    if dev:
        from webapp import create_app

        create_app(config).run(host=host, port=port, debug=True)
        return
    _Gunicorn(config, {"bind": f"{host}:{port}", "workers": workers, "accesslog": "-",
                       "timeout": 120}).run()
