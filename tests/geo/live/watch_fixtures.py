"""A real HTTP server on 127.0.0.1 for the watcher's tests: feeds, article pages and hostile answers.

Loaded by tests/conftest.py (``pytest_plugins``). Each test sets ``feed_server.routes[path]`` to a ``Route`` (or a function of the request handler that
answers itself); ``feed_server.requests`` records every request's path and headers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from geo.extract import Extractor
from geo.gazetteer import Gazetteer
from geo.live.fetch import Fetcher, FetchPolicy
from geo.live.sources import Source
from geo.live.watch import Watcher
from geo.store.geojson import GeoJSONStore


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        feed_server: Web = self.server.feed_server
        feed_server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = feed_server.routes.get(self.path)
        if route is None:
            self._answer(404, {"Content-Type": "text/plain"}, b"not here")
        elif callable(route):
            try:
                route(self)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif route.etag and self.headers.get("If-None-Match") == route.etag or (
                route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified):
            feed_server.not_modified += 1
            self._answer(304, {"ETag": route.etag or ""} if route.etag else {}, b"")
        else:
            headers = {"Content-Type": route.content_type, **route.headers}
            if route.etag:
                headers["ETag"] = route.etag
            if route.last_modified:
                headers["Last-Modified"] = route.last_modified
            self._answer(route.status, headers, route.body)

    def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


@dataclass
class Web:
    base: str
    routes: dict[str, Route | Callable] = field(default_factory=dict)
    requests: list[tuple[str, dict]] = field(default_factory=list)
    not_modified: int = 0
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]


@pytest.fixture(scope="session")
def _watch_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def feed_server(_watch_server) -> Web:
    """The test server, its routes emptied for each test; handlers waiting on ``release`` are let go after."""
    state = Web(f"http://127.0.0.1:{_watch_server.server_address[1]}")
    _watch_server.feed_server = state
    yield state
    state.release.set()


@pytest.fixture(scope="session")
def watch_extractor() -> Extractor:
    return Extractor(Gazetteer.load())


@pytest.fixture
def fetch_policy() -> FetchPolicy:
    """Small limits, and the test server's address allowed (loopback is refused otherwise)."""
    return FetchPolicy(max_bytes=256 * 1024, timeout=2.0, max_redirects=5, allow_hosts=frozenset({"127.0.0.1"}))


@pytest.fixture
def make_watcher(data_dir: Path, watch_extractor: Extractor, fetch_policy: FetchPolicy):
    """A watcher over ``data_dir``'s store with the given sources; a new one is a restart."""
    made: list[Watcher] = []

    def make(*sources: Source, interval: float = 60.0, policy: FetchPolicy | None = None) -> Watcher:
        watcher = Watcher(GeoJSONStore(data_dir), watch_extractor, data_dir / "watch", lambda: list(sources),
                          Fetcher(policy or fetch_policy), interval=interval)
        made.append(watcher)
        return watcher

    yield make
    for watcher in made:
        watcher.close()
