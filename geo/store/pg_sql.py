"""SQL for the PostGIS store: a feature's columns, and a Query as WHERE, ORDER BY and keyset.

Every condition mirrors geo/index.py exactly: the same envelope test plus a
true intersection for polygons, whole-day time spans as UTC seconds with
timeless features matching every time filter, exact filters on the values as
strings, case-folded substring search, sort keys with missing values last in
either direction and the id as the final tie-break.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql

from geo.cursor import decode_cursor, encode_cursor
from geo.errors import InvalidParameterValue
from geo.index import feature_time_span, geometry_bounds, perpetrator_text, search_text
from geo.query import EXACT_FILTERS, Query
from geo.store.pg_schema import TIMELESS_END, TIMELESS_START

TRUE = sql.SQL("TRUE")  # the condition of a query without filters (compare with ``is``)
COLUMNS = ("fid", "doc", "geom", "is_point", "minx", "miny", "maxx", "maxy", "tstart", "tend",
           *EXACT_FILTERS, "killed", "injured", "created", "updated", "name", "perpetrator_folded", "search")


@dataclass(frozen=True)
class SortColumn:
    column: str
    kind: type  # int or str: what a cursor value must be
    nullable: bool = True


SORT_COLUMNS = {
    "date": SortColumn("sort_from", int), "date_from": SortColumn("sort_from", int),
    "date_to": SortColumn("sort_to", int), "id": SortColumn("fid", str, nullable=False),
    "killed": SortColumn("killed", int), "injured": SortColumn("injured", int),
    "event_type": SortColumn("event_type", str), "country_code": SortColumn("country_code", str),
    "site_id": SortColumn("site_id", str), "status": SortColumn("status", str),
    "updated": SortColumn("updated", str), "created": SortColumn("created", str),
    "name": SortColumn("name", str),
}


def _as_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _as_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def feature_row(raw: bytes, feature: dict) -> dict:
    """The column values of one stored feature (``raw`` is its GeoJSON as stored)."""
    props = feature.get("properties") or {}
    geometry = feature.get("geometry") or {}
    minx, miny, maxx, maxy = (float(v) for v in geometry_bounds(geometry))
    span = feature_time_span(props)
    row = {
        "fid": str(feature.get("id")), "doc": raw,
        "geom": geometry, "is_point": geometry.get("type") == "Point",
        "minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy,
        "tstart": TIMELESS_START if span is None else span[0],
        "tend": TIMELESS_END if span is None else span[1],
        "killed": _as_int(props.get("killed")), "injured": _as_int(props.get("injured")),
        "created": _as_str(props.get("created")), "updated": _as_str(props.get("updated")),
        "name": _as_str(props.get("name")),
        "perpetrator_folded": perpetrator_text(props),
        "search": search_text(props),
    }
    for name in EXACT_FILTERS:
        value = props.get(name)
        row[name] = None if value is None else str(value)
    return row


def _envelope(minx: float, miny: float, maxx: float, maxy: float) -> sql.Composed:
    return sql.SQL("ST_MakeEnvelope({}, {}, {}, {}, 4326)").format(*(sql.Literal(float(v)) for v in
                                                                   (minx, miny, maxx, maxy)))


def _bbox_boxes(bbox: tuple[float, float, float, float]) -> list[sql.Composed]:
    minx, miny, maxx, maxy = bbox
    if minx <= maxx:
        return [_envelope(minx, miny, maxx, maxy)]
    return [_envelope(minx, miny, 180, maxy), _envelope(-180, miny, maxx, maxy)]


def _bbox_near(bbox: tuple[float, float, float, float]) -> sql.Composable:
    """The index's envelope test alone."""
    return sql.SQL("({})").format(sql.SQL(" OR ").join(sql.SQL("geom && {}").format(b) for b in _bbox_boxes(bbox)))


