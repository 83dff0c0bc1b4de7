"""What the watcher has done, kept in the data folder so that a restart repeats nothing.

One SQLite file (``watch/state.sqlite3``): every item handled (per source, by the item's key: a
feed item's id or link, a channel message's id) with its outcome, and each source's state (last
success, last error, conditional-GET validators, failures in a row and when to try again).
SQLite commits are atomic and durable, and it takes one row a item rather than a rewrite of a
growing file; the CLI's ``source list`` reads it while a watcher writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

STATE_FILE = "state.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    source TEXT NOT NULL, item TEXT NOT NULL, at TEXT NOT NULL, outcome TEXT NOT NULL,
    PRIMARY KEY (source, item)
);
CREATE TABLE IF NOT EXISTS source_state (
    source TEXT PRIMARY KEY, last_success TEXT, last_error TEXT, last_error_at TEXT,
    failures INTEGER NOT NULL DEFAULT 0, next_try REAL NOT NULL DEFAULT 0,
    etag TEXT, last_modified TEXT, fingerprint TEXT
);
"""


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class SourceState:
    """One source's bookkeeping; ``items`` is how many of its items were handled, ever."""

    source: str
    last_success: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    failures: int = 0
    next_try: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    fingerprint: str | None = None
    items: int = 0


class WatchState:
    """The seen items and source states in ``folder``/state.sqlite3 (made when missing)."""

    def __init__(self, folder: Path):
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / STATE_FILE
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def seen(self, source: str, item: str) -> bool:
        row = self._db.execute("SELECT 1 FROM seen WHERE source = ? AND item = ?", (source, item)).fetchone()
        return row is not None

    def mark(self, source: str, item: str, outcome: str) -> None:
        """Remember that ``item`` of ``source`` was handled (``outcome``: a few words), for good."""
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO seen (source, item, at, outcome) VALUES (?, ?, ?, ?)",
                       (source, item, now_text(), outcome[:500]))

    def outcome(self, source: str, item: str) -> str | None:
        row = self._db.execute("SELECT outcome FROM seen WHERE source = ? AND item = ?", (source, item)).fetchone()
        return row[0] if row else None

    def state(self, source: str) -> SourceState:
        row = self._db.execute(
            "SELECT last_success, last_error, last_error_at, failures, next_try, etag, last_modified, fingerprint "
            "FROM source_state WHERE source = ?", (source,)).fetchone()
        count = self._db.execute("SELECT count(*) FROM seen WHERE source = ?", (source,)).fetchone()[0]
        if row is None:
            return SourceState(source, items=count)
        return SourceState(source, *row, items=count)

    def save(self, state: SourceState) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO source_state (source, last_success, last_error, last_error_at, failures, "
                "next_try, etag, last_modified, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (state.source, state.last_success, state.last_error, state.last_error_at, state.failures,
                 state.next_try, state.etag, state.last_modified, state.fingerprint))
