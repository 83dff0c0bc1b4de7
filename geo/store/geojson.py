"""The embedded default store: one GeoJSON FeatureCollection file per collection.

Reads come from an in-memory :class:`FeatureIndex`, rebuilt when the file's
identity (inode, size, mtime) changes, so several processes serving the same
folder see each other's writes. Writes take an exclusive lock on a lock file
beside the data (``flock``, so it holds across processes), re-read the file if
another process changed it, write the whole collection to a temporary file in
the same folder, fsync it, and ``os.replace`` it over the old one: a reader or
a crash sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
from filelock import Timeout

from geo.errors import Conflict, IncidentMapError, NotFound, StoreUnavailable, ValidationError
from geo.fileio import fsync_dir, held, write_temp
from geo.index import FeatureIndex, RawRows, dumps
from geo.store.base import (
    COLLECTIONS,
    Change,
    WriteGuard,
    WriteSummary,
    prepare_feature,
    same_but_bookkeeping,
    stamp,
)
from geo.store.history import HistoryLog, PendingChange
from geo.store.indexed import IndexedReads
from geo.timespan import utc_now_rfc3339

# what this store writes: the header names the last history entry the file holds
_HEADER_RE = re.compile(rb'\{"type": "FeatureCollection", (?:"history_seq": (\d+), )?"features": \[\n')
_CATCH_UP_LIMIT = 10_000  # more changes than this since an index was built: build it anew
_FOOTER = b"\n]}\n"
_CHUNK = 10_000
LOCK_TIMEOUT = 60.0  # seconds a write waits for another process's write to the same collection


class StoreCorrupt(IncidentMapError):
    code = "StoreCorrupt"
    status = 500


@dataclass
class _Loaded:
    signature: tuple | None
    index: FeatureIndex
    seq: int | None = None  # the last history entry the indexed file holds, when it says


class GeoJSONStore(IndexedReads):
    """Store backed by ``<data_dir>/<collection>.geojson`` files."""

    def __init__(self, data_dir: Path, collections: Iterable[str] = tuple(COLLECTIONS)):
        self.data_dir = Path(data_dir)
        if not self.data_dir.is_dir():
            raise NotFound(f"data folder {str(self.data_dir)!r} does not exist; run 'incidentmap init'")
        self.names = tuple(collections)
        self._loaded: dict[str, _Loaded] = {}
        self._logs: dict[str, HistoryLog] = {}
        self._mutex = threading.RLock()

    def __repr__(self) -> str:
        return f"GeoJSONStore({str(self.data_dir)!r})"

    # ---- files -------------------------------------------------------------

    def path(self, collection: str) -> Path:
        self._check_collection(collection)
        return self.data_dir / f"{collection}.geojson"

    def _check_collection(self, collection: str) -> None:
        if collection not in self.names:
            raise NotFound(f"no collection {collection!r}; collections: {', '.join(self.names)}")

    def _signature(self, path: Path) -> tuple | None:
        try:
            return _signature_of(path.stat())
        except FileNotFoundError:
            return None

    def _build_index(self, path: Path) -> _Loaded:
        """Index a collection file. Files this store wrote hold one feature per line and are
        indexed line by line, never holding every feature as a dict at once; a file in any
        other layout is parsed whole."""
        try:
            with open(path, "rb") as source:
                signature = _signature_of(os.fstat(source.fileno()))
                data = source.read()
        except FileNotFoundError:
            return _Loaded(None, FeatureIndex([]))
        rows = line_rows(data)
        if rows is not None:
            try:
                return _Loaded(signature, FeatureIndex(rows), _header_seq(data))
            except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
                pass  # hand-edited: fall back to parsing the whole file
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise StoreCorrupt(f"{path.name} is not valid JSON: {exc}") from None
        if not isinstance(parsed, dict) or parsed.get("type") != "FeatureCollection" \
                or not isinstance(parsed.get("features"), list):
            raise StoreCorrupt(f"{path.name} is not a GeoJSON FeatureCollection")
        return _Loaded(signature, FeatureIndex.from_features(parsed["features"]))

    def _index(self, collection: str) -> FeatureIndex:
        """The current index. When another process changed the file, the index catches up
        from the history (parsing only what changed) if the new file says which history
        entry it holds and the result has the file's exact size; otherwise it is rebuilt."""
        path = self.path(collection)
        with self._mutex:
            signature = self._signature(path)
            loaded = self._loaded.get(collection)
            if loaded is None or loaded.signature != signature:
                loaded = (self._caught_up(collection, path, loaded) if loaded is not None else None) \
                    or self._build_index(path)
                self._loaded[collection] = loaded
            return loaded.index

    def _caught_up(self, collection: str, path: Path, loaded: _Loaded) -> _Loaded | None:
        if loaded.seq is None:
            return None
        try:
            with open(path, "rb") as source:
                st = os.fstat(source.fileno())
                head = source.read(256)
        except FileNotFoundError:
            return None
        seq = _header_seq(head)
        if seq is None or seq <= loaded.seq or seq - loaded.seq > _CATCH_UP_LIMIT:
            return None
        changes = self._history_log(collection).between(loaded.seq, seq)
        if changes is None:
            return None
        index = loaded.index.with_changes(changes)
        if _file_size(head, index) != st.st_size:
            return None
        return _Loaded(_signature_of(st), index, seq)

    # ---- reading -----------------------------------------------------------

    def warm(self) -> dict[str, int]:
        """Index every collection now rather than on its first query; the counts."""
        return {name: len(self._index(name)) for name in self.names}

    # ---- writing -----------------------------------------------------------

    def put(self, collection: str, feature: dict, *, create_only: bool = False,
            replace_only: bool = False, actor: str | None = None, note: str | None = None,
            guard: WriteGuard | None = None, keep_stamps: bool = False) -> dict:
        """Validate and store one feature (added or replaced); returns it as stored.
        Storing what is already there changes nothing and records nothing."""
        clean = prepare_feature(collection, feature)
        stored: list[dict] = []

        def change(rows: _Rows) -> list[PendingChange]:
            fid = clean["id"]
            before = rows.get(fid)
            if before is None and replace_only:
                raise NotFound(f"no feature {fid!r} in {collection}")
            if before is not None and create_only:
                raise Conflict(f"a feature with id {fid!r} already exists in {collection}")
            previous = orjson.loads(before) if before is not None else None
            if guard is not None:
                guard(fid, previous, clean, lambda: self.creator(collection, fid))
            if previous is not None and same_but_bookkeeping(previous, clean):
                stored.append(previous)
                return []
            final = stamp(collection, clean, previous, keep_stamps)
            stored.append(final)
            return [rows.set(fid, dumps(final))]

        self._write(collection, change, actor, note)
        return stored[0]

    def put_many(self, collection: str, features: Iterable[dict], *, actor: str | None = None,
                 note: str | None = None, guard: WriteGuard | None = None,
                 keep_stamps: bool = False) -> WriteSummary:
        """Validate every feature first, then store them all in one atomic write. Validated
        features wait as JSON bytes, so a million of them fit in memory."""
        clean: list[bytes] = []
        for i, feature in enumerate(features):
            try:
                clean.append(dumps(prepare_feature(collection, feature)))
            except ValidationError as exc:
                raise ValidationError(f"features[{i}].{exc.field}", exc.value, exc.problem) from None
        summary = WriteSummary()

        def change(rows: _Rows) -> list[PendingChange]:
            changes: list[PendingChange] = []
            for waiting in clean:
                item = orjson.loads(waiting)
                fid = item["id"]
                before = rows.get(fid)
                previous = None if before is None else orjson.loads(before)
                if guard is not None:
                    guard(fid, previous, item, functools.partial(self.creator, collection, fid))
                if previous is None:
                    changes.append(rows.set(fid, dumps(stamp(collection, item, None, keep_stamps))))
                    summary.added.append(fid)
                    continue
                if same_but_bookkeeping(previous, item):
                    summary.unchanged.append(item["id"])
                else:
                    changes.append(rows.set(item["id"], dumps(stamp(collection, item, previous, keep_stamps))))
                    summary.replaced.append(item["id"])
            return changes

        self._write(collection, change, actor, note)
        return summary

    def delete(self, collection: str, fid: str, *, actor: str | None = None,
               note: str | None = None) -> bool:
        """Remove a feature; False if it was not there. The history keeps it."""
        deleted = []

        def change(rows: _Rows) -> list[PendingChange]:
            if rows.get(fid) is None:
                return []
            deleted.append(fid)
            return [rows.set(fid, None)]

        self._write(collection, change, actor, note)
        return bool(deleted)

    def history(self, collection: str, fid: str | None = None, *, after_seq: int = 0,
                limit: int = 1000) -> list[Change]:
        """Changes oldest first (see HistoryLog.read)."""
        return self._history_log(collection).read(fid, after_seq, limit)

    def creator(self, collection: str, fid: str) -> str | None:
        """The actor of the change that created ``fid`` (its first one), None if that was no creation."""
        first = self.history(collection, fid, limit=1)
        return first[0].actor if first and first[0].action == "create" else None

    def _history_log(self, collection: str) -> HistoryLog:
        self._check_collection(collection)
        with self._mutex:
            log = self._logs.get(collection)
            if log is None:
                log = self._logs[collection] = HistoryLog(
                    self.data_dir / f"{collection}.history.jsonl", collection)
            return log

    def _write(self, collection: str, change: Callable[[_Rows], list[PendingChange]],
               actor: str | None = None, note: str | None = None) -> None:
        """Apply ``change`` under the collection's lock: the new file goes to a temporary
        name and is fsynced, the changes are appended to the history and fsynced, and
        only then is the new file renamed into place."""
        path = self.path(collection)
        try:
            with self._mutex, held(self.data_dir / f".{collection}.lock", LOCK_TIMEOUT):
                index = self._index(collection)
                changes = change(_Rows(index))
                if not changes and path.exists():
                    return  # nothing to change; a missing file is still made, empty
                new_index = index.with_changes((fid, after) for _, fid, _, after in changes)
                log = self._history_log(collection)
                seq = log.last_seq() + len(changes)
                tmp = self._write_temp(path, new_index.raw, seq)
                try:
                    if log.append(changes, utc_now_rfc3339(), actor, note) != seq:
                        raise StoreCorrupt(f"{collection}.history.jsonl changed while locked")
                    os.replace(tmp, path)
                except BaseException:
                    if os.path.exists(tmp):
                        os.unlink(tmp)
                    raise
                fsync_dir(path.parent)
                self._loaded[collection] = _Loaded(self._signature(path), new_index, seq)
        except Timeout:
            raise StoreUnavailable(
                f"cannot lock {collection} in {str(self.data_dir)!r} for writing: waited {LOCK_TIMEOUT:g} s "
                f"for .{collection}.lock (another write still running, or a folder where no lock file can "
                "be made); try again, or use a writable data folder") from None
        except OSError as exc:
            raise StoreUnavailable(
                f"cannot write {path.name} in {str(self.data_dir)!r}: {exc.strerror or exc}"
            ) from None

    def _write_temp(self, path: Path, raw: Sequence[bytes], seq: int) -> str:
        """The collection written and fsynced under a temporary name beside ``path``,
        in chunks of lines so a large collection is never copied whole."""
        def chunks():
            yield _header(seq)
            for k in range(0, len(raw), _CHUNK):
                yield (b",\n" if k else b"") + b",\n".join(raw[k:k + _CHUNK])
            yield _FOOTER

        return write_temp(path, chunks())


