"""Shared fixtures: a data folder copied into tmp_path, its store, the app and its clients."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from geo.datadir import shipped_data_dir
from geo.store.geojson import GeoJSONStore
from geo.tokens import TokenFile, default_token_path, hash_token
from tests import pg as pgtools
from webapp import create_app

TEST_DATA = Path(__file__).parent / "data"
TOKEN = "test-token-7f3a"
TOKEN_NAME = "tester"
# the watcher's fixtures: a real HTTP server on 127.0.0.1 serving feeds and pages (tests/geo/live/)
pytest_plugins = ["tests.geo.live.watch_fixtures"]


def grant_token(data_dir: Path, token: str = TOKEN, name: str = TOKEN_NAME, role: str = "admin") -> None:
    """Let ``token`` write to the store in ``data_dir``, as ``name`` with ``role`` (its hash goes in
    tokens.json). The tests' own token is an admin's: it may do every write."""
    TokenFile(default_token_path(data_dir)).add_hash(name, hash_token(token), role)


def store_state(data_dir: Path) -> dict:
    """What a user of the embedded store in ``data_dir`` would see, to compare before and after a
    write that must change nothing: each collection's features and history read back through a
    new store object, and the bytes of its checkpoint and journal and any temporaries beside them."""
    from geo.query import Query

    store = GeoJSONStore(data_dir)
    state: dict = {}
    for name in store.names:
        files = [store.path(name), data_dir / f"{name}.history.jsonl", *sorted(data_dir.glob(f".{name}.*.tmp"))]
        state[name] = {"features": store.query(name, Query(limit=10**6)).features(),
                       "history": store.history(name, limit=10**6),
                       "files": {path.name: path.read_bytes() for path in files if path.exists()}}
    return state


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder with the shipped known sites and the test incidents."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(shipped_data_dir() / "sites.geojson", folder / "sites.geojson")
    shutil.copy(TEST_DATA / "incidents.geojson", folder / "incidents.geojson")
    grant_token(folder)
    return folder


@pytest.fixture
def geojson_store(data_dir: Path) -> GeoJSONStore:
    return GeoJSONStore(data_dir)


@pytest.fixture(params=["geojson", "postgis", "postgis-sql"])
def store(request, data_dir: Path):
    """The same data (shipped sites, test incidents) in each store: every store test runs on the
    GeoJSON store and the PostGIS one, reading from its in-memory index and in SQL."""
    if request.param.startswith("postgis"):
        return _pg_store_for(request, request.param)
    return GeoJSONStore(data_dir)


# ---- PostGIS: one throwaway cluster per test session ----------------------------------------------

_PG_NOT_TESTED: list[str] = []


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL + PostGIS cluster in a temporary folder on a loopback port; skips (loudly) where
    PostgreSQL or PostGIS is not installed."""
    reason = pgtools.unavailable()
    if reason:
        _PG_NOT_TESTED.append(reason)
        pytest.skip(f"the PostGIS store was NOT tested: {reason}")
    cluster = pgtools.Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_url(pg_cluster) -> str:
    """A database at the current schema version, shared by the tests (pg_store empties it)."""
    import psycopg

    from geo.store.pg_schema import upgrade

    url = pg_cluster.create_database("incidentmap_test")
    with psycopg.connect(url, autocommit=True) as conn:
        upgrade(conn)
    return url


def load_test_data(store) -> None:
    """What ``data_dir`` holds: the shipped known sites and the test incidents, with no history."""
    from geo.datadir import read_feature_collection

    store.put_many("sites", read_feature_collection(shipped_data_dir() / "sites.geojson"), keep_stamps=True)
    store.put_many("incidents", read_feature_collection(TEST_DATA / "incidents.geojson"), keep_stamps=True)


@contextmanager
def open_pg_store(pg_url: str, cached: bool) -> Iterator:
    """A PostGIS store (reading from its in-memory index when ``cached``) holding the same
    features as ``data_dir``, its tables emptied and reloaded."""
    from geo.store.pg_memory import CachedPostGISStore
    from geo.store.postgis import PostGISStore

    store = (CachedPostGISStore if cached else PostGISStore)(pg_url, pool_size=2)
    try:
        truncate = "TRUNCATE incidents, sites, history RESTART IDENTITY"
        with store._connect(store._pool) as conn:
            conn.execute(truncate)
        load_test_data(store)
        with store._connect(store._pool) as conn:
            conn.execute("TRUNCATE history RESTART IDENTITY")
        yield store
    finally:
        store.close()


@pytest.fixture(params=["cached", "sql"])
def pg_store(pg_url: str, request):
    """A PostGIS store holding the same features as ``data_dir``, emptied and reloaded per test:
    every test of it runs with reads from the in-memory index (STORE_CACHE on) and in SQL."""
    with open_pg_store(pg_url, request.param == "cached") as store:
        yield store


def _pg_store_for(request, backend: str):
    """The PostGIS store a ``store``/``backend`` parameter names ("postgis": cached, "postgis-sql":
    every read in SQL), closed when the test ends."""
    context = open_pg_store(request.getfixturevalue("pg_url"), backend == "postgis")
    store = context.__enter__()
    request.addfinalizer(lambda: context.__exit__(None, None, None))
    return store


def pytest_terminal_summary(terminalreporter) -> None:
    if _PG_NOT_TESTED:
        terminalreporter.write_sep("!", f"the PostGIS store was NOT tested: {_PG_NOT_TESTED[0]}",
                                   red=True, bold=True)


@pytest.fixture
def backend(request) -> str:
    """The store an app runs on: geojson, unless a test parametrizes ``backend`` (indirect=True)
    with "postgis" (reads from the in-memory index) or "postgis-sql"."""
    return getattr(request, "param", "geojson")


@pytest.fixture
def app(data_dir: Path, backend: str, request):
    config = {"DATA": str(data_dir), "TESTING": True}
    if backend.startswith("postgis"):
        config["STORE"] = _pg_store_for(request, backend)
    return create_app(config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def auth() -> dict:
    return {"Authorization": f"Bearer {TOKEN}"}
