"""The append-only history every store keeps: one entry per real change, who made it, before and after."""

from __future__ import annotations

import copy
import multiprocessing

import orjson
import pytest

from geo.store.geojson import GeoJSONStore


def incident(fid: str, **props) -> dict:
    base = {"date": "2024-03-01", "event_type": "rocket_attack", "location": "Erbil", "killed": 0}
    return {"type": "Feature", "id": fid, "geometry": {"type": "Point", "coordinates": [44.0, 36.19]},
            "properties": {**base, **props}}


def test_create_replace_delete_are_recorded_with_actor_and_values(store):
    store.put("incidents", incident("h-1"), actor="alice")
    store.put("incidents", incident("h-1", killed=2), actor="bob", note="second source")
    assert store.delete("incidents", "h-1", actor="carol")
    changes = store.history("incidents", "h-1")
    assert [(c.action, c.actor) for c in changes] == [("create", "alice"), ("replace", "bob"), ("delete", "carol")]
    assert changes[0].before is None and changes[0].after["properties"]["killed"] == 0
    assert changes[1].changed() == ["killed"] and changes[1].note == "second source"
    assert changes[1].before["properties"]["killed"] == 0 and changes[1].after["properties"]["killed"] == 2
    assert changes[2].before["properties"]["killed"] == 2 and changes[2].after is None
    assert changes[0].seq < changes[1].seq < changes[2].seq
    assert all(c.at.endswith("Z") for c in changes)


def test_storing_the_same_feature_again_records_nothing(store):
    store.put("incidents", incident("h-2"), actor="alice")
    store.put("incidents", incident("h-2"), actor="alice")
    summary = store.put_many("incidents", [incident("h-2")], actor="alice")
    assert summary.unchanged == ["h-2"]
    assert len(store.history("incidents", "h-2")) == 1


def test_batch_records_one_entry_per_added_or_replaced_feature(store):
    store.put("incidents", incident("h-3"))
    summary = store.put_many("incidents", [incident("h-3", killed=1), incident("h-4"), incident("h-5")],
                             actor="importer", note="batch")
    assert summary.replaced == ["h-3"] and summary.added == ["h-4", "h-5"]
    last = store.history("incidents")[-3:]
    assert [(c.fid, c.action, c.actor, c.note) for c in last] == [
        ("h-3", "replace", "importer", "batch"), ("h-4", "create", "importer", "batch"),
        ("h-5", "create", "importer", "batch")]


def test_collection_history_pages_by_seq(store):
    for i in range(5):
        store.put("incidents", incident(f"h-p{i}"))
    everything = store.history("incidents")
    first = store.history("incidents", after_seq=0, limit=2)
    rest = store.history("incidents", after_seq=first[-1].seq, limit=1000)
    assert [c.seq for c in first + rest] == [c.seq for c in everything]


def test_a_failed_write_records_nothing(store):
    store.put("incidents", incident("h-6"))
    before = store.history("incidents")
    bad = incident("h-7")
    bad["geometry"]["coordinates"] = [500, 0]
    try:
        store.put_many("incidents", [incident("h-8"), bad])
    except Exception:
        pass
    assert store.history("incidents") == before
    assert store.get("incidents", "h-8") is None


def test_deleting_what_is_not_there_records_nothing(store):
    count = len(store.history("incidents"))
    assert store.delete("incidents", "never-was", actor="x") is False
    assert len(store.history("incidents")) == count


# ---- the embedded store's log file -----------------------------------------------------------

def test_a_torn_last_line_is_cut_off_by_the_next_write(data_dir):
    store = GeoJSONStore(data_dir)
    store.put("incidents", incident("t-1"), actor="a")
    log = data_dir / "incidents.history.jsonl"
    good = log.read_bytes()
    with open(log, "ab") as out:  # a crash in the middle of appending the next entry
        out.write(b'{"seq":2,"id":"t-2","action":"create","at":"2026-')
    assert [c.fid for c in GeoJSONStore(data_dir).history("incidents")] == ["t-1"]
    store = GeoJSONStore(data_dir)
    store.put("incidents", incident("t-3"), actor="b")
    lines = log.read_bytes().splitlines()
    assert log.read_bytes().startswith(good)
    assert [orjson.loads(line)["seq"] for line in lines] == [1, 2]
    assert [c.fid for c in store.history("incidents")] == ["t-1", "t-3"]


def test_history_is_only_ever_appended(data_dir):
    store = GeoJSONStore(data_dir)
    log = data_dir / "incidents.history.jsonl"
    store.put("incidents", incident("a-1"))
    first = log.read_bytes()
    store.put("incidents", incident("a-1", killed=9))
    store.delete("incidents", "a-1")
    assert log.read_bytes().startswith(first)


def _writer(folder: str, prefix: str, n: int) -> None:
    store = GeoJSONStore(folder)
    for i in range(n):
        store.put("incidents", incident(f"{prefix}-{i}"), actor=prefix)


def test_processes_writing_at_once_get_distinct_increasing_seqs(data_dir):
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_writer, args=(str(data_dir), name, 15)) for name in ("p", "q", "r")]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    changes = GeoJSONStore(data_dir).history("incidents")
    assert [c.seq for c in changes] == list(range(1, 46))
    assert sorted(c.fid for c in changes) == sorted(f"{p}-{i}" for p in "pqr" for i in range(15))


def test_history_reads_see_entries_written_by_another_process(data_dir):
    reader = GeoJSONStore(data_dir)
    assert reader.history("incidents") == []
    _writer(str(data_dir), "o", 2)
    assert [c.fid for c in reader.history("incidents")] == ["o-0", "o-1"]
    kept = copy.deepcopy(reader.history("incidents", "o-1")[0].after)
    assert kept["properties"]["location"] == "Erbil"


@pytest.mark.parametrize("tail, last", [
    (b"", 7),  # whole writes only
    (b'{"seq":8,"last":8,"id":"h-8","act', 7),  # a torn line
    (b'{"seq":8,"last":9,"id":"h-8","action":"create","before":null,"after":null}\n', 7),  # a write missing its last line
    (b"".join(b'{"seq":%d,"last":20,"id":"h-%d","note":"%s","before":null,"after":null}\n' % (k, k, b"y" * 300)
              for k in range(8, 14)), 7),  # an unfinished write many chunks long
])
def test_the_last_whole_write_is_found_from_the_end_of_the_journal(data_dir, monkeypatch, tail, last):
    """What a checkpoint that names no seq is taken to hold: the journal up to its last whole write,
    found by reading back from the end (in chunks far smaller than the journal here)."""
    from geo.store import history as history_module

    monkeypatch.setattr(history_module, "_CHUNK", 64)
    store = GeoJSONStore(data_dir)
    store.put("incidents", incident("h-0"))
    store.put_many("incidents", [incident(f"h-{i}", notes="x" * 200) for i in range(1, 7)])  # lines longer than a chunk
    path = data_dir / "incidents.history.jsonl"
    whole = path.read_bytes()
    path.write_bytes(whole + tail)
    log = history_module.HistoryLog(path, "incidents")
    seq, end, inode = log.last_whole_write()
    entries, expected_end = history_module.committed(whole + tail)
    assert (seq, end, inode) == (entries[-1][1]["seq"], expected_end, path.stat().st_ino) == (last, len(whole), inode)
