"""The index's compact layout: one buffer for every feature, text search built when first asked."""

from __future__ import annotations

from datetime import date

import orjson
import pytest

from geo.index import FeatureIndex, RawRows
from geo.query import Query
from geo.store.geojson import GeoJSONStore, line_rows


def feature(fid: str, notes: str, perpetrator: str | None = None) -> dict:
    return {"type": "Feature", "id": fid, "geometry": {"type": "Point", "coordinates": [44.0, 33.0]},
            "properties": {"date": "2024-01-01", "event_type": "other", "notes": notes, "perpetrator": perpetrator}}


def test_rows_are_slices_of_one_buffer_and_read_back_whole():
    features = [feature(f"f{i}", "é" * i) for i in range(5)]
    index = FeatureIndex.from_features(features)
    assert isinstance(index.raw, RawRows) and isinstance(index.raw.buffer, bytes)
    assert [orjson.loads(raw) for raw in index.raw] == features
    assert orjson.loads(index.raw[3]) == features[3] and len(index.raw[1:3]) == 2


def test_text_search_never_matches_across_two_features():
    index = FeatureIndex.from_features([feature("a", "ends with rock"), feature("b", "et attack")])
    assert list(index.match(Query(text={"q": "rocket"}))) == []
    assert [index.ids[i] for i in index.match(Query(text={"q": "rock"}))] == ["a"]


def test_text_search_finds_every_row_with_all_words_in_any_field():
    index = FeatureIndex.from_features([
        feature("a", "Rocket attack on the base", "Kataib Hezbollah"),
        feature("b", "rocket fell short"),
        feature("c", "drone attack", "kataib hezbollah"),
        feature("d", "ROCKET and drone attack"),
    ])
    def ids(**text):
        return sorted(index.ids[i] for i in index.match(Query(text=text)))
    assert ids(q="rocket") == ["a", "b", "d"]
    assert ids(q="rocket attack") == ["a", "d"]
    assert ids(q="kataib rocket") == ["a"]
    assert ids(perpetrator="kataib") == ["a", "c"]
    assert ids(q="attack", perpetrator="hezbollah") == ["a", "c"]


def test_a_store_file_is_indexed_without_a_copy_per_line(data_dir):
    store = GeoJSONStore(data_dir)
    store.put("incidents", feature("extra", "a line of its own"))
    store.compact("incidents")
    data = (data_dir / "incidents.geojson").read_bytes()
    rows = line_rows(data)
    assert rows is not None and rows.buffer is data
    assert [orjson.loads(r)["id"] for r in rows][-1] == "extra"
    assert line_rows(b'{"type":"FeatureCollection","features":[]}') is None
    assert store.warm() == {"incidents": len(rows), "sites": len(store._index("sites"))}


def test_the_server_indexes_a_folder_once_before_forking(data_dir):
    from webapp.server import shared_store

    config = shared_store({"DATA": str(data_dir)})
    assert isinstance(config["STORE"], GeoJSONStore) and config["DATA"] == str(data_dir)
    assert shared_store({"STORE": "postgresql://nobody@127.0.0.1:1/none", "STORE_CACHE": False}) is None


