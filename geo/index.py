"""An in-memory index over one collection's features: space, time and filters.

Columns are numpy arrays, so a bbox-and-time filter over 100,000 incidents is
a handful of vectorised comparisons rather than a Python loop. Each feature's
JSON is kept pre-serialised, so answering a page is a join of bytes.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import orjson

from geo.cursor import decode_cursor, encode_cursor
from geo.errors import InvalidParameterValue
from geo.query import EXACT_FILTERS, Query
from geo.store.base import GridCell
from geo.timespan import DAY_SECONDS, day_end, day_start, format_epoch, parse_day

_EPOCH_DAY = date(1970, 1, 1)
_CONSOLIDATE_AFTER = 1024  # rows added since the id order was last merged that make it merge them in
_DEAD_LIMIT = 65_536  # dead (replaced or deleted) rows kept before an index is rebuilt without them
_NO_ROWS = np.empty(0, dtype=np.int64)
_SPARSE = 4  # a filter that leaves fewer than 1 row in this many goes on over those rows only
TIMELESS_START = np.iinfo(np.int64).min
TIMELESS_END = np.iinfo(np.int64).max
COUNT_COLUMNS = ("killed", "injured")
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
    """What ``q`` searches in one feature, casefolded: its text fields, its sources' titles and
    outlets, a site's aliases, then its sources' evidence sentences (last, so that a store
    built before they were searched can append them; see pg_schema migration 4)."""
    parts = [str(props.get(k) or "") for k in _TEXT_FIELDS]
    sources = [s for s in props.get("sources") or [] if isinstance(s, dict)]
    for source in sources:
        parts.append(str(source.get("title") or ""))
        parts.append(str(source.get("outlet") or ""))
    for alias in props.get("aliases") or []:
        parts.append(str(alias))
    parts.extend(str(source.get("quote") or "") for source in sources)
    return " ".join(parts).casefold()


def perpetrator_text(props: dict) -> str:
    """What ``perpetrator`` searches, casefolded: the incident's perpetrator (claimed or
    attributed) and every one its sources disagreed on, one per line."""
    names = [str(props.get("perpetrator") or "")]
    disagreements = props.get("disagreements")
    if isinstance(disagreements, dict) and isinstance(disagreements.get("perpetrator"), list):
        names += [str(name) for name in disagreements["perpetrator"] if name]
    return "\n".join(names).casefold()


def count_value(value: object) -> int:
    """A killed/injured value as stored in a count column: -1 when not a reported count."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else -1


def dumps(value: object) -> bytes:
    """``orjson.dumps`` in a bytes object of its own size. orjson hands back its whole working
    buffer (about 8 KB however short the JSON), which is harmless for one answer but eight
    gigabytes for a million features held at once."""
    return bytes(memoryview(orjson.dumps(value)))


class RawRows(Sequence[bytes]):
    """Every feature's JSON as a slice of one buffer: one object for the whole collection
    instead of one per feature, which keeps a million features' bytes compact, and shared
    between server processes forked after the index was built. Rows added by
    ``FeatureIndex.with_changes`` follow as bytes of their own in ``extra`` (a list shared
    with the index they were added to; this view sees its first ``size - len(starts)``)."""

    def __init__(self, buffer: bytes, starts: np.ndarray, ends: np.ndarray,
                 extra: list[bytes] | None = None, size: int | None = None):
        self.buffer = buffer
        self.starts = starts
        self.ends = ends
        self.extra = [] if extra is None else extra
        self.size = len(starts) + len(self.extra) if size is None else size

    @classmethod
    def join(cls, raws: Iterable[bytes]) -> RawRows:
        rows = list(raws)
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        ends = np.cumsum(lengths)
        return cls(b"".join(rows), ends - lengths, ends)

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += self.size
        if not 0 <= i < self.size:
            raise IndexError(i)
        based = len(self.starts)
        if i >= based:
            return self.extra[i - based]
        return self.buffer[self.starts[i]:self.ends[i]]

    def __iter__(self) -> Iterator[bytes]:
        buffer = self.buffer
        for start, end in zip(self.starts.tolist(), self.ends.tolist(), strict=True):
            yield buffer[start:end]
        yield from self.extra[:self.size - len(self.starts)]

    def nbytes(self, positions: np.ndarray) -> int:
        """The total length of the rows at ``positions``."""
        positions = np.asarray(positions, dtype=np.int64)
        based = len(self.starts)
        inside = positions[positions < based]
        total = int((self.ends[inside] - self.starts[inside]).sum())
        return total + sum(len(self.extra[int(p) - based]) for p in positions[positions >= based])


