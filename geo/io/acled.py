"""ACLED's CSV columns in and out (the mapping, column by column, is in the README).

In: each row becomes an incident; ACLED's columns with no place in the model (disorder_type,
event_type, assoc_actor_1, admin2, admin3, source_scale, ...) are kept as properties named
``acled_<column>``, so writing the incidents back as ACLED gives those cells again.
Out: one row per incident in ACLED's column order.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta

from geo.errors import InvalidInput

COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)
REQUIRED = ("event_date", "latitude", "longitude")
# ACLED columns with no field of their own: kept as acled_<name> properties and written back
KEPT = ("disorder_type", "event_type", "assoc_actor_1", "inter1", "assoc_actor_2", "inter2", "interaction",
        "civilian_targeting", "iso", "region", "admin2", "admin3", "source_scale", "tags")

SUB_EVENT_TYPES = {
    "air/drone strike": "airstrike",
    "remote explosive/landmine/ied": "ied",
    "suicide bomb": "ied",
    "armed clash": "small_arms",
    "attack": "small_arms",
    "grenade": "other",
}
_SHELLING_WORDS = (("mortar", "mortar_attack"), ("rocket", "rocket_attack"), ("katyusha", "rocket_attack"),
                   ("drone", "drone_attack"), ("uav", "drone_attack"), ("missile", "missile_attack"))
_PRECISION_IN = {"1": "day", "2": "week", "3": "month"}
_PRECISION_OUT = {"day": "1", "days": "2", "week": "2", "month": "3", "year": "3"}
# our event_type -> ACLED (event_type, sub_event_type)
TYPES_OUT = {
    "rocket_attack": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "mortar_attack": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "missile_attack": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "drone_attack": ("Explosions/Remote violence", "Air/drone strike"),
    "airstrike": ("Explosions/Remote violence", "Air/drone strike"),
    "ied": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "small_arms": ("Battles", "Armed clash"),
    "other": ("Explosions/Remote violence", "Grenade"),
}
_STATE_FORCES = re.compile(r"^(military|police) forces of", re.I)


def parse_date(text: str, row: int) -> date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise InvalidInput(f"row {row}: event_date {text!r} is not a date like 2023-12-08 or 08 December 2023")


def event_type_of(sub_event_type: str, notes: str, actor1: str = "") -> str:
    """Our event_type for ACLED's sub_event_type; shelling by the notes' words; an
    "Air/drone strike" by a non-state actor whose notes speak of drones is a drone_attack."""
    key = sub_event_type.strip().casefold()
    lowered = notes.casefold()
    if key == "air/drone strike":
        if actor1.strip() and not _STATE_FORCES.match(actor1.strip()) and ("drone" in lowered or "uav" in lowered):
            return "drone_attack"
        return "airstrike"
    if key in SUB_EVENT_TYPES:
        return SUB_EVENT_TYPES[key]
    if key == "shelling/artillery/missile attack":
        for word, event_type in _SHELLING_WORDS:
            if word in lowered:
                return event_type
        return "rocket_attack"
    return "other"


def whole_number(value: str | None, name: str, row: int) -> int | None:
    """A CSV cell's whole number, None when empty; InvalidInput naming the row and column otherwise."""
    value = (value or "").strip()
    if not value:
        return None
    if not re.fullmatch(r"\d+", value):
        raise InvalidInput(f"row {row}: {name} {value!r} is not a whole number")
    return int(value)


def _text(row: Mapping[str, str | None], name: str) -> str | None:
    return (row.get(name) or "").strip() or None


