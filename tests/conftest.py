"""Shared fixtures: a data folder copied into tmp_path, its store, the app and its clients."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo.datadir import shipped_data_dir
from geo.store.geojson import GeoJSONStore
from webapp import create_app

TEST_DATA = Path(__file__).parent / "data"
TOKEN = "test-token-7f3a"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder with the shipped known sites and the test incidents."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(shipped_data_dir() / "sites.geojson", folder / "sites.geojson")
    shutil.copy(TEST_DATA / "incidents.geojson", folder / "incidents.geojson")
    return folder


@pytest.fixture
def store(data_dir: Path) -> GeoJSONStore:
    return GeoJSONStore(data_dir)


@pytest.fixture
def app(data_dir: Path):
    return create_app({"DATA": str(data_dir), "TOKEN": TOKEN, "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def auth() -> dict:
    return {"Authorization": f"Bearer {TOKEN}"}
