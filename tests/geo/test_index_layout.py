"""The index's compact layout: one buffer for every feature, text search built when first asked."""

from __future__ import annotations

import orjson

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
    assert shared_store({"STORE": "postgresql://nobody@127.0.0.1:1/none"}) is None
