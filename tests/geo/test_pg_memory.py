"""The PostGIS store's in-memory read index (STORE_CACHE): kept in step with writes made
elsewhere through the history, loaded anew when far behind, safe under threads."""

from __future__ import annotations

import gc
import threading

import pytest

from geo.query import Query, parse_query
from geo.store.pg_memory import CachedPostGISStore
from geo.store.postgis import PostGISStore


def new_incident(fid: str, day: str = "2024-03-01", **props) -> dict:
    return {"type": "Feature", "id": fid, "geometry": {"type": "Point", "coordinates": [44.4, 33.3]},
            "properties": {"date": day, "event_type": "rocket_attack", "country_code": "IQ", **props}}


cached_only = pytest.mark.parametrize("pg_store", ["cached"], indirect=True)


@pytest.fixture
def stores(pg_store, pg_url):
    """(cached store, another store on its own connections: a writer in another process)."""
    assert isinstance(pg_store, CachedPostGISStore)
    with PostGISStore(pg_url, pool_size=1) as other:
        yield pg_store, other


@cached_only
def test_sees_writes_made_elsewhere_on_the_next_read(stores):
    cached, other = stores
    before = cached.query("incidents", Query(limit=1000))
    assert cached.loads == 1
    other.put("incidents", new_incident("elsewhere-1", notes="first"))
    assert cached.get("incidents", "elsewhere-1")["properties"]["notes"] == "first"
    other.put("incidents", new_incident("elsewhere-1", notes="second"))
    assert cached.get("incidents", "elsewhere-1")["properties"]["notes"] == "second"
    assert cached.query("incidents", Query(limit=1000)).number_matched == before.number_matched + 1
    victim = before.features()[0]["id"]
    assert other.delete("incidents", victim)
    assert cached.get("incidents", victim) is None
    after = cached.query("incidents", Query(limit=1000))
    assert victim not in {f["id"] for f in after.features()}
    assert cached.loads == 1  # caught up each time, never loaded anew
    # the same pages as SQL gives, byte for byte
    for params in ({}, {"sortby": "-date"}, {"q": "embassy"}, {"bbox": "44,33,45,34"}):
        assert cached.query("incidents", parse_query(params)).feature_json == \
            other.query("incidents", parse_query(params)).feature_json
    assert cached.day_counts("incidents", Query()) == other.day_counts("incidents", Query())
    assert [(c.id, c.count, c.bbox, c.interval) for c in cached.collections()] == \
        [(c.id, c.count, c.bbox, c.interval) for c in other.collections()]


@cached_only
def test_own_writes_show_on_the_next_read(stores):
    cached, _ = stores
    cached.query("sites", Query(limit=1))
    cached.put_many("incidents", [new_incident(f"own-{i}") for i in range(3)])
    assert {f"own-{i}" for i in range(3)} <= {f["id"] for f in cached.query(
        "incidents", Query(limit=1000)).features()}
    assert cached.delete("incidents", "own-1")
    assert cached.get("incidents", "own-1") is None


@cached_only
def test_a_collection_catches_up_on_its_own_history_only(stores):
    cached, other = stores
    sites = cached.query("sites", Query(limit=1000)).feature_json
    other.put("incidents", new_incident("only-incidents"))
    assert cached.query("sites", Query(limit=1000)).feature_json == sites
    assert cached.get("incidents", "only-incidents") is not None


@cached_only
def test_loads_anew_when_too_far_behind(stores, pg_url):
    cached, other = stores
    cached.catch_up_limit = 5
    count = cached.query("incidents", Query()).number_matched
    assert cached.loads == 1
    other.put_many("incidents", [new_incident(f"bulk-{i}") for i in range(3)])
    assert cached.query("incidents", Query()).number_matched == count + 3
    assert cached.loads == 1
    other.put_many("incidents", [new_incident(f"bulk-{i}") for i in range(3, 10)])
    assert cached.query("incidents", Query()).number_matched == count + 10
    assert cached.loads == 2


@cached_only
def test_loads_anew_when_the_history_went_back(stores):
    cached, other = stores
    other.put("incidents", new_incident("before-truncate"))
    assert cached.get("incidents", "before-truncate") is not None
    with other._connect(other._pool) as conn:
        conn.execute("DELETE FROM incidents WHERE fid = 'before-truncate'")
        conn.execute("TRUNCATE history RESTART IDENTITY")
    assert cached.get("incidents", "before-truncate") is None
    assert cached.loads == 2


@cached_only
def test_threads_reading_while_another_writes(stores):
    cached, other = stores
    base = cached.query("incidents", Query()).number_matched
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                n = cached.query("incidents", Query(limit=5)).number_matched
                assert base <= n <= base + 40
                cached.day_counts("incidents", Query())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for t in readers:
        t.start()
    try:
        for i in range(40):
            other.put("incidents", new_incident(f"threaded-{i}"))
    finally:
        done.set()
        for t in readers:
            t.join()
    assert not errors
    assert cached.query("incidents", Query()).number_matched == base + 40
    assert cached.loads == 1


def test_the_setting_picks_the_cached_store(pg_url, data_dir):
    from webapp import create_app

    on = create_app({"STORE": pg_url, "DATA": str(data_dir), "TESTING": True})
    off = create_app({"STORE": pg_url, "DATA": str(data_dir), "TESTING": True, "STORE_CACHE": False})
    try:
        assert type(on.extensions["incidentmap.store"]) is CachedPostGISStore
        assert type(off.extensions["incidentmap.store"]) is PostGISStore
    finally:
        on.extensions["incidentmap.store"].close()
        off.extensions["incidentmap.store"].close()


@cached_only
def test_the_server_indexes_the_database_before_forking(stores, pg_url, data_dir):
    """shared_store builds the index in gunicorn's master and closes its pools; a worker
    reconnects and catches up with what was written since."""
    from webapp.server import shared_store

    _, other = stores
    config = shared_store({"STORE": pg_url, "DATA": str(data_dir)})
    store = config["STORE"]
    try:
        assert isinstance(store, CachedPostGISStore) and store.loads == 2  # incidents and sites
        assert store._pool.closed
        other.put("incidents", new_incident("after-fork"))
        store.reconnect()
        assert store.get("incidents", "after-fork") is not None
        assert store.loads == 2
    finally:
        store.close()
        gc.unfreeze()
