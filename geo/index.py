"""An in-memory index over one collection's features: space, time and filters.

Columns are numpy arrays, so a bbox-and-time filter over 100,000 incidents is
a handful of vectorised comparisons rather than a Python loop. Each feature's
JSON is kept pre-serialised, so answering a page is a join of bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import orjson

from geo.query import EXACT_FILTERS, Query
from geo.timespan import day_end, day_start, format_epoch, parse_day

TIMELESS_START = np.iinfo(np.int64).min
TIMELESS_END = np.iinfo(np.int64).max
_TEXT_FIELDS = ("id", "notes", "location", "site_name", "site_id", "perpetrator", "target",
                "event_type", "admin1", "country", "name")


def feature_time_span(props: dict) -> tuple[int, int] | None:
    """The closed span of UTC seconds an incident covers, or None for timeless features."""
    first = props.get("date_from") or props.get("date")
    if not first:
        return None
    try:
        start = parse_day(str(first)[:10])
        end = parse_day(str(props.get("date_to") or first)[:10])
    except ValueError:
        return None
    return day_start(start), day_end(end)


def geometry_bounds(geometry: dict | None) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) of a Point or Polygon; NaNs when there is none."""
    if not geometry or "coordinates" not in geometry:
        return (np.nan,) * 4
    coords = geometry["coordinates"]
    if geometry.get("type") == "Point":
        return coords[0], coords[1], coords[0], coords[1]
    flat: list = []
    stack = [coords]
    while stack:
        item = stack.pop()
        if item and isinstance(item[0], (int, float)):
            flat.append(item)
        else:
            stack.extend(item)
    xs = [p[0] for p in flat]
    ys = [p[1] for p in flat]
    return min(xs), min(ys), max(xs), max(ys)


def search_text(props: dict) -> str:
    parts = [str(props.get(k) or "") for k in _TEXT_FIELDS]
    for source in props.get("sources") or []:
        if isinstance(source, dict):
            parts.append(str(source.get("title") or ""))
            parts.append(str(source.get("outlet") or ""))
    for alias in props.get("aliases") or []:
        parts.append(str(alias))
    return " ".join(parts).casefold()


@dataclass
class Page:
    """The positions of one page of matches, and how many matched in all."""

    positions: np.ndarray
    number_matched: int


