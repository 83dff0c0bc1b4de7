"""Files in and out through geopandas/pyogrio: round trips, Shapefile's limits, ACLED and UCDP, bad files."""

import csv
import io
import json

import geopandas as gpd
import pyogrio
import pytest
from click.testing import CliRunner
from shapely.geometry import box

from geo.cli import cli
from geo.errors import InvalidInput
from geo.io import acled as acled_io
from geo.io import read_file, read_incidents, write_file, write_incidents
from geo.io.formats import SHAPEFILE_NAMES, long_text_path
from geo.io.tables import read_csv_features
from geo.model import PROPERTY_ORDER
from geo.store.geojson import GeoJSONStore
from tests.conftest import store_state
from tests.geo.test_csvio import ACLED, CODES

FILE_FORMATS = ["geojson", "csv", "gpkg", "fgb", "parquet", "shp", "kml"]
EXTENSION = {"geojson": "geojson", "csv": "csv", "gpkg": "gpkg", "fgb": "fgb", "parquet": "parquet",
             "shp": "shp", "kml": "kml"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def hard_incident() -> dict:
    """What a format can trip on: long text, nested disagreements, a formula, non-Latin script, nulls."""
    return {"type": "Feature", "id": "t-hard-1", "geometry": {"type": "Point", "coordinates": [43.1234567, 36.3401]},
            "properties": {"date": "2023-12-02", "date_from": "2023-12-01", "date_to": "2023-12-07",
                           "date_precision": "week", "time_local": "23:40", "event_type": "drone_attack",
                           "perpetrator": "=Islamic Resistance in Iraq", "target": "قاعدة حرير",
                           "killed": None, "injured": 3, "geo_precision": 2, "confidence": 0.35,
                           "notes": ("A long note. " * 40).strip(), "country_code": "IQ",
                           "disagreements": {"event_type": ["drone_attack", "rocket_attack"], "injured": [3, 4]},
                           "sources": [{"url": "https://a.example/1", "outlet": "A", "title": "T", "published":
                                        "2023-12-02", "quote": "q " * 200},
                                       {"url": None, "outlet": "B", "title": None, "published": None, "quote": None}]}}


@pytest.fixture
def rich_dir(data_dir):
    """The test incidents and one hard one."""
    GeoJSONStore(data_dir).put("incidents", hard_incident())
    return data_dir


def stored(folder, collection="incidents") -> dict[str, dict]:
    return {f["id"]: f for f in _all(folder, collection)}


def _all(folder, collection):
    from geo.query import parse_query

    query = parse_query({})
    query.limit = 10**9
    return GeoJSONStore(folder).query(collection, query).features()


@pytest.mark.parametrize("fmt", FILE_FORMATS)
def test_export_then_import_gives_the_same_incidents(runner, rich_dir, tmp_path, fmt):
    out = tmp_path / f"incidents.{EXTENSION[fmt]}"
    result = runner.invoke(cli, ["export", "--data", str(rich_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    fresh = tmp_path / "fresh"
    runner.invoke(cli, ["init", "--empty", "--data", str(fresh)])
    result = runner.invoke(cli, ["import", str(out), "--data", str(fresh)])
    assert result.exit_code == 0, result.output
    assert "14 added" in result.output
    assert stored(fresh) == stored(rich_dir)


@pytest.mark.parametrize("fmt", ["gpkg", "fgb", "parquet", "kml"])
def test_sites_with_polygons_round_trip(runner, data_dir, tmp_path, fmt):
    out = tmp_path / f"sites.{EXTENSION[fmt]}"
    result = runner.invoke(cli, ["export", "--data", str(data_dir), "--collection", "sites", "-o", str(out)])
    assert result.exit_code == 0, result.output
    back = {f["id"]: f for f in read_file(out, collection="sites")}
    original = stored(data_dir, "sites")
    assert any(f["geometry"]["type"] == "Polygon" for f in original.values())
    fresh = tmp_path / "fresh"
    runner.invoke(cli, ["init", "--empty", "--data", str(fresh)])
    (fresh / "sites.geojson").unlink()
    runner.invoke(cli, ["init", "--empty", "--data", str(fresh)])
    result = runner.invoke(cli, ["import", str(out), "--collection", "sites", "--data", str(fresh)])
    assert result.exit_code == 0, result.output
    assert stored(fresh, "sites") == original
    assert set(back) == set(original)


def test_shapefile_names_fit_ten_characters_and_long_texts_go_beside(rich_dir, tmp_path):
    out = tmp_path / "incidents.shp"
    write_file(_all(rich_dir, "incidents"), out, "shp")
    names = list(pyogrio.read_info(out)["fields"])
    assert all(len(name) <= 10 for name in names)
    assert {"date_prec", "perpetr", "country_cd", "geo_prec", "disagree"} <= set(names)
    assert {SHAPEFILE_NAMES.get(name, name) for name in PROPERTY_ORDER} <= set(names)
    side = list(csv.DictReader(io.StringIO(long_text_path(out).read_text(encoding="utf-8"))))
    assert {(row["id"], row["field"]) for row in side} >= {("t-hard-1", "notes"), ("t-hard-1", "sources")}
    # a GIS sees the cut text in the .dbf; the import puts the whole text back
    cut = gpd.read_file(out).set_index("id").loc["t-hard-1", "notes"]
    assert len(cut.encode()) <= 254 and hard_incident()["properties"]["notes"].startswith(cut)
    assert {f["id"]: f for f in read_file(out)}["t-hard-1"]["properties"]["notes"] == \
        hard_incident()["properties"]["notes"]


def test_export_to_a_path_whose_folder_has_an_older_file_replaces_it_whole(rich_dir, tmp_path):
    out = tmp_path / "incidents.shp"
    write_file(_all(rich_dir, "incidents"), out, "shp")
    short = [f for f in _all(rich_dir, "incidents") if f["id"] != "t-hard-1"]
    write_file(short, out, "shp")
    assert not long_text_path(out).exists()
    assert len(read_file(out)) == len(short)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_a_shapefile_of_points_and_polygons_is_refused(runner, data_dir, tmp_path):
    result = runner.invoke(cli, ["export", "--data", str(data_dir), "--collection", "sites",
                                 "-o", str(tmp_path / "sites.shp")])
    assert result.exit_code == 1
    assert "a Shapefile holds one geometry type and these features mix Point, Polygon" in result.output
    assert not list(tmp_path.glob("sites.*"))


def test_binary_export_needs_an_output_file(runner, data_dir):
    result = runner.invoke(cli, ["export", "--data", str(data_dir), "--format", "gpkg"])
    assert result.exit_code == 1
    assert result.output.strip() == "incidentmap: error: --format gpkg writes a file: give -o FILE"


def test_export_takes_a_cql2_filter(runner, data_dir, tmp_path):
    out = tmp_path / "x.gpkg"
    result = runner.invoke(cli, ["export", "--data", str(data_dir), "-o", str(out),
                                 "--filter", "event_type = 'airstrike' AND killed > 0"])
    assert result.exit_code == 0, result.output
    frame = gpd.read_file(out)
    everything = _all(data_dir, "incidents")
    expected = {f["id"] for f in everything if f["properties"]["event_type"] == "airstrike"
                and (f["properties"]["killed"] or 0) > 0}
    assert set(frame["id"]) == expected and expected


# ---- ACLED and UCDP ---------------------------------------------------------------------------


def test_acled_rows_come_back_with_their_cells(tmp_path):
    text = ACLED.replace("event_id_cnty,", "event_id_cnty,disorder_type,admin2,assoc_actor_1,timestamp,", 1)
    lines = text.splitlines()
    extra = ["Political violence,Karkh,Kataib Hezbollah,1702000000", "Political violence,,,1702000001",
             "Political violence,Rmelan,,1702000002"]
    lines[1:] = [line.replace(",", "," + add + ",", 1) for line, add in zip(lines[1:], extra, strict=True)]
    features = read_csv_features("\n".join(lines) + "\n", CODES)
    first = features[0]["properties"]
    assert first["acled_admin2"] == "Karkh" and first["acled_assoc_actor_1"] == "Kataib Hezbollah"
    assert first["updated"] == "2023-12-08T01:46:40Z"
    rows = [acled_io.feature_to_row(f) for f in features]
    original = list(csv.DictReader(io.StringIO("\n".join(lines) + "\n")))
    for row, source in zip(rows, original, strict=True):
        for column in ("event_id_cnty", "actor1", "actor2", "admin1", "admin2", "assoc_actor_1", "location",
                       "country", "geo_precision", "time_precision", "sub_event_type", "fatalities",
                       "timestamp", "notes"):
            assert str(row[column]) == source[column], column
        assert float(row["latitude"]) == float(source["latitude"])
    # the week-precise event keeps its reported day, the middle of its week
    assert rows[1]["event_date"] == "2023-12-03"


def test_acled_export_maps_our_types_and_a_drone_attack_comes_back(tmp_path):
    drone = {"type": "Feature", "id": "d1", "geometry": {"type": "Point", "coordinates": [44.0, 36.0]},
             "properties": {"date": "2024-01-04", "event_type": "drone_attack", "perpetrator": "Islamic Resistance",
                            "notes": "A one-way drone hit the base.", "killed": None, "date_precision": "day"}}
    out = tmp_path / "acled.csv"
    write_file([drone], out, "acled")
    row = next(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert (row["event_type"], row["sub_event_type"], row["disorder_type"]) == (
        "Explosions/Remote violence", "Air/drone strike", "Political violence")
    assert row["fatalities"] == "" and row["event_date"] == "2024-01-04" and row["year"] == "2024"
    assert read_file(out)[0]["properties"]["event_type"] == "drone_attack"


UCDP = """id,relid,year,type_of_violence,conflict_name,side_a,side_b,source_office,source_headline,where_prec,where_coordinates,adm_1,latitude,longitude,country,date_prec,date_start,date_end,deaths_a,best,high,low
501,IRQ-1,2023,1,Iraq: Government,Government of Iraq,IS,Agency A;Agency B,A headline,2,Tikrit town,Salah ad Din,34.6,43.68,Iraq,3,2023-11-02 00:00:00.000,2023-11-08 00:00:00.000,1,4,6,3
"""


def test_ucdp_columns_map_and_go_back(tmp_path):
    source = tmp_path / "ged.csv"
    source.write_text(UCDP)
    feature = read_file(source, country_codes={"iraq": "IQ"})[0]
    props = feature["properties"]
    assert feature["id"] == "501"
    assert (props["date_from"], props["date_to"], props["date_precision"]) == ("2023-11-02", "2023-11-08", "week")
    assert (props["perpetrator"], props["target"], props["killed"], props["geo_precision"]) == (
        "Government of Iraq", "IS", 4, 2)
    assert [s["outlet"] for s in props["sources"]] == ["Agency A", "Agency B"]
    assert (props["admin1"], props["country_code"], props["ucdp_high"]) == ("Salah ad Din", "IQ", "6")
    out = tmp_path / "back.csv"
    write_file([feature], out, "ucdp")
    row = next(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    original = next(csv.DictReader(io.StringIO(UCDP)))
    for column in ("id", "relid", "side_a", "side_b", "source_office", "where_prec", "where_coordinates",
                   "adm_1", "country", "date_prec", "best", "high", "low", "type_of_violence", "conflict_name"):
        assert row[column] == original[column], column
    assert row["date_start"] == "2023-11-02" and row["geom_wkt"] == "POINT (43.68 34.6)"


# ---- bad files ----------------------------------------------------------------------------------


def _gpkg_with(tmp_path, column, value):
    feature = hard_incident()
    feature["properties"][column] = value
    good = {**hard_incident(), "id": "t-good"}
    path = tmp_path / "bad.gpkg"
    write_file([good, feature], path, "gpkg")
    return path


@pytest.mark.parametrize("make, message", [
    (lambda p: _gpkg_with(p, "killed", -4), "bad.gpkg: features[1].killed: must not be negative"),
    (lambda p: _gpkg_with(p, "event_type", "volcano"), "bad.gpkg: features[1].event_type: must be one of"),
    (lambda p: _gpkg_with(p, "sources", "[{broken"), "bad.gpkg: feature 2: sources is not valid JSON"),
    (lambda p: (p / "bad.csv").write_text("id,date,event_type,longitude,latitude,killed\nx,2023-12-01,ied,44,33,"
                                          "two\n") and p / "bad.csv", "bad.csv: row 2: killed 'two'"),
    (lambda p: (p / "bad.csv").write_text("name,value\na,1\n") and p / "bad.csv", "bad.csv: the CSV's header"),
    (lambda p: (p / "bad.fgb").write_bytes(b"not a flatgeobuf") and p / "bad.fgb", "bad.fgb: cannot be read as fgb"),
    (lambda p: (p / "bad.kml").write_text("<kml><Document>") and p / "bad.kml", "bad.kml: cannot be read as kml"),
])
def test_a_bad_file_names_file_feature_and_field_and_stores_nothing(runner, data_dir, tmp_path, make, message):
    path = make(tmp_path)
    before = store_state(data_dir)
    result = runner.invoke(cli, ["import", str(path), "--data", str(data_dir)])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("incidentmap: error: ")]
    assert len(errors) == 1 and message in errors[0], result.output
    assert store_state(data_dir) == before


def test_an_unknown_extension_asks_for_a_format(tmp_path):
    path = tmp_path / "layer.xyz"
    path.write_text("x")
    with pytest.raises(InvalidInput, match="give --format"):
        read_file(path)


# ---- the Python API ---------------------------------------------------------------------------


def test_read_incidents_joins_with_a_users_polygons(data_dir):
    """The README's example: incidents counted per polygon of the user's own layer."""
    gdf = read_incidents(data_dir, datetime="2023-11-01/2024-02-29")
    districts = gpd.GeoDataFrame({"district": ["baghdad-box", "kirkuk-box"]},
                                 geometry=[box(44.0, 33.0, 44.8, 33.6), box(43.9, 35.2, 44.7, 35.8)], crs="OGC:CRS84")
    counts = gdf.sjoin(districts, predicate="within").groupby("district").size().to_dict()
    expected = {name: len(_matching(data_dir, f"bbox={','.join(map(str, geom.bounds))}"
                                             "&datetime=2023-11-01/2024-02-29"))
                for name, geom in zip(districts["district"], districts.geometry, strict=True)}
    assert counts == {k: v for k, v in expected.items() if v} and sum(counts.values()) > 0


def _matching(folder, query_text):
    from urllib.parse import parse_qsl

    from geo.query import parse_query

    query = parse_query(dict(parse_qsl(query_text)))
    query.limit = 10**9
    return GeoJSONStore(folder).query("incidents", query).features()


def test_read_incidents_filters_and_types(data_dir):
    gdf = read_incidents(data_dir, event_type="airstrike")
    assert set(gdf["event_type"]) == {"airstrike"} and len(gdf) == len(_matching(data_dir, "event_type=airstrike"))
    assert str(gdf["killed"].dtype) == "Int64" and gdf.crs.equals("OGC:CRS84")
    assert isinstance(gdf["sources"].iloc[0], str) and json.loads(gdf["sources"].iloc[0])


def test_write_incidents_to_a_file_and_into_a_store(data_dir, tmp_path):
    gdf = read_incidents(data_dir)
    gdf.loc[gdf["id"] == "t-embassy-1208", "injured"] = 7
    assert write_incidents(gdf, tmp_path / "edited.fgb") == len(gdf)
    assert len(gpd.read_file(tmp_path / "edited.fgb")) == len(gdf)
    write_incidents(gdf[gdf["id"] == "t-embassy-1208"], data_dir, actor="notebook")
    assert GeoJSONStore(data_dir).get("incidents", "t-embassy-1208")["properties"]["injured"] == 7
    assert GeoJSONStore(data_dir).history("incidents", "t-embassy-1208")[-1].actor == "notebook"


def test_write_incidents_reprojects_to_lon_lat(data_dir, tmp_path):
    gdf = read_incidents(data_dir).to_crs(3857)
    write_incidents(gdf, tmp_path / "back.gpkg")
    back = {f["id"]: f for f in read_file(tmp_path / "back.gpkg")}
    lon, lat = back["t-embassy-1208"]["geometry"]["coordinates"]
    assert (round(lon, 6), round(lat, 6)) == (44.396, 33.299)


def test_read_and_write_incidents_with_a_postgis_url(pg_store, pg_url, data_dir):
    gdf = read_incidents(pg_url, event_type="airstrike")
    assert set(gdf["id"]) == {f["id"] for f in _matching(data_dir, "event_type=airstrike")}
    gdf["injured"] = 9
    write_incidents(gdf, pg_url, actor="notebook")
    assert set(read_incidents(pg_url, event_type="airstrike")["injured"]) == {9}


@pytest.mark.parametrize("collection, extra", [
    ("incidents", {}),
    ("incidents", {"desk": "east"}),  # a text property outside the model: a text column on both paths
    ("incidents", {"desk": 7}),  # a number outside the model: the GeoDataFrame path infers its type
    ("incidents", {"killed": "3"}),  # a whole number as text: the GeoDataFrame path cleans it
    ("sites", {}),  # points and polygons
])
@pytest.mark.parametrize("fmt", ["gpkg", "fgb"])
def test_arrow_writes_the_same_file_as_the_geodataframe(rich_dir, tmp_path, collection, extra, fmt):
    from geo.io.formats import write_features, write_frame
    from geo.io.frame import frame_from_features

    features = list(stored(rich_dir, collection).values())
    features[0]["properties"].update(extra)
    write_features(features, tmp_path / f"arrow.{fmt}", fmt, collection)
    write_frame(frame_from_features(features, collection), tmp_path / f"frame.{fmt}", fmt, collection)
    ours, theirs = (pyogrio.read_dataframe(tmp_path / f"{name}.{fmt}") for name in ("arrow", "frame"))
    assert list(ours.columns) == list(theirs.columns) and len(ours) == len(features)
    assert ours.dtypes.equals(theirs.dtypes)
    assert ours.drop(columns="geometry").equals(theirs.drop(columns="geometry"))
    assert ours.geometry.geom_equals(theirs.geometry).all()
    info = pyogrio.read_info(tmp_path / f"arrow.{fmt}")
    assert info["geometry_type"] == pyogrio.read_info(tmp_path / f"frame.{fmt}")["geometry_type"]


def test_point_wkb_is_shapelys():
    import numpy as np
    import shapely

    from geo.io.frame import point_wkb

    x, y = np.array([44.1234567, -180.0, 0.0, 179.99999]), np.array([33.3, -85.05, -90.0, 0.0])
    assert point_wkb(x, y).to_pylist() == list(shapely.to_wkb(shapely.points(x, y)))


def test_a_download_turns_the_garbage_collector_back_on(data_dir):
    import gc

    from geo.io.download import download

    file = download(GeoJSONStore(data_dir), "incidents", {"f": "gpkg"}, "gpkg")
    assert gc.isenabled() and file.number_matched > 0 and b"".join(file.chunks).startswith(b"SQLite format 3")
    with pytest.raises(ZeroDivisionError):
        from geo.gctools import gc_paused

        with gc_paused():
            assert not gc.isenabled()
            1 / 0  # noqa: B018
    assert gc.isenabled()
