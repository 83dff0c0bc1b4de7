"""CSV out (flat rows a spreadsheet opens) and CSV in (ACLED's column names)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

import orjson

from geo.errors import InvalidInput

INCIDENT_COLUMNS = (
    "id", "date", "date_from", "date_to", "date_precision", "time_local", "event_type",
    "perpetrator", "target", "attribution", "killed", "injured", "site_id", "site_name",
    "location", "admin1", "country", "country_code", "geo_precision", "longitude", "latitude",
    "status", "confidence", "notes", "source_urls", "source_outlets", "created", "updated",
    "sources", "disagreements",  # JSON text: every source in full, so an import gets them back
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
        props["sources"] = orjson.dumps(sources).decode()
        if props.get("disagreements") is not None:
            props["disagreements"] = orjson.dumps(props["disagreements"]).decode()
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


# ---- ACLED import (the mapping lives in geo.io.acled) -------------------------------------


def acled_rows_to_features(text: str, country_codes: dict[str, str]) -> Iterator[dict]:
    """Features from a CSV with ACLED's columns; raises InvalidInput naming the row."""
    from geo.io import acled

    reader = csv.DictReader(io.StringIO(text))
    try:
        yield from acled.rows_to_features(reader, reader.fieldnames or [], country_codes)
    except csv.Error as exc:
        raise InvalidInput(_csv_problem(reader.line_num + 1, exc)) from None  # the line being read


def _csv_problem(line: int, exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return (f"line {line}: a field is longer than {csv.field_size_limit():,} characters, far more than any "
                "incident field holds (often a quote left open); fix or shorten that field")
    return f"line {line}: not readable as CSV ({exc})"
