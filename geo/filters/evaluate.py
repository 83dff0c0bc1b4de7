"""A checked CQL2 filter evaluated on the in-memory FeatureIndex with numpy, as SQL would.

Each node gives two masks over the candidate rows: where it is certainly true and where it is
certainly false; a comparison with a missing value is neither (SQL's unknown), so ``NOT (killed
> 2)`` leaves out incidents whose ``killed`` is null exactly as PostGIS does. The index's own
columns answer the common properties (event type, country, site, status, dates, place); the
others are read from the features' JSON once per index, each column on the first filter that
names it, and kept with that index (``warm_columns`` reads some ahead, e.g. in gunicorn's master).
"""

from __future__ import annotations

import operator
import re
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import orjson

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
    haversine_metres,
)
from geo.filters.queryables import Queryable, queryables
from geo.gctools import gc_paused
from geo.index import TIMELESS_END, TIMELESS_START, FeatureIndex
from geo.timespan import parse_instant

_OPS = {"=": operator.eq, "<>": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
        ">=": operator.ge}
_INDEXED_TEXT = ("event_type", "country_code", "site_id", "status", "kind")
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_BASE: dict[int, tuple[weakref.ref, dict]] = {}  # id of a shared raw.starts array: (a weak ref to it, its columns)
_LOCK = threading.RLock()


@dataclass
class Pushed:
    """Top-level AND terms of a filter that the index's own parameter tests answer exactly as the
    filter would (a box, a datetime window, exact text values), and what is left to evaluate."""

    boxes: list = field(default_factory=list)
    windows: list = field(default_factory=list)
    exact: list = field(default_factory=list)  # (name, values)
    rest: Filter | None = None


def push_down(flt: Filter) -> Pushed:
    """Split the filter for FeatureIndex.match: the terms its vectorised parameter tests can take
    (a box S_INTERSECTS, T_INTERSECTS on datetime, = or IN on an indexed text property, all
    without CASEI) and the rest, still a Filter (None when nothing is left)."""
    terms = list(flt.node.args) if isinstance(flt.node, Logical) and flt.node.op == "and" else [flt.node]
    pushed = Pushed()
    rest = []
    for term in terms:
        if isinstance(term, Intersects) and term.is_box:
            pushed.boxes.append(term.bbox)
        elif isinstance(term, During) and term.prop.name == "datetime":
            pushed.windows.append((term.start, term.end))
        elif isinstance(term, (Compare, In)) and term.prop.name in _INDEXED_TEXT and not term.casei \
                and (isinstance(term, In) or term.op == "="):
            pushed.exact.append((term.prop.name, term.values if isinstance(term, In) else (term.value,)))
        else:
            rest.append(term)
    if rest:
        node = rest[0] if len(rest) == 1 else Logical("and", tuple(rest))
        pushed.rest = Filter(flt.collection, node, flt.text)
    return pushed


def select(flt: Filter, index: FeatureIndex, positions: np.ndarray) -> np.ndarray:
    """The positions (of those given) whose feature the filter holds true for."""
    positions = np.asarray(positions, dtype=np.int64)
    if not len(positions):
        return positions
    true, _ = _Evaluator(index, flt.collection, positions).masks(flt.node)
    return positions[true]


