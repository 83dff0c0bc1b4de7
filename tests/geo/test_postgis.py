"""The PostGIS store: the same answers as the GeoJSON store, and what only a database does
(keyset cursors over indexes, estimated counts, grid aggregates in SQL, schema migrations)."""

from __future__ import annotations

import json
import math
import multiprocessing
from collections import Counter, defaultdict

import orjson
import pytest
from click.testing import CliRunner

from geo.cli import cli
from geo.errors import InvalidParameterValue, StoreUnavailable
from geo.query import Query, parse_query


def new_incident(fid: str, day: str = "2024-03-01", **props) -> dict:
    return {"type": "Feature", "id": fid, "geometry": {"type": "Point", "coordinates": [44.4, 33.3]},
            "properties": {"date": day, "event_type": "rocket_attack", "country_code": "IQ", **props}}


@pytest.fixture
def fresh_db(pg_cluster, request) -> str:
    """An empty database (PostGIS, no incidentmap schema) named after the test."""
    return pg_cluster.create_database("t_" + request.node.name[:40].replace("[", "_").replace("]", "").lower())


# ---- the same answers as the GeoJSON store ---------------------------------------------------------

QUERIES = [
    {}, {"limit": "3"}, {"limit": "4", "offset": "5"}, {"offset": "1000"},
    {"bbox": "44,33,45,34"}, {"bbox": "170,-20,-170,-10"}, {"bbox": "179.5,-17,180,-17"},
    {"bbox": "44.396,33.299,44.396,33.299"}, {"bbox": "-180,-90,180,90,0,10"},
    {"datetime": "2023-12-08"}, {"datetime": "2023-12-08T23:59:59Z"}, {"datetime": "2024-01-01/.."},
    {"datetime": "../2023-10-18"}, {"datetime": "2023-11-15/2023-12-05"},
    {"event_type": "rocket_attack,drone_attack"}, {"status": "verified", "event_type": "airstrike"},
    {"geo_precision": "1"}, {"country_code": "SY"}, {"site_id": "nope"},
    {"perpetrator": "hezbollah"}, {"min_killed": "1"}, {"min_injured": "2", "sortby": "-killed"},
    {"q": "biap"}, {"q": "rumeilan test"}, {"q": "embassy"}, {"q": "erbil drone"}, {"q": "زز"},
    {"sortby": "date"}, {"sortby": "-date"}, {"sortby": "date_to,-id"}, {"sortby": "-date_to"},
    {"sortby": "killed"}, {"sortby": "-injured,date"}, {"sortby": "-id"}, {"sortby": "event_type,-date"},
    {"sortby": "updated", "limit": "5"}, {"sortby": "site_id", "offset": "3"}, {"sortby": "status,-killed"},
    {"bbox": "38,30,46,38", "datetime": "2023-10-01/2023-12-31", "sortby": "-date", "limit": "4"},
]
SITE_QUERIES = [
    {}, {"bbox": "44.38,33.29,44.40,33.31"}, {"bbox": "44.3,33.2,44.35,33.25"}, {"kind": "area,embassy"},
    {"sortby": "name"}, {"sortby": "-name", "limit": "7", "offset": "3"}, {"q": "bagdad"},
    {"datetime": "2024-01-01"}, {"sortby": "date"},
]


@pytest.mark.parametrize("params", QUERIES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "all")
def test_incident_queries_answer_as_the_geojson_store_does(geojson_store, pg_store, params):
    expected = geojson_store.query("incidents", parse_query(params))
    got = pg_store.query("incidents", parse_query(params))
    assert got.feature_json == expected.feature_json
    assert (got.number_matched, got.number_matched_exact) == (expected.number_matched, True)
    assert pg_store.day_counts("incidents", parse_query(params)) == \
        geojson_store.day_counts("incidents", parse_query(params))


@pytest.mark.parametrize("materialize_limit", [0, 10**9], ids=["in-order", "matches-first"])
@pytest.mark.parametrize("params", QUERIES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "all")
def test_either_plan_answers_as_the_geojson_store_does(geojson_store, pg_store, pg_url, params, materialize_limit):
    """A filter's page comes from walking the order's index, or from finding every match first and
    sorting them (what a filter expected to match few rows gets): the same bytes either way."""
    from geo.store.postgis import PostGISStore

    expected = geojson_store.query("incidents", parse_query(params))
    with PostGISStore(pg_url, materialize_limit=materialize_limit, pool_size=1) as store:
        got = store.query("incidents", parse_query(params))
    assert got.feature_json == expected.feature_json
    assert (got.number_matched, got.number_matched_exact) == (expected.number_matched, True)


