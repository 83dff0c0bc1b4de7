import json
import multiprocessing
import os
import time

import pytest

from geo.errors import Conflict, NotFound, StoreUnavailable, ValidationError
from geo.query import Query, parse_query
from geo.store import Store
from geo.store.geojson import GeoJSONStore


def new_incident(fid: str | None = None, day: str = "2024-03-01") -> dict:
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [44.4, 33.3]},
               "properties": {"date": day, "event_type": "rocket_attack", "country_code": "IQ"}}
    if fid:
        feature["id"] = fid
    return feature


def file_ids(store: GeoJSONStore) -> list[str]:
    """The ids in the collection file, once compacted (a write only appends to the journal)."""
    store.compact("incidents")
    return [f["id"] for f in json.loads(store.path("incidents").read_text())["features"]]


def stored(store) -> list[bytes]:
    """Every incident as the store holds it (either store)."""
    return store.query("incidents", Query(limit=10**6)).feature_json


def stored_ids(store) -> list[str]:
    return [json.loads(raw)["id"] for raw in stored(store)]


def test_is_a_store(store):
    assert isinstance(store, Store)


def test_collections_have_extents(store):
    infos = {info.id: info for info in store.collections()}
    assert infos["incidents"].count == 13
    assert infos["incidents"].interval == ["2023-10-01T00:00:00Z", "2024-02-02T23:59:59Z"]
    assert infos["incidents"].bbox == [-179.5, -17.0, 179.5, 36.898]
    assert infos["sites"].interval is None and infos["sites"].count >= 30


def test_put_get_delete(store):
    stored = store.put("incidents", new_incident("n-1"))
    assert stored["properties"]["created"] and stored["properties"]["updated"]
    assert store.get("incidents", "n-1")["properties"]["event_type"] == "rocket_attack"
    assert "n-1" in stored_ids(store)
    assert store.delete("incidents", "n-1") is True
    assert store.get("incidents", "n-1") is None and "n-1" not in stored_ids(store)
    assert store.delete("incidents", "n-1") is False


def test_put_without_id_assigns_readable_one(store):
    stored = store.put("incidents", new_incident())
    assert stored["id"].startswith("2024-03-01-") and stored["id"] == stored["properties"]["id"]


def test_create_only_and_replace_only(store):
    with pytest.raises(Conflict):
        store.put("incidents", new_incident("t-embassy-1208"), create_only=True)
    with pytest.raises(NotFound):
        store.put("incidents", new_incident("missing"), replace_only=True)


def test_replace_keeps_created(store):
    first = store.put("incidents", new_incident("n-2"))
    time.sleep(1.1)
    second = store.put("incidents", new_incident("n-2", day="2024-03-02"))
    assert second["properties"]["created"] == first["properties"]["created"]
    assert second["properties"]["updated"] > first["properties"]["updated"]


def test_invalid_feature_is_not_stored(store):
    before = stored(store)
    bad = new_incident("bad")
    bad["properties"]["event_type"] = "bombing"
    with pytest.raises(ValidationError, match="event_type"):
        store.put("incidents", bad)
    assert stored(store) == before


def test_put_many_is_all_or_nothing(store):
    before = stored(store)
    batch = [new_incident(f"b-{i}") for i in range(10)]
    batch[6]["properties"]["killed"] = -3
    with pytest.raises(ValidationError, match=r"features\[6\]\.killed"):
        store.put_many("incidents", batch)
    assert stored(store) == before


def test_put_many_reports_added_replaced_unchanged(store):
    original = store.get("incidents", "t-tanf-1001")
    changed = store.get("incidents", "t-harir-1018")
    changed["properties"]["killed"] = 1
    summary = store.put_many("incidents", [new_incident("b-new"), original, changed])
    assert (summary.added, summary.replaced, summary.unchanged) == (["b-new"], ["t-harir-1018"], ["t-tanf-1001"])


