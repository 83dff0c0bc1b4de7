"""Real OGC API - Features clients against a live gunicorn server on 127.0.0.1."""

import json
import re
import shutil
import subprocess
import urllib.request

import pytest

from tests.conftest import grant_token
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


def test_two_gunicorn_workers_taking_writes_at_once_lose_nothing(tmp_path):
    """Writers hit both workers concurrently; every acknowledged write is stored once."""
    import threading
    import urllib.error

    from geo.datadir import init_data_dir

    folder = tmp_path / "data"
    init_data_dir(folder, empty=True)
    token = "concurrency-token"
    failures: list[str] = []

    def writer(base: str, prefix: str) -> None:
        for i in range(30):
            body = json.dumps({"type": "Feature", "id": f"{prefix}-{i}",
                               "geometry": {"type": "Point", "coordinates": [44.4, 33.3]},
                               "properties": {"date": "2024-01-05", "event_type": "rocket_attack"}}).encode()
            request = urllib.request.Request(f"{base}/collections/incidents/items", data=body, method="POST",
                                             headers={"Content-Type": "application/geo+json",
                                                      "Authorization": f"Bearer {token}"})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    if response.status != 201:
                        failures.append(f"{prefix}-{i}: {response.status}")
            except urllib.error.HTTPError as exc:
                failures.append(f"{prefix}-{i}: {exc.code} {exc.read()[:200]!r}")

    grant_token(folder, token, "writer")
    with running_server(folder, workers=2) as base:
        threads = [threading.Thread(target=writer, args=(base, name)) for name in ("a", "b", "c", "d")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert api_count(base, "") == 120
    from geo.query import Query
    from geo.store.geojson import GeoJSONStore

    assert json.loads((folder / "incidents.geojson").read_text())["type"] == "FeatureCollection"
    stored = GeoJSONStore(folder).query("incidents", Query(limit=10**6)).features()  # checkpoint + journal
    ids = [f["id"] for f in stored]
    assert len(ids) == len(set(ids)) == 120