@pytest.mark.parametrize("params", SITE_QUERIES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "all")
def test_site_queries_answer_as_the_geojson_store_does(geojson_store, pg_store, params):
    expected = geojson_store.query("sites", parse_query(params))
    got = pg_store.query("sites", parse_query(params))
    assert got.feature_json == expected.feature_json and got.number_matched == expected.number_matched


def test_collections_and_features_are_byte_for_byte_the_same(geojson_store, pg_store):
    assert pg_store.collections() == geojson_store.collections()
    for raw in geojson_store.query("incidents", Query(limit=1000)).feature_json:
        fid = orjson.loads(raw)["id"]
        assert orjson.dumps(pg_store.get("incidents", fid)) == raw
    assert pg_store.get("incidents", "nope") is None


def test_writes_stamp_and_summarise_as_the_geojson_store_does(geojson_store, pg_store):
    batch = [new_incident("w-1"), geojson_store.get("incidents", "t-tanf-1001"), new_incident("w-1", killed=3)]
    for store in (geojson_store, pg_store):
        summary = store.put_many("incidents", batch)
        assert (summary.added, summary.replaced, summary.unchanged) == (["w-1"], ["w-1"], ["t-tanf-1001"])
    mine, theirs = pg_store.get("incidents", "w-1"), geojson_store.get("incidents", "w-1")
    assert list(mine["properties"]) == list(theirs["properties"])
    assert {k: v for k, v in mine["properties"].items() if k not in ("created", "updated")} == \
        {k: v for k, v in theirs["properties"].items() if k not in ("created", "updated")}


# ---- keyset cursors --------------------------------------------------------------------------------

@pytest.mark.parametrize("sortby", ["", "-date", "date_to,-id", "killed", "-injured,date", "site_id", "-updated"])
def test_cursor_pages_walk_the_same_rows_as_one_big_page(pg_store, sortby):
    base = {"sortby": sortby} if sortby else {}
    everything = [f["id"] for f in pg_store.query("incidents", parse_query({**base, "limit": "100"})).features()]
    walked, cursor = [], None
    while True:
        params = {**base, "limit": "3", **({"cursor": cursor} if cursor else {})}
        result = pg_store.query("incidents", parse_query(params))
        walked += [f["id"] for f in result.features()]
        cursor = result.next_cursor
        assert result.number_matched == 13
        if cursor is None:
            break
    assert walked == everything and len(walked) == 13


@pytest.mark.parametrize("materialize_limit", [0, 10**9], ids=["in-order", "matches-first"])
@pytest.mark.parametrize("sortby", ["", "-date", "date_to,-id", "killed", "-injured,date", "site_id", "id,-date"])
def test_cursor_pages_over_a_filter_walk_its_matches_under_either_plan(geojson_store, pg_store, pg_url, sortby,
                                                                        materialize_limit):
    from geo.store.postgis import PostGISStore

    base = {"bbox": "30,20,50,40", "datetime": "2023-11-01/..", **({"sortby": sortby} if sortby else {})}
    everything = [f["id"] for f in geojson_store.query("incidents", parse_query({**base, "limit": "100"})).features()]
    walked, cursor = [], None
    with PostGISStore(pg_url, materialize_limit=materialize_limit, pool_size=1) as store:
        while True:
            result = store.query("incidents", parse_query({**base, "limit": "2", **({"cursor": cursor} if cursor else {})}))
            walked += [f["id"] for f in result.features()]
            assert (result.number_matched, result.number_matched_exact) == (len(everything), True)
            cursor = result.next_cursor
            if cursor is None:
                break
    assert walked == everything and len(walked) > 4


def test_cursor_pages_agree_with_offset_pages(pg_store):
    for offset in range(0, 13, 4):
        by_offset = pg_store.query("incidents", parse_query({"sortby": "-date", "limit": "4", "offset": str(offset)}))
        if by_offset.next_cursor:
            after = pg_store.query("incidents", parse_query(
                {"sortby": "-date", "limit": "4", "cursor": by_offset.next_cursor}))
            following = pg_store.query("incidents", parse_query(
                {"sortby": "-date", "limit": "4", "offset": str(offset + 4)}))
            assert after.feature_json == following.feature_json


