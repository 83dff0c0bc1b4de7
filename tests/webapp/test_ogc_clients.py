"""Real OGC API - Features clients against a live gunicorn server on 127.0.0.1."""

import json
import re
import shutil
import subprocess
import urllib.request

import pytest

from tests.webapp.live_server import running_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from geo.datadir import init_data_dir

    folder = tmp_path_factory.mktemp("live") / "data"
    init_data_dir(folder)  # shipped sites and sample incidents
    with running_server(folder) as base:
        yield base


def api_count(base: str, query: str) -> int:
    with urllib.request.urlopen(f"{base}/collections/incidents/items?{query}&limit=1") as response:
        return json.loads(response.read())["numberMatched"]


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed (apt install gdal-bin)")
def test_ogrinfo_reads_incidents_with_a_bbox(server):
    bbox = (43.0, 33.0, 45.0, 37.0)
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-spat", *map(str, bbox), f"OAPIF:{server}", "incidents"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    count = int(re.search(r"Feature Count: (\d+)", result.stdout).group(1))
    expected = api_count(server, "bbox=" + ",".join(map(str, bbox)))
    assert count == expected > 0


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed (apt install gdal-bin)")
def test_ogrinfo_lists_both_layers_and_reads_every_feature(server):
    listing = subprocess.run(["ogrinfo", "-ro", "-q", f"OAPIF:{server}"], capture_output=True, text=True,
                             timeout=120)
    assert listing.returncode == 0, listing.stderr
    assert "incidents" in listing.stdout and "sites" in listing.stdout
    features = subprocess.run(["ogrinfo", "-ro", "-al", "-q", f"OAPIF:{server}", "incidents"],
                              capture_output=True, text=True, timeout=120)
    assert features.stdout.count("OGRFeature(incidents)") == api_count(server, "")


def test_owslib_reads_with_bbox_and_datetime(server):
    from owslib.ogcapi.features import Features

    client = Features(server)
    assert {c["id"] for c in client.collections()["collections"]} == {"incidents", "sites"}
    bbox = [38.0, 29.0, 48.0, 37.0]
    span = "2023-12-01T00:00:00Z/2024-01-31T23:59:59Z"
    page = client.collection_items("incidents", bbox=bbox, datetime_=span, limit=10000)
    expected = api_count(server, f"bbox={','.join(map(str, bbox))}&datetime={span}")
    assert page["numberMatched"] == len(page["features"]) == expected
    assert 0 < expected < api_count(server, "")
    one = client.collection_item("incidents", "2023-12-08-us-embassy-baghdad-rocket")
    assert one["properties"]["site_id"] == "us-embassy-baghdad"
