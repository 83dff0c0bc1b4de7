"""The embedded store's journal: a write appends only its change; a checkpoint is compacted now and then."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal

import orjson
import pytest
from click.testing import CliRunner

from geo import index as index_module
from geo.cli import cli
from geo.index import FeatureIndex
from geo.query import Query
from geo.store import geojson as geojson_module
from geo.store.geojson import GeoJSONStore


def incident(fid: str, notes: str = "journal test", lon: float = 44.3) -> dict:
    return {"type": "Feature", "id": fid, "geometry": {"type": "Point", "coordinates": [lon, 33.3]},
            "properties": {"date": "2024-02-01", "event_type": "rocket_attack", "country_code": "IQ",
                           "notes": notes}}


def ids(store: GeoJSONStore) -> set[str]:
    return {f["id"] for f in store.query("incidents", Query(limit=10**6)).features()}


def journal(data_dir) -> bytes:
    return (data_dir / "incidents.history.jsonl").read_bytes()


def test_a_write_appends_to_the_journal_and_leaves_the_checkpoint_alone(geojson_store, data_dir):
    geojson_store.compact("incidents")
    checkpoint = geojson_store.path("incidents").read_bytes()
    geojson_store.put("incidents", incident("j-1"))
    assert geojson_store.path("incidents").read_bytes() == checkpoint
    assert b'"id":"j-1"' in journal(data_dir).splitlines()[-1]
    assert "j-1" in ids(GeoJSONStore(data_dir))  # a new process replays the journal on open


@pytest.mark.parametrize("tail", [
    b'{"seq":99,"last":99,"id":"torn","action":"create","after":{"type":"Fea',  # cut mid-line
    b'\x00\x00\x00\x00\n',  # a block the crash left unwritten
    b'{"seq":99,"last":100,"id":"half","action":"create","at":"x","collection":"incidents",'
    b'"actor":null,"note":null,"before":null,"after":null}\n',  # a write of two changes, one there
])
def test_a_torn_or_unfinished_journal_tail_is_ignored_then_cut_off(geojson_store, data_dir, tail):
    geojson_store.put("incidents", incident("j-2"))
    before = journal(data_dir)
    with open(data_dir / "incidents.history.jsonl", "ab") as out:
        out.write(tail)
    fresh = GeoJSONStore(data_dir)
    assert "j-2" in ids(fresh) and len(ids(fresh)) == 14
    assert [c.fid for c in fresh.history("incidents")][-1] == "j-2"
    fresh.put("incidents", incident("j-3"))
    lines = journal(data_dir).splitlines()
    assert journal(data_dir).startswith(before) and len(lines) == before.count(b"\n") + 1
    assert [json.loads(line)["seq"] for line in lines] == list(range(1, len(lines) + 1))
    assert ids(GeoJSONStore(data_dir)) >= {"j-2", "j-3"}


def test_a_write_of_many_changes_counts_only_when_whole(geojson_store, data_dir):
    geojson_store.put_many("incidents", [incident(f"m-{i}") for i in range(3)])
    whole = journal(data_dir)
    (data_dir / "incidents.history.jsonl").write_bytes(whole[:whole.rfind(b"\n", 0, len(whole) - 1) + 1])
    assert not {"m-0", "m-1", "m-2"} & ids(GeoJSONStore(data_dir))  # all or nothing


def _write_then_die_while_compacting(data_dir: str, count: int, out) -> None:
    geojson_module.COMPACT_CHANGES = 5
    store = GeoJSONStore(data_dir)

    def die(*args):
        os.kill(os.getpid(), signal.SIGKILL)

    os.replace = die  # a new checkpoint is written and fsynced; the process is killed before its rename
    for i in range(count):
        store.put("incidents", incident(f"k-{i}"))
        out.send(i)  # acknowledged
    store.compact("incidents")


def test_a_crash_between_journal_append_and_compaction_loses_nothing(geojson_store, data_dir):
    geojson_store.compact("incidents")
    checkpoint = geojson_store.path("incidents").read_bytes()
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    proc = context.Process(target=_write_then_die_while_compacting, args=(str(data_dir), 20, send))
    proc.start()
    send.close()
    acknowledged = set()
    while True:
        try:
            acknowledged.add(f"k-{receive.recv()}")
        except EOFError:
            break
    proc.join(120)
    assert proc.exitcode == -signal.SIGKILL and len(acknowledged) >= 5
    assert geojson_store.path("incidents").read_bytes() == checkpoint  # the old checkpoint, whole
    assert acknowledged <= ids(GeoJSONStore(data_dir))
    assert ids(geojson_store) == ids(GeoJSONStore(data_dir))


def _write_then_die_writing_a_checkpoint(data_dir: str, count: int, out) -> None:
    store = GeoJSONStore(data_dir)
    for i in range(count):
        store.put("incidents", incident(f"t-{i}"))
        out.send(i)  # acknowledged

    def die(*args):
        os.kill(os.getpid(), signal.SIGKILL)

    os.fsync = die  # the new checkpoint's temporary is written; the process dies before it is on disk
    store.compact("incidents")


def temporaries(data_dir) -> list[str]:
    return sorted(p.name for p in data_dir.glob(".incidents.*.tmp"))


def test_a_compaction_killed_mid_write_leaves_a_temporary_the_next_open_removes(geojson_store, data_dir):
    geojson_store.compact("incidents")
    checkpoint = geojson_store.path("incidents").read_bytes()
    (data_dir / ".tokens.keepme.tmp").write_bytes(b"not the store's")
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    proc = context.Process(target=_write_then_die_writing_a_checkpoint, args=(str(data_dir), 3, send))
    proc.start()
    send.close()
    acknowledged = set()
    while True:
        try:
            acknowledged.add(f"t-{receive.recv()}")
        except EOFError:
            break
    proc.join(120)
    assert proc.exitcode == -signal.SIGKILL and len(acknowledged) == 3
    assert len(temporaries(data_dir)) == 1
    reopened = GeoJSONStore(data_dir)
    assert acknowledged <= ids(reopened)  # opening (the first read) cleans up
    assert temporaries(data_dir) == [] and (data_dir / ".tokens.keepme.tmp").exists()
    assert geojson_store.path("incidents").read_bytes() == checkpoint
    assert ids(reopened) == ids(geojson_store)


@pytest.mark.parametrize("lock", [".incidents.compact.lock", ".incidents.lock"])
def test_a_temporary_is_left_alone_while_a_process_may_be_writing_it(data_dir, lock):
    from geo.fileio import held

    (data_dir / ".incidents.a1b2c3d4.tmp").write_bytes(b'{"type": "FeatureCollection", "hist')
    with held(data_dir / lock, 5):  # as a compaction (or a write making a checkpoint) holds it
        assert len(ids(GeoJSONStore(data_dir))) == 13
        assert temporaries(data_dir) == [".incidents.a1b2c3d4.tmp"]
    assert len(ids(GeoJSONStore(data_dir))) == 13
    assert temporaries(data_dir) == []


def _write_many(data_dir: str, prefix: str, count: int) -> None:
    geojson_module.COMPACT_CHANGES = 15  # compact in the background every 15 changes
    store = GeoJSONStore(data_dir)
    for i in range(count):
        store.put("incidents", incident(f"{prefix}-{i}", lon=44 + i / 1000))
        if i % 10 == 0:
            store.delete("incidents", f"{prefix}-{i}")


def _compact_and_read(data_dir: str, rounds: int, out) -> None:
    store = GeoJSONStore(data_dir)
    seen = []
    for _ in range(rounds):
        store.compact("incidents")
        seen.append(len(ids(store)))
        seen.append(len(ids(GeoJSONStore(data_dir))))
    out.send(seen)


def test_compaction_under_writers_and_readers_in_other_processes(geojson_store, data_dir):
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    writers = [context.Process(target=_write_many, args=(str(data_dir), p, 120)) for p in ("a", "b")]
    compactor = context.Process(target=_compact_and_read, args=(str(data_dir), 15, send))
    for proc in (*writers, compactor):
        proc.start()
    seen = receive.recv()
    for proc in (*writers, compactor):
        proc.join(180)
        assert proc.exitcode == 0
    assert seen == sorted(seen) or all(13 <= n <= 13 + 2 * 108 for n in seen)
    expected = {f"{p}-{i}" for p in "ab" for i in range(120) if i % 10}
    assert ids(geojson_store) - ids_of_test_data() == expected
    assert ids(GeoJSONStore(data_dir)) - ids_of_test_data() == expected
    seq, count = geojson_store.compact("incidents")
    on_disk = json.loads(geojson_store.path("incidents").read_text())
    assert count == len(on_disk["features"]) == 13 + len(expected) and on_disk["history_seq"] == seq
    assert seq == json.loads(journal(data_dir).splitlines()[-1])["seq"]


def ids_of_test_data() -> set[str]:
    from tests.conftest import TEST_DATA

    return {f["id"] for f in json.loads((TEST_DATA / "incidents.geojson").read_text())["features"]}


def test_a_write_in_another_process_is_seen_by_the_next_read(geojson_store, data_dir):
    assert "p-0" not in ids(geojson_store)
    proc = multiprocessing.get_context("spawn").Process(target=_write_many, args=(str(data_dir), "p", 3))
    proc.start()
    proc.join(60)
    assert geojson_store.get("incidents", "p-1")["properties"]["notes"] == "journal test"
    assert geojson_store.get("incidents", "p-0") is None  # deleted again


def test_db_compact_rewrites_the_checkpoint(geojson_store, data_dir):
    geojson_store.put("incidents", incident("c-1"))
    geojson_store.delete("incidents", "t-tanf-1001")
    result = CliRunner().invoke(cli, ["db", "compact", "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "incidents: 13 features" in result.output
    on_disk = {f["id"] for f in json.loads(geojson_store.path("incidents").read_text())["features"]}
    assert on_disk == ids(geojson_store) and "c-1" in on_disk and "t-tanf-1001" not in on_disk


@pytest.mark.parametrize("folder, code, message", [
    ("missing", 1, "is not an incidentmap data folder"),
    ("", 2, "--data is empty"),
    ("a-file", 1, "is not an incidentmap data folder"),
])
def test_db_compact_on_a_bad_folder_is_a_clear_error(tmp_path, folder, code, message):
    (tmp_path / "a-file").write_text("x")
    where = str(tmp_path / folder) if folder else ""
    result = CliRunner().invoke(cli, ["db", "compact", "--data", where])
    assert result.exit_code == code and message in result.output
    assert "Traceback" not in result.output


def test_export_and_the_api_give_plain_geojson_of_the_journal(data_dir, tmp_path, client):
    GeoJSONStore(data_dir).put("incidents", incident("e-1", "only in the journal"))
    out = tmp_path / "out.geojson"
    result = CliRunner().invoke(cli, ["export", "--data", str(data_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    exported = json.loads(out.read_text())
    assert exported["type"] == "FeatureCollection" and "history_seq" not in exported
    assert "e-1" in {f["id"] for f in exported["features"]}
    page = client.get("/collections/incidents/items?limit=1000&f=json").get_json()
    assert "e-1" in {f["id"] for f in page["features"]} and page["numberMatched"] == 14
    assert client.get("/collections/incidents/items/e-1?f=json").get_json()["properties"]["notes"] == \
        "only in the journal"


def test_index_changes_through_merges_and_branches_match_a_rebuild(monkeypatch):
    monkeypatch.setattr(index_module, "_CONSOLIDATE_AFTER", 3)
    monkeypatch.setattr(index_module, "_DEAD_LIMIT", 8)
    features = {f"x-{i:02d}": incident(f"x-{i:02d}", lon=44 + i / 100) for i in range(20)}
    base = FeatureIndex.from_features(features.values())
    index = base
    for step in range(40):
        fid = f"x-{(step * 7) % 25:02d}"
        if step % 4 == 3:
            features.pop(fid, None)
            index = index.with_changes([(fid, None)])
        else:
            features[fid] = incident(fid, f"step {step}", lon=44 + step / 50)
            index = index.with_changes([(fid, orjson.dumps(features[fid]))])
        rebuilt = FeatureIndex.from_features(features.values())
        for query in (Query(limit=100), Query(sortby=[("id", True)], limit=100),
                      Query(bbox=(44.0, 33.0, 44.4, 34.0), limit=100)):
            assert [index.ids[i] for i in index.page(query).positions] == \
                [rebuilt.ids[i] for i in rebuilt.page(query).positions]
        assert len(index) == len(features)
    # an older index is unchanged by the newer ones, and can itself be changed (on a copy)
    assert len(base) == 20 and orjson.loads(base.get("x-07"))["properties"]["notes"] == "journal test"
    branch = base.with_changes([("x-07", None)])
    assert branch.get("x-07") is None and len(branch) == 19 and base.get("x-07") is not None