def _days(texts: list[str | None]) -> np.ndarray:
    """'YYYY-MM-DD' strings to days since 1970 (int64); INT64 min where missing or malformed."""
    missing = np.iinfo(np.int64).min
    try:
        if any(t is not None and (len(t) != 10 or t[4] != "-" or t[7] != "-") for t in texts):
            raise ValueError("not all YYYY-MM-DD")
        values = np.array(texts, dtype="datetime64[D]")
        days = values.astype(np.int64)
        return np.where(np.isnat(values), missing, days)
    except (ValueError, TypeError):
        out = np.empty(len(texts), dtype=np.int64)
        for k, text in enumerate(texts):
            try:
                out[k] = (parse_day(text) - _EPOCH_DAY).days if text else missing
            except ValueError:
                out[k] = missing
        return out


@dataclass
class Page:
    """The positions of one page of matches, and how many matched in all."""

    positions: np.ndarray
    number_matched: int
    next_cursor: str | None = None


class _Columns:
    """Per-row columns with room to grow, shared by an index and the indexes made from it by
    ``with_changes``. Rows are only ever appended (by the newest index, under ``lock``), so an
    older index goes on seeing its own first rows unchanged."""

    def __init__(self, arrays: dict[str, np.ndarray], used: int):
        self.arrays = arrays
        self.used = used
        self.lock = threading.Lock()

    def grow(self, needed: int) -> None:
        capacity = len(self.arrays["prev"])
        if needed <= capacity:
            return
        capacity = max(needed, capacity + capacity // 2 + 1024)
        grown = {}
        for name, array in self.arrays.items():
            bigger = np.empty(capacity, dtype=array.dtype)
            bigger[:self.used] = array[:self.used]
            grown[name] = bigger
        self.arrays = grown


def _ranks_of(order: np.ndarray) -> np.ndarray:
    """Each row's place in ``order`` (the inverse permutation)."""
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return rank


class FeatureIndex:
    """Immutable (as seen by its readers) index over a list of GeoJSON features.

    Rows are positions into the columns; a feature replaced or deleted by ``with_changes``
    keeps its row, marked dead in ``alive``, in the new index, so positions never move."""

    def __init__(self, raws: Iterable[bytes] | RawRows):
        """Build from each feature's GeoJSON bytes; only the bytes (as one buffer) and
        columns are kept. The text-search columns are built on the first text query."""
        raw = raws if isinstance(raws, RawRows) else RawRows.join(raws)
        ids: list[str] = []
        bounds: list[tuple] = []
        points: list[bool] = []
        firsts: list[str | None] = []
        lasts: list[str | None] = []
        columns: dict[str, list] = {name: [] for name in EXACT_FILTERS}
        counts: dict[str, list[int]] = {name: [] for name in COUNT_COLUMNS}
        # the loop runs once per feature when a collection is opened: names bound outside it
        exact = [(name, columns[name].append) for name in EXACT_FILTERS]
        tolls = [(name, counts[name].append) for name in COUNT_COLUMNS]
        loads, add_id, add_bounds, add_point = orjson.loads, ids.append, bounds.append, points.append
        add_first, add_last = firsts.append, lasts.append
        for row in raw:
            feature = loads(row)
            props = feature.get("properties") or {}
            geometry = feature.get("geometry") or {}
            fid = feature.get("id")
            add_id(fid if fid.__class__ is str else str(fid))
            coordinates = geometry.get("coordinates")
            if geometry.get("type") == "Point" and coordinates and len(coordinates) >= 2:
                x, y = coordinates[0], coordinates[1]
                add_bounds((x, y, x, y))
                add_point(True)
            else:
                add_bounds(geometry_bounds(geometry))
                add_point(False)
            first = props.get("date_from") or props.get("date")
            if first:
                first = str(first)[:10]
                last = props.get("date_to")
                add_first(first)
                add_last(str(last)[:10] if last else first)
            else:
                add_first(None)
                add_last(None)
            for name, add in exact:
                value = props.get(name)
                add(value if value is None or value.__class__ is str else str(value))
            for name, add in tolls:  # as count_value: a reported count, else -1
                value = props.get(name)
                add(value if value.__class__ is int and value >= 0 else -1)
        n = len(raw)
        first_days, last_days = _days(firsts), _days(lasts)
        timed = (first_days != np.iinfo(np.int64).min) & (last_days != np.iinfo(np.int64).min)
        box = np.array(bounds, dtype=np.float64).reshape(n, 4)
        arrays = {"minx": box[:, 0].copy(), "miny": box[:, 1].copy(), "maxx": box[:, 2].copy(),
                  "maxy": box[:, 3].copy(), "is_point": np.array(points, dtype=bool),
                  "tstart": np.where(timed, first_days * DAY_SECONDS, TIMELESS_START),
                  "tend": np.where(timed, last_days * DAY_SECONDS + DAY_SECONDS - 1, TIMELESS_END),
                  "prev": np.full(n, -1, dtype=np.int64)}
        # killed, injured: -1 where not reported (for min_killed and the trend's sums)
        for name, values in counts.items():
            arrays["count:" + name] = np.array(values, dtype=np.int64).reshape(n)
        vocabularies: dict[str, dict[str, int]] = {}
        for name, values in columns.items():
            vocabulary = vocabularies[name] = {}
            arrays["code:" + name] = np.fromiter(
                (vocabulary.setdefault(v, len(vocabulary)) if v is not None else -1 for v in values),
                dtype=np.int32, count=n)
        # the id order, the last tie-break of every sort (so keyset pages and offsets agree)
        by_id = np.array(sorted(range(n), key=ids.__getitem__), dtype=np.int64)
        self._view(_Columns(arrays, n), raw, ids, {fid: i for i, fid in enumerate(ids)}, vocabularies,
                   np.ones(n, dtype=bool), n, n, by_id, _ranks_of(by_id), _NO_ROWS, _NO_ROWS)

    def _view(self, columns: _Columns, raw: RawRows, ids: list[str], position: dict[str, int],
              vocabularies: dict[str, dict[str, int]], alive: np.ndarray, live: int, base_n: int,
              base_by_id: np.ndarray, base_rank: np.ndarray, tail_by_id: np.ndarray,
              tail_ins: np.ndarray) -> None:
        """Point this index at the first ``len(alive)`` rows of shared columns. Rows below
        ``base_n`` are in ``base_by_id`` (the id order) and ``base_rank``; the later ones (the
        tail) are in ``tail_by_id``, their own id order, with ``tail_ins``, the number of older
        rows whose id sorts before each: enough to merge them into any answer with numpy."""
        n = len(alive)
        arrays = columns.arrays
        self._columns, self._rows, self._live = columns, n, live
        self.raw = RawRows(raw.buffer, raw.starts, raw.ends, raw.extra, n)
        self.ids, self.position, self.alive = ids, position, alive
        self.minx, self.miny, self.maxx, self.maxy = (arrays[k][:n] for k in ("minx", "miny", "maxx", "maxy"))
        self.is_point, self.tstart, self.tend = arrays["is_point"][:n], arrays["tstart"][:n], arrays["tend"][:n]
        self.counts = {name: arrays["count:" + name][:n] for name in COUNT_COLUMNS}
        self._vocabularies = vocabularies
        self.codes = {name: (arrays["code:" + name][:n], vocabulary) for name, vocabulary in vocabularies.items()}
        self._base_n, self._base_by_id, self._base_rank = base_n, base_by_id, base_rank
        self._tail_by_id, self._tail_ins = tail_by_id, tail_ins
        # a rank per tail row that sorts among the older rows' ranks as its id does
        self._tail_rank = np.empty(len(tail_by_id), dtype=np.float64)
        self._tail_rank[tail_by_id - base_n] = tail_ins - 1 + np.arange(1, len(tail_by_id) + 1) / (len(tail_by_id) + 1)
        self._text_columns: dict[str, tuple[bytes, np.ndarray]] = {}

    def with_changes(self, changes: Iterable[tuple[str, bytes | None]]) -> FeatureIndex:
        """A new index: this one with each (id, new bytes) applied, None bytes deleting.

        Costs what changed, not what is kept: only the changed features are parsed, their rows
        are appended to columns shared with this index (which goes on seeing only its own rows),
        and the rows they replace are marked dead in a copy of the live mask. Dead rows are
        dropped, at the cost of one rebuild, once they outnumber the live ones."""
        latest: dict[str, bytes | None] = {}
        for fid, after in changes:
            latest[fid] = after
        if not latest:
            return self
        columns = self._columns
        with columns.lock:
            if columns.used != self._rows:  # a newer index already grew these columns: branch off a copy
                return self._copied().with_changes(latest.items())
            extra = FeatureIndex([after for after in latest.values() if after is not None])
            n, k = self._rows, len(extra.ids)
            alive = np.empty(n + k, dtype=bool)
            alive[:n] = self.alive
            alive[n:] = True
            live = self._live + k
            for fid in latest:
                at = self._row(fid)
                if at is not None and alive[at]:
                    alive[at] = False
                    live -= 1
            columns.grow(n + k)
            arrays = columns.arrays
            for name in ("minx", "miny", "maxx", "maxy", "is_point", "tstart", "tend"):
                arrays[name][n:n + k] = getattr(extra, name)
            for name in COUNT_COLUMNS:
                arrays["count:" + name][n:n + k] = extra.counts[name]
            for name, vocabulary in self._vocabularies.items():
                extra_codes, extra_vocabulary = extra.codes[name]
                remap = np.empty(len(extra_vocabulary) + 1, dtype=np.int32)
                remap[-1] = -1  # index -1: no value
                for value, code in extra_vocabulary.items():
                    remap[code] = vocabulary.setdefault(value, len(vocabulary))
                arrays["code:" + name][n:n + k] = remap[extra_codes]
            position = self.position
            arrays["prev"][n:n + k] = [position.get(fid, -1) for fid in extra.ids]
            columns.used = n + k
            self.ids.extend(extra.ids)
            self.raw.extra.extend(extra.raw)
            for j, fid in enumerate(extra.ids):  # last, so a reader of an older index finds its row by "prev"
                position[fid] = n + j
        if n + k - live > max(_DEAD_LIMIT, live):
            return self._successor(alive, live, _NO_ROWS, _NO_ROWS)._without_dead()
        grown = n + k - self._base_n
        if grown > _CONSOLIDATE_AFTER and grown * 16 > n + k:  # many new rows: sort every row by id anew
            new = self._successor(alive, live, _NO_ROWS, _NO_ROWS)
        else:
            new = self._successor(alive, live, *self._tail_with(range(n, n + k)))
        if grown > _CONSOLIDATE_AFTER:
            new._consolidate()
        return new

    def _successor(self, alive: np.ndarray, live: int, tail_by_id: np.ndarray, tail_ins: np.ndarray) -> FeatureIndex:
        new = object.__new__(FeatureIndex)
        new._view(self._columns, self.raw, self.ids, self.position, self._vocabularies, alive, live,
                  self._base_n, self._base_by_id, self._base_rank, tail_by_id, tail_ins)
        return new

    def _tail_with(self, rows: range) -> tuple[np.ndarray, np.ndarray]:
        """The tail's id order and insertion points with ``rows`` (just appended) sorted in:
        binary searches for the new rows only, so a write costs what it adds."""
        ids, base = self.ids, self._base_by_id
        added = sorted(rows, key=ids.__getitem__)
        ins = [bisect.bisect_left(base, ids[row], key=ids.__getitem__) for row in added]
        tail = self._tail_by_id.tolist()
        at = [bisect.bisect_left(tail, ids[row], key=ids.__getitem__) for row in added]
        return (np.insert(self._tail_by_id, at, np.array(added, dtype=np.int64)),
                np.insert(self._tail_ins, at, np.array(ins, dtype=np.int64)))

    def _row(self, fid: str) -> int | None:
        """The row of ``fid`` in this index (live or dead), None if it never had one."""
        at = self.position.get(fid)
        while at is not None and at >= self._rows:  # replaced after this index was made
            before = int(self._columns.arrays["prev"][at])
            at = None if before < 0 else before
        return at

    def _copied(self) -> FeatureIndex:
        """This index on columns of its own (when a newer index shares and grew the old ones)."""
        n = self._rows
        arrays = {name: array[:n].copy() for name, array in self._columns.arrays.items()}
        ids = self.ids[:n]
        based = len(self.raw.starts)
        raw = RawRows(self.raw.buffer, self.raw.starts, self.raw.ends, self.raw.extra[:n - based], n)
        new = object.__new__(FeatureIndex)
        new._view(_Columns(arrays, n), raw, ids, {fid: i for i, fid in enumerate(ids)},
                  {name: dict(v) for name, v in self._vocabularies.items()}, self.alive, self._live,
                  self._base_n, self._base_by_id, self._base_rank, self._tail_by_id, self._tail_ins)
        return new

    def _without_dead(self) -> FeatureIndex:
        """The live rows only, in the same order, as a fresh index (re-parsed)."""
        return FeatureIndex(RawRows.join(self.raw[int(i)] for i in np.flatnonzero(self.alive)))

    def _consolidate(self) -> None:
        """Make every row part of the id order kept for the older rows: the tail merged in, or
        (after many new rows, when the tail was not kept) every row sorted anew."""
        n = self._rows
        if len(self._tail_by_id) != n - self._base_n:
            by_id = np.array(sorted(range(n), key=self.ids.__getitem__), dtype=np.int64)
        else:
            by_id = np.insert(self._base_by_id, self._tail_ins, self._tail_by_id)
        self._base_n, self._base_by_id, self._base_rank = n, by_id, _ranks_of(by_id)
        self._tail_by_id, self._tail_ins, self._tail_rank = _NO_ROWS, _NO_ROWS, np.empty(0, dtype=np.float64)

    def live_positions(self) -> np.ndarray:
        """The rows of the features this index holds (not those replaced or deleted), in row order."""
        return np.flatnonzero(self.alive)

    @classmethod
    def from_features(cls, features: Iterable[dict]) -> FeatureIndex:
        return cls(dumps(f) for f in features)

    def __len__(self) -> int:
        return self._live

    # ---- reading -----------------------------------------------------------

    def feature_bytes(self, positions: Iterable[int]) -> list[bytes]:
        return [self.raw[i] for i in positions]

    def get(self, fid: str) -> bytes | None:
        i = self._row(fid)
        return None if i is None or not self.alive[i] else self.raw[i]

    def extent(self) -> tuple[list[float] | None, list[str | None] | None]:
        """The spatial bbox and the temporal interval of all features."""
        if not len(self):
            return None, None
        alive = self.alive
        bbox = [float(np.nanmin(self.minx[alive])), float(np.nanmin(self.miny[alive])),
                float(np.nanmax(self.maxx[alive])), float(np.nanmax(self.maxy[alive]))]
        timed = (self.tstart != TIMELESS_START) & alive
        if not timed.any():
            return bbox, None
        return bbox, [format_epoch(int(self.tstart[timed].min())), format_epoch(int(self.tend[timed].max()))]

    # ---- querying ----------------------------------------------------------

    def match(self, query: Query) -> np.ndarray:
        """Positions of all features that match the query's filters, in file order."""
        boxes = [query.bbox] if query.bbox is not None else []
        windows = [(query.time_start, query.time_end)]
        exact = list(query.exact.items())
        cql = query.cql
        if cql is not None:  # the filter's plain terms take the parameters' vectorised tests
            from geo.filters.evaluate import push_down

            pushed = push_down(cql)
            boxes += pushed.boxes
            windows += pushed.windows
            exact += pushed.exact
            cql = pushed.rest
        tests: list[tuple[tuple[np.ndarray, ...], Callable[..., np.ndarray]]] = []
        for start, end in windows:  # first: a time window is usually the narrowest test
            if start is not None:
                tests.append(((self.tend,), lambda tend, start=start: tend >= start))
            if end is not None:
                tests.append(((self.tstart,), lambda tstart, end=end: tstart <= end))
        for minx, miny, maxx, maxy in boxes:
            tests.append(((self.maxy, self.miny), lambda top, bottom, a=miny, b=maxy: (top >= a) & (bottom <= b)))
            if minx <= maxx:
                tests.append(((self.maxx, self.minx), lambda right, left, a=minx, b=maxx: (right >= a) & (left <= b)))
            else:  # crosses the antimeridian: [minx, 180] or [-180, maxx]
                tests.append(((self.maxx, self.minx), lambda right, left, a=minx, b=maxx: (right >= a) | (left <= b)))
        for name, values in exact:
            codes, vocabulary = self.codes[name]
            wanted = np.array([vocabulary[v] for v in values if v in vocabulary], dtype=np.int32)
            if len(wanted) == 1:  # one value, as most filters ask: a comparison, far cheaper than isin
                tests.append(((codes,), lambda column, code=int(wanted[0]): column == code))
            else:
                tests.append(((codes,), lambda column, wanted=wanted: np.isin(column, wanted)))
        for name, least in query.minimum.items():
            tests.append(((self.counts[name],), lambda column, least=least: column >= least))
        positions = self._passing(tests)
        for box in boxes:
            if not self.is_point[positions].all():
                positions = self._refine_areas(positions, box)
        if "perpetrator" in query.text:
            positions = np.intersect1d(positions, self._rows_containing("perpetrator", query.text["perpetrator"]))
        if "q" in query.text:
            for word in query.text["q"].split():
                rows = self._rows_containing("q", word)
                sites = query.site_words.get(word)
                if sites:  # or on a known site whose name or aliases hold the word
                    codes, vocabulary = self.codes["site_id"]
                    wanted = [vocabulary[s] for s in sites if s in vocabulary]
                    rows = np.union1d(rows, np.flatnonzero(np.isin(codes, wanted)))
                positions = np.intersect1d(positions, rows)
        if cql is not None:
            from geo.filters.evaluate import select

            positions = select(cql, self, positions)
        return positions

    def _passing(self, tests: list[tuple[tuple[np.ndarray, ...], Callable[..., np.ndarray]]]) -> np.ndarray:
        """The live rows that pass every test (a vectorised predicate over some columns),
        ascending. Tests run over whole columns until few rows are left, then over those rows'
        values only, so a narrow first test makes the others cheap."""
        mask = self.alive
        for k, (columns, test) in enumerate(tests):
            mask = test(*columns) & mask
            if np.count_nonzero(mask) * _SPARSE < self._rows:
                positions = np.flatnonzero(mask)
                for columns, test in tests[k + 1:]:
                    positions = positions[test(*(column[positions] for column in columns))]
                return positions
        return np.flatnonzero(mask)

    def _text_column(self, name: str) -> tuple[bytes, np.ndarray]:
        """Every row's casefolded search text (``q``) or perpetrator, as UTF-8 joined by NUL,
        with each row's start; built on first use, as most servers never search text."""
        column = self._text_columns.get(name)
        if column is None:
            texts = []
            for raw in self.raw:
                props = orjson.loads(raw).get("properties") or {}
                text = search_text(props) if name == "q" else perpetrator_text(props)
                texts.append(text.replace("\0", " ").encode("utf-8"))
            lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
            starts = np.cumsum(lengths) - lengths
            column = self._text_columns[name] = (b"\0".join(texts), starts)
        return column

    def _rows_containing(self, name: str, needle: str) -> np.ndarray:
        """Rows whose text column contains ``needle`` (already casefolded), ascending."""
        joined, starts = self._text_column(name)
        pattern = needle.encode("utf-8")
        if not pattern or b"\0" in pattern:
            return np.arange(self._rows, dtype=np.int64) if not pattern else np.empty(0, dtype=np.int64)
        hits = []
        at = joined.find(pattern)
        while at >= 0:
            row = int(np.searchsorted(starts, at, side="right")) - 1
            hits.append(row)
            next_row = row + 1
            at = joined.find(pattern, int(starts[next_row]) if next_row < len(starts) else len(joined))
        return np.array(hits, dtype=np.int64)

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
        """Positions sorted by the sort keys, missing values last, then by id: a total order,
        so that offset pages and keyset (cursor) pages agree. With no sort keys, by id."""
        positions = np.asarray(positions, dtype=np.int64)
        if len(positions) < 2:
            return positions
        if not sortby:  # a gather over the precomputed id order beats sorting the matches
            return self._id_order(positions)
        keys = [self._id_ranks(positions)]  # np.lexsort: the last key is the primary one
        for name, descending in reversed(sortby):
            missing, value = self._sort_columns(positions, name, descending)
            keys += [value, missing]
        return positions[np.lexsort(keys)]

    def _id_order(self, positions: np.ndarray) -> np.ndarray:
        """``positions`` in id order: a gather over the id order kept for the older rows, with
        the rows added since (the tail, in its own id order) inserted where they belong."""
        wanted = np.zeros(self._rows, dtype=bool)
        wanted[positions] = True
        base = self._base_by_id
        part = base[wanted[base]]
        if not len(self._tail_by_id):
            return part
        chosen = wanted[self._tail_by_id]
        tail = self._tail_by_id[chosen]
        if not len(tail):
            return part
        at = np.searchsorted(self._base_rank[part], self._tail_ins[chosen])
        return np.insert(part, at, tail)

    def _id_ranks(self, positions: np.ndarray) -> np.ndarray:
        """A number per position that sorts as the ids do (ranks among the older rows; the rows
        added since get fractions between their neighbours' ranks)."""
        positions = np.asarray(positions, dtype=np.int64)
        if not len(self._tail_by_id):
            return self._base_rank[positions].astype(np.float64)
        ranks = np.empty(len(positions), dtype=np.float64)
        older = positions < self._base_n
        ranks[older] = self._base_rank[positions[older]]
        ranks[~older] = self._tail_rank[positions[~older] - self._base_n]
        return ranks

    def _sort_columns(self, positions: np.ndarray, name: str, descending: bool) -> tuple[np.ndarray, np.ndarray]:
        """(missing flag, ascending key) for one sort property over the positions."""
        if name == "id":
            ranks = self._id_ranks(positions)
            return np.zeros(len(positions), dtype=bool), -ranks if descending else ranks
        if name in ("date", "date_from", "date_to"):
            column, absent = (self.tend, TIMELESS_END) if name == "date_to" else (self.tstart, TIMELESS_START)
            values = column[positions]
            missing = values == absent
            values = np.where(missing, 0, values)
            return missing, -values if descending else values
        raw = [self._sort_value(int(i), name) for i in positions]
        ranks = {v: r for r, v in enumerate(sorted({v for v in raw if v is not None}))}
        values = np.fromiter((ranks.get(v, 0) if v is not None else 0 for v in raw), dtype=np.int64,
                             count=len(raw))
        missing = np.fromiter((v is None for v in raw), dtype=bool, count=len(raw))
        return missing, -values if descending else values

    def sort_key(self, i: int, sortby: list[tuple[str, bool]]) -> list:
        """The row's sort-key values as JSON values (dates as UTC seconds), for a cursor."""
        values: list = []
        for name, _ in sortby:
            if name in ("date", "date_from"):
                values.append(None if self.tstart[i] == TIMELESS_START else int(self.tstart[i]))
            elif name == "date_to":
                values.append(None if self.tend[i] == TIMELESS_END else int(self.tend[i]))
            else:
                values.append(self._sort_value(i, name))
        return values

    def _after(self, ordered: np.ndarray, sortby: list[tuple[str, bool]], key: list, fid: str) -> int:
        """Where the rows after (key, fid) start in ``ordered``: a binary search, as the order is total."""
        lo, hi = 0, len(ordered)
        while lo < hi:
            mid = (lo + hi) // 2
            i = int(ordered[mid])
            if _compare(self.sort_key(i, sortby), self.ids[i], key, fid, sortby) <= 0:
                lo = mid + 1
            else:
                hi = mid
        return lo

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

    def day_type_counts(self, query: Query) -> list[tuple[str, str | None, int, int, int]]:
        """(day, event_type, incidents, killed, injured) per day and type of the matches (by the
        first day of each span; tolls summed where reported), for a trend chart."""
        positions = self.match(query)
        positions = positions[self.tstart[positions] != TIMELESS_START]
        if not len(positions):
            return []
        codes, vocabulary = self.codes["event_type"]
        names = [None] + [name for name, _ in sorted(vocabulary.items(), key=lambda kv: kv[1])]
        width = len(names)
        key = (self.tstart[positions] // DAY_SECONDS) * width + codes[positions] + 1
        keys, group = np.unique(key, return_inverse=True)
        counts = np.bincount(group, minlength=len(keys))
        sums = {name: np.bincount(group, weights=np.maximum(self.counts[name][positions], 0), minlength=len(keys))
                for name in COUNT_COLUMNS}
        return [(str(np.datetime64(int(k // width), "D")), names[int(k % width)], int(counts[g]),
                 int(sums["killed"][g]), int(sums["injured"][g])) for g, k in enumerate(keys.tolist())]

    def page(self, query: Query) -> Page:
        """One page at the query's offset, or after its cursor; with the cursor of the next page."""
        positions = self.match(query)
        wanted = query.offset + query.limit
        if query.cursor is None and not query.sortby and query.limit > 0 and wanted * _SPARSE < len(positions):
            # a first page in id order among many matches: pick its rows without sorting the rest
            ranks = self._id_ranks(positions)
            first = np.argpartition(ranks, wanted - 1)[:wanted]
            chosen = positions[first[np.argsort(ranks[first])]][query.offset:]
            last = int(chosen[-1])
            return Page(chosen, len(positions), encode_cursor([], self.sort_key(last, []), self.ids[last]))
        ordered = self.order(positions, query.sortby)
        start = query.offset
        if query.cursor is not None:
            key, fid = decode_cursor(query.cursor, query.sortby)
            start = self._after(ordered, query.sortby, key, fid)
        chosen = ordered[start:start + query.limit]
        next_cursor = None
        if len(chosen) and start + len(chosen) < len(ordered):
            last = int(chosen[-1])
            next_cursor = encode_cursor(query.sortby, self.sort_key(last, query.sortby), self.ids[last])
        return Page(chosen, len(ordered), next_cursor)

    def aggregate(self, query: Query, size: float) -> list[GridCell]:
        """Matching features counted per grid cell of ``size`` degrees (see GridCell), with numpy:
        each feature gets a dense group number, then counts, sums, minima and maxima per group."""
        positions = self.match(query)
        x = (self.minx[positions] + self.maxx[positions]) / 2
        y = (self.miny[positions] + self.maxy[positions]) / 2
        placed = ~(np.isnan(x) | np.isnan(y))
        positions, x, y = positions[placed], x[placed], y[placed]
        if not len(positions):
            return []
        rows = math.ceil(180 / size)
        i = np.clip(np.floor((x + 180) / size).astype(np.int64), 0, math.ceil(360 / size) - 1)
        j = np.clip(np.floor((y + 90) / size).astype(np.int64), 0, rows - 1)
        cell_ids, group = _groups(i, j, rows)
        cells_n = len(cell_ids)
        counts = np.bincount(group, minlength=cells_n)
        sum_x = np.bincount(group, weights=x, minlength=cells_n)
        sum_y = np.bincount(group, weights=y, minlength=cells_n)
        low_x, low_y = np.full(cells_n, np.inf), np.full(cells_n, np.inf)
        high_x, high_y = np.full(cells_n, -np.inf), np.full(cells_n, -np.inf)
        np.minimum.at(low_x, group, x)
        np.minimum.at(low_y, group, y)
        np.maximum.at(high_x, group, x)
        np.maximum.at(high_y, group, y)
        codes, vocabulary = self.codes["event_type"]
        names = [name for name, _ in sorted(vocabulary.items(), key=lambda kv: kv[1])]
        width = len(names) + 1  # column 0: no event_type
        by_type = np.bincount(group * width + codes[positions] + 1, minlength=cells_n * width).reshape(cells_n, width)
        cells = []
        for k, cell_id in enumerate(cell_ids.tolist()):
            n = int(counts[k])
            typed = {names[t - 1]: int(by_type[k, t]) for t in np.flatnonzero(by_type[k, 1:]) + 1}
            cells.append(GridCell(cell_id // rows, cell_id % rows, n, float(sum_x[k] / n), float(sum_y[k] / n),
                                  (float(low_x[k]), float(low_y[k]), float(high_x[k]), float(high_y[k])),
                                  dict(sorted(typed.items(), key=lambda kv: -kv[1]))))
        return cells


def _groups(i: np.ndarray, j: np.ndarray, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """(cell numbers i * rows + j in ascending order, each feature's index into them).

    Counting over the small block of cells the features occupy is several times faster than
    sorting a million cell numbers; a sparse spread over a large block falls back to the sort."""
    i0, j0 = int(i.min()), int(j.min())
    span_j = int(j.max()) - j0 + 1
    block = (int(i.max()) - i0 + 1) * span_j
    if block > max(262_144, 2 * len(i)):
        return np.unique(i * rows + j, return_inverse=True)
    local = (i - i0) * span_j + (j - j0)
    occupied = np.flatnonzero(np.bincount(local, minlength=block))
    dense = np.zeros(block, dtype=np.int64)
    dense[occupied] = np.arange(len(occupied), dtype=np.int64)
    return (occupied // span_j + i0) * rows + (occupied % span_j + j0), dense[local]


def _compare(a: list, a_id: str, b: list, b_id: str, sortby: list[tuple[str, bool]]) -> int:
    """-1, 0 or 1 as row a comes before, with or after row b in the order of ``sortby`` then id
    (missing values last in either direction), the same order as FeatureIndex.order."""
    for (_, descending), left, right in zip(sortby, a, b, strict=True):
        if left == right:
            continue
        if left is None:
            return 1
        if right is None:
            return -1
        try:
            less = left < right
        except TypeError:
            raise InvalidParameterValue("cursor does not fit this collection's values") from None
        return (1 if less else -1) if descending else (-1 if less else 1)
    return (a_id > b_id) - (a_id < b_id)