@pytest.mark.parametrize("cursor, words", [
    ("bm90LWEtY3Vyc29y", "not one this server made"),
    ("eyJ2IjoxLCJzIjoiLWRhdGUiLCJrIjpbMV0sImlkIjoieCJ9", "made for sortby"),  # a -date cursor used with id
    ("eyJ2IjoxLCJzIjoiIiwiayI6W10sImlkIjo1fQ", "not one this server made"),  # id not a string
])
def test_malformed_cursor_is_an_invalid_parameter(pg_store, cursor, words):
    with pytest.raises(InvalidParameterValue, match=words):
        pg_store.query("incidents", parse_query({"cursor": cursor, "sortby": "id"} if "sortby" in words
                                                else {"cursor": cursor}))


def test_cursor_with_values_of_the_wrong_type_is_refused(pg_store):
    from geo.cursor import encode_cursor

    cursor = encode_cursor([("date", True)], ["yesterday"], "t-tanf-1001")
    with pytest.raises(InvalidParameterValue, match="does not fit"):
        pg_store.query("incidents", parse_query({"sortby": "-date", "cursor": cursor}))


def test_deep_keyset_page_is_an_index_range_scan(pg_store):
    from psycopg import sql

    from geo.store import pg_sql

    query = parse_query({"sortby": "-date", "limit": "10"})
    keys = pg_sql.sort_columns(query)
    [part, _] = pg_sql.keyset_parts(keys, [1_700_000_000], "t-x")
    statement = sql.SQL("EXPLAIN SELECT doc FROM incidents WHERE {} ORDER BY {} LIMIT 10").format(
        part, pg_sql.order_by(keys))
    with pg_store._connect(pg_store._pool) as conn, conn.transaction():
        conn.execute("SET LOCAL enable_seqscan = off")  # 13 rows: the planner would rightly scan them
        plan = "\n".join(row[0] for row in conn.execute(statement))
    assert "incidents_sort_from_desc" in plan and "Index Cond" in plan and "Sort" not in plan.split("->")[0]


def test_bbox_and_time_query_is_found_through_the_gist_index_on_place_and_time(pg_store):
    from psycopg import sql

    from geo.store import pg_sql

    query = parse_query({"bbox": "44,33,45,34", "datetime": "2023-11-15/2023-12-05"})
    statement = sql.SQL("EXPLAIN SELECT fid FROM incidents WHERE {}").format(pg_sql.where(query))
    with pg_store._connect(pg_store._pool) as conn, conn.transaction():
        conn.execute("SET LOCAL enable_seqscan = off")  # 13 rows: the planner would rightly scan them
        plan = "\n".join(row[0] for row in conn.execute(statement))
    assert "incidents_span_geom" in plan, plan
    index_cond = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "geom &&" in index_cond and "span &&" in index_cond, plan


def test_timeless_features_match_every_time_window(pg_store, geojson_store):
    """Sites have no dates: as in the GeoJSON store, any time filter keeps them, open-ended or not."""
    for params in ({"datetime": "2024-01-01"}, {"datetime": "../1900-01-01"}, {"datetime": "2999-01-01/.."},
                   {"datetime": "1000-01-01/9000-12-31"}):
        expected = geojson_store.query("sites", parse_query(params))
        got = pg_store.query("sites", parse_query(params))
        assert got.feature_json == expected.feature_json and got.number_matched == expected.number_matched == 37
    window = Query(time_start=-(2**63) + 1, time_end=2**63 - 2)  # the widest a Query can hold
    assert pg_store.query("incidents", window).number_matched == 13


# ---- numberMatched: exact below the threshold, estimated above --------------------------------------

