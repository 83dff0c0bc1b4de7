"""The incident and site model: GeoJSON Features in, validated objects out.

``Incident.from_feature`` and ``Site.from_feature`` accept a GeoJSON Feature
(RFC 7946, coordinates lon, lat) and raise :class:`geo.errors.ValidationError`
naming the field and the bad value; ``to_feature`` gives the canonical Feature
back. Properties not in the model are kept as they are, so data from other
tools passes through.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields
from typing import Any

from geo.bounds import MAX_SOURCES, check_unknown_properties, short_repr
from geo.errors import ValidationError
from geo.timespan import parse_day, parse_instant

EVENT_TYPES = (
    "rocket_attack", "mortar_attack", "drone_attack", "missile_attack",
    "airstrike", "ied", "small_arms", "other",
)
DATE_PRECISIONS = ("day", "days", "week", "month", "year")
ATTRIBUTIONS = ("claimed", "attributed", "unknown")
STATUSES = ("reported", "verified", "rejected")
GEO_PRECISIONS = (1, 2, 3)
SITE_KINDS = (
    "embassy", "air_base", "military_base", "government", "city", "area",
    "oil_field", "outpost", "airport",
)

# always used with fullmatch: "$" also matches before a final newline, and "nl-demo\n" is no id
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")
_TIME_RE = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
_CC_RE = re.compile(r"[A-Z]{2}")
_URL_RE = re.compile(r"https?://[^\s]+", re.I)


# ---- small field checkers: each names the field and quotes the value --------

def check_id(name: str, value: Any) -> str:
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        raise ValidationError(
            name, value, "must be 1-128 URL-safe characters (letters, digits, . _ ~ -)"
        )
    return value


def _opt_str(name: str, value: Any, max_len: int = 10_000) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(name, value, "must be a string or null")
    if len(value) > max_len:
        raise ValidationError(name, value[:40] + "...", f"is longer than {max_len} characters")
    return value


def _enum(name: str, value: Any, allowed: tuple) -> Any:
    # by type as well as value: True == 1 and 1.0 == 1 would pass a plain ``in``
    if not any(value == a and type(value) is type(a) for a in allowed):
        raise ValidationError(name, value, f"must be one of {', '.join(map(str, allowed))}")
    return value


def _day(name: str, value: Any) -> str:
    try:
        return parse_day(value).isoformat()
    except (ValueError, TypeError):
        raise ValidationError(name, value, "must be a date YYYY-MM-DD") from None


def _opt_count(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(name, value, "must be a whole number or null")
    if value < 0:
        raise ValidationError(name, value, "must not be negative")
    return value


def _opt_instant(name: str, value: Any) -> str | None:
    if value is None:
        return None
    try:
        parse_instant(value)
    except (ValueError, TypeError):
        raise ValidationError(name, value, "must be an RFC 3339 date-time") from None
    return value


def _lon_lat(name: str, pair: Any) -> list[float]:
    if (not isinstance(pair, (list, tuple)) or len(pair) not in (2, 3)
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pair)):
        raise ValidationError(name, pair, "must be [lon, lat] numbers")
    try:
        lon, lat = float(pair[0]), float(pair[1])
    except OverflowError:  # an integer too large for a float
        raise ValidationError(name, _short(pair), "longitude and latitude must be within -180..180, -90..90") from None
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise ValidationError(name, pair, "longitude must be within -180..180")
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise ValidationError(name, pair, "latitude must be within -90..90")
    return [lon, lat]


def _point(geometry: Any) -> dict:
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        raise ValidationError("geometry", _short(geometry), "must be a GeoJSON Point")
    lon, lat = _lon_lat("geometry.coordinates", geometry.get("coordinates"))
    return {"type": "Point", "coordinates": [lon, lat]}


def _polygon(geometry: dict) -> dict:
    """A valid Polygon with its exterior wound counter-clockwise (RFC 7946 7.1)."""
    from shapely.geometry import Polygon, mapping
    from shapely.geometry.polygon import orient

    rings = geometry.get("coordinates")
    if not isinstance(rings, list) or not rings:
        raise ValidationError("geometry.coordinates", _short(rings), "must be a list of rings")
    checked = []
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4:
            raise ValidationError("geometry.coordinates", _short(ring), "a ring needs 4 or more positions")
        pts = [_lon_lat("geometry.coordinates", p) for p in ring]
        if pts[0] != pts[-1]:
            raise ValidationError("geometry.coordinates", _short(ring), "a ring must be closed")
        checked.append(pts)
    poly = Polygon(checked[0], checked[1:])
    if not poly.is_valid:
        from shapely.validation import explain_validity

        raise ValidationError("geometry", _short(rings), f"polygon is invalid: {explain_validity(poly)}")
    out = mapping(orient(poly, 1.0))
    return {"type": "Polygon", "coordinates": [[list(p) for p in r] for r in out["coordinates"]]}


def _short(value: Any) -> Any:
    try:
        text = repr(value)
    except RecursionError:  # nested deeper than repr goes
        return short_repr(value)
    return value if len(text) <= 80 else text[:77] + "..."


def _feature_parts(feature: Any) -> tuple[Any, dict, Any]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValidationError("type", _short(feature if not isinstance(feature, dict) else feature.get("type")),
                              "must be a GeoJSON Feature")
    props = feature.get("properties")
    if props is None:
        props = {}
    if not isinstance(props, dict):
        raise ValidationError("properties", _short(props), "must be an object")
    top_id, prop_id = feature.get("id"), props.get("id")
    if top_id is not None and prop_id is not None and str(top_id) != str(prop_id):
        raise ValidationError("id", prop_id, f"differs from the feature's id {top_id!r}")
    fid = top_id if top_id is not None else prop_id
    if isinstance(fid, int) and not isinstance(fid, bool):
        fid = str(fid)
    return fid, props, feature.get("geometry")


def _extra(props: dict, known: set[str]) -> dict:
    """The properties the model does not know, within the limits of geo.bounds."""
    extra = {k: v for k, v in props.items() if k not in known}
    check_unknown_properties(extra)
    return extra


# ---- the model ----------------------------------------------------------

@dataclass
class Source:
    """One report that describes an incident, with its supporting sentence."""

    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: str | None = None
    quote: str | None = None
    language: str | None = None  # the report's language, as detected: "en", "ar"

    @classmethod
    def from_dict(cls, data: Any, where: str = "sources[0]") -> Source:
        if not isinstance(data, dict):
            raise ValidationError(where, _short(data), "must be an object")
        url = _opt_str(f"{where}.url", data.get("url"), 2048)
        if url is not None and not _URL_RE.fullmatch(url):
            raise ValidationError(f"{where}.url", url, "must be an http or https URL")
        published = data.get("published")
        if published is not None:
            try:
                parse_day(published) if len(str(published)) == 10 else parse_instant(published)
            except (ValueError, TypeError):
                raise ValidationError(f"{where}.published", published,
                                      "must be a date YYYY-MM-DD or an RFC 3339 date-time") from None
        return cls(
            url=url,
            outlet=_opt_str(f"{where}.outlet", data.get("outlet"), 300),
            title=_opt_str(f"{where}.title", data.get("title"), 1000),
            published=published,
            quote=_opt_str(f"{where}.quote", data.get("quote"), 5000),
            language=_language(f"{where}.language", data.get("language")),
        )

    def to_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        if out["language"] is None:
            del out["language"]  # sources stored before languages were told stay as they were
        return out


_LANGUAGE_RE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?")


def _language(where: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _LANGUAGE_RE.fullmatch(value):
        raise ValidationError(where, _short(value), "must be a language code like 'en' or 'ar'")
    return value


@dataclass
class Incident:
    """One attack or strike at one place on one day or span (DESIGN.md)."""

    id: str | None
    lon: float
    lat: float
    date: str
    event_type: str
    date_from: str = ""
    date_to: str = ""
    date_precision: str = "day"
    time_local: str | None = None
    perpetrator: str | None = None
    target: str | None = None
    attribution: str = "unknown"
    killed: int | None = None
    injured: int | None = None
    site_id: str | None = None
    site_name: str | None = None
    location: str | None = None
    admin1: str | None = None
    country: str | None = None
    country_code: str | None = None
    geo_precision: int = 1
    sources: list[Source] = field(default_factory=list)
    status: str = "reported"
    confidence: float | None = None
    notes: str | None = None
    created: str | None = None
    updated: str | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_feature(cls, feature: Any, require_id: bool = False) -> Incident:
        """Validate a GeoJSON Feature; raise ValidationError naming the bad field."""
        fid, p, geometry = _feature_parts(feature)
        if fid is not None or require_id:
            check_id("id", fid)
        point = _point(geometry)
        day = p.get("date", p.get("date_from"))
        if day is None:
            raise ValidationError("date", None, "is required")
        day = _day("date", day)
        date_from = _day("date_from", p.get("date_from", day))
        date_to = _day("date_to", p.get("date_to", date_from))
        if date_to < date_from:
            raise ValidationError("date_to", date_to, f"is before date_from {date_from!r}")
        if not date_from <= day <= date_to:
            raise ValidationError("date", day, f"lies outside date_from..date_to {date_from}..{date_to}")
        precision = p.get("date_precision") or ("day" if date_from == date_to else "days")
        time_local = p.get("time_local")
        if time_local is not None and (not isinstance(time_local, str) or not _TIME_RE.fullmatch(time_local)):
            raise ValidationError("time_local", time_local, "must be HH:MM (24-hour) or null")
        country_code = p.get("country_code")
        if country_code not in (None, "") and (not isinstance(country_code, str) or not _CC_RE.fullmatch(country_code)):
            raise ValidationError("country_code", country_code, "must be an ISO 3166-1 alpha-2 code like 'IQ'")
        raw_sources = p.get("sources") or []
        if not isinstance(raw_sources, list):
            raise ValidationError("sources", _short(raw_sources), "must be a list")
        if len(raw_sources) > MAX_SOURCES:
            raise ValidationError("sources", f"{len(raw_sources)} sources", f"at most {MAX_SOURCES} per incident")
        confidence = p.get("confidence")
        if confidence is not None and (isinstance(confidence, bool) or not isinstance(confidence, (int, float))
                                       or not 0 <= confidence <= 1):
            raise ValidationError("confidence", confidence, "must be a number from 0 to 1 or null")
        site_id = p.get("site_id")
        if site_id is not None:
            check_id("site_id", site_id)
        return cls(
            id=fid,
            lon=point["coordinates"][0],
            lat=point["coordinates"][1],
            date=day,
            date_from=date_from,
            date_to=date_to,
            date_precision=_enum("date_precision", precision, DATE_PRECISIONS),
            time_local=time_local,
            event_type=_enum("event_type", p.get("event_type"), EVENT_TYPES),
            perpetrator=_opt_str("perpetrator", p.get("perpetrator"), 300),
            target=_opt_str("target", p.get("target"), 300),
            attribution=_enum("attribution", p.get("attribution") or "unknown", ATTRIBUTIONS),
            killed=_opt_count("killed", p.get("killed")),
            injured=_opt_count("injured", p.get("injured")),
            site_id=site_id,
            site_name=_opt_str("site_name", p.get("site_name"), 300),
            location=_opt_str("location", p.get("location"), 300),
            admin1=_opt_str("admin1", p.get("admin1"), 300),
            country=_opt_str("country", p.get("country"), 100),
            country_code=country_code or None,
            geo_precision=_enum("geo_precision", p.get("geo_precision", 1), GEO_PRECISIONS),
            sources=[Source.from_dict(s, f"sources[{i}]") for i, s in enumerate(raw_sources)],
            status=_enum("status", p.get("status") or "reported", STATUSES),
            confidence=None if confidence is None else float(confidence),
            notes=_opt_str("notes", p.get("notes"), 2000),
            created=_opt_instant("created", p.get("created")),
            updated=_opt_instant("updated", p.get("updated")),
            extra=_extra(p, _INCIDENT_FIELDS),
        )

    def properties(self) -> dict:
        """Properties in DESIGN.md's order, then any extra ones."""
        props: dict[str, Any] = {}
        for name in PROPERTY_ORDER:
            value = getattr(self, name)
            props[name] = [s.to_dict() for s in value] if name == "sources" else value
        props.update(self.extra)
        return props

    def to_feature(self) -> dict:
        return {
            "type": "Feature",
            "id": self.id,
            "geometry": {"type": "Point", "coordinates": [self.lon, self.lat]},
            "properties": self.properties(),
        }