class _Rows:
    """A write's view of a collection: the index as it was, with the write's own changes on top."""

    def __init__(self, index: FeatureIndex):
        self.index = index
        self.pending: dict[str, bytes | None] = {}

    def get(self, fid: str) -> bytes | None:
        return self.pending[fid] if fid in self.pending else self.index.get(fid)

    def set(self, fid: str, raw: bytes | None) -> PendingChange:
        """Store ``raw`` as ``fid`` (None deletes); the change, for the history."""
        before = self.get(fid)
        self.pending[fid] = raw
        action = "delete" if raw is None else "create" if before is None else "replace"
        return action, fid, before, raw


def _signature_of(st: os.stat_result) -> tuple:
    return st.st_ino, st.st_size, st.st_mtime_ns


def _header(seq: int) -> bytes:
    return b'{"type": "FeatureCollection", "history_seq": %d, "features": [\n' % seq


def _header_seq(data: bytes) -> int | None:
    match = _HEADER_RE.match(data)
    return int(match.group(1)) if match and match.group(1) else None


def _file_size(head: bytes, index: FeatureIndex) -> int:
    """The size of the file this store writes for ``index`` under the header that starts ``head``."""
    header = _HEADER_RE.match(head)
    rows = int((index.raw.ends - index.raw.starts).sum())
    return header.end() + rows + 2 * max(0, len(index) - 1) + len(_FOOTER)


def line_rows(data: bytes) -> RawRows | None:
    """The features of a file this store wrote (one per line, commas at line ends) as slices
    of the file's bytes, without making an object per line; None for another layout."""
    header = _HEADER_RE.match(data)
    if header is None or not data.endswith(_FOOTER):
        return None
    starts, ends = [], []
    position, stop = header.end(), len(data) - len(_FOOTER)
    while position < stop:
        newline = data.find(b"\n", position, stop)
        end = stop if newline < 0 else newline
        line_end = end - 1 if data[end - 1:end] == b"," else end
        if line_end > position:
            starts.append(position)
            ends.append(line_end)
        position = end + 1
    return RawRows(data, np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64))

