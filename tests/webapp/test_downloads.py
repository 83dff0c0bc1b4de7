"""Items as files to download: f=csv, f=gpkg, f=fgb with every filter, streamed, on every store."""

import csv
import io

import pyogrio
import pytest

BOTH_STORES = pytest.mark.parametrize("backend", ["geojson", "postgis", "postgis-sql"], indirect=True)
FILTERS = "bbox=38,29,48,37&datetime=2023-11-01/2024-01-31&event_type=airstrike,rocket_attack"


def geojson_ids(client, query: str) -> set[str]:
    page = client.get(f"/collections/incidents/items?{query}&limit=10000").get_json()
    return {f["id"] for f in page["features"]}


@BOTH_STORES
@pytest.mark.parametrize("fmt, media_type, filename", [
    ("gpkg", "application/geopackage+sqlite3", "incidents.gpkg"),
    ("fgb", "application/flatgeobuf", "incidents.fgb"),
])
def test_a_gis_file_holds_every_match_of_the_filters(client, tmp_path, fmt, media_type, filename):
    response = client.get(f"/collections/incidents/items?f={fmt}&{FILTERS}")
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.is_streamed
    path = tmp_path / filename
    path.write_bytes(response.get_data())
    frame = pyogrio.read_dataframe(path)
    expected = geojson_ids(client, FILTERS)
    assert set(frame["id"]) == expected and len(frame) == len(expected) > 1
    assert response.headers["OGC-NumberMatched"] == str(len(expected))
    embassy = frame.set_index("id").loc["t-embassy-1208"]
    assert (embassy.geometry.x, embassy.geometry.y) == (44.396, 33.299)


@BOTH_STORES
def test_csv_download_is_every_match_unless_a_limit_is_given(client):
    response = client.get("/collections/incidents/items?f=csv&datetime=2023-11-01/2024-01-31")
    assert response.mimetype == "text/csv" and response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert {r["id"] for r in rows} == geojson_ids(client, "datetime=2023-11-01/2024-01-31")
    page = client.get("/collections/incidents/items?f=csv&limit=2&sortby=id")
    assert [r["id"] for r in csv.DictReader(io.StringIO(page.get_data().decode("utf-8-sig")))] == \
        sorted(geojson_ids(client, "sortby=id"))[:2]


def test_the_download_of_a_cql2_filter(client, tmp_path):
    response = client.get("/collections/incidents/items?f=gpkg&filter=event_type%3D%27airstrike%27")
    path = tmp_path / "x.gpkg"
    path.write_bytes(response.get_data())
    assert set(pyogrio.read_dataframe(path)["event_type"]) == {"airstrike"}


def test_sites_download_as_geopackage_keeps_polygons(client, tmp_path):
    response = client.get("/collections/sites/items?f=gpkg")
    path = tmp_path / "sites.gpkg"
    path.write_bytes(response.get_data())
    frame = pyogrio.read_dataframe(path)
    assert set(frame.geom_type) == {"Point", "Polygon"}
    assert response.headers["Content-Disposition"] == 'attachment; filename="sites.gpkg"'


@pytest.mark.parametrize("query, status, words", [
    ("f=gpkg&bbox=1,2,3", 400, "bbox must have 4 or 6 numbers"),
    ("f=fgb&datetime=yesterday", 400, "datetime"),
    ("f=gpkg&colour=red", 400, "unknown query parameter 'colour'"),
    ("f=shp", 400, "f must be one of"),
])
def test_bad_download_parameters_are_400(client, query, status, words):
    response = client.get(f"/collections/incidents/items?{query}")
    assert response.status_code == status
    assert words in response.get_json()["description"]


def test_no_temporary_file_is_left_after_a_download(client, monkeypatch, tmp_path):
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    client.get("/collections/incidents/items?f=gpkg").get_data()
    response = client.get("/collections/incidents/items?f=fgb")
    assert list(scratch.iterdir())  # written before the answer starts
    response.close()  # the client went away before reading
    assert list(scratch.iterdir()) == []


def test_collection_lists_the_downloads(client):
    links = client.get("/collections/incidents").get_json()["links"]
    types = {link["type"] for link in links if link["rel"] == "items"}
    assert {"application/geopackage+sqlite3", "application/flatgeobuf", "text/csv"} <= types