def test_number_matched_is_estimated_above_the_threshold(pg_url):
    from geo.store.postgis import PostGISStore

    with PostGISStore(pg_url, count_threshold=5) as store:
        store.analyze()
        page = store.query("incidents", Query(limit=2))
        assert page.number_matched_exact is False and page.number_matched >= 3
        assert page.next_cursor is not None
        last = store.query("incidents", Query(limit=100))  # the whole answer is on the page: exact
        assert (last.number_matched, last.number_matched_exact) == (13, True)
        few = store.query("incidents", parse_query({"event_type": "airstrike", "limit": "1"}))
        assert few.number_matched_exact is True  # the planner expects fewer than 5
    with PostGISStore(pg_url, count_threshold=10_000) as store:
        page = store.query("incidents", Query(limit=2))
        assert (page.number_matched, page.number_matched_exact) == (13, True)


def test_api_says_when_number_matched_is_an_estimate(pg_url, data_dir):
    from geo.store.postgis import PostGISStore
    from webapp import create_app

    with PostGISStore(pg_url, count_threshold=5) as store:
        store.analyze()
        body = create_app({"STORE": store, "DATA": str(data_dir)}).test_client().get(
            "/collections/incidents/items?limit=2").json
    assert body["numberMatchedExact"] is False and body["numberReturned"] == 2
    assert any(link["rel"] == "next" and "cursor=" in link["href"] for link in body["links"])


# ---- grid aggregates ------------------------------------------------------------------------------------

@pytest.mark.parametrize("size, params", [(0.5, {}), (1.0, {"datetime": "2023-12-01/.."}), (10, {"bbox": "30,20,50,40"}),
                                          (45, {"event_type": "rocket_attack,drone_attack"})])
def test_aggregate_counts_as_python_does(geojson_store, pg_store, size, params):
    query = parse_query(params)
    cells = pg_store.aggregate("incidents", query, size)
    expected: dict = defaultdict(list)
    for feature in geojson_store.query("incidents", parse_query({**params, "limit": "10000"})).features():
        x, y = feature["geometry"]["coordinates"]
        i = min(max(math.floor((x + 180) / size), 0), math.ceil(360 / size) - 1)
        j = min(max(math.floor((y + 90) / size), 0), math.ceil(180 / size) - 1)
        expected[(i, j)].append((x, y, feature["properties"]["event_type"]))
    assert [(c.i, c.j) for c in cells] == sorted(expected)
    for cell in cells:
        members = expected[(cell.i, cell.j)]
        xs, ys = [m[0] for m in members], [m[1] for m in members]
        assert cell.count == len(members) and cell.by_type == dict(Counter(m[2] for m in members))
        assert cell.lon == pytest.approx(sum(xs) / len(xs)) and cell.lat == pytest.approx(sum(ys) / len(ys))
        assert cell.bbox == (min(xs), min(ys), max(xs), max(ys))
    theirs = geojson_store.aggregate("incidents", query, size)
    assert [(c.i, c.j, c.count, c.by_type, c.bbox) for c in cells] == \
        [(c.i, c.j, c.count, c.by_type, c.bbox) for c in theirs]


# ---- history -------------------------------------------------------------------------------------------------

def test_history_rows_are_written_with_the_change_and_never_rewritten(pg_store):
    import psycopg

    pg_store.put("incidents", new_incident("h-1"), actor="alice", note="first report")
    pg_store.put_many("incidents", [new_incident("h-1", killed=2), new_incident("h-2")], actor="bob")
    pg_store.delete("incidents", "h-2", actor="carol")
    changes = pg_store.history("incidents")
    assert [(c.fid, c.action, c.actor) for c in changes] == [
        ("h-1", "create", "alice"), ("h-1", "replace", "bob"), ("h-2", "create", "bob"), ("h-2", "delete", "carol")]
    assert changes[0].note == "first report" and changes[1].changed() == ["killed"]
    assert [c.seq for c in pg_store.history("incidents", "h-1")] == [changes[0].seq, changes[1].seq]
    assert pg_store.history("incidents", after_seq=changes[1].seq, limit=1) == [changes[2]]
    assert pg_store.history("sites") == []
    with pg_store._connect(pg_store._pool) as conn:
        for statement in ("UPDATE history SET actor = 'mallory'", "DELETE FROM history"):
            with pytest.raises(psycopg.errors.RaiseException, match="never updated or deleted"):
                conn.execute(statement)
    assert pg_store.history("incidents") == changes