PROPERTY_ORDER = (
    "id", "date", "date_from", "date_to", "date_precision", "time_local", "event_type", "perpetrator",
    "target", "attribution", "killed", "injured", "site_id", "site_name", "location", "admin1",
    "country", "country_code", "geo_precision", "sources", "status", "confidence", "notes",
    "created", "updated",
)
_INCIDENT_FIELDS = set(PROPERTY_ORDER)


@dataclass
class Site:
    """A known place: a facility (Point) or an area (Polygon)."""

    id: str
    name: str
    kind: str
    geometry: dict
    aliases: list[str] = field(default_factory=list)
    country_code: str | None = None
    admin1: str | None = None
    parent_id: str | None = None
    source: str | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_feature(cls, feature: Any) -> Site:
        fid, p, geometry = _feature_parts(feature)
        check_id("id", fid)
        if isinstance(geometry, dict) and geometry.get("type") == "Polygon":
            geometry = _polygon(geometry)
        else:
            geometry = _point(geometry)
        name = p.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValidationError("name", name, "must be a non-empty string")
        aliases = p.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise ValidationError("aliases", _short(aliases), "must be a list of non-empty strings")
        parent = p.get("parent_id")
        if parent is not None:
            check_id("parent_id", parent)
        cc = p.get("country_code")
        if cc is not None and (not isinstance(cc, str) or not _CC_RE.fullmatch(cc)):
            raise ValidationError("country_code", cc, "must be an ISO 3166-1 alpha-2 code like 'IQ'")
        return cls(
            id=fid, name=name, kind=_enum("kind", p.get("kind"), SITE_KINDS), geometry=geometry,
            aliases=list(aliases), country_code=cc, admin1=_opt_str("admin1", p.get("admin1"), 300),
            parent_id=parent, source=_opt_str("source", p.get("source"), 2000),
            extra=_extra(p, _SITE_FIELDS),
        )

    @property
    def point(self) -> tuple[float, float]:
        """(lon, lat) of the site: the point itself, or the area's representative point."""
        if self.geometry["type"] == "Point":
            lon, lat = self.geometry["coordinates"][:2]
            return lon, lat
        from shapely.geometry import shape

        rep = shape(self.geometry).representative_point()
        return rep.x, rep.y

    @property
    def is_area(self) -> bool:
        return self.geometry["type"] == "Polygon"

    def to_feature(self) -> dict:
        props = {
            "id": self.id, "name": self.name, "aliases": self.aliases, "kind": self.kind,
            "country_code": self.country_code, "admin1": self.admin1,
            "parent_id": self.parent_id, "source": self.source,
        }
        props.update(self.extra)
        return {"type": "Feature", "id": self.id, "geometry": self.geometry, "properties": props}


_SITE_FIELDS = {"id", "name", "aliases", "kind", "country_code", "admin1", "parent_id", "source"}


def validate_feature(collection: str, feature: Any, require_id: bool = False) -> dict:
    """The canonical Feature for ``collection`` ('incidents' or 'sites'), or ValidationError."""
    if collection == "sites":
        return Site.from_feature(feature).to_feature()
    return Incident.from_feature(feature, require_id=require_id).to_feature()
