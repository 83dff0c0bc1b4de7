"""CQL2 text or JSON to a small checked tree, through the ``cql2`` package (cql2-rs).

cql2 parses and validates both encodings and gives CQL2 JSON back; this module walks that JSON
once, checks every property against the collection's queryables and every literal against the
property's kind, and builds the nodes the evaluators (geo.filters.evaluate for the in-memory
index, geo.filters.sql for PostGIS) understand. Anything else is InvalidParameterValue (400)
with a message naming the problem. A filter is bounded before it is parsed (length, nesting)
and after (terms), so no filter costs more than a few milliseconds to refuse.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

import orjson

from geo.errors import InvalidParameterValue
from geo.filters.queryables import Queryable, queryables
from geo.timespan import DAY_SECONDS, day_end, day_start, parse_day, parse_instant

MAX_CHARS = 20_000
MAX_DEPTH = 30
MAX_TERMS = 200
LANGS = ("cql2-text", "cql2-json", "cql-text")  # cql-text: the draft's name, which GDAL before 3.7 sends
_ILIKE = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s+ILIKE\s+('(?:[^']|'')*')", re.IGNORECASE)
_EARTH_RADIUS = 6_371_008.7714  # metres: PostGIS's sphere, so both stores agree
_UNITS = {"m": 1.0, "meter": 1.0, "meters": 1.0, "metre": 1.0, "metres": 1.0, "km": 1000.0, "kilometer": 1000.0,
          "kilometers": 1000.0, "kilometre": 1000.0, "kilometres": 1000.0, "mi": 1609.344, "mile": 1609.344,
          "miles": 1609.344, "nm": 1852.0, "nautical miles": 1852.0, "ft": 0.3048, "feet": 0.3048}


# ---- the tree ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Logical:
    op: str  # and, or, not
    args: tuple


@dataclass(frozen=True)
class Compare:
    prop: Queryable
    op: str  # = <> < <= > >=
    value: object  # str, float, day number (date), epoch seconds (timestamp)
    casei: bool = False


@dataclass(frozen=True)
class Like:
    prop: Queryable
    pattern: str
    casei: bool = False


@dataclass(frozen=True)
class In:
    prop: Queryable
    values: tuple
    casei: bool = False


@dataclass(frozen=True)
class Between:
    prop: Queryable
    low: object
    high: object


@dataclass(frozen=True)
class IsNull:
    prop: Queryable


@dataclass(frozen=True)
class Intersects:
    geometry: dict  # GeoJSON, lon/lat
    bbox: tuple[float, float, float, float]
    is_box: bool = False  # the geometry is its own bounding box: the bbox parameter's test does


@dataclass(frozen=True)
class DWithin:
    lon: float
    lat: float
    metres: float


@dataclass(frozen=True)
class During:
    """T_INTERSECTS: the property's span (closed, UTC seconds) meets start..end."""

    prop: Queryable
    start: int | None
    end: int | None


@dataclass(frozen=True)
class Filter:
    """A checked filter for one collection: the tree, and the text it came from."""

    collection: str
    node: object
    text: str


# ---- parsing --------------------------------------------------------------------------------


def _bad(message: str) -> InvalidParameterValue:
    return InvalidParameterValue(f"filter: {message}")


def _text_depth(text: str) -> int:
    """How deep the text nests: parentheses, NOTs and runs of signs (each is a level for the
    parser, whose recursion is not bounded: very deep input would crash the process)."""
    depth = deepest = 0
    quoted = False
    bare = []
    for char in text:
        if char == "'":
            quoted = not quoted
        elif not quoted:
            bare.append(char)
            if char == "(":
                depth += 1
                deepest = max(deepest, depth)
            elif char == ")":
                depth -= 1
    outside = "".join(bare)
    nots = len(re.findall(r"\bnot\b", outside, re.IGNORECASE))
    signs = max((len(re.sub(r"\s", "", run)) for run in re.findall(r"[-+](?:\s*[-+])*", outside)), default=0)
    return max(deepest, nots, signs)


def _json_depth(value: object) -> int:
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def _parse_error(exc: Exception, lang: str) -> InvalidParameterValue:
    text = str(exc)
    where = re.search(r"-->\s*(\d+):(\d+)", text)
    expected = re.search(r"=\s*(expected .+)", text)
    detail = expected.group(1) if expected else text.strip().splitlines()[-1].strip() if text.strip() else "invalid"
    at = f" at column {where.group(2)}" if where else ""
    return _bad(f"not valid {lang}{at}: {detail[:300]}")