class _Evaluator:
    def __init__(self, index: FeatureIndex, collection: str, positions: np.ndarray):
        self.index = index
        self.collection = collection
        self.p = positions

    # ---- columns over the candidate rows

    def text(self, prop: Queryable) -> tuple[np.ndarray, np.ndarray]:
        """(codes of the candidate rows, -1 where missing; the vocabulary as an object array)."""
        name = prop.name
        if name == "id":
            return self.p, _vocabulary(self.index, "id", self.index.ids)
        if name in _INDEXED_TEXT:
            codes, vocabulary = self.index.codes[name]
            return codes[self.p], _vocabulary(self.index, name, sorted(vocabulary, key=vocabulary.get))
        codes, vocab = json_column(self.index, self.collection, name)
        return codes[self.p], vocab

    def numbers(self, prop: Queryable) -> np.ndarray:
        """Values of the candidate rows as float64 (dates as day numbers, timestamps as seconds); NaN: missing."""
        name = prop.name
        if name == "date_from":
            starts = self.index.tstart[self.p]
            return np.where(starts == TIMELESS_START, np.nan, starts // DAY).astype(np.float64)
        if name == "date_to":
            ends = self.index.tend[self.p]
            return np.where(ends == TIMELESS_END, np.nan, ends // DAY).astype(np.float64)
        if name == "geo_precision":
            codes, vocabulary = self.index.codes[name]
            lookup = np.array([*(_float(v) for v in sorted(vocabulary, key=vocabulary.get)), np.nan])
            return lookup[codes[self.p]]
        return json_column(self.index, self.collection, name)[self.p]

    # ---- nodes

    def masks(self, node) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(node, Logical):
            if node.op == "not":
                true, false = self.masks(node.args[0])
                return false, true
            return self.junction(node)
        if isinstance(node, (Compare, In, Like, Between, IsNull)):
            return self.predicate(node)
        if isinstance(node, Intersects):
            return self.both(self.intersects(node))
        if isinstance(node, DWithin):
            return self.both(self.dwithin(node))
        if isinstance(node, During):
            return self.during(node)
        raise TypeError(f"unknown filter node {node!r}")

    def junction(self, node: Logical) -> tuple[np.ndarray, np.ndarray]:
        """AND (OR) over the terms, cheapest first, each only on the rows the terms before it
        left open: not yet false (not yet true), as three-valued logic has it."""
        m = len(self.p)
        settled_value = node.op == "or"  # a row settles once a term is true (OR) or false (AND)
        settled = np.zeros(m, dtype=bool)
        unknown = np.zeros(m, dtype=bool)  # some term was neither true nor false
        open_rows = np.arange(m)
        for arg in sorted(node.args, key=_cost):
            if not len(open_rows):
                break
            sub = _Evaluator(self.index, self.collection, self.p[open_rows])
            true, false = sub.masks(arg)
            decisive = true if settled_value else false
            settled[open_rows[decisive]] = True
            unknown[open_rows[~true & ~false]] = True
            open_rows = open_rows[~decisive]
        if node.op == "and":
            return ~settled & ~unknown, settled
        return settled, ~settled & ~unknown

    @staticmethod
    def both(true: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return true, ~true

    def predicate(self, node) -> tuple[np.ndarray, np.ndarray]:
        prop = node.prop
        if prop.kind == "string":
            codes, vocab = self.text(prop)
            known = codes >= 0
            if isinstance(node, IsNull):
                return ~known, known
            lookup = np.append(self.vocab_test(node, vocab), False)
            hit = lookup[codes]
            return hit & known, ~hit & known
        values = self.numbers(prop)
        known = ~np.isnan(values)
        if isinstance(node, IsNull):
            return ~known, known
        with np.errstate(invalid="ignore"):
            if isinstance(node, Compare):
                hit = _OPS[node.op](values, node.value)
            elif isinstance(node, In):
                hit = np.isin(values, np.array(node.values, dtype=np.float64))
            elif isinstance(node, Between):
                hit = (values >= node.low) & (values <= node.high)
            else:
                raise TypeError(f"{type(node).__name__} on {prop.kind}")
        return hit & known, ~hit & known

    @staticmethod
    def vocab_test(node, vocab: np.ndarray) -> np.ndarray:
        """Which vocabulary entries the text predicate holds for (an array of bool)."""
        if getattr(node, "casei", False):
            vocab = np.array([v.lower() for v in vocab], dtype=object)
        if isinstance(node, Compare):
            value = node.value.lower() if node.casei else node.value
            return np.asarray(_OPS[node.op](vocab, value), dtype=bool) if len(vocab) else np.zeros(0, bool)
        if isinstance(node, In):
            wanted = {v.lower() if node.casei else v for v in node.values}
            return np.fromiter((v in wanted for v in vocab), dtype=bool, count=len(vocab))
        if isinstance(node, Like):
            pattern = like_regex(node.pattern.lower() if node.casei else node.pattern)
            return np.fromiter((pattern.fullmatch(v) is not None for v in vocab), dtype=bool, count=len(vocab))
        raise TypeError(f"{type(node).__name__} on text")

    def intersects(self, node: Intersects) -> np.ndarray:
        import shapely

        minx, miny, maxx, maxy = node.bbox
        index, p = self.index, self.p
        near = (index.maxx[p] >= minx) & (index.minx[p] <= maxx) & (index.maxy[p] >= miny) & (index.miny[p] <= maxy)
        out = np.zeros(len(p), dtype=bool)
        if not near.any():
            return out
        shape = shapely.from_geojson(orjson.dumps(node.geometry).decode())
        shapely.prepare(shape)
        rows = np.flatnonzero(near)
        points = index.is_point[p[rows]]
        point_rows = rows[points]
        if node.is_box:  # a point whose envelope meets the box lies in it (edges included)
            out[point_rows] = True
        else:
            out[point_rows] = shapely.intersects_xy(shape, index.minx[p[point_rows]], index.miny[p[point_rows]])
        for row in rows[~points]:
            geometry = orjson.loads(index.raw[int(p[row])]).get("geometry")
            out[row] = geometry is not None and shape.intersects(shapely.from_geojson(orjson.dumps(geometry).decode()))
        return out

    def dwithin(self, node: DWithin) -> np.ndarray:
        import shapely

        index, p = self.index, self.p
        out = np.zeros(len(p), dtype=bool)
        points = index.is_point[p]
        with np.errstate(invalid="ignore"):
            out[points] = haversine_metres(index.minx[p[points]], index.miny[p[points]], node.lon, node.lat) <= node.metres
        if (~points).any():  # areas: the nearest point of the shape, measured on the sphere
            centre = shapely.Point(node.lon, node.lat)
            for row in np.flatnonzero(~points):
                geometry = orjson.loads(index.raw[int(p[row])]).get("geometry")
                if not geometry:
                    continue
                shape = shapely.from_geojson(orjson.dumps(geometry).decode())
                if shape.intersects(centre):
                    out[row] = True
                    continue
                near = shapely.ops.nearest_points(shape, centre)[0]
                out[row] = haversine_metres(near.x, near.y, node.lon, node.lat) <= node.metres
        return out

    def during(self, node: During) -> tuple[np.ndarray, np.ndarray]:
        name = node.prop.name
        index, p = self.index, self.p
        if name == "datetime":  # as the datetime parameter: undated features span all time
            first, last = index.tstart[p], index.tend[p]
            known = np.ones(len(p), dtype=bool)
        elif name in ("date_from", "date_to"):
            column = index.tstart[p] if name == "date_from" else index.tend[p] - DAY + 1
            known = index.tstart[p] != TIMELESS_START
            first = np.where(known, column, 0)
            last = first + DAY - 1
        else:
            values = self.numbers(node.prop)
            known = ~np.isnan(values)
            base = np.where(known, values, 0).astype(np.int64)
            first = base * DAY if node.prop.kind == "date" else base
            last = first + DAY - 1 if node.prop.kind == "date" else first
        hit = np.ones(len(p), dtype=bool)
        if node.start is not None:
            hit &= last >= node.start
        if node.end is not None:
            hit &= first <= node.end
        return hit & known, ~hit & known


def _cost(node) -> int:
    """A rough order of how much a term costs per row, to run the cheap, selective ones first."""
    if isinstance(node, During) or (isinstance(node, Intersects) and node.is_box):
        return 0
    if isinstance(node, (Compare, In, IsNull, Between)) and node.prop.name in (*_INDEXED_TEXT, "date_from",
                                                                              "date_to", "geo_precision"):
        return 1
    if isinstance(node, Logical):
        return 3
    if isinstance(node, (Intersects, DWithin, Like)):
        return 4
    return 2


def like_regex(pattern: str) -> re.Pattern:
    """CQL2 LIKE (``%`` any run, ``_`` one character, ``\\`` escapes) as a regular expression."""
    out = []
    escaped = False
    for char in pattern:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.DOTALL)


def _float(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


def _cache(index: FeatureIndex) -> dict:
    entry = _CACHE.get(index)
    if entry is None:
        entry = _CACHE[index] = {}
    return entry


def _vocabulary(index: FeatureIndex, name: str, values: list) -> np.ndarray:
    cache = _cache(index)
    key = ("vocab", name)
    if key not in cache or len(cache[key]) != len(values):
        cache[key] = np.array(values, dtype=object)
    return cache[key]


def json_column(index: FeatureIndex, collection: str, name: str):
    """A queryable the index has no column for, read from every feature's JSON on first use and
    kept with that index: text as (codes, vocabulary), numbers, dates (day numbers) and
    timestamps (seconds) as float64 (NaN: missing)."""
    cache = _cache(index)
    key = ("json", collection, name)
    if key not in cache:
        warm_columns(index, collection, (name,))
    return cache[key]


def warm_columns(index: FeatureIndex, collection: str, names: tuple[str, ...]) -> None:
    """Read the named queryables' columns (json_column) from the features' JSON now: only those
    named (at a million features a pass takes about 2.5 s, and each column adds to it). The rows
    of the index's shared buffer are read once for every index over it: an index made by
    ``FeatureIndex.with_changes`` (after a write) reads only the rows added since."""
    fields = queryables(collection)
    with _LOCK:
        cache = _cache(index)
        wanted = [fields[n] for n in names if n in fields and ("json", collection, n) not in cache
                  and fields[n].kind in ("string", "integer", "number", "date", "timestamp")
                  and n not in (*_INDEXED_TEXT, "id", "date_from", "date_to", "geo_precision")]
        if not wanted:
            return
        raw = index.raw
        based = len(raw.starts)  # rows in the buffer; the rest were added by writes
        base = _base_columns(raw.starts)
        unread = [q for q in wanted if (collection, q.name) not in base]
        if unread:
            read = _read_columns(iter(raw), based, unread, {})
            for q in unread:
                base[(collection, q.name)] = read[q.name]
        vocabularies = {q.name: dict(base[(collection, q.name)][1]) for q in wanted if q.kind == "string"}
        added = _read_columns(iter(raw[based:len(raw)]), len(raw) - based, wanted, vocabularies)
        for q in wanted:
            if q.kind == "string":
                codes = np.concatenate([base[(collection, q.name)][0], added[q.name][0]])
                cache[("json", collection, q.name)] = (codes, np.array(list(vocabularies[q.name]), dtype=object))
            else:
                cache[("json", collection, q.name)] = np.concatenate([base[(collection, q.name)], added[q.name]])


def _read_columns(rows: Iterator[bytes], n: int, wanted: list[Queryable], vocabularies: dict[str, dict]) -> dict:
    """The wanted columns of ``n`` rows of feature JSON: text as (int32 codes, the vocabulary
    dict, extended in place), the other kinds as float64 (NaN: missing)."""
    texts = {q.name: ([], vocabularies.setdefault(q.name, {})) for q in wanted if q.kind == "string"}
    numbers = {q.name: np.full(n, np.nan) for q in wanted if q.kind != "string"}
    kinds = {q.name: q.kind for q in wanted}
    with gc_paused():
        for i, raw in enumerate(rows):
            props = orjson.loads(raw).get("properties") or {}
            for name, (codes, vocabulary) in texts.items():
                value = props.get(name)
                codes.append(-1 if value is None else vocabulary.setdefault(str(value), len(vocabulary)))
            for name, column in numbers.items():
                value = props.get(name)
                if value is not None:
                    column[i] = _number_of(value, kinds[name])
    out: dict = {name: (np.array(codes, dtype=np.int32), vocabulary) for name, (codes, vocabulary) in texts.items()}
    return out | numbers


def _base_columns(starts: np.ndarray) -> dict:
    """The columns read from the rows of one shared buffer (every index over it has the same
    ``raw.starts`` array), kept while that array lives."""
    key = id(starts)
    entry = _BASE.get(key)
    if entry is None or entry[0]() is not starts:
        def forget(ref, key=key):
            if _BASE.get(key, (None,))[0] is ref:
                del _BASE[key]
        entry = _BASE[key] = (weakref.ref(starts, forget), {})
    return entry[1]


def _number_of(value: object, kind: str) -> float:
    try:
        if kind == "date":
            return float(np.datetime64(str(value)[:10], "D").astype(np.int64))
        if kind == "timestamp":
            return float(int(parse_instant(str(value)).timestamp()))
        if isinstance(value, bool):
            return np.nan
        return float(value)
    except (TypeError, ValueError):
        return np.nan
