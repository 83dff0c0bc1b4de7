import re
from pathlib import Path

import pytest

from webapp import create_app
from webapp.settings import SETTINGS, resolve_settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", table, re.M))
    assert documented == {s.name for s in SETTINGS}


def test_environment_fills_what_the_mapping_does_not():
    env = {"INCIDENTMAP_TILES": "from-env", "INCIDENTMAP_MAX_BODY_BYTES": "123", "INCIDENTMAP_SEED": "no"}
    values = resolve_settings({"TILES": "from-mapping"}, env)
    assert values["TILES"] == "from-mapping"
    assert values["MAX_BODY_BYTES"] == 123 and values["SEED"] is False and values["DATA"] is None


def test_new_data_folder_is_seeded_on_first_start(tmp_path):
    app = create_app({"DATA": str(tmp_path / "fresh")})
    body = app.test_client().get("/collections/incidents/items?limit=1").json
    assert body["numberMatched"] >= 17


def test_seed_off_starts_with_sites_only(tmp_path):
    app = create_app({"DATA": str(tmp_path / "empty"), "SEED": False})
    client = app.test_client()
    assert client.get("/collections/incidents/items").json["numberMatched"] == 0
    assert client.get("/collections/sites/items").json["numberMatched"] >= 30


def test_map_source_takes_features_or_tiles():
    assert resolve_settings({}, {})["MAP_SOURCE"] == "features"
    assert resolve_settings({}, {"INCIDENTMAP_MAP_SOURCE": "tiles"})["MAP_SOURCE"] == "tiles"
    with pytest.raises(ValueError, match="MAP_SOURCE must be 'features' or 'tiles'"):
        resolve_settings({}, {"INCIDENTMAP_MAP_SOURCE": "vector"})