def to_cql2_json(text: str, lang: str = "cql2-text") -> dict:
    """The filter as CQL2 JSON; InvalidParameterValue for a malformed or oversized one."""
    import cql2

    if lang not in LANGS:
        raise InvalidParameterValue(f"filter-lang must be one of {', '.join(LANGS)}, got {lang!r}")
    if lang == "cql-text":  # the draft's ILIKE is CQL2's CASEI(...) LIKE CASEI(...)
        text = _ILIKE.sub(r"CASEI(\1) LIKE CASEI(\2)", text)
        lang = "cql2-text"
    if len(text) > MAX_CHARS:
        raise _bad(f"is {len(text)} characters long; at most {MAX_CHARS} are accepted")
    if not text.strip():
        raise _bad("is empty")
    if lang == "cql2-json":
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise _bad(f"not valid JSON: {exc}") from None
        if _json_depth(data) > 3 * MAX_DEPTH:
            raise _bad(f"nests deeper than {MAX_DEPTH} levels")
        try:
            return cql2.parse_json(text).to_json()
        except (cql2.ParseError, cql2.ValidationError, ValueError) as exc:
            raise _parse_error(exc, lang) from None
        except RecursionError:
            raise _bad(f"nests deeper than {MAX_DEPTH} levels") from None
    if _text_depth(text) > MAX_DEPTH:
        raise _bad(f"nests deeper than {MAX_DEPTH} levels (parentheses, NOTs or signs)")
    try:
        data = cql2.parse_text(text).to_json()
    except (cql2.ParseError, cql2.ValidationError, ValueError) as exc:
        raise _parse_error(exc, lang) from None
    except RecursionError:
        data = None
    if data is None or _json_depth(data) > 3 * MAX_DEPTH:  # e.g. a long chain of + or *, which nests
        raise _bad(f"nests deeper than {MAX_DEPTH} levels")
    return data


def parse_filter(text: str, lang: str | None = None, collection: str = "incidents") -> Filter:
    """A checked :class:`Filter` for ``collection`` from CQL2 text (default) or JSON."""
    data = to_cql2_json(text, lang or "cql2-text")
    builder = _Builder(collection)
    node = builder.node(data)
    return Filter(collection, node, text)


