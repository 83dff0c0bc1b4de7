"""A checked CQL2 filter as a PostGIS condition (psycopg ``sql`` objects, literals quoted by psycopg).

Properties with a column of their own use it (and its index): the id, event type, country,
site, status, kind, casualties, dates (as the UTC seconds of their days) and the geometry;
the rest are read from the stored document. The conditions mean what geo.filters.evaluate
computes on the in-memory index, so both stores answer a filter with the same features.
"""

from __future__ import annotations

import orjson
from psycopg import sql

from geo.filters.parse import (
    DAY,
    Between,
    Compare,
    During,
    DWithin,
    Filter,
    In,
    Intersects,
    IsNull,
    Like,
    Logical,
)
from geo.filters.queryables import Queryable

_TEXT_COLUMNS = {"id": "fid", "event_type": "event_type", "country_code": "country_code", "site_id": "site_id",
                 "status": "status", "kind": "kind", "name": "name"}
_NUMBER_COLUMNS = {"killed": sql.SQL("killed"), "injured": sql.SQL("injured"),
                   "geo_precision": sql.SQL("(geo_precision)::double precision")}
_DOC = "(convert_from(doc, 'UTF8')::jsonb -> 'properties' ->> {})"


def condition(flt: Filter, estimate: bool = False) -> sql.Composable:
    """The filter as one SQL condition over a collection's table. With ``estimate``, a box is
    only the index's envelope test, as geo.store.pg_sql.where gives the planner for the bbox."""
    return _node(flt.node, estimate)


def _node(node, estimate: bool = False) -> sql.Composable:
    if isinstance(node, Logical):
        if node.op == "not":
            return sql.SQL("(NOT {})").format(_node(node.args[0]))  # an estimate of NOT keeps it whole
        joiner = sql.SQL(" AND " if node.op == "and" else " OR ")
        return sql.SQL("({})").format(joiner.join(_node(arg, estimate) for arg in node.args))
    if isinstance(node, (Compare, In, Between, Like, IsNull)):
        return _predicate(node)
    if isinstance(node, Intersects):
        if node.is_box:  # what the bbox parameter asks, through the same indexes
            from geo.store.pg_sql import _bbox_condition, _bbox_near

            return sql.SQL("({})").format(_bbox_near(node.bbox) if estimate else _bbox_condition(node.bbox))
        shape = sql.SQL("ST_SetSRID(ST_GeomFromGeoJSON({}), 4326)").format(sql.Literal(orjson.dumps(node.geometry).decode()))
        return sql.SQL("ST_Intersects(geom, {})").format(shape)
    if isinstance(node, DWithin):
        point = sql.SQL("ST_SetSRID(ST_MakePoint({}, {}), 4326)::geography").format(
            sql.Literal(node.lon), sql.Literal(node.lat))
        return sql.SQL("ST_DWithin(geom::geography, {}, {}, false)").format(point, sql.Literal(node.metres))
    if isinstance(node, During):
        return _during(node)
    raise TypeError(f"unknown filter node {node!r}")


def _text(prop: Queryable, casei: bool = False) -> sql.Composable:
    column = _TEXT_COLUMNS.get(prop.name)
    expression = sql.Identifier(column) if column else sql.SQL(_DOC).format(sql.Literal(prop.name))
    return sql.SQL("lower({})").format(expression) if casei else expression


def _number(prop: Queryable) -> sql.Composable:
    """Dates as day numbers and timestamps as UTC seconds, as the in-memory evaluator holds them."""
    if prop.name in _NUMBER_COLUMNS:
        return _NUMBER_COLUMNS[prop.name]
    if prop.name == "date_from":
        return sql.SQL("(sort_from / {})").format(sql.Literal(DAY))
    if prop.name == "date_to":
        return sql.SQL("(sort_to / {})").format(sql.Literal(DAY))
    doc = sql.SQL(_DOC).format(sql.Literal(prop.name))
    if prop.kind == "date":
        return sql.SQL("(left({}, 10)::date - DATE '1970-01-01')").format(doc)
    if prop.kind == "timestamp":
        return sql.SQL("extract(epoch FROM ({})::timestamptz)").format(doc)
    return sql.SQL("({})::double precision").format(doc)


def _literal(prop: Queryable, value: object, casei: bool = False) -> sql.Composable:
    if prop.kind == "string":
        return sql.Literal(value.lower() if casei else value)
    return sql.Literal(value)


def _predicate(node) -> sql.Composable:
    prop = node.prop
    casei = getattr(node, "casei", False)
    left = _text(prop, casei) if prop.kind == "string" else _number(prop)
    if isinstance(node, IsNull):
        return sql.SQL("({} IS NULL)").format(left)
    if isinstance(node, Compare):
        return sql.SQL("({} {} {})").format(left, sql.SQL(node.op), _literal(prop, node.value, casei))
    if isinstance(node, In):
        values = sql.SQL(", ").join(_literal(prop, v, casei) for v in node.values)
        return sql.SQL("({} IN ({}))").format(left, values)
    if isinstance(node, Between):
        return sql.SQL("({} BETWEEN {} AND {})").format(left, sql.Literal(node.low), sql.Literal(node.high))
    pattern = node.pattern.lower() if casei else node.pattern
    return sql.SQL("({} LIKE {})").format(left, sql.Literal(pattern))


def _during(node: During) -> sql.Composable:
    name = node.prop.name
    low = sql.Literal(node.start)
    high = sql.Literal(node.end)
    if name == "datetime":  # the span column, as the datetime parameter: undated features span all time
        return sql.SQL("(span && int8range({}, {}, '[]'))").format(low, high)
    if name == "date_from":
        first = sql.SQL("sort_from")
        last = sql.SQL("(sort_from + {})").format(sql.Literal(DAY - 1))
    elif name == "date_to":
        first = sql.SQL("(sort_to - {})").format(sql.Literal(DAY - 1))
        last = sql.SQL("sort_to")
    else:
        value = _number(node.prop)
        first = sql.SQL("({} * {})").format(value, sql.Literal(DAY)) if node.prop.kind == "date" else value
        last = sql.SQL("({} + {})").format(first, sql.Literal(DAY - 1)) if node.prop.kind == "date" else first
    parts = []
    if node.start is not None:
        parts.append(sql.SQL("{} >= {}").format(last, low))
    if node.end is not None:
        parts.append(sql.SQL("{} <= {}").format(first, high))
    if not parts:
        return sql.SQL("({} IS NOT NULL)").format(first)
    return sql.SQL("({})").format(sql.SQL(" AND ").join(parts))
