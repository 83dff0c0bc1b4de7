"""The alert dispatcher: from the store's history to the outbox, and from the outbox to the receivers.

Alerts are driven by the incidents' durable history, not by the code that writes,
so every path that stores incidents (``ingest``, ``import``, the watcher, the API's
writes) fires them, and only once the write is on disk:

1. ``queue_changes``: under the alerts file's lock, read the history after the
   cursor; each "create" (and "replace", for rules that ask for updates) that a
   rule matches becomes an outbox entry; the cursor moves in the same atomic write.
2. ``deliver_due``: claim due entries (a lease, so another process does not send
   them too), send them outside the lock, then record each result: a success
   leaves the outbox, a failure is retried after ``backoff * 2**(attempts-1)``
   seconds (at most an hour) until ``attempts`` have failed, then is given up.

Writers only ``nudge`` a background thread (``written``), so a slow or dead
receiver never blocks or fails a write. Delivery is at least once: a process that
dies after sending but before recording sends again; ``X-Incidentmap-Delivery``
lets a receiver drop the repeat.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from geo.live.alerts import webhook_secret
from geo.live.alerts_send import DeliveryError, send
from geo.live.alerts_state import editing, has_alerts, read_state
from geo.store import Store
from geo.timespan import utc_now_rfc3339

log = logging.getLogger(__name__)

COLLECTION = "incidents"
BATCH = 20
MAX_BACKOFF = 3600.0
_HISTORY_PAGE = 1000


@dataclass(frozen=True)
class AlertSettings:
    """How deliveries are retried; from ``INCIDENTMAP_ALERT_*`` (see webapp.settings)."""

    backoff: float = 30.0   # seconds before the first retry; doubled for each further one
    attempts: int = 8       # attempts before a delivery is given up
    timeout: float = 10.0   # seconds a webhook receiver has to answer
    wait: float = 15.0      # seconds a command waits for its alerts before leaving them queued
    public_url: str | None = None  # the service's URL, for links in messages

    @classmethod
    def from_env(cls, environ: dict | None = None) -> AlertSettings:
        env = os.environ if environ is None else environ
        def number(name: str, default: float) -> float:
            text = env.get(f"INCIDENTMAP_ALERT_{name}")
            try:
                return float(text) if text else default
            except ValueError:
                raise ValueError(f"INCIDENTMAP_ALERT_{name} must be a number of seconds, got {text!r}") from None
        return cls(backoff=number("BACKOFF", cls.backoff), attempts=int(number("ATTEMPTS", cls.attempts)),
                   timeout=number("TIMEOUT", cls.timeout), wait=number("WAIT", cls.wait),
                   public_url=env.get("INCIDENTMAP_PUBLIC_URL") or None)


@dataclass
class RunReport:
    """What one or more dispatcher runs did."""

    queued: int = 0
    delivered: int = 0
    failed: int = 0
    gave_up: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: RunReport) -> None:
        self.queued += other.queued
        self.delivered += other.delivered
        self.failed += other.failed
        self.gave_up += other.gave_up
        self.errors = (self.errors + other.errors)[-5:]


def last_seq(store: Store, collection: str = COLLECTION) -> int:
    """The seq of the newest change in a collection's history (0 when it has none)."""
    seq = 0
    while True:
        page = store.history(collection, after_seq=seq, limit=_HISTORY_PAGE)
        if not page:
            return seq
        seq = page[-1].seq


def queue_changes(store: Store, folder: Path) -> int:
    """Queue a delivery for every change since the cursor that a rule matches; how many were queued."""
    queued = 0
    with editing(folder) as state:
        if state.cursor is None:  # alerts.json made by hand: start from now, never from the beginning
            state.cursor = last_seq(store)
            return 0
        while True:
            changes = store.history(COLLECTION, after_seq=state.cursor, limit=_HISTORY_PAGE)
            if not changes:
                break
            for change in changes:
                if change.after is None or change.action not in ("create", "replace"):
                    continue
                for rule in state.rules:
                    if change.seq <= rule.since or (change.action == "replace" and not rule.updates):
                        continue
                    if rule.matches(change.after):
                        state.outbox.append({
                            "id": uuid.uuid4().hex, "rule": rule.id, "fid": change.fid, "seq": change.seq,
                            "event": "created" if change.action == "create" else "updated",
                            "feature": change.after, "attempts": 0, "next_at": 0.0,
                            "queued": utc_now_rfc3339(), "last_error": None})
                        queued += 1
            state.cursor = changes[-1].seq
    return queued


