"""What a caller asks of a collection, parsed from query parameters.

Each ``parse_*`` helper takes the raw string of one parameter and either
returns a clean value or raises :class:`InvalidParameterValue` quoting the bad
input, so the API answers 400 with a message a person can act on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from geo.errors import InvalidParameterValue
from geo.timespan import parse_datetime_param

if TYPE_CHECKING:
    from geo.filters import Filter

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_OFFSET = 10**9
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

# property filters: exact match on one of a comma-separated list of values
EXACT_FILTERS = ("event_type", "country_code", "site_id", "status", "kind", "geo_precision")
# case-insensitive substring match
TEXT_FILTERS = ("perpetrator", "q")
# at least this many (killed, injured): an incident whose toll was not reported never matches
NUMBER_FILTERS = {"min_killed": "killed", "min_injured": "injured"}
MAX_COUNT = 10**9
SORTABLE = ("date", "date_from", "date_to", "id", "killed", "injured", "event_type",
            "country_code", "site_id", "status", "updated", "created", "name")
# parameters every items request may carry besides filters
GENERAL_PARAMS = ("f", "bbox", "bbox-crs", "crs", "datetime", "limit", "offset", "cursor", "sortby")
# OGC API - Features Part 3: a CQL2 filter (geo.filters)
FILTER_PARAMS = ("filter", "filter-lang", "filter-crs")


@dataclass
class Query:
    """A filter, an order and a page over one collection."""

    bbox: tuple[float, float, float, float] | None = None
    time_start: int | None = None
    time_end: int | None = None
    exact: dict[str, tuple[str, ...]] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)
    sortby: list[tuple[str, bool]] = field(default_factory=list)  # (property, descending)
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    cursor: str | None = None  # opaque keyset cursor from a previous page's next link
    cql: Filter | None = None  # a checked CQL2 filter (the filter parameter)
    minimum: dict[str, int] = field(default_factory=dict)  # {"killed": 3}: at least 3 killed
    # q's words also match incidents on a known site whose name or aliases hold them: per word,
    # the ids of those sites (filled in by the store, which knows the sites; see geo.search)
    site_words: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def has_time(self) -> bool:
        return self.time_start is not None or self.time_end is not None


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """``minlon,minlat,maxlon,maxlat`` (or 6 numbers with heights) in CRS84.

    A west edge greater than the east edge means the box crosses the
    antimeridian, as the OGC standard allows.
    """
    parts = [p.strip() for p in text.split(",")]
    if len(parts) not in (4, 6):
        raise InvalidParameterValue(f"bbox must have 4 or 6 numbers, got {text!r}")
    try:
        if not is_plain_number(text):
            raise ValueError(text)
        numbers = [float(p) for p in parts]
    except ValueError:
        raise InvalidParameterValue(f"bbox must be numbers separated by commas, got {text!r}") from None
    if not all(math.isfinite(n) for n in numbers):
        raise InvalidParameterValue(f"bbox numbers must be finite, got {text!r}")
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    minx, miny, maxx, maxy = numbers
    for lon in (minx, maxx):
        if not -180 <= lon <= 180:
            raise InvalidParameterValue(f"bbox longitude {lon:g} is outside -180..180 in {text!r}")
    for lat in (miny, maxy):
        if not -90 <= lat <= 90:
            raise InvalidParameterValue(f"bbox latitude {lat:g} is outside -90..90 in {text!r}")
    if miny > maxy:
        raise InvalidParameterValue(f"bbox south edge {miny:g} is north of its north edge {maxy:g}")
    return minx, miny, maxx, maxy


def is_plain_number(text: str) -> bool:
    """Whether ``text`` is written the plain way: ASCII only, no ``_`` between digits. Python's
    int() and float() also take "１" (full-width), "٣" (Arabic-Indic) and "1_0"; the API does not."""
    return text.isascii() and "_" not in text


def whole_number(name: str, text: str) -> int:
    """``text`` as an int, written in ASCII digits with an optional sign; 400 otherwise."""
    try:
        if not is_plain_number(text):
            raise ValueError(text)
        return int(text.strip())
    except ValueError:
        raise InvalidParameterValue(f"{name} must be a whole number in ASCII digits, got {text!r}") from None


def parse_int(name: str, text: str, low: int, high: int) -> int:
    value = whole_number(name, text)
    if not low <= value <= high:
        raise InvalidParameterValue(f"{name} must be from {low} to {high}, got {value}")
    return value


def parse_limit(text: str) -> int:
    """1..10000; a larger limit is clamped to the maximum, as OGC API allows."""
    value = whole_number("limit", text)
    if value < 1:
        raise InvalidParameterValue(f"limit must be at least 1, got {value}")
    return min(value, MAX_LIMIT)


def parse_sortby(text: str) -> list[tuple[str, bool]]:
    """``-date,id`` to ``[('date', True), ('id', False)]``; '+' or no sign is ascending."""
    keys = []
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        descending = item.startswith("-")
        name = item.lstrip("+-").strip()
        if name not in SORTABLE:
            raise InvalidParameterValue(
                f"sortby cannot sort by {name!r}; sortable: {', '.join(SORTABLE)}"
            )
        keys.append((name, descending))
    if not keys:
        raise InvalidParameterValue(f"sortby names no property: {text!r}")
    return keys


def parse_crs(name: str, text: str) -> None:
    if text.strip() not in (CRS84, "CRS84", "OGC:CRS84"):
        raise InvalidParameterValue(f"{name} {text!r} is not supported; use {CRS84}")


def parse_query(params: Mapping[str, str], collection: str = "incidents") -> Query:
    """A :class:`Query` from request parameters; 400 for unknown or bad ones. A ``filter`` is
    checked against ``collection``'s queryables."""
    query = Query()
    for name, value in params.items():
        if name == "bbox":
            query.bbox = parse_bbox(value)
        elif name in ("bbox-crs", "crs"):
            parse_crs(name, value)
        elif name == "datetime":
            query.time_start, query.time_end = parse_datetime_param(value)
        elif name == "limit":
            query.limit = parse_limit(value)
        elif name == "offset":
            query.offset = parse_int("offset", value, 0, MAX_OFFSET)
        elif name == "sortby":
            query.sortby = parse_sortby(value)
        elif name == "cursor":
            if not value.strip() or len(value) > 1000:
                raise InvalidParameterValue(f"cursor is not one this server made: {value[:80]!r}")
            query.cursor = value.strip()
        elif name in EXACT_FILTERS:
            values = tuple(v.strip() for v in value.split(",") if v.strip())
            if not values:
                raise InvalidParameterValue(f"{name} is empty")
            query.exact[name] = values
        elif name in NUMBER_FILTERS:
            least = parse_int(name, value, 0, MAX_COUNT)
            if least > 0:  # at least 0 is every incident, reported toll or not
                query.minimum[NUMBER_FILTERS[name]] = least
        elif name in TEXT_FILTERS:
            if value.strip():
                query.text[name] = value.strip().casefold()
        elif name == "f" or name in FILTER_PARAMS:
            continue
        else:
            known = GENERAL_PARAMS + EXACT_FILTERS + TEXT_FILTERS + tuple(NUMBER_FILTERS) + FILTER_PARAMS
            raise InvalidParameterValue(
                f"unknown query parameter {name!r}; known: {', '.join(known)}"
            )
    if "filter" in params:
        from geo.filters import parse_filter

        if "filter-crs" in params:
            parse_crs("filter-crs", params["filter-crs"])
        query.cql = parse_filter(params["filter"], params.get("filter-lang"), collection)
    elif "filter-lang" in params or "filter-crs" in params:
        raise InvalidParameterValue("filter-lang and filter-crs describe a filter; give filter too")
    return query
