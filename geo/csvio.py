"""CSV out (flat rows a spreadsheet opens) and CSV in (ACLED's column names)."""

from __future__ import annotations

import csv
import io
import re
from calendar import monthrange
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta

from geo.errors import InvalidInput

INCIDENT_COLUMNS = (
    "id", "date", "date_from", "date_to", "date_precision", "time_local", "event_type",
    "perpetrator", "target", "attribution", "killed", "injured", "site_id", "site_name",
    "location", "admin1", "country", "country_code", "geo_precision", "longitude", "latitude",
    "status", "confidence", "notes", "source_urls", "source_outlets", "created", "updated",
)
SITE_COLUMNS = ("id", "name", "kind", "country_code", "admin1", "parent_id", "longitude",
                "latitude", "geometry_type", "aliases", "source")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula is prefixed with a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _point_of(feature: dict) -> tuple[object, object]:
    geometry = feature.get("geometry") or {}
    if geometry.get("type") == "Point":
        return geometry["coordinates"][0], geometry["coordinates"][1]
    if geometry:
        from shapely.geometry import shape

        rep = shape(geometry).representative_point()
        return round(rep.x, 6), round(rep.y, 6)
    return None, None


def feature_row(collection: str, feature: dict) -> dict:
    props = dict(feature.get("properties") or {})
    lon, lat = _point_of(feature)
    props.update(id=feature.get("id", props.get("id")), longitude=lon, latitude=lat)
    if collection == "sites":
        props["geometry_type"] = (feature.get("geometry") or {}).get("type")
        props["aliases"] = " | ".join(props.get("aliases") or [])
    else:
        sources = props.get("sources") or []
        props["source_urls"] = " | ".join(s.get("url") or "" for s in sources)
        props["source_outlets"] = " | ".join(s.get("outlet") or "" for s in sources)
    return props


def to_csv(collection: str, features: Iterable[dict]) -> str:
    """Features as CSV text with a header row; lon/lat of the point or area's inner point."""
    columns = SITE_COLUMNS if collection == "sites" else INCIDENT_COLUMNS
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for feature in features:
        row = feature_row(collection, feature)
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


# ---- ACLED import ----------------------------------------------------------

ACLED_REQUIRED = ("event_date", "latitude", "longitude")
_SUB_EVENT_TYPES = {
    "air/drone strike": "airstrike",
    "remote explosive/landmine/ied": "ied",
    "suicide bomb": "ied",
    "armed clash": "small_arms",
    "attack": "small_arms",
    "grenade": "other",
}
_SHELLING_WORDS = (("mortar", "mortar_attack"), ("rocket", "rocket_attack"), ("katyusha", "rocket_attack"),
                   ("drone", "drone_attack"), ("uav", "drone_attack"), ("missile", "missile_attack"))
_PRECISION = {"1": "day", "2": "week", "3": "month"}


def _acled_date(text: str, row: int) -> date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise InvalidInput(f"row {row}: event_date {text!r} is not a date like 2023-12-08 or 08 December 2023")


def _acled_event_type(sub_event_type: str, notes: str) -> str:
    key = sub_event_type.strip().casefold()
    if key in _SUB_EVENT_TYPES:
        return _SUB_EVENT_TYPES[key]
    if key == "shelling/artillery/missile attack":
        lowered = notes.casefold()
        for word, event_type in _SHELLING_WORDS:
            if word in lowered:
                return event_type
        return "rocket_attack"
    return "other"


def _acled_int(value: str, name: str, row: int) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not re.fullmatch(r"\d+", value):
        raise InvalidInput(f"row {row}: {name} {value!r} is not a whole number")
    return int(value)


def acled_rows_to_features(text: str, country_codes: dict[str, str]) -> Iterator[dict]:
    """Features from a CSV with ACLED's columns; raises InvalidInput naming the row."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        missing = [c for c in ACLED_REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput(f"CSV lacks the column(s) {', '.join(missing)}; ACLED's columns are expected")
        yield from _acled_features(reader, country_codes)
    except csv.Error as exc:
        raise InvalidInput(_csv_problem(reader.line_num + 1, exc)) from None  # the line being read


def _csv_problem(line: int, exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return (f"line {line}: a field is longer than {csv.field_size_limit():,} characters, far more than any "
                "incident field holds (often a quote left open); fix or shorten that field")
    return f"line {line}: not readable as CSV ({exc})"


def _acled_features(reader: csv.DictReader, country_codes: dict[str, str]) -> Iterator[dict]:
    for n, row in enumerate(reader, start=2):
        day = _acled_date(row["event_date"], n)
        precision = _PRECISION.get((row.get("time_precision") or "1").strip(), "day")
        start, end = day, day
        if precision == "week":
            start, end = day - timedelta(days=3), day + timedelta(days=3)
        elif precision == "month":
            start = day.replace(day=1)
            end = day.replace(day=monthrange(day.year, day.month)[1])
        try:
            lon, lat = float(row["longitude"]), float(row["latitude"])
        except ValueError:
            raise InvalidInput(f"row {n}: latitude/longitude {row['latitude']!r}, {row['longitude']!r} "
                               "are not numbers") from None
        notes = row.get("notes") or ""
        country = (row.get("country") or "").strip()
        props = {
            "date": start.isoformat(), "date_from": start.isoformat(), "date_to": end.isoformat(),
            "date_precision": precision,
            "event_type": _acled_event_type(row.get("sub_event_type") or "", notes),
            "perpetrator": (row.get("actor1") or "").strip() or None,
            "target": (row.get("actor2") or "").strip() or None,
            "killed": _acled_int(row.get("fatalities", ""), "fatalities", n),
            "location": (row.get("location") or "").strip() or None,
            "admin1": (row.get("admin1") or "").strip() or None,
            "country": country or None,
            "country_code": country_codes.get(country.casefold()),
            "geo_precision": _acled_int(row.get("geo_precision", ""), "geo_precision", n) or 1,
            "sources": [{"outlet": s.strip()} for s in (row.get("source") or "").split(";") if s.strip()],
            "notes": notes or None,
            "status": "reported",
        }
        feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                   "properties": props}
        event_id = (row.get("event_id_cnty") or "").strip()
        if event_id:
            feature["id"] = event_id
        yield feature
