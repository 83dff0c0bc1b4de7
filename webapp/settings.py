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


def _map_source(text: str) -> str:
    if text.strip() not in ("features", "tiles"):
        raise ValueError(f"INCIDENTMAP_MAP_SOURCE must be 'features' or 'tiles', got {text!r}")
    return text.strip()


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
    Setting("MAP_SOURCE", "features", "Where the map draws incidents from: 'features' (the items in view, or "
            "counts per grid cell from /aggregate when many) or 'tiles' (the collection's vector tiles, for very "
            "large stores); a page's ?source= overrides it", _map_source),
    Setting("TILES_ATTRIBUTION", "© OpenStreetMap contributors", "Attribution shown for the tiles"),
    Setting("FRAME_ANCESTORS", "*", "Origins allowed to show /embed in an iframe (space-separated, as in "
            "Content-Security-Policy frame-ancestors); other pages may only be framed by the app itself"),
    Setting("CORS_ORIGINS", "*", "Origins whose scripts may read the API (GET, HEAD) from another site: '*' "
            "for any, space-separated origins, or 'none'. Writes are never allowed across origins"),
    Setting("PROXY_HOPS", 0, "Number of reverse proxies in front of the app whose X-Forwarded-* "
            "headers are trusted (for links, and the client address the rate limit counts)", int),
    Setting("PUBLIC_URL", None, "The service's public URL (https://maps.example.org): every absolute link "
            "starts with it and the request's Host header is ignored. Unset: links use the Host header, "
            "which must be one of TRUSTED_HOSTS"),
    Setting("TRUSTED_HOSTS", None, "Host names the app answers to, comma-separated ('.example.org' takes "
            "its subdomains, '*' any); a request for another host answers 400. Default: localhost and "
            "127.0.0.1 (plus the host 'incidentmap serve --host' names); with PUBLIC_URL set, any"),
    Setting("MAX_PUBLIC_INGEST_BYTES", 128 * 1024, "Largest body POST /ingest takes without a valid token, "
            "in bytes (413 above); with a token, MAX_BODY_BYTES", int),
    Setting("INGEST_RATE_LIMIT", "30 per minute; 300 per hour", "How often one client address may POST "
            "/ingest without a valid token (flask-limiter's syntax; 429 above); 'off' for no limit"),
    Setting("PRELOAD_EXTRACTOR", True, "'incidentmap serve' builds the report extractor (gazetteer, GeoNames "
            "towns, date parser: about 2.5 s) in gunicorn's master before forking, so the workers share it "
            "and no ingest waits for it; off: each worker builds it on its first ingest (a server that "
            "takes no ingests starts faster)", _bool),
    Setting("HEAD_TIMEOUT", 10.0, "Seconds a client has to send a request's line and headers, from when it "
            "connects or starts the next request on a kept-alive connection (408 after); read by the "
            "gunicorn worker of 'incidentmap serve' (webapp.worker)", float),
    Setting("BODY_TIMEOUT", 60.0, "Seconds a client has to send a request's body once its headers have come "
            "(the request then fails); read by the gunicorn worker of 'incidentmap serve'", float),
    Setting("RATE_LIMIT_STORAGE", "memory://", "Where the rate limit's counts live: memory:// counts in each "
            "gunicorn worker process; redis://host:6379 (or another URL flask-limiter takes) shares them"),
    Setting("ALERT_BACKOFF", 30.0, "Seconds before a failed alert delivery is tried again, doubled for each "
            "further failure (at most an hour); also read by the command line", float),
    Setting("ALERT_ATTEMPTS", 8, "Attempts before an alert delivery is given up (and recorded as given up in "
            "'incidentmap alert list'); also read by the command line", int),
    Setting("ALERT_TIMEOUT", 10.0, "Seconds a webhook receiver has to answer an alert; also read by the "
            "command line", float),
    Setting("ALERT_WAIT", 15.0, "Seconds 'incidentmap ingest' and 'import' wait for their alerts to be sent "
            "before exiting; what is not sent by then stays queued for 'incidentmap alert run' or the server",
            float),
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
