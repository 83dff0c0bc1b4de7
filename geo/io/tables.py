"""CSV files in and out: incidentmap's own columns (geo.csvio), ACLED's and UCDP GED's.

A CSV to import is recognised by its header: ``event_date`` is ACLED, ``date_start`` with
``best`` or ``type_of_violence`` is UCDP GED, ``event_type`` with ``longitude`` and
``latitude`` is incidentmap's own export.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping

import orjson

from geo.csvio import INCIDENT_COLUMNS, to_csv
from geo.errors import InvalidInput
from geo.io import acled, ucdp

CSV_FLAVOURS = ("csv", "acled", "ucdp")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_INTEGERS = ("killed", "injured", "geo_precision")
_DERIVED = ("longitude", "latitude", "source_urls", "source_outlets")


def flavour_of(fieldnames: Iterable[str]) -> str:
    names = set(fieldnames)
    if "event_date" in names:
        return "acled"
    if ucdp.is_ucdp(names):
        return "ucdp"
    if {"event_type", "longitude", "latitude"} <= names:
        return "csv"
    raise InvalidInput("the CSV's header is neither incidentmap's (id, date, event_type, longitude, latitude, ...), "
                       "ACLED's (event_date, latitude, longitude, ...) nor UCDP GED's (date_start, best, ...)")


def read_csv_features(text: str, country_codes: Mapping[str, str], flavour: str | None = None) -> list[dict]:
    """Features from CSV text in any of the three flavours (told by the header unless given)."""
    reader = csv.DictReader(io.StringIO(text))
    names = reader.fieldnames or []
    flavour = flavour if flavour in CSV_FLAVOURS else flavour_of(names)
    if flavour == "acled":
        return list(acled.rows_to_features(reader, names, country_codes))
    if flavour == "ucdp":
        return list(ucdp.rows_to_features(reader, names, country_codes))
    return list(own_rows_to_features(reader, names))


def _cell(value: str | None) -> str | None:
    """A cell as written by geo.csvio.to_csv: "" is missing; a quote put before a formula goes."""
    if value is None or value == "":
        return None
    if value.startswith("'") and value[1:2] in _FORMULA_START:
        return value[1:]
    return value


def own_rows_to_features(rows: Iterable[Mapping[str, str | None]], names: list[str]) -> Iterator[dict]:
    """Features from incidentmap's own CSV (see geo.csvio.INCIDENT_COLUMNS); the header is row 1."""
    missing = [c for c in ("event_type", "longitude", "latitude") if c not in names]
    if missing:
        raise InvalidInput(f"CSV lacks the column(s) {', '.join(missing)}")
    for n, row in enumerate(rows, start=2):
        props: dict = {}
        for name in names:
            if name in _DERIVED or name not in INCIDENT_COLUMNS:
                continue
            value = _cell(row.get(name))
            if value is not None and name in _INTEGERS:
                if not value.isdigit():
                    raise InvalidInput(f"row {n}: {name} {value!r} is not a whole number")
                value = int(value)
            elif value is not None and name == "confidence":
                try:
                    value = float(value)
                except ValueError:
                    raise InvalidInput(f"row {n}: confidence {value!r} is not a number") from None
            elif value is not None and name in ("sources", "disagreements"):
                try:
                    value = orjson.loads(value)
                except orjson.JSONDecodeError:
                    raise InvalidInput(f"row {n}: {name} is not JSON text: {value[:60]!r}") from None
            props[name] = value
        if "sources" not in props or props["sources"] is None:
            urls = (_cell(row.get("source_urls")) or "").split(" | ")
            outlets = (_cell(row.get("source_outlets")) or "").split(" | ")
            props["sources"] = [{"url": u or None, "outlet": o or None}
                                for u, o in zip(urls, outlets, strict=False) if u or o]
        if props.get("disagreements") is None:
            props.pop("disagreements", None)
        try:
            lon, lat = float(row.get("longitude") or ""), float(row.get("latitude") or "")
        except ValueError:
            raise InvalidInput(f"row {n}: longitude/latitude {row.get('longitude')!r}, {row.get('latitude')!r} "
                               "are not numbers") from None
        feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}
        if props.get("id"):
            feature["id"] = props["id"]
        yield feature


def csv_text(features: Iterable[dict], flavour: str = "csv", collection: str = "incidents") -> str:
    """The features as CSV text: incidentmap's columns, or ACLED's or UCDP GED's."""
    if flavour == "csv":
        return to_csv(collection, features)
    return "".join(csv_chunks(features, flavour))


def csv_chunks(features: Iterable[dict], flavour: str, rows_per_chunk: int = 1000) -> Iterator[str]:
    """CSV text in pieces of ``rows_per_chunk`` rows, header first: for a streamed download."""
    module = acled if flavour == "acled" else ucdp if flavour == "ucdp" else None
    columns = module.COLUMNS if module else INCIDENT_COLUMNS
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    batch: list[dict] = []

    def flush() -> str:
        if module is None:
            body = to_csv("incidents", batch)
            text = body[body.index("\r\n") + 2:]
        else:
            for feature in batch:
                row = module.feature_to_row(feature)
                writer.writerow([_safe(row[c]) for c in columns])
            text = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        batch.clear()
        return text

    header = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    yield header
    for feature in features:
        batch.append(feature)
        if len(batch) >= rows_per_chunk:
            yield flush()
    if batch:
        yield flush()


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
