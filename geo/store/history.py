"""The embedded store's append-only history: one JSON line per change, never rewritten.

``<collection>.history.jsonl`` sits beside the collection file. The store
appends (and fsyncs) a write's changes after the new collection file is on
disk under its temporary name and before it is renamed into place, all under
the collection's lock. So a change that is in the collection is always in the
history; a crash between the two leaves at most a last line whose change never
landed, or a torn last line, which the next append cuts off.

Reads index the file lazily (byte offset per line, per feature id) and catch
up with lines appended since, so only a server that is asked for history pays
for the index.
"""

from __future__ import annotations

import bisect
import os
import threading
from collections.abc import Iterable
from pathlib import Path

import orjson

from geo.index import dumps
from geo.store.base import Change

# (action, feature id, before as JSON bytes or None, after as JSON bytes or None)
PendingChange = tuple[str, str, bytes | None, bytes | None]


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

    def between(self, after_seq: int, last_seq: int) -> list[tuple[str, bytes | None]] | None:
        """(id, feature bytes after, None for a deletion) of the entries after_seq+1..last_seq,
        read from the end of the file; None unless every one of them is there."""
        wanted = last_seq - after_seq
        if wanted == 0:
            return []
        try:
            with open(self.path, "rb") as source:
                size = source.seek(0, os.SEEK_END)
                back = min(size, 1 << 16)
                while True:
                    source.seek(size - back)
                    tail = source.read(back)
                    lines = tail.split(b"\n")
                    whole = lines[1:-1] if back < size else lines[:-1]
                    entries = [orjson.loads(line) for line in whole if line]
                    found = [e for e in entries if after_seq < e["seq"] <= last_seq]
                    if len(found) >= wanted or back == size or (entries and entries[0]["seq"] <= after_seq):
                        break
                    back = min(size, back * 4)
        except (FileNotFoundError, orjson.JSONDecodeError, KeyError):
            return None
        if [e["seq"] for e in found] != list(range(after_seq + 1, last_seq + 1)):
            return None
        return [(e["id"], None if e["after"] is None else dumps(e["after"])) for e in found]

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
            lines = []
            for action, fid, before, after in changes:
                seq += 1
                lines.append(b'{"seq":%d,"id":%s,"action":%s,%s,"before":%s,"after":%s}\n' % (
                    seq, orjson.dumps(fid), orjson.dumps(action), head,
                    _json_or_null(before), _json_or_null(after)))
                if len(lines) == 10_000:  # a large batch goes out in chunks
                    _write_all(fd, b"".join(lines))
                    lines = []
            _write_all(fd, b"".join(lines))
            os.fsync(fd)
            return seq
        finally:
            os.close(fd)

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
            offset = self._indexed_to
            for line in source:
                if not line.endswith(b"\n"):
                    break  # being written, or torn: read again next time
                entry = orjson.loads(line)
                self._by_id.setdefault(entry["id"], []).append(len(self._offsets))
                self._seqs.append(entry["seq"])
                self._offsets.append(offset)
                offset += len(line)
            self._indexed_to = offset

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