class _Builder:
    def __init__(self, collection: str):
        self.collection = collection
        self.fields = queryables(collection)
        self.terms = 0

    def count(self, n: int = 1) -> None:
        self.terms += n
        if self.terms > MAX_TERMS:
            raise _bad(f"has more than {MAX_TERMS} terms; split it or use the other parameters")

    def node(self, data: object) -> object:
        if isinstance(data, bool):
            raise _bad("a bare true or false is not a condition here")
        if not isinstance(data, dict) or "op" not in data:
            raise _bad(f"expected a condition, got {orjson.dumps(data).decode()[:80]}")
        op = str(data["op"]).lower()
        args = data.get("args") or []
        self.count()
        if op in ("and", "or"):
            return Logical(op, tuple(self.node(a) for a in args))
        if op == "not":
            return Logical("not", (self.node(args[0]),))
        if op in ("=", "<>", "<", "<=", ">", ">="):
            return self.compare(op, args)
        if op == "like":
            return self.like(args)
        if op == "in":
            return self.in_(args)
        if op == "between":
            prop = self.prop(args[0])
            self.ordered(prop, "BETWEEN")
            return Between(prop, self.value(prop, args[1]), self.value(prop, args[2]))
        if op == "isnull":
            return IsNull(self.prop(args[0]))
        if op == "s_intersects":
            return self.intersects(args)
        if op == "s_dwithin":
            return self.dwithin(args)
        if op in ("t_intersects", "anyinteracts"):
            return self.during(args)
        raise _bad(f"{data['op']!r} is not supported here; supported: AND, OR, NOT, =, <>, <, <=, >, >=, LIKE, IN, "
                   "BETWEEN, IS NULL, CASEI, S_INTERSECTS, S_DWITHIN, T_INTERSECTS")

    # -- operands

    def prop(self, arg: object, kinds: tuple[str, ...] | None = None) -> Queryable:
        if not isinstance(arg, dict) or "property" not in arg:
            raise _bad(f"expected a property name, got {orjson.dumps(arg).decode()[:80]}")
        name = str(arg["property"])
        field = self.fields.get(name)
        if field is None:
            raise _bad(f"unknown property {name!r}; the queryables of {self.collection} are "
                       f"{', '.join(self.fields)}")
        if kinds and field.kind not in kinds:
            raise _bad(f"{name} is a {field.kind} property and cannot be used here")
        if field.kind in ("geometry", "span") and kinds is None:
            raise _bad(f"{name} can only be used in {'S_INTERSECTS or S_DWITHIN' if field.kind == 'geometry' else 'T_INTERSECTS'}")
        return field

    def ordered(self, prop: Queryable, what: str) -> None:
        if prop.kind == "string" and what == "BETWEEN":
            raise _bad(f"{prop.name} is text; BETWEEN takes numbers, dates or timestamps")

    def value(self, prop: Queryable, raw: object) -> object:
        """A literal compared with ``prop``, as the evaluators want it, or a 400 naming both."""
        shown = orjson.dumps(raw).decode()[:80]
        kind = prop.kind
        if kind == "string":
            if isinstance(raw, str):
                return raw
        elif kind in ("integer", "number"):
            if isinstance(raw, (int, float)) and not isinstance(raw, bool) and math.isfinite(raw):
                return float(raw)
        elif kind == "date":
            text = raw.get("date") if isinstance(raw, dict) else raw
            if isinstance(text, str):
                try:
                    return (parse_day(text) - date(1970, 1, 1)).days
                except ValueError:
                    pass
        elif kind == "timestamp":
            text = raw.get("timestamp") or raw.get("date") if isinstance(raw, dict) else raw
            if isinstance(text, str):
                try:
                    if len(text) == 10:
                        return day_start(parse_day(text))
                    return int(parse_instant(text).timestamp())
                except ValueError:
                    pass
        raise _bad(f"{prop.name} is {'an' if kind[0] in 'aeiou' else 'a'} {kind} property and cannot be "
                   f"compared with {shown}")

    def casei_operand(self, arg: object) -> tuple[object, bool]:
        if isinstance(arg, dict) and str(arg.get("op", "")).lower() in ("casei", "lower"):
            inner = (arg.get("args") or [None])[0]
            return inner, True
        if isinstance(arg, dict) and str(arg.get("op", "")).lower() == "accenti":
            raise _bad("ACCENTI is not supported; use CASEI")
        return arg, False

    def compare(self, op: str, args: list) -> Compare:
        left, casei_left = self.casei_operand(args[0])
        right, casei_right = self.casei_operand(args[1])
        if isinstance(right, dict) and "property" in right and not (isinstance(left, dict) and "property" in left):
            left, right = right, left
            op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
        if isinstance(right, dict) and "property" in right:
            raise _bad("comparing two properties is not supported")
        prop = self.prop(left)
        casei = casei_left or casei_right
        if casei and prop.kind != "string":
            raise _bad(f"CASEI applies to text; {prop.name} is {prop.kind}")
        if op not in ("=", "<>") and prop.kind == "string" and casei:
            raise _bad("CASEI works with =, <>, LIKE and IN")
        return Compare(prop, op, self.value(prop, right), casei)

    def like(self, args: list) -> Like:
        left, casei_left = self.casei_operand(args[0])
        right, casei_right = self.casei_operand(args[1])
        prop = self.prop(left)
        if prop.kind != "string":
            raise _bad(f"LIKE applies to text; {prop.name} is {prop.kind}")
        if not isinstance(right, str):
            raise _bad(f"LIKE needs a text pattern, got {orjson.dumps(right).decode()[:80]}")
        return Like(prop, right, casei_left or casei_right)

    def in_(self, args: list) -> In:
        left, casei = self.casei_operand(args[0])
        prop = self.prop(left)
        items = args[1] if len(args) > 1 else None
        if not isinstance(items, list) or not items:
            raise _bad("IN needs a list of values")
        self.count(len(items))
        values = []
        for item in items:
            item, casei_item = self.casei_operand(item)
            casei = casei or casei_item
            values.append(self.value(prop, item))
        return In(prop, tuple(values), casei)

    def geometry(self, arg: object) -> tuple[dict, tuple[float, float, float, float]]:
        import shapely

        if isinstance(arg, dict) and "bbox" in arg:
            box = arg["bbox"]
            if len(box) == 6:
                box = [box[0], box[1], box[3], box[4]]
            if len(box) != 4 or not all(isinstance(v, (int, float)) for v in box):
                raise _bad(f"BBOX needs 4 numbers, got {box!r}")
            minx, miny, maxx, maxy = (float(v) for v in box)
            if minx > maxx or miny > maxy:
                raise _bad(f"BBOX({minx:g}, {miny:g}, {maxx:g}, {maxy:g}) has its west edge east of its east edge "
                           "or its south edge north of its north edge")
            arg = {"type": "Polygon", "coordinates": [[[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy],
                                                       [minx, miny]]]}
        if not isinstance(arg, dict) or "type" not in arg or "coordinates" not in arg and "geometries" not in arg:
            raise _bad(f"expected a geometry (POINT, POLYGON, BBOX, ...), got {orjson.dumps(arg).decode()[:80]}")
        try:
            shape = shapely.from_geojson(orjson.dumps(arg).decode())
        except (shapely.errors.GEOSException, ValueError) as exc:
            raise _bad(f"the geometry cannot be read: {exc}") from None
        if shape.is_empty:
            raise _bad("the geometry is empty")
        minx, miny, maxx, maxy = shape.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise _bad(f"the geometry lies outside lon -180..180, lat -90..90 (bounds {shape.bounds})")
        if not shape.is_valid:
            from shapely.validation import explain_validity

            raise _bad(f"the geometry is invalid: {explain_validity(shape)}")
        self.count(max(0, shapely.get_num_coordinates(shape) // 50))
        return arg, (minx, miny, maxx, maxy)

    def intersects(self, args: list) -> Intersects:
        import shapely

        if isinstance(args[0], dict) and "property" not in args[0] and isinstance(args[1], dict) and "property" in args[1]:
            args = [args[1], args[0]]
        self.prop(args[0], ("geometry",))
        geometry, bbox = self.geometry(args[1])
        shape = shapely.from_geojson(orjson.dumps(geometry).decode())
        is_box = shape.geom_type == "Polygon" and shape.equals(shapely.box(*bbox)) and bbox[0] < bbox[2] \
            and bbox[1] < bbox[3]
        return Intersects(geometry, bbox, bool(is_box))

    def dwithin(self, args: list) -> DWithin:
        if len(args) < 3:
            raise _bad("S_DWITHIN needs a geometry property, a point and a distance")
        self.prop(args[0], ("geometry",))
        geometry, _ = self.geometry(args[1])
        if geometry.get("type") != "Point":
            raise _bad("S_DWITHIN measures from a POINT")
        distance = args[2]
        if isinstance(distance, bool) or not isinstance(distance, (int, float)) or not 0 <= distance < 1e8:
            raise _bad(f"S_DWITHIN's distance must be a number from 0, got {distance!r}")
        unit = "meters"
        if len(args) > 3:
            unit_arg = args[3]
            unit = str(unit_arg.get("property") if isinstance(unit_arg, dict) else unit_arg).lower()
        if unit not in _UNITS:
            raise _bad(f"unknown distance unit {unit!r}; use meters, kilometers, miles, nautical miles or feet")
        lon, lat = geometry["coordinates"][:2]
        return DWithin(float(lon), float(lat), float(distance) * _UNITS[unit])

    def during(self, args: list) -> During:
        prop = self.prop(args[0], ("span", "date", "timestamp"))
        raw = args[1]
        if isinstance(raw, dict) and "interval" in raw:
            ends = raw["interval"]
            if not isinstance(ends, list) or len(ends) != 2:
                raise _bad("INTERVAL needs a start and an end")
            start, end = (self.instant(ends[0], last=False), self.instant(ends[1], last=True))
        else:
            start, end = self.instant(raw, last=False), self.instant(raw, last=True)
        if start is not None and end is not None and start > end:
            raise _bad("the INTERVAL ends before it starts")
        return During(prop, start, end)

    def instant(self, raw: object, last: bool) -> int | None:
        """UTC seconds of a date (its first or last second) or timestamp; None for '..'."""
        if isinstance(raw, dict):
            raw = raw.get("date") or raw.get("timestamp")
        if raw == "..":
            return None
        if isinstance(raw, str):
            try:
                if len(raw) == 10:
                    day = parse_day(raw)
                    return day_end(day) if last else day_start(day)
                return int(parse_instant(raw).timestamp())
            except ValueError:
                pass
        raise _bad(f"expected a date or timestamp (or '..') in the interval, got {orjson.dumps(raw).decode()[:80]}")


def haversine_metres(lon1, lat1, lon2: float, lat2: float):
    """Great-circle distance on PostGIS's sphere (works on numpy arrays for the first point)."""
    import numpy as np

    lon1, lat1 = np.radians(lon1), np.radians(lat1)
    lon2, lat2 = math.radians(lon2), math.radians(lat2)
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * math.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


DAY = DAY_SECONDS