def _bbox_condition(bbox: tuple[float, float, float, float]) -> sql.Composable:
    """The index's envelope test (inclusive edges), found through the GiST index, then the
    shape itself for polygons. The numeric columns keep the test exact where the index's
    single-precision boxes are not."""
    minx, miny, maxx, maxy = bbox
    lit = sql.Literal
    lat = sql.SQL("maxy >= {} AND miny <= {}").format(lit(float(miny)), lit(float(maxy)))
    if minx <= maxx:
        boxes = [_envelope(minx, miny, maxx, maxy)]
        lon = sql.SQL("maxx >= {} AND minx <= {}").format(lit(float(minx)), lit(float(maxx)))
    else:  # crosses the antimeridian: [minx, 180] or [-180, maxx]
        boxes = [_envelope(minx, miny, 180, maxy), _envelope(-180, miny, maxx, maxy)]
        lon = sql.SQL("(maxx >= {} OR minx <= {})").format(lit(float(minx)), lit(float(maxx)))
    near = sql.SQL(" OR ").join(sql.SQL("geom && {}").format(b) for b in boxes)
    shape = sql.SQL(" OR ").join(sql.SQL("ST_Intersects(geom, {})").format(b) for b in boxes)
    return sql.SQL("({near}) AND {lat} AND {lon} AND (is_point OR {shape})").format(
        near=near, lat=lat, lon=lon, shape=shape)


def _time_condition(start: int | None, end: int | None) -> sql.Composable:
    """``tend >= start AND tstart <= end`` as geo.index tests it, as an overlap of the span
    column (timeless rows span everything) with the window, which the GiST index finds and the
    planner estimates from the ranges' statistics. A window ending before it starts (no parsed
    query has one) keeps the plain comparisons, which a range cannot express."""
    if start is not None and end is not None and start > end:
        return sql.SQL("tend >= {} AND tstart <= {}").format(sql.Literal(int(start)), sql.Literal(int(end)))
    low = None if start is None or start <= TIMELESS_START + 1 else int(start)
    high = None if end is None or end >= TIMELESS_END - 1 else int(end)
    return sql.SQL("span && int8range({}, {}, '[]')").format(sql.Literal(low), sql.Literal(high))


def where(query: Query, *, estimate: bool = False) -> sql.Composable:
    """The query's filters as one SQL condition (TRUE when there are none).

    With ``estimate``, the condition the planner estimates best, for counting what would match:
    the same but for the exact envelope comparisons a bbox adds to the index's test, which
    select the same rows but which the planner would take as independent of it."""
    parts: list[sql.Composable] = []
    if query.bbox is not None:
        parts.append(_bbox_near(query.bbox) if estimate else _bbox_condition(query.bbox))
    if query.time_start is not None or query.time_end is not None:
        parts.append(_time_condition(query.time_start, query.time_end))
    for name, values in query.exact.items():
        if name not in EXACT_FILTERS:
            raise InvalidParameterValue(f"cannot filter on {name!r}")
        parts.append(sql.SQL("{} IN ({})").format(
            sql.Identifier(name), sql.SQL(", ").join(sql.Literal(str(v)) for v in values)))
    if "perpetrator" in query.text:
        parts.append(sql.SQL("strpos(perpetrator_folded, {}) > 0").format(sql.Literal(query.text["perpetrator"])))
    for name, least in query.minimum.items():
        if name not in ("killed", "injured"):
            raise InvalidParameterValue(f"cannot filter on the least {name!r}")
        parts.append(sql.SQL("{} >= {}").format(sql.Identifier(name), sql.Literal(int(least))))
    if "q" in query.text:
        for word in query.text["q"].split():
            # the incident's own text, or a known site whose name or aliases hold the word
            parts.append(sql.SQL("(strpos(search, {w}) > 0 OR site_id IN "
                                 "(SELECT s.fid FROM sites s WHERE strpos(s.search, {w}) > 0))")
                         .format(w=sql.Literal(word)))
    if query.cql is not None:
        from geo.filters.sql import condition

        parts.append(condition(query.cql, estimate))
    return sql.SQL(" AND ").join(parts) if parts else TRUE