def deliver_due(folder: Path, settings: AlertSettings, everything: bool = False) -> RunReport:
    """Send every outbox entry that is due (``everything``: also those waiting for a retry)."""
    report = RunReport()
    secret = None
    while True:
        now = time.time()
        lease = now + 2 * settings.timeout + 30
        with editing(folder) as state:
            due = [e for e in state.outbox if e["next_at"] <= now or (everything and e["attempts"] > 0
                                                                    and not e.get("claimed"))][:BATCH]
            rules = {}
            for entry in due:
                entry["next_at"], entry["claimed"] = lease, True
                rules[entry["id"]] = state.rule(entry["rule"])
        if not due:
            return report
        everything = False  # one forced pass: what fails again waits for its backoff
        results: dict[str, str | None] = {}
        for entry in due:
            rule = rules[entry["id"]]
            if rule is None:
                results[entry["id"]] = None  # the rule was removed: drop it
                continue
            if rule.webhook and secret is None:
                secret = webhook_secret(folder)
            try:
                send(rule, entry, secret, settings.timeout, settings.public_url)
                results[entry["id"]] = None
                report.delivered += 1
            except DeliveryError as exc:
                results[entry["id"]] = str(exc)
            except Exception as exc:  # a bug in a sender must not stop the others
                log.exception("alert delivery %s failed", entry["id"])
                results[entry["id"]] = f"{type(exc).__name__}: {exc}"
        with editing(folder) as state:
            _record(state, results, settings, report)


def _record(state, results: dict[str, str | None], settings: AlertSettings, report: RunReport) -> None:
    now = time.time()
    at = utc_now_rfc3339()
    kept = []
    for entry in state.outbox:
        if entry["id"] not in results:
            kept.append(entry)
            continue
        error = results[entry["id"]]
        entry.pop("claimed", None)
        if state.rule(entry["rule"]) is None:
            continue
        status = state.rule_status(entry["rule"])
        entry["attempts"] += 1
        if error is None:
            status["delivered"] += 1
            status["last_delivered"] = {"at": at, "incident": entry["fid"], "event": entry["event"]}
            continue
        status["failed_attempts"] += 1
        status["last_error"], status["last_error_at"] = error, at
        entry["last_error"] = error
        report.errors.append(f"rule {entry['rule']}: {error}")
        if entry["attempts"] >= settings.attempts:
            status["gave_up"] += 1
            report.gave_up += 1
            state.failed.append({**{k: v for k, v in entry.items() if k != "feature"}, "gave_up": at})
            continue
        report.failed += 1
        entry["next_at"] = now + min(MAX_BACKOFF, settings.backoff * 2 ** (entry["attempts"] - 1))
        kept.append(entry)
    state.outbox = kept


def run_once(store: Store, folder: Path, settings: AlertSettings, everything: bool = False) -> RunReport:
    """Queue what the history holds since the cursor, then deliver what is due."""
    queued = queue_changes(store, folder)
    report = deliver_due(folder, settings, everything)
    report.queued = queued
    return report


def next_due_in(folder: Path) -> float | None:
    """Seconds until the next queued delivery is due (None when nothing is queued)."""
    outbox = read_state(folder).outbox
    if not outbox:
        return None
    return max(0.0, min(e["next_at"] for e in outbox) - time.time())


class AlertWorker:
    """A background thread that runs the dispatcher when nudged, and again when a retry is due."""

    def __init__(self, store: Store, folder: Path, settings: AlertSettings):
        self.store, self.folder, self.settings = store, Path(folder), settings
        self.totals = RunReport()
        self._cond = threading.Condition()
        self._asked = 0
        self._done = 0
        self._thread: threading.Thread | None = None

    def nudge(self) -> None:
        """Ask for a run soon; returns at once."""
        with self._cond:
            self._asked += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name=f"alerts:{self.folder}", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait (at most ``timeout`` s) until every nudge so far has been handled; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._done >= self._asked, timeout)

    def _loop(self) -> None:
        pause: float | None = None
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._asked > self._done, pause)
                target = self._asked
            try:
                report = run_once(self.store, self.folder, self.settings)
                pause = next_due_in(self.folder)
            except Exception:  # the next nudge or retry tries again
                log.exception("alerts for %s could not run", self.folder)
                report, pause = RunReport(errors=["the dispatcher failed; see the log"]), self.settings.backoff
            with self._cond:
                self.totals.add(report)
                self._done = max(self._done, target)
                self._cond.notify_all()


_folders: dict[int, Path] = {}
_workers: dict[int, AlertWorker] = {}
_registry = threading.Lock()


def attach(store: Store, folder: Path, settings: AlertSettings | None = None) -> None:
    """Keep ``store``'s alerts in ``folder`` (a PostGIS store has no folder of its own)."""
    with _registry:
        _folders[id(store)] = Path(folder)
        if settings is not None:
            _workers[id(store)] = AlertWorker(store, Path(folder), settings)


def alerts_folder(store: Store) -> Path | None:
    """Where ``store``'s alerts live: the folder attached to it, else its own data folder."""
    folder = _folders.get(id(store)) or getattr(store, "data_dir", None)
    return Path(folder) if folder is not None else None


def worker_for(store: Store) -> AlertWorker | None:
    """The store's background worker, made on first use; None when its folder has no alerts."""
    folder = alerts_folder(store)
    if folder is None or not has_alerts(folder):
        return None
    with _registry:
        worker = _workers.get(id(store))
        if worker is None or worker.store is not store:
            worker = _workers[id(store)] = AlertWorker(store, folder, AlertSettings.from_env())
        return worker


def written(store: Store) -> None:
    """Call after a write to ``store``'s incidents: nudges its alerts; never raises, never blocks."""
    try:
        worker = worker_for(store)
        if worker is not None:
            worker.nudge()
    except Exception:
        log.exception("alerts could not be nudged")