def test_a_write_that_fails_leaves_neither_feature_nor_history(pg_store, monkeypatch):
    from geo.store.postgis import PostGISStore

    def broken(*args):
        raise RuntimeError("history insert failed")

    monkeypatch.setattr(PostGISStore, "_record", staticmethod(broken))
    with pytest.raises(RuntimeError):
        pg_store.put_many("incidents", [new_incident("h-3"), new_incident("h-4")])
    monkeypatch.undo()
    assert pg_store.get("incidents", "h-3") is None and pg_store.history("incidents") == []


def test_a_write_waits_for_another_writes_lock_only_so_long(pg_store, pg_url, monkeypatch):
    """Issue 16, finding 7: every lock wait has a timeout with a clear message."""
    import psycopg

    import geo.store.postgis
    from geo.store.postgis import WRITE_LOCK

    monkeypatch.setattr(geo.store.postgis, "LOCK_TIMEOUT", 0.2)
    with psycopg.connect(pg_url, autocommit=True) as other:  # a write to incidents that does not end
        other.execute("SELECT pg_advisory_lock(%s, hashtext('incidents'))", (WRITE_LOCK,))
        with pytest.raises(StoreUnavailable, match="waited 0.2 s for another write"):
            pg_store.put("incidents", new_incident("late-1"))
        pg_store.put("sites", pg_store.get("sites", "us-embassy-baghdad"))  # another collection's lock is free
    assert pg_store.get("incidents", "late-1") is None
    assert pg_store.put("incidents", new_incident("late-1"))["id"] == "late-1"


def _pg_writer(url: str, prefix: str, count: int) -> None:
    from geo.store.postgis import PostGISStore

    with PostGISStore(url, pool_size=1) as store:
        for i in range(count):
            store.put("incidents", new_incident(f"{prefix}-{i}"), actor=prefix)


def test_two_processes_writing_at_once_lose_nothing(pg_store, pg_url):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_pg_writer, args=(pg_url, name, 25)) for name in ("p", "q")]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    assert pg_store.query("incidents", Query(limit=1000)).number_matched == 13 + 50
    seqs = [c.seq for c in pg_store.history("incidents")]
    assert len(seqs) == 50 and seqs == sorted(set(seqs))


# ---- schema, configuration, the CLI -----------------------------------------------------------------------

def test_upgrade_is_idempotent_and_seeds_the_sites_once(fresh_db):
    runner = CliRunner()
    first = runner.invoke(cli, ["db", "upgrade", "--store", fresh_db])
    assert first.exit_code == 0, first.output
    assert "applied migration 1" in first.output and "seeded 37 sites" in first.output
    second = runner.invoke(cli, ["db", "upgrade", "--store", fresh_db])
    assert second.exit_code == 0 and "nothing to do" in second.output
    from geo.store.postgis import PostGISStore

    with PostGISStore(fresh_db) as store:
        assert {i.id: i.count for i in store.collections()} == {"incidents": 0, "sites": 37}


def test_an_old_schema_is_a_clear_error(fresh_db):
    import psycopg

    from geo.store.pg_schema import SCHEMA_VERSION, SchemaOutdated, upgrade
    from geo.store.postgis import PostGISStore

    with pytest.raises(SchemaOutdated, match="version 0.*run 'incidentmap db upgrade"):
        PostGISStore(fresh_db)
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        upgrade(conn)
        conn.execute("DELETE FROM schema_version WHERE version >= 2")
    with pytest.raises(SchemaOutdated, match=f"schema version 1, this incidentmap needs {SCHEMA_VERSION}"):
        PostGISStore(fresh_db)