@pytest.mark.parametrize("call", ["fsync", "write"])
def test_failed_write_leaves_old_files_and_no_temp(geojson_store, monkeypatch, call):
    geojson_store.compact("incidents")  # the test data's file, rewritten as the store writes it
    before = geojson_store.path("incidents").read_bytes()
    journal = geojson_store.data_dir / "incidents.history.jsonl"
    journal_before = journal.read_bytes() if journal.exists() else b""

    def crash(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, call, crash)
    with pytest.raises(StoreUnavailable, match="No space left"):
        geojson_store.put("incidents", new_incident("n-3"))
    monkeypatch.undo()
    assert geojson_store.path("incidents").read_bytes() == before
    assert (journal.read_bytes() if journal.exists() else b"") == journal_before
    assert not [p for p in geojson_store.data_dir.iterdir() if p.suffix == ".tmp"]
    assert geojson_store.get("incidents", "n-3") is None
    assert GeoJSONStore(geojson_store.data_dir).get("incidents", "n-3") is None


@pytest.mark.parametrize("call", ["mkstemp", "open"])
def test_read_only_folder_gives_503_and_reads_work(geojson_store, monkeypatch, call):
    import tempfile

    real_open = os.open

    def read_only(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    def open_read_only(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            read_only()
        return real_open(path, flags, *args, **kwargs)

    if call == "mkstemp":  # the test data's file names no seq: the first write rewrites it
        monkeypatch.setattr(tempfile, "mkstemp", read_only)
    else:
        monkeypatch.setattr(os, "open", open_read_only)
    with pytest.raises(StoreUnavailable, match="Read-only"):
        geojson_store.put("incidents", new_incident("n-4"))
    assert geojson_store.get("incidents", "t-tanf-1001") is not None
    assert geojson_store.query("incidents", Query()).number_matched == 13


def test_change_on_disk_is_seen(geojson_store, data_dir):
    assert geojson_store.get("incidents", "n-5") is None
    other = GeoJSONStore(data_dir)  # another process, in effect
    other.put("incidents", new_incident("n-5"))
    assert geojson_store.get("incidents", "n-5") is not None
    assert geojson_store.query("incidents", parse_query({"limit": "1000"})).number_matched == 14


def test_query_returns_serialised_page(store):
    result = store.query("incidents", Query(limit=2, sortby=[("date", False)]))
    assert result.number_matched == 13
    assert [f["id"] for f in result.features()] == ["t-tanf-1001", "t-harir-1018"]


def test_unknown_collection(store):
    with pytest.raises(NotFound, match="no collection"):
        store.query("nope", Query())


def _writer(data_dir: str, prefix: str, count: int) -> None:
    store = GeoJSONStore(data_dir)
    for i in range(count):
        store.put("incidents", new_incident(f"{prefix}-{i}"))


def test_two_processes_writing_at_once_lose_nothing(geojson_store, data_dir):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(data_dir), name, 40)) for name in ("p", "q")]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    ids = file_ids(geojson_store)
    assert len(ids) == len(set(ids)) == 13 + 80
    assert {f"p-{i}" for i in range(40)} | {f"q-{i}" for i in range(40)} <= set(ids)


def test_file_written_by_the_store_reads_back_line_by_line(geojson_store, data_dir):
    geojson_store.put("incidents", new_incident("n-6"))
    geojson_store.compact("incidents")
    text = geojson_store.path("incidents").read_text()
    assert text.count("\n") == 13 + 1 + 2  # header, one line per feature, footer
    fresh = GeoJSONStore(data_dir)
    assert fresh.query("incidents", Query(limit=1000)).number_matched == 14


def test_hand_edited_file_with_our_header_still_loads(geojson_store, data_dir):
    features = json.loads(geojson_store.path("incidents").read_text())["features"]
    pretty = '{"type": "FeatureCollection", "features": [\n' + json.dumps(features, indent=2)[1:-1] + "\n]}\n"
    geojson_store.path("incidents").write_text(pretty)
    assert GeoJSONStore(data_dir).get("incidents", "t-tanf-1001") is not None


def test_corrupt_file_is_a_clear_error(data_dir):
    from geo.store.geojson import StoreCorrupt

    (data_dir / "incidents.geojson").write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(StoreCorrupt, match="incidents.geojson is not valid JSON"):
        GeoJSONStore(data_dir).query("incidents", Query())