def sort_columns(query: Query) -> list[tuple[SortColumn, bool]]:
    """(column, descending) per sort key; the id is the final tie-break, added by order_by."""
    try:
        return [(SORT_COLUMNS[name], descending) for name, descending in query.sortby]
    except KeyError as exc:
        raise InvalidParameterValue(f"sortby cannot sort by {exc.args[0]!r}") from None


def _column(name: str, alias: str | None) -> sql.Identifier:
    return sql.Identifier(alias, name) if alias else sql.Identifier(name)


def order_by(keys: list[tuple[SortColumn, bool]], alias: str | None = None) -> sql.Composable:
    items = [sql.SQL("{} {} NULLS LAST").format(_column(key.column, alias), sql.SQL("DESC" if desc else "ASC"))
             for key, desc in keys]
    items.append(sql.SQL("{} ASC").format(_column("fid", alias)))
    return sql.SQL(", ").join(items)


def select_keys(keys: list[tuple[SortColumn, bool]], alias: str | None = None) -> sql.Composable:
    """The sort columns, selected after ``doc`` so the last row's key can make a cursor."""
    return sql.SQL(", ").join([_column(key.column, alias) for key, _ in keys] + [_column("fid", alias)])


def key_columns(keys: list[tuple[SortColumn, bool]]) -> sql.Composable:
    """Each column the order needs once (the id last): what a page's first step selects."""
    names = list(dict.fromkeys([key.column for key, _ in keys if key.column != "fid"] + ["fid"]))
    return sql.SQL(", ").join(sql.Identifier(name) for name in names)


def make_cursor(query: Query, row: tuple) -> str:
    """The cursor after a row selected as (doc, *sort columns, fid)."""
    return encode_cursor(query.sortby, list(row[1:-1]), row[-1])


def read_cursor(query: Query, keys: list[tuple[SortColumn, bool]]) -> tuple[list, str]:
    values, fid = decode_cursor(query.cursor, query.sortby)
    for (key, _), value in zip(keys, values, strict=True):
        fits = (value is None and key.nullable) or (
            isinstance(value, key.kind) and not isinstance(value, bool))
        if not fits:
            raise InvalidParameterValue("cursor does not fit this collection's values")
    return values, fid


def _after(keys: list[tuple[SortColumn, bool]], values: list, fid: str) -> sql.Composable:
    """Rows after (values, fid) in the order of ``keys`` then fid, missing values last."""
    condition: sql.Composable = sql.SQL("fid > {}").format(sql.Literal(fid))
    for (key, desc), value in reversed(list(zip(keys, values, strict=True))):
        column = sql.Identifier(key.column)
        if value is None:
            condition = sql.SQL("({} IS NULL AND {})").format(column, condition)
            continue
        beyond = sql.SQL("{} {} {}").format(column, sql.SQL("<" if desc else ">"), sql.Literal(value))
        tied = sql.SQL("({} = {} AND {})").format(column, sql.Literal(value), condition)
        nulls = sql.SQL(" OR {} IS NULL").format(column) if key.nullable else sql.SQL("")
        condition = sql.SQL("({} OR {}{})").format(beyond, tied, nulls)
    return condition


def keyset_parts(keys: list[tuple[SortColumn, bool]], values: list, fid: str) -> list[sql.Composable]:
    """Conditions whose results, concatenated in order, are the rows after the cursor.

    The first part bounds the leading sort column (``>= v``, or ``<= v`` descending), which
    its index turns into a range scan, so a deep page starts where the cursor points instead
    of counting its way there; rows whose leading key is missing come after all of them, as
    a second part.
    """
    if not keys:
        return [sql.SQL("fid > {}").format(sql.Literal(fid))]
    (lead, desc), first = keys[0], values[0]
    if first is None:
        return [_after(keys, values, fid)]
    bound = sql.SQL("{} {} {}").format(sql.Identifier(lead.column), sql.SQL("<=" if desc else ">="),
                                       sql.Literal(first))
    parts = [sql.SQL("{} AND {}").format(bound, _after(keys, values, fid))]
    if lead.nullable:
        parts.append(sql.SQL("{} IS NULL").format(sql.Identifier(lead.column)))
    return parts
