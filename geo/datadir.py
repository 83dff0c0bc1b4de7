"""Where data lives: the shipped data, the user's data folder, and seeding one."""

from __future__ import annotations

import os
from pathlib import Path

import orjson

SITES_FILE = "sites.geojson"
SAMPLE_FILE = "sample_incidents.geojson"
ADMIN_FILE = "admin_areas.json"


def shipped_data_dir() -> Path:
    """The project's ``data/`` folder: inside the installed package, or the source tree."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "shipped_data", here.parent / "data"):
        if (candidate / SITES_FILE).is_file():
            return candidate
    raise FileNotFoundError("incidentmap's shipped data folder is missing (sites.geojson not found)")


def default_data_dir(environ: dict | None = None) -> Path:
    """``$INCIDENTMAP_DATA``, else ``$XDG_DATA_HOME/incidentmap`` (``~/.local/share``)."""
    env = os.environ if environ is None else environ
    if env.get("INCIDENTMAP_DATA"):
        return Path(env["INCIDENTMAP_DATA"]).expanduser()
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "incidentmap"


def is_initialised(data_dir: Path) -> bool:
    return (Path(data_dir) / "sites.geojson").is_file()


def read_feature_collection(path: Path) -> list[dict]:
    data = orjson.loads(Path(path).read_bytes())
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise ValueError(f"{path} is not a GeoJSON FeatureCollection")
    return data["features"]


def init_data_dir(data_dir: Path, empty: bool = False) -> dict[str, int]:
    """Create a data folder holding the known sites and (unless ``empty``) the sample incidents.

    Existing collections are left alone, so running it twice is harmless.
    Returns how many features each collection file was seeded with.
    """
    from geo.store.geojson import GeoJSONStore

    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    store = GeoJSONStore(data_dir)
    shipped = shipped_data_dir()
    seeded: dict[str, int] = {}
    plan = {"sites": shipped / SITES_FILE, "incidents": None if empty else shipped / SAMPLE_FILE}
    for collection, source in plan.items():
        if store.path(collection).exists():
            continue
        features = read_feature_collection(source) if source else []
        store.put_many(collection, features, actor="local", note="seeded from the shipped data", keep_stamps=True)
        store.compact(collection)  # a new folder's files hold what it was seeded with
        seeded[collection] = len(features)
    return seeded
