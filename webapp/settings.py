"""Every setting the app reads, declared once with its default and meaning.

A setting ``NAME`` comes from, in order: the mapping given to
``create_app``, the environment variable ``INCIDENTMAP_NAME``, the default.
The README's settings table is checked against this one by a test.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


def _bool(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


SETTINGS = (
    Setting("DATA", None, "Data folder of the embedded GeoJSON store; created and seeded with the "
            "known sites and sample incidents on first start. Default: ~/.local/share/incidentmap"),
    Setting("STORE", None, "Where the features live: a data folder or a postgresql:// URL of a PostGIS "
            "database (schema made by 'incidentmap db upgrade'). When set it wins over DATA"),
    Setting("STORE_READ", None, "postgresql:// URL of a read replica of STORE: queries, counts, aggregates "
            "and history reads go there, writes to STORE. Unset: everything goes to STORE"),
    Setting("STORE_CACHE", True, "With a postgresql:// STORE: answer queries, features, counts and aggregates "
            "from an in-memory index of every feature in each worker, caught up from the change history "
            "before each read ('on'); 'off' answers every read in SQL", _bool),
    Setting("TOKENS", None, "File of the named write tokens, kept as SHA-256 hashes and managed with "
            "'incidentmap token add|list|revoke'; re-read when it changes. Default: tokens.json in the "
            "data folder. No tokens: writes are refused with 403"),
    Setting("MAX_BODY_BYTES", 2 * 1024 * 1024, "Largest request body accepted, in bytes (413 above)",
            int),
    Setting("SEED", True, "Seed an empty data folder with the sample incidents on first start "
            "(sites are always seeded)", _bool),
    Setting("TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "Tile URL template of the map's "
            "basemap (a local tile server, for example); 'none' for the offline basemap only, which is always "
            "drawn underneath"),
    Setting("TILES_ATTRIBUTION", "© OpenStreetMap contributors", "Attribution shown for the tiles"),
    Setting("FRAME_ANCESTORS", "*", "Origins allowed to show /embed in an iframe (space-separated, as in "
            "Content-Security-Policy frame-ancestors); other pages may only be framed by the app itself"),
    Setting("CORS_ORIGINS", "*", "Origins whose scripts may read the API (GET, HEAD) from another site: '*' "
            "for any, space-separated origins, or 'none'. Writes are never allowed across origins"),
    Setting("PROXY_HOPS", 0, "Number of reverse proxies in front of the app whose X-Forwarded-* "
            "headers are trusted when building links", int),
)


def resolve_settings(overrides: dict | None, environ: dict | None = None) -> dict:
    """The effective value of every setting."""
    env = os.environ if environ is None else environ
    overrides = overrides or {}
    values = {}
    for setting in SETTINGS:
        if setting.name in overrides:
            values[setting.name] = overrides[setting.name]
        elif f"INCIDENTMAP_{setting.name}" in env:
            values[setting.name] = setting.parse(env[f"INCIDENTMAP_{setting.name}"])
        else:
            values[setting.name] = setting.default
    return values
