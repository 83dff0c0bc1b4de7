"""The embedded default store: a GeoJSON checkpoint per collection and a journal of changes.

``<collection>.geojson`` is a FeatureCollection whose header names the last
history entry it holds (``history_seq``); ``<collection>.history.jsonl`` (see
``history.py``) holds every change with the feature as it was after it. A write
takes an exclusive lock on a lock file beside the data (``flock``, so it holds
across processes), catches up with the journal, appends its changes to it and
fsyncs: that is the whole write, so it costs what it changes, not the size of
the collection. Nothing acknowledged is lost: a change is acknowledged only
once its journal lines are on disk, and a write of many changes counts only
once all of its lines are there (a torn or unfinished tail is ignored by
readers and cut off by the next writer, under the lock).

Reads come from an in-memory :class:`FeatureIndex`: on open, the checkpoint is
indexed and the journal's entries after its ``history_seq`` are applied; after
that, every read checks the journal's size and applies what other processes
appended (``FeatureIndex.with_changes`` costs what changed). So a write in one
server process is seen by the next read in any other.

Compaction rewrites the checkpoint: the collection as of some seq, written to a
temporary file from an immutable index snapshot without holding the write lock,
fsynced, then renamed into place under the lock unless a newer checkpoint is
already there. It runs in a background thread after ``COMPACT_CHANGES`` changes
or ``COMPACT_BYTES`` of journal past the checkpoint, at once after a large write,
and on ``incidentmap db compact``. A crash at any point leaves the old
checkpoint or the new one, and the journal replays the rest.
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
_FOOTER = b"\n]}\n"
_CHUNK = 10_000
LOCK_TIMEOUT = 60.0  # seconds a write waits for another process's write to the same collection
COMPACT_CHANGES = 10_000  # journal entries past the checkpoint that start a compaction
COMPACT_BYTES = 64 << 20  # or journal bytes past the checkpoint


class StoreCorrupt(IncidentMapError):
    code = "StoreCorrupt"
    status = 500


@dataclass
class _Loaded:
    checkpoint: tuple | None  # identity (inode, size, mtime) of the checkpoint file indexed
    index: FeatureIndex
    seq: int  # the last journal entry applied
    journal: tuple[int | None, int]  # (inode, offset) of the journal read up to
    checkpoint_seq: int = 0  # the seq the checkpoint holds
    checkpoint_offset: int = 0  # where the journal stood at that seq, when known
    headed: bool = True  # whether the checkpoint names its seq (else the next write rewrites it first)


class GeoJSONStore(IndexedReads):
    """Store backed by ``<data_dir>/<collection>.geojson`` checkpoints and their journals."""

    def __init__(self, data_dir: Path, collections: Iterable[str] = tuple(COLLECTIONS)):
        self.data_dir = Path(data_dir)
        if not self.data_dir.is_dir():
            raise NotFound(f"data folder {str(self.data_dir)!r} does not exist; run 'incidentmap init'")
        self.names = tuple(collections)
        self._loaded: dict[str, _Loaded] = {}
        self._logs: dict[str, HistoryLog] = {}
        self._mutex = threading.RLock()
        self._compacting: set[str] = set()

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

    def _build_index(self, path: Path) -> tuple[tuple | None, FeatureIndex, int | None]:
        """(identity, index, seq it holds) of a checkpoint. Files this store wrote hold one
        feature per line and are indexed line by line, never holding every feature as a dict
        at once; a file in any other layout is parsed whole."""
        try:
            with open(path, "rb") as source:
                signature = _signature_of(os.fstat(source.fileno()))
                data = source.read()
        except FileNotFoundError:
            return None, FeatureIndex([]), None
        rows = line_rows(data)
        if rows is not None:
            try:
                return signature, FeatureIndex(rows), _header_seq(data)
            except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
                pass  # hand-edited: fall back to parsing the whole file
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise StoreCorrupt(f"{path.name} is not valid JSON: {exc}") from None
        if not isinstance(parsed, dict) or parsed.get("type") != "FeatureCollection" \
                or not isinstance(parsed.get("features"), list):
            raise StoreCorrupt(f"{path.name} is not a GeoJSON FeatureCollection")
        seq = parsed.get("history_seq")
        return signature, FeatureIndex.from_features(parsed["features"]), seq if isinstance(seq, int) else None

    def _open(self, collection: str) -> _Loaded:
        """The checkpoint indexed, with the journal's later entries applied. A checkpoint that
        names no seq (written by hand, or by an older version) is taken as holding the whole journal."""
        self._clean_temporaries(collection)
        signature, index, seq = self._build_index(self.path(collection))
        log = self._history_log(collection)
        if seq is None:
            last, end, inode = log.last_whole_write()
            return _Loaded(signature, index, last, (inode, end), last, end, headed=False)
        later, end, inode = log.after(seq)
        if later:
            index = index.with_changes(_applied(later))
        last = later[-1]["seq"] if later else seq
        return _Loaded(signature, index, last, (inode, end), seq, end if not later else 0)

    def _clean_temporaries(self, collection: str) -> list[str]:
        """Remove the checkpoint temporaries a killed compaction or write left behind; the names
        removed. Only when no process holds the collection's locks (a checkpoint's temporary is
        only ever written under one of them), so a temporary still being written is left alone;
        nothing is ever in one that the journal does not hold."""
        pattern = _temporary_pattern(collection)
        try:
            stale = [name for name in os.listdir(self.data_dir) if pattern.match(name)]
        except OSError:
            return []
        if not stale:
            return []
        removed = []
        try:
            with held(self.data_dir / f".{collection}.compact.lock", 0), \
                    held(self.data_dir / f".{collection}.lock", 0):
                for name in stale:
                    try:
                        os.unlink(self.data_dir / name)
                        removed.append(name)
                    except FileNotFoundError:
                        pass
        except (Timeout, OSError):
            pass  # in use, or a folder we cannot lock: the next open tries again
        return removed

    def _current(self, collection: str) -> _Loaded:
        """The collection as of the journal's last whole write: applies what was appended since
        the last look, and opens the collection again when the files were replaced."""
        path = self.path(collection)
        with self._mutex:
            loaded = self._loaded.get(collection)
            if loaded is None:
                loaded = self._loaded[collection] = self._open(collection)
                return loaded
            signature = self._signature(path)
            journal = self._history_log(collection).identity()
            inode, offset = loaded.journal
            same_journal = journal is not None and journal[0] == inode and journal[1] >= offset
            if journal is None and inode is None:
                same_journal = True
            if signature != loaded.checkpoint and not (same_journal and self._is_compaction(path, loaded)):
                loaded = self._open(collection)
            elif not same_journal:
                loaded = self._open(collection)
            elif journal is not None and journal[1] > offset:
                entries, end, _ = self._history_log(collection).committed_from(offset)
                if entries:
                    changes = [entry for _, entry in entries]
                    loaded = _Loaded(loaded.checkpoint, loaded.index.with_changes(_applied(changes)),
                                     changes[-1]["seq"], (inode, end), loaded.checkpoint_seq,
                                     loaded.checkpoint_offset)
            self._loaded[collection] = loaded
            return loaded

    def _is_compaction(self, path: Path, loaded: _Loaded) -> bool:
        """Whether the checkpoint now on disk is one another process compacted from the same
        journal (it names its seq and, when that is the seq this index is at, has the size this
        index would be written at); then the index is right once it has caught up with the
        journal. Takes note of its identity. A file edited by hand is read again instead."""
        try:
            with open(path, "rb") as source:
                st = os.fstat(source.fileno())
                head = source.read(256)
        except FileNotFoundError:
            return False
        signature, seq = _signature_of(st), _header_seq(head)
        if seq is None or seq > loaded.seq + COMPACT_CHANGES:
            return False
        if seq == loaded.seq and _file_size(head, loaded.index) != st.st_size:
            return False
        loaded.checkpoint, loaded.checkpoint_seq, loaded.checkpoint_offset = signature, seq, 0
        loaded.headed = True
        return True

    def _index(self, collection: str) -> FeatureIndex:
        return self._current(collection).index

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
        """Apply ``change`` under the collection's lock: catch up with the journal, append the
        changes to it and fsync. A collection with no checkpoint yet gets one (empty) first."""
        path = self.path(collection)
        compact_now = False
        try:
            with self._mutex, held(self.data_dir / f".{collection}.lock", LOCK_TIMEOUT):
                loaded = self._current(collection)
                changes = change(_Rows(loaded.index))
                if not path.exists() or not loaded.headed:
                    # a new collection gets its (empty) file; one that does not name its seq (written
                    # by hand or by an older version) is rewritten once, so that the journal can follow it
                    self._checkpoint(path, loaded.index, loaded.seq)
                    loaded.checkpoint, loaded.checkpoint_seq = self._signature(path), loaded.seq
                    loaded.headed = True
                if not changes:
                    return
                log = self._history_log(collection)
                end = log.append_at(loaded.journal[1], loaded.seq, changes, utc_now_rfc3339(), actor, note)
                seq = loaded.seq + len(changes)
                index = loaded.index.with_changes((fid, after) for _, fid, _, after in changes)
                inode = (log.identity() or (None, 0))[0]
                loaded = self._loaded[collection] = _Loaded(
                    loaded.checkpoint, index, seq, (inode, end), loaded.checkpoint_seq, loaded.checkpoint_offset)
                behind = seq - loaded.checkpoint_seq
                compact_now = len(changes) >= COMPACT_CHANGES
                if not compact_now and (behind >= COMPACT_CHANGES or (
                        loaded.checkpoint_offset and end - loaded.checkpoint_offset >= COMPACT_BYTES)):
                    self._compact_in_background(collection)
        except Timeout:
            raise StoreUnavailable(
                f"cannot lock {collection} in {str(self.data_dir)!r} for writing: waited {LOCK_TIMEOUT:g} s "
                f"for .{collection}.lock (another write still running, or a folder where no lock file can "
                "be made); try again, or use a writable data folder") from None
        except OSError as exc:
            raise StoreUnavailable(
                f"cannot write {path.name} in {str(self.data_dir)!r}: {exc.strerror or exc}"
            ) from None
        if compact_now:  # a large write already cost the collection's size: checkpoint it now
            self.compact(collection)

    # ---- compaction --------------------------------------------------------

    def compact(self, collection: str) -> tuple[int, int]:
        """Rewrite the checkpoint to hold everything up to the journal's last whole write;
        returns (its seq, how many features it holds). Writers wait only for the rename."""
        path = self.path(collection)
        try:
            with held(self.data_dir / f".{collection}.compact.lock", LOCK_TIMEOUT):
                loaded = self._current(collection)
                if loaded.checkpoint_seq == loaded.seq and loaded.headed and loaded.checkpoint is not None \
                        and loaded.checkpoint == self._signature(path):
                    return loaded.seq, len(loaded.index)
                index, seq = loaded.index, loaded.seq
                rows = index.raw
                tmp = self._write_temp(path, [rows[int(i)] for i in index.live_positions()], seq)
                try:
                    with self._mutex, held(self.data_dir / f".{collection}.lock", LOCK_TIMEOUT):
                        on_disk = _header_seq(_head(path))
                        if on_disk is not None and on_disk >= seq and self._signature(path) is not None:
                            os.unlink(tmp)
                        else:
                            os.replace(tmp, path)
                            fsync_dir(path.parent)
                        current = self._loaded.get(collection)
                        if current is not None and current.seq >= seq:
                            current.checkpoint, current.checkpoint_seq = self._signature(path), seq
                            current.checkpoint_offset = loaded.journal[1] if current.seq == seq else 0
                            current.headed = True
                except BaseException:
                    if os.path.exists(tmp):
                        os.unlink(tmp)
                    raise
                return seq, len(index)
        except Timeout:
            raise StoreUnavailable(
                f"cannot lock {collection} in {str(self.data_dir)!r} to compact it: waited {LOCK_TIMEOUT:g} s; "
                "try again") from None
        except OSError as exc:
            raise StoreUnavailable(
                f"cannot write {path.name} in {str(self.data_dir)!r}: {exc.strerror or exc}") from None

    def _compact_in_background(self, collection: str) -> None:
        if collection in self._compacting:
            return
        self._compacting.add(collection)

        def run() -> None:
            try:
                self.compact(collection)
            except IncidentMapError:
                pass  # the journal still holds every change; the next write tries again
            finally:
                self._compacting.discard(collection)

        threading.Thread(target=run, name=f"compact-{collection}", daemon=True).start()

    def _checkpoint(self, path: Path, index: FeatureIndex, seq: int) -> None:
        tmp = self._write_temp(path, [index.raw[int(i)] for i in index.live_positions()], seq)
        try:
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        fsync_dir(path.parent)

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


@functools.cache
def _temporary_pattern(collection: str) -> re.Pattern[str]:
    """The names ``write_temp`` gives a checkpoint's temporaries (``.incidents.k3j_x9a2.tmp``)."""
    return re.compile(rf"\.{re.escape(collection)}\.[A-Za-z0-9_]+\.tmp\Z")


def _signature_of(st: os.stat_result) -> tuple:
    return st.st_ino, st.st_size, st.st_mtime_ns


def _header(seq: int) -> bytes:
    return b'{"type": "FeatureCollection", "history_seq": %d, "features": [\n' % seq


def _header_seq(data: bytes) -> int | None:
    match = _HEADER_RE.match(data)
    return int(match.group(1)) if match and match.group(1) else None


def _file_size(head: bytes, index: FeatureIndex) -> int:
    """The size of the checkpoint this store writes for ``index`` under the header that starts ``head``."""
    header = _HEADER_RE.match(head)
    live = index.live_positions()
    return header.end() + index.raw.nbytes(live) + 2 * max(0, len(live) - 1) + len(_FOOTER)


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as source:
            return source.read(256)
    except FileNotFoundError:
        return b""


def _applied(entries: list[dict]) -> list[tuple[str, bytes | None]]:
    """(id, feature bytes after, None for a deletion) of journal entries."""
    return [(e["id"], None if e["after"] is None else dumps(e["after"])) for e in entries]


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