class FeatureIndex:
    """Immutable index over a list of GeoJSON feature dicts."""

    def __init__(self, raws: Iterable[bytes]):
        """Build from each feature's GeoJSON bytes; only the bytes and columns are kept."""
        self.raw: list[bytes] = []
        self.ids: list[str] = []
        bounds: list[tuple] = []
        points: list[bool] = []
        starts: list[int] = []
        ends: list[int] = []
        columns: dict[str, list] = {name: [] for name in EXACT_FILTERS}
        self.perpetrators: list[str] = []
        self.texts: list[str] = []
        for raw in raws:
            feature = orjson.loads(raw)
            props = feature.get("properties") or {}
            geometry = feature.get("geometry") or {}
            self.raw.append(raw)
            self.ids.append(str(feature.get("id")))
            bounds.append(geometry_bounds(geometry))
            points.append(geometry.get("type") == "Point")
            span = feature_time_span(props)
            starts.append(TIMELESS_START if span is None else span[0])
            ends.append(TIMELESS_END if span is None else span[1])
            for name in EXACT_FILTERS:
                value = props.get(name)
                columns[name].append(None if value is None else str(value))
            self.perpetrators.append(str(props.get("perpetrator") or "").casefold())
            self.texts.append(search_text(props))
        n = len(self.raw)
        self.position = {fid: i for i, fid in enumerate(self.ids)}
        box = np.array(bounds, dtype=np.float64).reshape(n, 4)
        self.minx, self.miny, self.maxx, self.maxy = (box[:, i].copy() for i in range(4))
        self.is_point = np.array(points, dtype=bool)
        self.tstart = np.array(starts, dtype=np.int64)
        self.tend = np.array(ends, dtype=np.int64)
        self.codes: dict[str, tuple[np.ndarray, dict[str, int]]] = {}
        for name, values in columns.items():
            vocabulary: dict[str, int] = {}
            codes = np.fromiter((vocabulary.setdefault(v, len(vocabulary)) if v is not None else -1
                                 for v in values), dtype=np.int32, count=n)
            self.codes[name] = (codes, vocabulary)

    @classmethod
    def from_features(cls, features: Iterable[dict]) -> FeatureIndex:
        return cls(orjson.dumps(f) for f in features)

    def __len__(self) -> int:
        return len(self.ids)

    # ---- reading -----------------------------------------------------------

    def feature_bytes(self, positions: Iterable[int]) -> list[bytes]:
        return [self.raw[i] for i in positions]

    def get(self, fid: str) -> bytes | None:
        i = self.position.get(fid)
        return None if i is None else self.raw[i]

    def extent(self) -> tuple[list[float] | None, list[str | None] | None]:
        """The spatial bbox and the temporal interval of all features."""
        if not len(self):
            return None, None
        bbox = [float(np.nanmin(self.minx)), float(np.nanmin(self.miny)),
                float(np.nanmax(self.maxx)), float(np.nanmax(self.maxy))]
        timed = self.tstart != TIMELESS_START
        if not timed.any():
            return bbox, None
        return bbox, [format_epoch(int(self.tstart[timed].min())), format_epoch(int(self.tend[timed].max()))]

    # ---- querying ----------------------------------------------------------

    def match(self, query: Query) -> np.ndarray:
        """Positions of all features that match the query's filters, in file order."""
        n = len(self)
        mask = np.ones(n, dtype=bool)
        if query.bbox is not None:
            minx, miny, maxx, maxy = query.bbox
            mask &= (self.maxy >= miny) & (self.miny <= maxy)
            if minx <= maxx:
                mask &= (self.maxx >= minx) & (self.minx <= maxx)
            else:  # crosses the antimeridian: [minx, 180] or [-180, maxx]
                mask &= (self.maxx >= minx) | (self.minx <= maxx)
        if query.time_start is not None:
            mask &= self.tend >= query.time_start
        if query.time_end is not None:
            mask &= self.tstart <= query.time_end
        for name, values in query.exact.items():
            codes, vocabulary = self.codes[name]
            wanted = [vocabulary[v] for v in values if v in vocabulary]
            mask &= np.isin(codes, wanted) if wanted else False
        positions = np.flatnonzero(mask)
        if query.bbox is not None and not self.is_point[positions].all():
            positions = self._refine_areas(positions, query.bbox)
        if "perpetrator" in query.text:
            needle = query.text["perpetrator"]
            positions = np.array([i for i in positions if needle in self.perpetrators[i]], dtype=np.int64)
        if "q" in query.text:
            words = query.text["q"].split()
            positions = np.array([i for i in positions if all(w in self.texts[i] for w in words)],
                                 dtype=np.int64)
        return positions

    def _refine_areas(self, positions: np.ndarray, bbox: tuple) -> np.ndarray:
        """Drop polygons whose envelope meets the bbox but whose shape does not."""
        from shapely.geometry import box, shape

        minx, miny, maxx, maxy = bbox
        boxes = [box(minx, miny, maxx, maxy)] if minx <= maxx else [
            box(minx, miny, 180, maxy), box(-180, miny, maxx, maxy)]
        keep = []
        for i in positions:
            if self.is_point[i]:
                keep.append(i)
                continue
            geom = shape(orjson.loads(self.raw[i])["geometry"])
            if any(geom.intersects(b) for b in boxes):
                keep.append(i)
        return np.array(keep, dtype=np.int64)

    def order(self, positions: np.ndarray, sortby: list[tuple[str, bool]]) -> np.ndarray:
        """Positions sorted by the sort keys; stable, missing values last."""
        if not sortby or len(positions) < 2:
            return positions
        ordered = list(positions)
        for name, descending in reversed(sortby):
            if name in ("date", "date_from"):
                keys = self.tstart[ordered]
                idx = np.argsort(-keys if descending else keys, kind="stable")
                ordered = [ordered[k] for k in idx]
                continue
            if name == "date_to":
                keys = self.tend[ordered]
                idx = np.argsort(-keys if descending else keys, kind="stable")
                ordered = [ordered[k] for k in idx]
                continue
            values = [self._sort_value(i, name) for i in ordered]
            present = [(v, i) for v, i in zip(values, ordered, strict=True) if v is not None]
            missing = [i for v, i in zip(values, ordered, strict=True) if v is None]
            present.sort(key=lambda pair: pair[0], reverse=descending)
            ordered = [i for _, i in present] + missing
        return np.array(ordered, dtype=np.int64)

    def _sort_value(self, i: int, name: str):
        if name == "id":
            return self.ids[i]
        props = orjson.loads(self.raw[i]).get("properties") or {}
        return props.get(name)

    def day_counts(self, query: Query) -> list[tuple[str, int]]:
        """Matching incidents per day (by the first day of each span), for a time histogram."""
        positions = self.match(query)
        starts = self.tstart[positions]
        starts = starts[starts != TIMELESS_START]
        if not len(starts):
            return []
        days, counts = np.unique(starts // 86_400, return_counts=True)
        return [(str(np.datetime64(int(d), "D")), int(c)) for d, c in zip(days, counts, strict=True)]

    def page(self, query: Query) -> Page:
        positions = self.order(self.match(query), query.sortby)
        return Page(positions[query.offset:query.offset + query.limit], len(positions))
