"""The PostGIS store with its reads answered from memory.

``CachedPostGISStore`` keeps one :class:`FeatureIndex` per collection (the GeoJSON
store's index, so pages are the same bytes) built from every row's stored ``doc``,
and keeps it in step with the database through the ``history`` table: before a
read it asks for each collection's last history ``seq`` (an index-only backward
scan of ``history_collection``); when that moved it reads, in one snapshot, the
ids changed since and their current documents (absent: deleted) and applies them
with ``FeatureIndex.with_changes``. Writes go to SQL as before, so a write in
this process shows in the next read through the same path.

The seq is tracked per collection because a collection's writes hold its write
lock until they commit: its history rows become visible in seq order, so the
rows a snapshot shows of one collection are always a prefix (not so across
collections, where a later seq may commit first).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import psycopg
from psycopg import sql

from geo.index import FeatureIndex, RawRows
from geo.store.indexed import IndexedReads
from geo.store.postgis import PostGISStore

CATCH_UP_LIMIT = 10_000  # more changes than this behind: load the collection anew
_BATCH = 10_000  # rows per fetch of the server-side cursor while loading
_HEADS = ("SELECT c, (SELECT max(seq) FROM history WHERE collection = c) "
          "FROM unnest(%s::text[]) AS c")


@dataclass(frozen=True)
class _Cached:
    """One collection's index and the last history seq of that collection it holds."""

    index: FeatureIndex
    seq: int


def _snapshot(conn: psycopg.Connection) -> None:
    """Make the transaction just begun one REPEATABLE READ, read-only snapshot (works on a replica)."""
    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


class CachedPostGISStore(IndexedReads, PostGISStore):
    """PostGISStore whose ``query``, ``get``, ``day_counts``, ``aggregate`` and ``collections``
    come from an in-memory index per collection, caught up from the history before each read.
    Everything else (writes, history, analyze) is PostGISStore's. Reads of the index and the
    history use the read pool (``read_url``), so the index is as fresh as the replica."""

    def __init__(self, *args, catch_up_limit: int = CATCH_UP_LIMIT, **kwargs):
        super().__init__(*args, **kwargs)
        self.catch_up_limit = catch_up_limit
        self._cached: dict[str, _Cached] = {}
        self._refresh_lock = threading.Lock()
        self.loads = 0  # how many times a collection was loaded whole (for tests and logs)

    def __repr__(self) -> str:
        return f"CachedPostGISStore({self.where!r})"

    def reconnect(self) -> None:
        """Open new connection pools after ``close``: in each gunicorn worker forked from a master
        that built the indexes and closed its pools (no connection is shared across a fork).
        The indexes are kept; the first read catches them up through the history."""
        size = self._pool.max_size
        self._pool = self._open_pool(self.url, size, "write")
        self._read_pool = self._pool
        if self.read_url != self.url:
            self._read_pool = self._open_pool(self.read_url, size, "read")

    # ---- keeping the indexes current ----------------------------------------

    def warm(self) -> dict[str, int]:
        """Load (or catch up) every collection now rather than on its first read; the counts."""
        return {name: len(self._index(name)) for name in self.names}

    def _index(self, collection: str) -> FeatureIndex:
        """The collection's index, current as of this call."""
        self._table(collection)
        return self._current((collection,))[collection].index

    def _current(self, names: tuple[str, ...]) -> dict[str, _Cached]:
        """The cached state of ``names`` after one cheap check of their history heads; any that
        moved are caught up (or loaded) under the refresh lock."""
        heads = self._heads(names)
        cached = self._cached
        if all(name in cached and cached[name].seq == heads[name] for name in names):
            return {name: cached[name] for name in names}
        with self._refresh_lock:
            heads = self._heads(names)  # again: another thread may have caught up meanwhile
            for name in names:
                state = self._cached.get(name)
                if state is not None and state.seq == heads[name]:
                    continue
                if state is None or heads[name] < state.seq:  # new, or the history was emptied
                    self._cached[name] = self._load(name)
                else:
                    self._cached[name] = self._catch_up(name, state)
            return {name: self._cached[name] for name in names}

    def _heads(self, names: tuple[str, ...]) -> dict[str, int]:
        """Each collection's last history seq (0 when it has none)."""
        with self._read() as conn:
            return {name: seq or 0 for name, seq in conn.execute(_HEADS, (list(names),)).fetchall()}

    def _load(self, collection: str) -> _Cached:
        """Every row's document in one snapshot, streamed in batches, with the collection's
        last history seq in that snapshot."""
        table = self._table(collection)
        chunks: list[bytes] = []
        lengths: list[int] = []
        with self._read() as conn, conn.transaction():
            _snapshot(conn)
            seq = conn.execute("SELECT max(seq) FROM history WHERE collection = %s",
                               (collection,)).fetchone()[0] or 0
            with conn.cursor(name=f"incidentmap_load_{collection}", binary=True) as cur:
                cur.itersize = _BATCH
                cur.execute(sql.SQL("SELECT doc FROM {}").format(table))
                while batch := cur.fetchmany(_BATCH):
                    docs = [row[0] for row in batch]
                    lengths.extend(len(doc) for doc in docs)
                    chunks.append(b"".join(docs))
        index = FeatureIndex(_raw_rows(chunks, lengths))
        self.loads += 1
        return _Cached(index, seq)

    def _catch_up(self, collection: str, state: _Cached) -> _Cached:
        """The ids changed since ``state.seq`` and their documents now, in one snapshot, applied
        to the index; loaded anew when more than ``catch_up_limit`` changes behind."""
        table = self._table(collection)
        with self._read() as conn, conn.transaction():
            _snapshot(conn)
            changed = conn.execute(
                "SELECT fid, max(seq) FROM history WHERE collection = %s AND seq > %s GROUP BY fid "
                "LIMIT %s", (collection, state.seq, self.catch_up_limit + 1)).fetchall()
            too_far = len(changed) > self.catch_up_limit
            if not too_far:
                fids = [fid for fid, _ in changed]
                seq = max((s for _, s in changed), default=state.seq)
                docs = dict(conn.execute(sql.SQL("SELECT fid, doc FROM {} WHERE fid = ANY(%s)").format(
                    table), (fids,), binary=True).fetchall()) if fids else {}
        if too_far:
            return self._load(collection)
        if not changed:
            return state
        changes = [(fid, bytes(docs[fid]) if fid in docs else None) for fid in fids]
        return _Cached(state.index.with_changes(changes), seq)

    def _indexes(self) -> dict[str, FeatureIndex]:
        """Every collection's index, brought up to date in one snapshot."""
        return {name: cached.index for name, cached in self._current(self.names).items()}

def _raw_rows(chunks: list[bytes], lengths: list[int]) -> RawRows:
    """One buffer of every document, from the batches' joined bytes and each document's length."""
    import numpy as np

    sizes = np.array(lengths, dtype=np.int64)
    ends = np.cumsum(sizes)
    return RawRows(b"".join(chunks), ends - sizes, ends)
