"""Alert rules: which new incidents someone wants to hear about, and where to send them.

A rule has one target (a webhook URL, or an apprise URL for email, Slack, Matrix,
Telegram, ...) and filters that must all hold: any of its sites, within a distance
of a point, any of its event types, at least N killed. Rules, the dispatcher's
cursor and its outbox live in one file, ``alerts.json`` in the data folder,
written atomically under a cross-process lock (see geo.live.alerts_state).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from geo.errors import InvalidInput
from geo.fileio import atomic_write_bytes
from geo.model import EVENT_TYPES

SECRET_FILE = "alerts.secret"
SIGNATURE_HEADER = "X-Incidentmap-Signature"
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Near:
    """A circle: ``km`` kilometres around (lon, lat)."""

    lon: float
    lat: float
    km: float


@dataclass
class AlertRule:
    """One rule. ``since`` is the history seq it was made at: only later changes fire it."""

    id: str
    webhook: str | None = None
    notify: str | None = None
    sites: list[str] = field(default_factory=list)
    near: Near | None = None
    types: list[str] = field(default_factory=list)
    min_killed: int | None = None
    updates: bool = False
    since: int = 0
    created: str = ""

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> AlertRule:
        near = data.get("near")
        return cls(**{**data, "near": Near(**near) if near else None})

    def target(self, private: bool = True) -> str:
        """Where it sends: the webhook, or the apprise URL (with its secrets hidden when ``private``)."""
        if self.webhook:
            return f"webhook {self.webhook}"
        return f"notify {_private_url(self.notify or '') if private else self.notify}"

    def describe(self) -> str:
        """The filters in words: ``sites us-embassy-baghdad; type rocket_attack; killed >= 1``."""
        parts = []
        if self.sites:
            parts.append("site " + ", ".join(self.sites))
        if self.near:
            parts.append(f"within {self.near.km:g} km of {self.near.lon:g},{self.near.lat:g}")
        if self.types:
            parts.append("type " + ", ".join(self.types))
        if self.min_killed is not None:
            parts.append(f"killed >= {self.min_killed}")
        if self.updates:
            parts.append("also on updates")
        return "; ".join(parts) or "every new incident"

    def matches(self, feature: dict) -> bool:
        """True when the incident passes every filter of the rule."""
        props = feature.get("properties") or {}
        if self.sites and props.get("site_id") not in self.sites:
            return False
        if self.types and props.get("event_type") not in self.types:
            return False
        if self.min_killed is not None and (props.get("killed") is None or props["killed"] < self.min_killed):
            return False
        if self.near is not None:
            point = _point(feature)
            if point is None or distance_km(point, (self.near.lon, self.near.lat)) > self.near.km:
                return False
        return True


def _point(feature: dict) -> tuple[float, float] | None:
    geometry = feature.get("geometry") or {}
    coords = geometry.get("coordinates") if geometry.get("type") == "Point" else None
    return (float(coords[0]), float(coords[1])) if coords else None


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lon, lat) points, in km (haversine)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _private_url(url: str) -> str:
    """An apprise URL with passwords and tokens hidden, as apprise itself shows it."""
    import apprise

    found = apprise.Apprise.instantiate(url)
    return found.url(privacy=True) if found else url


# ---- parsing what a user typed ------------------------------------------------------------------

def parse_near(text: str) -> Near:
    """``LON,LAT,KM`` as a Near; InvalidInput naming what is wrong.

    >>> parse_near("44.39,33.30,25")
    Near(lon=44.39, lat=33.3, km=25.0)
    """
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 3:
        raise InvalidInput(f"--near must be LON,LAT,KM (three numbers), got {text!r}")
    try:
        lon, lat, km = (float(p) for p in parts)
    except ValueError:
        raise InvalidInput(f"--near must be LON,LAT,KM (three numbers), got {text!r}") from None
    if not all(math.isfinite(v) for v in (lon, lat, km)):
        raise InvalidInput(f"--near must be finite numbers, got {text!r}")
    if not -180 <= lon <= 180:
        raise InvalidInput(f"--near: longitude must be within -180..180 (got {lon:g}); the order is LON,LAT,KM")
    if not -90 <= lat <= 90:
        raise InvalidInput(f"--near: latitude must be within -90..90 (got {lat:g}); the order is LON,LAT,KM")
    if not 0 < km <= 20_000:
        raise InvalidInput(f"--near: the distance must be more than 0 and at most 20000 km (got {km:g})")
    return Near(lon, lat, km)


def check_webhook(url: str) -> str:
    """An http(s) URL with a host, else InvalidInput."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"--webhook must be an http:// or https:// URL, got {url!r}")
    return url.strip()


def check_notify(url: str) -> str:
    """An apprise URL apprise can send to (mailto://, slack://, ...), else InvalidInput."""
    import apprise

    if apprise.Apprise.instantiate(url.strip()) is None:
        # only the scheme is echoed: what follows it may be a password or a token typed wrong
        scheme = url.strip().partition("://")[0][:20] if "://" in url else "(no scheme)"
        raise InvalidInput(f"--notify {scheme}://… is not a URL apprise can send to (e.g. mailto://user:pass@host, "
                           "slack://TokenA/TokenB/TokenC, tgram://bottoken/ChatID; see apprise's list of services)")
    return url.strip()


def check_types(types: list[str]) -> list[str]:
    for name in types:
        if name not in EVENT_TYPES:
            raise InvalidInput(f"--type {name!r} is not an event type; one of {', '.join(EVENT_TYPES)}")
    return list(dict.fromkeys(types))


def check_min_killed(value: int | None) -> int | None:
    if value is not None and value < 0:
        raise InvalidInput(f"--min-killed must be 0 or more, got {value}")
    return value


# ---- the per-folder webhook secret ----------------------------------------------------------------

def webhook_secret(folder: Path, create: bool = True) -> str | None:
    """The folder's webhook signing secret (64 hex digits), made on first use and kept 0600."""
    path = Path(folder) / SECRET_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        if not create:
            return None
    secret = secrets.token_hex(32)
    atomic_write_bytes(path, (secret + "\n").encode(), mode=0o600)
    os.chmod(path, 0o600)
    return secret


def sign(secret: str, body: bytes) -> str:
    """The signature header's value for ``body``: ``sha256=<hex HMAC-SHA256 of the body>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does: True when ``header`` is the signature of ``body`` under ``secret``."""
    return hmac.compare_digest(sign(secret, body), header or "")