def test_applying_changes_gives_the_index_a_rebuild_would(data_dir):
    import random

    from geo.query import Query

    rng = random.Random(7)
    features = {f"r-{i:03d}": feature(f"r-{i:03d}", f"note {i}") for i in rng.sample(range(400), 120)}
    index = FeatureIndex.from_features(features.values())
    types = ["rocket_attack", "airstrike", "drone_attack"]
    for _ in range(120):
        changes = []
        for _ in range(rng.randint(1, 4)):
            fid = f"r-{rng.randrange(400):03d}"
            if rng.random() < 0.3:
                features.pop(fid, None)
                changes.append((fid, None))
            else:
                changed = feature(fid, f"now {rng.random()}", rng.choice([None, "Kataib"]))
                changed["properties"]["event_type"] = rng.choice(types + [f"kind-{rng.randrange(3)}"])
                changed["geometry"]["coordinates"] = [44 + rng.random(), 33 + rng.random()]
                features[fid] = changed
                changes.append((fid, orjson.dumps(changed)))
        index = index.with_changes(changes)
        rebuilt = FeatureIndex.from_features(features.values())
        for query in (Query(limit=10_000), Query(bbox=(44.2, 33.1, 44.8, 33.9), limit=10_000),
                      Query(exact={"event_type": ("airstrike", "kind-1")}, limit=10_000),
                      Query(text={"perpetrator": "kataib"}, limit=10_000),
                      Query(sortby=[("date", True)], limit=10_000)):
            assert [index.ids[i] for i in index.page(query).positions] == \
                [rebuilt.ids[i] for i in rebuilt.page(query).positions]
        assert {k: orjson.loads(index.get(k)) for k in features} == features


def test_a_second_process_catches_up_from_the_history_without_rebuilding(data_dir, monkeypatch):
    writer, reader = GeoJSONStore(data_dir), GeoJSONStore(data_dir)
    writer.put("incidents", feature("c-1", "first"))
    assert reader.get("incidents", "c-1")["properties"]["notes"] == "first"
    builds = []
    original = GeoJSONStore._build_index
    monkeypatch.setattr(GeoJSONStore, "_build_index", lambda self, path: builds.append(path) or original(self, path))
    writer.put("incidents", feature("c-1", "second"))
    writer.put("incidents", feature("c-2", "new"))
    writer.delete("incidents", "t-embassy-1208")
    assert reader.get("incidents", "c-1")["properties"]["notes"] == "second"
    assert reader.get("incidents", "c-2") is not None and reader.get("incidents", "t-embassy-1208") is None
    assert builds == []
    # a checkpoint another process compacted is taken as it is; one edited by hand is read whole
    writer.compact("incidents")
    assert reader.get("incidents", "c-2")["properties"]["notes"] == "new" and builds == []
    data = (data_dir / "incidents.geojson").read_bytes()
    (data_dir / "incidents.geojson").write_bytes(data.replace(b'"new"', b'"edited by hand"'))
    assert reader.get("incidents", "c-2")["properties"]["notes"] == "edited by hand"
    assert len(builds) == 1


def test_pages_after_many_changes_are_the_pages_a_rebuild_gives(monkeypatch):
    """Rows added since the id order was last merged (the tail), dead rows, a first page picked
    among many matches without a full sort, offsets, cursors and sort keys: all as a rebuild."""
    import random

    import geo.index as index_module

    monkeypatch.setattr(index_module, "_CONSOLIDATE_AFTER", 40)
    rng = random.Random(11)

    def placed(fid: str, k: int) -> dict:
        made = feature(fid, f"version {k}")
        made["geometry"]["coordinates"] = [44 + rng.random(), 33 + rng.random()]
        made["properties"]["date"] = f"2024-01-{rng.randint(1, 28):02d}"
        return made

    names = [f"{rng.getrandbits(40):010x}" for _ in range(600)]  # ids in no particular order
    features = {fid: placed(fid, 0) for fid in names[:300]}
    index = FeatureIndex.from_features(features.values())
    queries = [Query(limit=5), Query(limit=7, offset=11), Query(bbox=(44.0, 33.0, 44.6, 33.7), limit=3),
               Query(time_start=1704153600, time_end=1704758399, limit=4, offset=2),
               Query(sortby=[("id", True)], limit=6), Query(sortby=[("date", False)], limit=9, offset=3)]
    for step in range(150):
        changes = []
        for _ in range(rng.choice([1, 1, 1, 3, 30])):
            fid = rng.choice(names)
            if rng.random() < 0.2:
                features.pop(fid, None)
                changes.append((fid, None))
            else:
                features[fid] = placed(fid, step)
                changes.append((fid, orjson.dumps(features[fid])))
        index = index.with_changes(changes)
        if step % 10:
            continue
        rebuilt = FeatureIndex.from_features(features.values())
        for query in queries:
            got, expected = index.page(query), rebuilt.page(query)
            assert [index.ids[i] for i in got.positions] == [rebuilt.ids[i] for i in expected.positions]
            assert (got.number_matched, got.next_cursor) == (expected.number_matched, expected.next_cursor)
        walked, cursor = [], None  # keyset pages through everything
        while True:
            page = index.page(Query(limit=50, cursor=cursor))
            walked += [index.ids[i] for i in page.positions]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert walked == sorted(features)


