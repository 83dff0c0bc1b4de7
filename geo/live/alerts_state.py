"""``alerts.json``: the rules, the dispatcher's cursor in the history, the outbox and what was sent.

One file, read and rewritten whole under a cross-process lock (``.alerts.json.lock``)
and replaced atomically, so the cursor moves in the same write that queues the
deliveries it implies: a crash leaves either both or neither, and no incident
is queued twice. It is kept 0600 because apprise URLs carry passwords and tokens.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from filelock import Timeout

from geo.errors import InvalidInput
from geo.fileio import atomic_write_bytes, held
from geo.live.alerts import AlertRule

STATE_FILE = "alerts.json"
LOCK_TIMEOUT = 10.0
MAX_FAILED_KEPT = 100


@dataclass
class AlertState:
    """Everything in ``alerts.json``.

    ``cursor``: the last history seq of the incidents handled. ``outbox``: deliveries
    not yet made, each ``{id, rule, fid, seq, event, feature, attempts, next_at,
    queued, last_error}``. ``status``: per rule id, ``{delivered, failed_attempts,
    gave_up, last_delivered, last_error, last_error_at}``. ``failed``: deliveries
    given up after the last attempt (the newest 100).
    """

    rules: list[AlertRule] = field(default_factory=list)
    cursor: int | None = None
    next_id: int = 1
    outbox: list[dict] = field(default_factory=list)
    status: dict[str, dict] = field(default_factory=dict)
    failed: list[dict] = field(default_factory=list)

    def rule(self, rule_id: str) -> AlertRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def rule_status(self, rule_id: str) -> dict:
        return self.status.setdefault(rule_id, {"delivered": 0, "failed_attempts": 0, "gave_up": 0,
                                                "last_delivered": None, "last_error": None,
                                                "last_error_at": None})

    def to_json(self) -> dict:
        return {"version": 1, "cursor": self.cursor, "next_id": self.next_id,
                "rules": [r.to_json() for r in self.rules], "outbox": self.outbox,
                "status": self.status, "failed": self.failed[-MAX_FAILED_KEPT:]}

    @classmethod
    def from_json(cls, data: dict) -> AlertState:
        return cls(rules=[AlertRule.from_json(r) for r in data.get("rules", [])], cursor=data.get("cursor"),
                   next_id=data.get("next_id", 1), outbox=data.get("outbox", []),
                   status=data.get("status", {}), failed=data.get("failed", []))


def state_path(folder: Path) -> Path:
    return Path(folder) / STATE_FILE


def has_alerts(folder: Path) -> bool:
    """Cheap: whether the folder has an alerts file at all (checked on every write)."""
    return state_path(folder).is_file()


def read_state(folder: Path) -> AlertState:
    """The state as last written (no lock needed: the file is only ever replaced whole)."""
    try:
        raw = state_path(folder).read_bytes()
    except FileNotFoundError:
        return AlertState()
    try:
        return AlertState.from_json(orjson.loads(raw))
    except (orjson.JSONDecodeError, TypeError, KeyError, AttributeError) as exc:
        raise InvalidInput(f"{state_path(folder)} is not a valid alerts file ({exc}); fix or remove it") from None


@contextmanager
def editing(folder: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[AlertState]:
    """The state, under the lock; written back atomically when the block ends without an error."""
    path = state_path(folder)
    try:
        with held(path.with_name(f".{STATE_FILE}.lock"), timeout):
            state = read_state(folder)
            yield state
            atomic_write_bytes(path, orjson.dumps(state.to_json()), mode=0o600)
    except Timeout:
        raise InvalidInput(f"{path} is locked by another process for more than {timeout:g} s; "
                           "try again") from None
