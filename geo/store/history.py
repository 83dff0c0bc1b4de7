"""The embedded store's append-only history, which is also its journal: one JSON line per change.

``<collection>.history.jsonl`` sits beside the collection file. A write appends
its changes here (and fsyncs) under the collection's lock, and that is the
write: the collection file is only a checkpoint, rewritten now and then (see
``geo/store/geojson.py``). Each line carries ``last``, the seq of its write's
last line, so a write of many changes counts only once all of its lines are
there: a reader stops at a torn line, an unreadable one, or a write whose last
line is missing (a writer still writing, or one that crashed), and the next
writer cuts all of that off under the lock before it appends.

Reads index the file lazily (byte offset per line, per feature id) and catch
up with lines appended since, so only a server that is asked for history pays
for the index.
"""

from __future__ import annotations

import bisect
import os
import re
import threading
from collections.abc import Iterable
from pathlib import Path

import orjson

from geo.fileio import fsync_dir
from geo.store.base import Change

# (action, feature id, before as JSON bytes or None, after as JSON bytes or None)
PendingChange = tuple[str, str, bytes | None, bytes | None]
_SEQ = re.compile(rb'\{"seq":(\d+),')
_CHUNK = 1 << 20


def committed(data: bytes, offset: int = 0) -> tuple[list[tuple[int, dict]], int]:
    """The entries of the whole writes in ``data`` (history bytes from file offset ``offset``),
    each with its line's offset, and the offset where they end. A line with no newline yet,
    a line that is not JSON, or a write whose last line is missing ends them."""
    entries: list[tuple[int, dict]] = []
    batch: list[tuple[int, dict]] = []
    end = offset
    position = 0
    while True:
        newline = data.find(b"\n", position)
        if newline < 0:
            break
        try:
            entry = orjson.loads(data[position:newline])
            seq = int(entry["seq"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            break
        batch.append((offset + position, entry))
        position = newline + 1
        if int(entry.get("last") or seq) <= seq:  # lines before ``last`` existed have no field
            entries += batch
            batch = []
            end = offset + position
    return entries, end


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _json_or_null(raw: bytes | None) -> bytes:
    return b"null" if raw is None else raw


class HistoryLog:
    """Append-only change log of one collection."""

    def __init__(self, path: Path, collection: str):
        self.path = Path(path)
        self.collection = collection
        self._mutex = threading.Lock()
        self._indexed_to = 0  # bytes of the file indexed so far
        self._seqs: list[int] = []
        self._offsets: list[int] = []
        self._by_id: dict[str, list[int]] = {}  # feature id -> positions in _offsets

    # ---- writing (the caller holds the collection's lock) -------------------

    def _last_seq_and_trim(self, fd: int) -> int:
        """The last complete line's seq; a torn last line is cut off first."""
        size = os.fstat(fd).st_size
        if size == 0:
            return 0
        back = min(size, 1 << 16)
        while True:
            tail = os.pread(fd, back, size - back)
            if not tail.endswith(b"\n"):
                cut = tail.rfind(b"\n")
                if cut < 0 and back < size:
                    back = min(size, back * 4)
                    continue
                new_size = size - back + cut + 1 if cut >= 0 else 0
                os.ftruncate(fd, new_size)
                size = new_size
                if size == 0:
                    return 0
                back = min(size, 1 << 16)
                continue
            start = tail.rfind(b"\n", 0, len(tail) - 1)
            if start < 0 and back < size:
                back = min(size, back * 4)
                continue
            return int(orjson.loads(tail[start + 1:])["seq"])

    def last_seq(self) -> int:
        """The seq of the last whole entry (a torn last line is cut off first); 0 if none."""
        try:
            fd = os.open(self.path, os.O_RDWR)
        except FileNotFoundError:
            return 0
        try:
            return self._last_seq_and_trim(fd)
        finally:
            os.close(fd)

    def append(self, changes: Iterable[PendingChange], at: str, actor: str | None,
               note: str | None) -> int:
        """Append ``changes`` durably; returns the seq of the last one (0 if none)."""
        changes = list(changes)
        if not changes:
            return 0
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            seq = self._last_seq_and_trim(fd)
            head = orjson.dumps({"at": at, "collection": self.collection, "actor": actor, "note": note})[1:-1]
            return self._write_lines(fd, seq, changes, head)
        finally:
            os.close(fd)

    def _write_lines(self, fd: int, seq: int, changes: list[PendingChange], head: bytes) -> int:
        last = seq + len(changes)
        lines = []
        for action, fid, before, after in changes:
            seq += 1
            lines.append(b'{"seq":%d,"last":%d,"id":%s,"action":%s,%s,"before":%s,"after":%s}\n' % (
                seq, last, orjson.dumps(fid), orjson.dumps(action), head,
                _json_or_null(before), _json_or_null(after)))
            if len(lines) == 10_000:  # a large batch goes out in chunks
                _write_all(fd, b"".join(lines))
                lines = []
        _write_all(fd, b"".join(lines))
        os.fsync(fd)
        return seq

    def append_at(self, offset: int, seq: int, changes: list[PendingChange], at: str,
                  actor: str | None, note: str | None) -> int:
        """Cut the file back to ``offset`` (the end of the last whole write, as read under the
        lock: what follows is torn or unfinished) and append ``changes`` durably there,
        numbered from ``seq`` + 1; the file's new size."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size > offset:
                os.ftruncate(fd, offset)
            head = orjson.dumps({"at": at, "collection": self.collection, "actor": actor, "note": note})[1:-1]
            try:
                self._write_lines(fd, seq, changes, head)
            except BaseException:
                try:  # not acknowledged: take back what may have been written, so no reader applies it
                    os.ftruncate(fd, offset)
                except OSError:
                    pass  # a reader would still ignore a torn write, and the next writer cuts it off
                raise
            end = os.fstat(fd).st_size
        finally:
            os.close(fd)
        if size == 0:
            fsync_dir(self.path.parent)  # a new file: make its name durable too
        return end

    def identity(self) -> tuple[int, int] | None:
        """(inode, size) of the file; None when there is none yet."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_size

    def committed_from(self, offset: int) -> tuple[list[tuple[int, dict]], int, int | None]:
        """The whole writes from ``offset`` to the end, where they end, and the file's inode."""
        try:
            with open(self.path, "rb") as source:
                inode = os.fstat(source.fileno()).st_ino
                source.seek(offset)
                data = source.read()
        except FileNotFoundError:
            return [], offset, None
        entries, end = committed(data, offset)
        return entries, end, inode

    def after(self, seq: int) -> tuple[list[dict], int, int | None]:
        """The entries of the whole writes with seq > ``seq`` (what a checkpoint at ``seq`` lacks),
        where they end, and the file's inode; read back from the end of the file."""
        try:
            with open(self.path, "rb") as source:
                inode = os.fstat(source.fileno()).st_ino
                size = source.seek(0, os.SEEK_END)
                start, back = size, _CHUNK
                while start > 0:  # find a line start at or before the first entry after seq
                    start = max(0, size - back)
                    source.seek(start)
                    head = source.read(min(_CHUNK, size - start))
                    if start:
                        cut = head.find(b"\n")
                        line_start = start + cut + 1 if cut >= 0 else size
                    else:
                        line_start = 0
                    source.seek(line_start)
                    match = _SEQ.match(source.read(64))
                    if start == 0 or (match and int(match.group(1)) <= seq):
                        start = line_start
                        break
                    back *= 4
                source.seek(start)
                data = source.read()
        except FileNotFoundError:
            return [], 0, None
        entries, end = committed(data, start)
        return [entry for _, entry in entries if entry["seq"] > seq], end, inode

    def last_whole_write(self) -> tuple[int, int, int | None]:
        """(seq of the last whole write's last entry, the offset where it ends, the file's
        inode), read back from the end of the file only: (0, 0, inode) when it holds no whole
        write, (0, 0, None) when there is no file."""
        try:
            with open(self.path, "rb") as source:
                inode = os.fstat(source.fileno()).st_ino
                size = source.seek(0, os.SEEK_END)
                back = _CHUNK
                while True:
                    start = max(0, size - back)
                    source.seek(start)
                    data = source.read(size - start)
                    skip = 0 if start == 0 else data.find(b"\n") + 1  # from a line start (0: none here)
                    entries, end = committed(data[skip:], start + skip) if skip or not start else ([], 0)
                    if entries or start == 0:
                        return (entries[-1][1]["seq"], end, inode) if entries else (0, 0, inode)
                    back *= 4
        except FileNotFoundError:
            return 0, 0, None

    # ---- reading -----------------------------------------------------------

    def _catch_up(self) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            size = 0
        if size < self._indexed_to:  # cut back (a torn line removed): index again
            self._indexed_to, self._seqs, self._offsets, self._by_id = 0, [], [], {}
        if size == self._indexed_to:
            return
        with open(self.path, "rb") as source:
            source.seek(self._indexed_to)
            data = source.read()
        entries, end = committed(data, self._indexed_to)  # a torn or unfinished write: read again next time
        for offset, entry in entries:
            self._by_id.setdefault(entry["id"], []).append(len(self._offsets))
            self._seqs.append(entry["seq"])
            self._offsets.append(offset)
        self._indexed_to = end

    def _load(self, source, offset: int) -> Change:
        source.seek(offset)
        entry = orjson.loads(source.readline())
        return Change(seq=entry["seq"], at=entry["at"], collection=entry["collection"], fid=entry["id"],
                      action=entry["action"], actor=entry.get("actor"), before=entry.get("before"),
                      after=entry.get("after"), note=entry.get("note"))

    def read(self, fid: str | None = None, after_seq: int = 0, limit: int = 1000) -> list[Change]:
        """Changes oldest first: of one feature or all, with seq > after_seq, at most ``limit``."""
        with self._mutex:
            self._catch_up()
            if fid is None:
                start = bisect.bisect_right(self._seqs, after_seq)
                positions = range(start, min(len(self._offsets), start + limit))
            else:
                positions = [p for p in self._by_id.get(fid, []) if self._seqs[p] > after_seq][:limit]
            offsets = [self._offsets[p] for p in positions]
        if not offsets:
            return []
        with open(self.path, "rb") as source:
            return [self._load(source, offset) for offset in offsets]
