"""GIS clients against a live server: GDAL's OAPIF driver (Debian's ogrinfo and the GDAL inside
pyogrio's wheels) sending -where filters to the server, OWSLib, and read_incidents over HTTP."""

import json
import re
import shutil
import subprocess
import urllib.request
from urllib.parse import quote

import pyogrio
import pytest

from tests.webapp.live_server import running_server

pytestmark = pytest.mark.slow
NEEDS_OGRINFO = pytest.mark.skipif(shutil.which("ogrinfo") is None,
                                   reason="GDAL's ogrinfo is not installed (apt install gdal-bin)")
WHERE = [
    ("event_type = 'airstrike'", "event_type = 'airstrike'"),
    ("killed > 0 AND event_type = 'airstrike'", "killed > 0 AND event_type = 'airstrike'"),
    ("perpetrator IS NULL OR injured >= 2", "perpetrator IS NULL OR injured >= 2"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from geo.datadir import init_data_dir

    folder = tmp_path_factory.mktemp("gis") / "data"
    init_data_dir(folder)  # shipped sites and the 52 sample incidents
    with running_server(folder, workers=1) as base:
        yield base


def matched(base: str, cql: str) -> set[str]:
    with urllib.request.urlopen(f"{base}/collections/incidents/items?limit=10000&filter={quote(cql)}") as response:
        return {f["id"] for f in json.loads(response.read())["features"]}


@NEEDS_OGRINFO
@pytest.mark.parametrize("where, cql", WHERE)
def test_ogrinfo_where_is_answered_by_the_server(server, where, cql):
    result = subprocess.run(["ogrinfo", "-ro", "-al", "-q", "-where", where, f"OAPIF:{server}", "incidents"],
                            capture_output=True, text=True, timeout=120, env={"CPL_DEBUG": "ON", "PATH": "/usr/bin"})
    assert result.returncode == 0, result.stderr
    fetched = [line for line in result.stderr.splitlines() if "/collections/incidents/items?" in line]
    assert any("filter=" in line for line in fetched), result.stderr
    assert "client side" not in result.stderr  # nothing left for GDAL to filter itself
    ids = set(re.findall(r"^  id \(String\) = (.+)$", result.stdout, re.M))
    assert ids == matched(server, cql) and ids


@pytest.mark.parametrize("where, cql", WHERE)
def test_gdal_in_pyogrio_filters_on_the_server(server, where, cql):
    frame = pyogrio.read_dataframe(f"OAPIF:{server}", layer="incidents", where=where)
    assert set(frame["id"]) == matched(server, cql)


def test_owslib_reads_queryables_and_filters(server):
    from owslib.ogcapi.features import Features

    client = Features(server)
    queryables = client.collection_queryables("incidents")
    assert {"event_type", "killed", "geometry"} <= set(queryables["properties"])
    cql = "event_type IN ('drone_attack', 'rocket_attack') AND S_INTERSECTS(geometry, BBOX(38, 29, 48, 37))"
    page = client.collection_items("incidents", filter=cql, limit=10000)
    assert {f["id"] for f in page["features"]} == matched(server, cql)
    assert page["numberMatched"] == len(page["features"]) > 0
    body = json.dumps({"op": ">", "args": [{"property": "killed"}, 0]})
    page = client.collection_items("incidents", filter=body, **{"filter-lang": "cql2-json"})
    assert {f["id"] for f in page["features"]} == matched(server, "killed > 0")


def test_read_incidents_from_a_server_url(server):
    from geo.io import read_incidents

    gdf = read_incidents(server, filter="killed > 0", datetime="2023-10-01/2024-02-29")
    assert set(gdf["id"]) == matched(server, "killed > 0 AND T_INTERSECTS(datetime, INTERVAL('2023-10-01', "
                                             "'2024-02-29'))")
    paged = read_incidents(server, limit="7")
    assert len(paged) == 7


def test_a_geopackage_download_opens_in_gdal(server, tmp_path):
    path = tmp_path / "incidents.gpkg"
    with urllib.request.urlopen(f"{server}/collections/incidents/items?f=gpkg&filter={quote('killed > 0')}") as r:
        assert r.headers["Content-Type"] == "application/geopackage+sqlite3"
        path.write_bytes(r.read())
    info = pyogrio.read_info(path)
    assert info["features"] == len(matched(server, "killed > 0")) and info["geometry_type"] == "Point"
