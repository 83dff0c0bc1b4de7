"""Vector tiles (OGC API - Tiles): the features of a tile on every store, counts at low zooms,
the filters, the metadata, GDAL reading a tile, and a PMTiles export."""

import math
import shutil
import subprocess

import mapbox_vector_tile
import pyogrio
import pytest
from click.testing import CliRunner

from geo.cli import cli

BOTH_STORES = pytest.mark.parametrize("backend", ["geojson", "postgis", "postgis-sql"], indirect=True)
BAGHDAD_Z8 = (8, 102, 159)  # tileMatrix, tileRow, tileCol holding the embassy and the airport
TILE = "/collections/incidents/tiles/WebMercatorQuad/{}/{}/{}"


def lonlat_bounds(z, row, col, buffer=64 / 4096):
    n = 1 << z

    def lat(y):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))

    return ((col - buffer) / n * 360 - 180, lat(row + 1 + buffer), (col + 1 + buffer) / n * 360 - 180, lat(row - buffer))


def decoded(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/vnd.mapbox-vector-tile"
    layers = mapbox_vector_tile.decode(response.data)
    return layers.get("incidents", {}).get("features", [])


def items_in(client, bounds, extra=""):
    bbox = ",".join(f"{v:.10f}" for v in bounds)
    return client.get(f"/collections/incidents/items?bbox={bbox}&limit=10000{extra}").get_json()["features"]


@BOTH_STORES
def test_a_detailed_tile_holds_the_features_in_it(client):
    features = decoded(client.get(TILE.format(*BAGHDAD_Z8)))
    expected = {f["id"] for f in items_in(client, lonlat_bounds(*BAGHDAD_Z8))}
    assert {f["properties"]["id"] for f in features} == expected and len(expected) >= 2
    embassy = next(f for f in features if f["properties"]["id"] == "t-embassy-1208")
    assert embassy["properties"]["event_type"] == "rocket_attack" and embassy["properties"]["count"] == 1
    assert embassy["properties"]["date_from"] == "2023-12-08"
    # the point sits where the embassy is, to a tile unit (256 m / 4096 at zoom 8 here is ~38 m)
    x, y = embassy["geometry"]["coordinates"]
    n = 1 << 8
    lon = (BAGHDAD_Z8[2] + x / 4096) / n * 360 - 180
    assert abs(lon - 44.396) < 0.01


@BOTH_STORES
def test_a_detailed_tile_past_its_cap_counts_per_cell(client, monkeypatch):
    from geo import tiles

    expected = items_in(client, lonlat_bounds(*BAGHDAD_Z8))
    monkeypatch.setattr(tiles, "DETAIL_FEATURES", len(expected) - 1)
    features = decoded(client.get(TILE.format(*BAGHDAD_Z8)))
    assert all("id" not in f["properties"] for f in features)  # cells, not incidents
    assert sum(f["properties"]["count"] for f in features) == len(expected)


@BOTH_STORES
def test_low_zooms_count_per_cell(client):
    features = decoded(client.get(TILE.format(0, 0, 0)))
    total = client.get("/collections/incidents/items?limit=1").get_json()["numberMatched"]
    assert sum(f["properties"]["count"] for f in features) == total
    assert len(features) < total  # several incidents share a cell


@BOTH_STORES
def test_tiles_take_the_items_filters(client):
    only = decoded(client.get(TILE.format(*BAGHDAD_Z8) + "?event_type=mortar_attack"))
    assert {f["properties"]["event_type"] for f in only} == {"mortar_attack"}
    cql = decoded(client.get(TILE.format(*BAGHDAD_Z8) + "?filter=event_type%3D%27rocket_attack%27"))
    assert {f["properties"]["id"] for f in cql} == {
        f["id"] for f in items_in(client, lonlat_bounds(*BAGHDAD_Z8), "&event_type=rocket_attack")}
    none = decoded(client.get(TILE.format(*BAGHDAD_Z8) + "?datetime=1999-01-01/1999-12-31"))
    assert none == []


@pytest.mark.parametrize("path, status, words", [
    (TILE.format(23, 0, 0), 404, "no tile matrix 23"),
    (TILE.format(2, 4, 0), 404, "no tile row 4"),
    (TILE.format(*BAGHDAD_Z8) + "?limit=5", 400, "limit does not apply to a tile"),
    (TILE.format(*BAGHDAD_Z8) + "?filter=colour%3D1", 400, "unknown property 'colour'"),
    ("/collections/nothing/tiles/WebMercatorQuad/0/0/0", 404, "no collection"),
    ("/collections/incidents/tiles/WorldCRS84Quad/0/0/0", 404, "no such path"),
])
def test_bad_tile_requests(client, path, status, words):
    response = client.get(path)
    assert response.status_code == status
    assert words in response.get_json()["description"]


def test_tileset_metadata(client):
    assert "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt" in client.get("/conformance").get_json()["conformsTo"]
    links = client.get("/collections/incidents").get_json()["links"]
    tiles_link = next(link for link in links if link["rel"].endswith("/tilesets-vector"))
    listing = client.get(tiles_link["href"].replace("http://localhost", "")).get_json()
    tileset = listing["tilesets"][0]
    assert tileset["dataType"] == "vector" and tileset["tileMatrixSetURI"].endswith("/WebMercatorQuad")
    meta = client.get("/collections/incidents/tiles/WebMercatorQuad").get_json()
    assert meta["layers"][0]["id"] == "incidents" and "count" in meta["layers"][0]["propertiesSchema"]["properties"]
    template = next(link for link in meta["links"] if link["rel"] == "item")
    assert template["type"] == "application/vnd.mapbox-vector-tile" and template["templated"]
    tms = client.get("/tileMatrixSets/WebMercatorQuad").get_json()
    assert tms["tileMatrices"][8]["matrixWidth"] == 256 and tms["crs"].endswith("/3857")


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed (apt install gdal-bin)")
def test_gdal_mvt_driver_reads_a_tile(client, tmp_path):
    path = tmp_path / "tile.mvt"
    path.write_bytes(client.get(TILE.format(*BAGHDAD_Z8)).data)
    z, row, col = BAGHDAD_Z8
    result = subprocess.run(["ogrinfo", "-ro", "-al", "-oo", f"Z={z}", "-oo", f"X={col}", "-oo", f"Y={row}",
                             f"MVT:{path}"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Layer name: incidents" in result.stdout
    assert "id (String) = t-embassy-1208" in result.stdout
    frame = pyogrio.read_dataframe(path, layer="incidents", Z=z, X=col, Y=row).to_crs(4326)
    embassy = frame.set_index("id").loc["t-embassy-1208"].geometry
    assert abs(embassy.x - 44.396) < 0.001 and abs(embassy.y - 33.299) < 0.001


def test_pmtiles_export_holds_every_incident(data_dir, tmp_path):
    out = tmp_path / "incidents.pmtiles"
    result = CliRunner().invoke(cli, ["export", "--data", str(data_dir), "-o", str(out), "--max-zoom", "9"])
    assert result.exit_code == 0, result.output
    assert "tiles (zoom 0 to 9)" in result.output
    deepest = pyogrio.read_dataframe(out, layer="incidents", ZOOM_LEVEL=9)  # GDAL's PMTiles driver
    ids = {f["id"] for f in _all(data_dir)}
    assert set(deepest["id"]) == ids
    world = pyogrio.read_dataframe(out, layer="incidents", ZOOM_LEVEL=0)
    assert world["count"].sum() == len(ids)


def test_pmtiles_of_nothing_is_refused(data_dir, tmp_path):
    out = tmp_path / "none.pmtiles"
    result = CliRunner().invoke(cli, ["export", "--data", str(data_dir), "-o", str(out),
                                      "--datetime", "1999-01-01/1999-12-31"])
    assert result.exit_code == 1 and "no tiles to write" in result.output and not out.exists()


def _all(folder):
    from geo.query import parse_query
    from geo.store.geojson import GeoJSONStore

    query = parse_query({})
    query.limit = 10**6
    return GeoJSONStore(folder).query("incidents", query).features()