DAY = 86_400


@pytest.mark.parametrize("query", [
    Query(time_start=19_725 * DAY, time_end=19_727 * DAY - 1,  # two days: few rows left, the rest on those
          bbox=(170.0, 33.2, -170.0, 33.8), exact={"event_type": ("rocket_attack",)}),
    Query(time_start=19_725 * DAY, time_end=19_731 * DAY - 1, bbox=(44.0, 33.0, 44.5, 33.5),
          exact={"event_type": ("airstrike",)}, minimum={"killed": 2}),
    Query(time_start=19_700 * DAY, bbox=(44.2, 33.2, 44.9, 33.9)),  # most rows pass the first tests
    Query(bbox=(170.0, -90.0, -170.0, 90.0)),  # across the antimeridian
    Query(exact={"event_type": ("airstrike", "nothing-like-it")}, minimum={"injured": 0}),
    Query(exact={"event_type": ("nothing-like-it",)}, time_start=19_725 * DAY),
])
def test_filters_select_what_a_row_by_row_check_selects(query):
    """Whether the filters run over whole columns or, once few rows are left, over those rows
    only, after replacements and deletions (dead rows): the rows a plain check of each one keeps."""
    import random

    rng = random.Random(5)

    def made(fid: str) -> dict:
        lon = rng.choice([44 + rng.random(), 179.5, -179.5])
        day = f"2024-01-{rng.randint(1, 31):02d}" if rng.random() < 0.9 else None
        props = {"date": day, "event_type": rng.choice(["airstrike", "rocket_attack"]),
                 "killed": rng.choice([None, 0, 1, 2, 5]), "injured": rng.choice([None, 0, 3])}
        return {"type": "Feature", "id": fid, "geometry": {"type": "Point", "coordinates": [lon, 33 + rng.random()]},
                "properties": props}

    features = {f"m-{i:03d}": made(f"m-{i:03d}") for i in range(400)}
    index = FeatureIndex.from_features(features.values())
    for i in rng.sample(range(400), 120):
        fid = f"m-{i:03d}"
        if i % 3:
            features[fid] = made(fid)
            index = index.with_changes([(fid, orjson.dumps(features[fid]))])
        else:
            del features[fid]
            index = index.with_changes([(fid, None)])

    def kept(feature: dict) -> bool:
        props, (x, y) = feature["properties"], feature["geometry"]["coordinates"]
        if query.bbox is not None:
            minx, miny, maxx, maxy = query.bbox
            inside_x = minx <= x <= maxx if minx <= maxx else (x >= minx or x <= maxx)
            if not (inside_x and miny <= y <= maxy):
                return False
        if props["date"] is not None:
            start = (date.fromisoformat(props["date"]) - date(1970, 1, 1)).days * DAY
            if (query.time_start is not None and start + DAY - 1 < query.time_start) or \
                    (query.time_end is not None and start > query.time_end):
                return False
        if any(str(props.get(name)) not in values for name, values in query.exact.items()):
            return False
        return all(isinstance(props.get(name), int) and props[name] >= least
                   for name, least in query.minimum.items())

    assert sorted(index.ids[i] for i in index.match(query)) == sorted(f for f, v in features.items() if kept(v))