def _timestamp(value: str | None, row: int) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{1,12}", value):
        raise InvalidInput(f"row {row}: timestamp {value!r} is not Unix seconds")
    return datetime.fromtimestamp(int(value), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rows_to_features(rows: Iterable[Mapping[str, str | None]], fieldnames: Iterable[str],
                     country_codes: Mapping[str, str]) -> Iterator[dict]:
    """Features from rows with ACLED's columns; InvalidInput naming the row (the header is row 1)."""
    names = list(fieldnames)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InvalidInput(f"CSV lacks the column(s) {', '.join(missing)}; ACLED's columns are expected")
    for n, row in enumerate(rows, start=2):
        day = parse_date(row["event_date"] or "", n)
        precision = _PRECISION_IN.get((row.get("time_precision") or "1").strip(), "day")
        start, end = day, day
        if precision == "week":
            start, end = day - timedelta(days=3), day + timedelta(days=3)
        elif precision == "month":
            start = day.replace(day=1)
            end = day.replace(day=monthrange(day.year, day.month)[1])
        try:
            lon, lat = float(row["longitude"] or ""), float(row["latitude"] or "")
        except ValueError:
            raise InvalidInput(f"row {n}: latitude/longitude {row['latitude']!r}, {row['longitude']!r} "
                               "are not numbers") from None
        notes = row.get("notes") or ""
        country = (row.get("country") or "").strip()
        props = {
            "date": start.isoformat(), "date_from": start.isoformat(), "date_to": end.isoformat(),
            "date_precision": precision,
            "event_type": event_type_of(row.get("sub_event_type") or "", notes, row.get("actor1") or ""),
            "perpetrator": _text(row, "actor1"),
            "target": _text(row, "actor2"),
            "killed": whole_number(row.get("fatalities"), "fatalities", n),
            "location": _text(row, "location"),
            "admin1": _text(row, "admin1"),
            "country": country or None,
            "country_code": country_codes.get(country.casefold()),
            "geo_precision": whole_number(row.get("geo_precision"), "geo_precision", n) or 1,
            "sources": [{"outlet": s.strip()} for s in (row.get("source") or "").split(";") if s.strip()],
            "notes": notes or None,
            "status": "reported",
        }
        updated = _timestamp(row.get("timestamp"), n)
        if updated:
            props["created"] = props["updated"] = updated
        for name in KEPT:
            if _text(row, name) is not None:
                props[f"acled_{name}"] = _text(row, name)
        feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                   "properties": props}
        event_id = (row.get("event_id_cnty") or "").strip()
        if event_id:
            feature["id"] = event_id
        yield feature


def _unix(stamp: str | None) -> str:
    if not stamp:
        return ""
    return str(int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()))


def _middle(first: str | None, last: str | None) -> str | None:
    """The middle day of a span: ACLED dates a week-precise event by the week's middle."""
    if not first or not last:
        return None
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    return (a + (b - a) / 2).isoformat()


def feature_to_row(feature: dict) -> dict:
    """One incident as an ACLED row (every column of COLUMNS, "" where we know nothing)."""
    props = feature.get("properties") or {}
    lon, lat = (feature.get("geometry") or {}).get("coordinates", [None, None])[:2]
    acled_type, sub_type = TYPES_OUT.get(props.get("event_type") or "other", TYPES_OUT["other"])
    day = _middle(props.get("date_from"), props.get("date_to")) or props.get("date") or ""
    row = {name: props.get(f"acled_{name}") or "" for name in KEPT}
    row.update({
        "event_id_cnty": feature.get("id") or props.get("id") or "",
        "event_date": day,
        "year": day[:4],
        "time_precision": _PRECISION_OUT.get(props.get("date_precision") or "day", "3"),
        "disorder_type": props.get("acled_disorder_type") or "Political violence",
        "event_type": props.get("acled_event_type") or acled_type,
        "sub_event_type": sub_type,
        "actor1": props.get("perpetrator") or "",
        "actor2": props.get("target") or "",
        "country": props.get("country") or "",
        "admin1": props.get("admin1") or "",
        "location": props.get("location") or props.get("site_name") or "",
        "latitude": lat, "longitude": lon,
        "geo_precision": props.get("geo_precision") or "",
        "source": "; ".join(s.get("outlet") or s.get("url") or "" for s in props.get("sources") or []
                            if s.get("outlet") or s.get("url")),
        "notes": props.get("notes") or "",
        "fatalities": "" if props.get("killed") is None else props["killed"],
        "timestamp": _unix(props.get("updated")),
    })
    return {name: row.get(name, "") for name in COLUMNS}
