"""UCDP GED's CSV columns in and out (the mapping is in the README).

UCDP records deaths, sides and places but not the means of attack, so imported incidents are
``event_type: other``. Columns with no field of
their own are kept as ``ucdp_<column>`` properties and written back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from geo.errors import InvalidInput
from geo.io.acled import whole_number

COLUMNS = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id",
    "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources",
    "source_article", "source_office", "source_date", "source_headline", "source_original",
    "where_prec", "where_coordinates", "where_description", "adm_1", "adm_2", "latitude", "longitude",
    "geom_wkt", "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec",
    "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best",
    "high", "low",
)
REQUIRED = ("date_start", "latitude", "longitude")
MAPPED = {"id", "side_a", "side_b", "source_office", "where_prec", "where_coordinates", "adm_1",
          "latitude", "longitude", "geom_wkt", "country", "date_prec", "date_start", "date_end", "best", "year"}
KEPT = tuple(c for c in COLUMNS if c not in MAPPED)
_PRECISION_IN = {"1": "day", "2": "days", "3": "week", "4": "month", "5": "year"}
_PRECISION_OUT = {"day": "1", "days": "2", "week": "3", "month": "4", "year": "5"}
_WHERE_IN = {"1": 1, "2": 2}  # 3 (admin2) to 7 (international waters): region-level, our 3
_WHERE_OUT = {1: "1", 2: "2", 3: "4"}
_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T].*)?$")


def is_ucdp(fieldnames: Iterable[str]) -> bool:
    names = set(fieldnames)
    return "date_start" in names and ("best" in names or "type_of_violence" in names)


def _day(value: str | None, name: str, row: int) -> str:
    match = _DAY.match((value or "").strip())
    if not match:
        raise InvalidInput(f"row {row}: {name} {value!r} is not a date like 2023-12-08")
    return match.group(1)


def rows_to_features(rows: Iterable[Mapping[str, str | None]], fieldnames: Iterable[str],
                     country_codes: Mapping[str, str]) -> Iterator[dict]:
    """Features from rows with UCDP GED's columns; InvalidInput naming the row (header: row 1)."""
    missing = [c for c in REQUIRED if c not in set(fieldnames)]
    if missing:
        raise InvalidInput(f"CSV lacks the column(s) {', '.join(missing)}; UCDP GED's columns are expected")
    for n, row in enumerate(rows, start=2):
        start = _day(row.get("date_start"), "date_start", n)
        end = _day(row.get("date_end") or start, "date_end", n)
        try:
            lon, lat = float(row["longitude"] or ""), float(row["latitude"] or "")
        except ValueError:
            raise InvalidInput(f"row {n}: latitude/longitude {row.get('latitude')!r}, {row.get('longitude')!r} "
                               "are not numbers") from None
        precision = _PRECISION_IN.get((row.get("date_prec") or "").strip(), "day" if start == end else "days")
        where = (row.get("where_prec") or "").strip()
        country = (row.get("country") or "").strip()
        props = {
            "date": start, "date_from": start, "date_to": end, "date_precision": precision,
            "event_type": "other",
            "perpetrator": (row.get("side_a") or "").strip() or None,
            "target": (row.get("side_b") or "").strip() or None,
            "killed": whole_number(row.get("best"), "best", n),
            "location": (row.get("where_coordinates") or "").strip() or None,
            "admin1": (row.get("adm_1") or "").strip() or None,
            "country": country or None,
            "country_code": country_codes.get(country.casefold()),
            "geo_precision": _WHERE_IN.get(where, 3 if where else 1),
            "sources": [{"outlet": s.strip()} for s in (row.get("source_office") or "").split(";") if s.strip()],
            "status": "reported",
        }
        for name in KEPT:
            value = (row.get(name) or "").strip()
            if value:
                props[f"ucdp_{name}"] = value
        feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                   "properties": props}
        if (row.get("id") or "").strip():
            feature["id"] = row["id"].strip()
        yield feature


def feature_to_row(feature: dict) -> dict:
    """One incident as a UCDP GED row ("" where we know nothing)."""
    props = feature.get("properties") or {}
    lon, lat = (feature.get("geometry") or {}).get("coordinates", [None, None])[:2]
    row = {name: props.get(f"ucdp_{name}") or "" for name in KEPT}
    killed = props.get("killed")
    row.update({
        "id": feature.get("id") or props.get("id") or "",
        "year": (props.get("date_from") or props.get("date") or "")[:4],
        "side_a": props.get("perpetrator") or "",
        "side_b": props.get("target") or "",
        "source_office": ";".join(s.get("outlet") or "" for s in props.get("sources") or [] if s.get("outlet")),
        "where_prec": _WHERE_OUT.get(props.get("geo_precision") or 1, "4"),
        "where_coordinates": props.get("location") or props.get("site_name") or "",
        "adm_1": props.get("admin1") or "",
        "latitude": lat, "longitude": lon,
        "geom_wkt": f"POINT ({lon} {lat})" if lon is not None else "",
        "country": props.get("country") or "",
        "date_prec": _PRECISION_OUT.get(props.get("date_precision") or "day", "1"),
        "date_start": props.get("date_from") or props.get("date") or "",
        "date_end": props.get("date_to") or props.get("date") or "",
        "best": "" if killed is None else killed,
        "high": props.get("ucdp_high") or ("" if killed is None else killed),
        "low": props.get("ucdp_low") or ("" if killed is None else killed),
    })
    return {name: row.get(name, "") for name in COLUMNS}