def test_upgrade_from_the_previous_schema_keeps_every_row_and_answers_the_same(fresh_db, geojson_store,
                                                                             monkeypatch):
    import psycopg

    from geo.store import pg_schema
    from geo.store.postgis import PostGISStore
    from tests.conftest import load_test_data

    with monkeypatch.context() as patched:  # the schema as the previous release left it: migrations 1-2
        patched.setattr(pg_schema, "MIGRATIONS", tuple(m for m in pg_schema.MIGRATIONS if m.version <= 2))
        with psycopg.connect(fresh_db, autocommit=True) as conn:
            pg_schema.upgrade(conn)
    with PostGISStore(fresh_db, check_schema=False, pool_size=1) as old:
        load_test_data(old)  # the previous release's writes: the same columns

    def snapshot() -> tuple[int, dict]:
        with psycopg.connect(fresh_db, autocommit=True) as conn:
            rows = {table: conn.execute(f"SELECT fid, doc, tstart, tend, minx, miny FROM {table} ORDER BY fid")
                    .fetchall() for table in ("incidents", "sites")}
            rows["history"] = conn.execute("SELECT seq, fid, action, after FROM history ORDER BY seq").fetchall()
            return conn.execute("SELECT max(version) FROM schema_version").fetchone()[0], rows

    version, before = snapshot()
    assert version == 2 and len(before["incidents"]) == 13 and len(before["sites"]) == 37
    result = CliRunner().invoke(cli, ["db", "upgrade", "--store", fresh_db])
    assert result.exit_code == 0, result.output
    assert f"applied migration {pg_schema.SCHEMA_VERSION}" in result.output and "seeded" not in result.output
    assert snapshot() == (pg_schema.SCHEMA_VERSION, before)  # every row kept as it was
    with PostGISStore(fresh_db) as store:
        for params in QUERIES:
            expected = geojson_store.query("incidents", parse_query(params))
            got = store.query("incidents", parse_query(params))
            assert (got.feature_json, got.number_matched) == (expected.feature_json, expected.number_matched), params
        for params in SITE_QUERIES:
            expected = geojson_store.query("sites", parse_query(params))
            got = store.query("sites", parse_query(params))
            assert (got.feature_json, got.number_matched) == (expected.feature_json, expected.number_matched), params
        assert store.collections() == geojson_store.collections()


def test_unreachable_database_is_store_unavailable():
    from geo.store.postgis import PostGISStore

    with pytest.raises(StoreUnavailable, match="cannot reach the database postgresql://x:\\*\\*\\*@127.0.0.1:9/"):
        PostGISStore("postgresql://x:secret@127.0.0.1:9/none", timeout=1)


def test_reads_go_to_the_replica_and_writes_to_the_primary(pg_store, pg_url, fresh_db):
    import psycopg

    from geo.store.pg_schema import upgrade
    from geo.store.postgis import PostGISStore

    with psycopg.connect(fresh_db, autocommit=True) as conn:
        upgrade(conn)  # an empty stand-in for a replica that has not caught up
    with PostGISStore(pg_url, read_url=fresh_db) as split:
        assert split.query("incidents", Query()).number_matched == 0
        split.put("incidents", new_incident("r-1"))
        assert split.get("incidents", "r-1") is None and split.history("incidents") == []
    assert pg_store.get("incidents", "r-1") is not None


def test_app_opens_the_store_named_by_the_setting(pg_store, pg_url, data_dir, monkeypatch):
    from webapp import create_app

    monkeypatch.setenv("INCIDENTMAP_STORE", pg_url)
    monkeypatch.setenv("INCIDENTMAP_STORE_CACHE", "off")
    app = create_app({"DATA": str(data_dir)})
    try:
        assert type(app.extensions["incidentmap.store"]).__name__ == "PostGISStore"
        body = app.test_client().get("/collections/incidents/items?datetime=2023-12-08").json
        assert body["numberMatched"] == 2
    finally:
        app.extensions["incidentmap.store"].close()


def test_cli_commands_work_on_a_store_url(pg_store, pg_url, data_dir, tmp_path):
    runner = CliRunner()
    args = ["export", "--datetime", "2023-12-01/2023-12-31", "--format", "csv"]
    from_folder = runner.invoke(cli, [*args, "--data", str(data_dir)])
    from_db = runner.invoke(cli, ["--store", pg_url, *args])
    assert from_db.exit_code == 0 and from_db.output == from_folder.output
    batch = tmp_path / "batch.geojson"
    batch.write_text(json.dumps({"type": "FeatureCollection", "features": [new_incident("cli-1")]}))
    imported = runner.invoke(cli, ["import", str(batch)], env={"INCIDENTMAP_STORE": pg_url})
    assert imported.exit_code == 0 and "1 added" in imported.output
    assert pg_store.get("incidents", "cli-1") is not None
    assert pg_store.history("incidents", "cli-1")[0].note == "imported from batch.geojson"


def test_migrate_folder_to_postgis_and_back_loses_nothing(geojson_store, data_dir, fresh_db, tmp_path):
    from geo.store.geojson import GeoJSONStore

    runner = CliRunner()
    there = runner.invoke(cli, ["migrate", "--from", str(data_dir), "--to", fresh_db])
    assert there.exit_code == 0, there.output
    assert "incidents: 13 added" in there.output and "checked:" in there.output
    back = runner.invoke(cli, ["migrate", "--from", fresh_db, "--to", str(tmp_path / "back")])
    assert back.exit_code == 0, back.output
    returned = GeoJSONStore(tmp_path / "back")
    for collection in ("incidents", "sites"):
        original = {f["id"]: f for f in geojson_store.query(collection, Query(limit=1000)).features()}
        copied = {f["id"]: f for f in returned.query(collection, Query(limit=1000)).features()}
        assert copied == original  # every property of every feature, the stamps included
        assert [list(f["properties"]) for f in copied.values()] == [list(original[k]["properties"]) for k in copied]


def test_migrate_fails_when_the_target_holds_more(data_dir, fresh_db):
    import psycopg

    from geo.store.pg_schema import upgrade
    from geo.store.postgis import PostGISStore

    with psycopg.connect(fresh_db, autocommit=True) as conn:
        upgrade(conn)
    with PostGISStore(fresh_db) as store:
        store.put("incidents", new_incident("extra"))
    result = CliRunner().invoke(cli, ["migrate", "--from", str(data_dir), "--to", fresh_db])
    assert result.exit_code == 1 and "incidents: 13 in the source, 14 in the target" in result.output



def test_init_sets_up_a_blank_database_as_it_does_a_folder(fresh_db):
    result = CliRunner().invoke(cli, ["--store", fresh_db, "init"])
    assert result.exit_code == 0, result.output
    from geo.store.postgis import PostGISStore

    with PostGISStore(fresh_db) as store:
        counts = {i.id: i.count for i in store.collections()}
    assert counts == {"incidents": 52, "sites": 37}
    again = CliRunner().invoke(cli, ["--store", fresh_db, "export", "--event-type", "airstrike"])
    assert again.exit_code == 0 and json.loads(again.output)["features"]


def test_upgrade_to_searching_evidence_fills_the_columns_as_new_writes_do(fresh_db, monkeypatch):
    """Rows written before migration 4 get the evidence sentences and every perpetrator the
    sources named appended, exactly as geo.index computes them for a new write."""
    import psycopg

    from geo.index import perpetrator_text, search_text
    from geo.store import pg_schema
    from geo.store.postgis import PostGISStore

    quotes = [{"title": "Base hit", "quote": "Rockets landed near the fuel depot."}, {"title": "No quote"},
              {"quote": "قصف صاروخي على القاعدة"}]
    feature = new_incident("x-old", perpetrator="Kataib Hezbollah", sources=quotes,
                           disagreements={"perpetrator": ["Kataib Hezbollah", "Harakat al-Nujaba"]})
    with monkeypatch.context() as patched:
        patched.setattr(pg_schema, "MIGRATIONS", tuple(m for m in pg_schema.MIGRATIONS if m.version <= 3))
        with psycopg.connect(fresh_db, autocommit=True) as conn:
            pg_schema.upgrade(conn)
        with PostGISStore(fresh_db, check_schema=False, pool_size=1) as old:
            old.put("incidents", feature)
        with psycopg.connect(fresh_db, autocommit=True) as conn:  # the columns as the previous release wrote them
            props = orjson.loads(conn.execute("SELECT doc FROM incidents").fetchone()[0])["properties"]
            evidence = "".join(" " + (s.get("quote") or "").casefold() for s in props["sources"])
            assert search_text(props).endswith(evidence)
            conn.execute("UPDATE incidents SET search = %s, perpetrator_folded = 'kataib hezbollah'",
                         (search_text(props)[:-len(evidence)],))
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        assert [m.version for m in pg_schema.upgrade(conn)] == [4]
        search, perpetrators = conn.execute("SELECT search, perpetrator_folded FROM incidents").fetchone()
    assert (search, perpetrators) == (search_text(props), perpetrator_text(props))
    with PostGISStore(fresh_db) as store:
        for params, found in [({"q": "fuel depot"}, 1), ({"q": "صاروخي"}, 1), ({"perpetrator": "nujaba"}, 1),
                              ({"q": "nujaba"}, 0)]:
            assert store.query("incidents", parse_query(params)).number_matched == found, params
