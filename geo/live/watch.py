"""The watcher: polls each source in turn and hands every new report to the ingest path.

Watched reports go through exactly what ``incidentmap ingest`` does (``geo.report`` to read them,
``geo.extract`` to find incidents, ``geo.ingest.ingest_features`` to merge and store them as
``reported``), so they land on the review page and alerts fire for them too. A source that fails
(a feed that times out or is not a feed, a folder that is gone, a broken export) is logged with
its reason and tried again later with a growing delay; the others go on. A bad item (a page that
yields no text, a report the extractor cannot read) is logged, remembered as failed, and skipped.
"""

from __future__ import annotations

import logging
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from geo.errors import IncidentMapError, InvalidInput
from geo.ingest import ingest_features
from geo.live.fetch import Fetcher, FetchError
from geo.live.seen import SourceState, WatchState, now_text
from geo.live.sources import Source
from geo.report import Report

log = logging.getLogger("incidentmap.watch")
MAX_BACKOFF = 3600.0


class ItemFailed(Exception):
    """One item cannot be used (its reason is the message); the source goes on."""


def printable(text: object, limit: int = 100) -> str:
    """Text from a report made safe for a log line: control characters (a terminal's escape codes,
    line breaks) as spaces, whitespace collapsed, cut at ``limit`` characters."""
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in str(text or ""))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def backoff(failures: int, interval: float) -> float:
    """Seconds before a source that failed ``failures`` times in a row is tried again: twice the
    interval, then doubling, at most an hour (or the interval, when that is longer)."""
    return min(interval * 2 ** max(failures, 1), max(MAX_BACKOFF, interval))


@dataclass
class Totals:
    """What a round of polling did."""

    sources: int = 0
    source_errors: int = 0
    items: int = 0
    failed: int = 0
    new: int = 0
    merged: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.sources} source(s), {self.source_errors} with errors; {self.items} new item(s), "
                f"{self.failed} failed; incidents: {self.new} new, {self.merged} merged")


def label(source: Source) -> str:
    """How a source is named in log lines."""
    return f"{source.kind} {printable(source.location, 80)}"


class Watcher:
    """Polls ``sources()`` (called each round, so sources added meanwhile are picked up) into ``store``."""

    def __init__(self, store, extractor, watch_dir: Path, sources: Callable[[], list[Source]],
                 fetcher: Fetcher | None = None, *, interval: float = 300.0, actor: str = "watch"):
        self.store = store
        self.extractor = extractor
        self.state = WatchState(watch_dir)
        self.sources = sources
        self.fetcher = fetcher or Fetcher()
        self.interval = interval
        self.actor = actor
        self.totals = Totals()

    def close(self) -> None:
        self.fetcher.close()
        self.state.close()

    # ---- what the source modules call -------------------------------------------------------------

    def ingest(self, source: Source, key: str, report: Report, note: str = "") -> None:
        """Extract, merge and store one report; remember ``key`` as handled; one log line.
        ItemFailed when the report itself is unusable; a store failure propagates (the source is
        retried later, and the item with it, as it is not marked)."""
        try:
            extraction = self.extractor.extract(report)
        except IncidentMapError as exc:
            raise ItemFailed(exc.description) from None
        except Exception as exc:  # one report the extractor chokes on must not stop the source
            raise ItemFailed(f"could not be read ({type(exc).__name__}: {printable(exc, 200)})") from None
        try:
            summary = ingest_features(self.store, extraction.features, self.extractor.ancestors,
                                      actor=f"{self.actor}:{source.id}",
                                      note=f"watched: {source.kind} {source.location[:200]}; {report.url or report.name}")
        except InvalidInput as exc:
            raise ItemFailed(exc.description) from None
        self.state.mark(source.id, key, f"{len(summary.new)} new, {len(summary.merged)} merged")
        self.totals.items += 1
        self.totals.new += len(summary.new)
        self.totals.merged += len(summary.merged)
        log.info("%s: %r: %d incident(s) new, %d merged%s", label(source), printable(report.title or report.text, 80),
                 len(summary.new), len(summary.merged), f" ({note})" if note else "")

    def item_failed(self, source: Source, key: str | None, title: object, reason: str) -> None:
        """Log a bad item with its reason and, with a key, remember it so it is not tried again."""
        if key is not None:
            self.state.mark(source.id, key, f"failed: {reason}")
        self.totals.failed += 1
        log.warning("%s: %r: failed: %s", label(source), printable(title, 80), printable(reason, 300))

    # ---- polling ------------------------------------------------------------------------------------

    def poll(self, source: Source) -> bool:
        """Poll one source; False (logged, backoff set) when it failed."""
        from geo.live import feeds, folder, telegram

        pollers = {"feed": feeds.poll, "folder": folder.poll, "telegram": telegram.poll}
        state: SourceState = self.state.state(source.id)
        self.totals.sources += 1
        try:
            pollers[source.kind](source, state, self)
        except Exception as exc:  # a bad source never stops the watcher: any failure is logged and retried
            reason = exc.description if isinstance(exc, IncidentMapError) else (
                str(exc) if isinstance(exc, FetchError) else f"{type(exc).__name__}: {exc}")
            state = self.state.state(source.id)  # validators the poll may have changed are not kept
            state.failures += 1
            state.last_error, state.last_error_at = printable(reason, 500), now_text()
            delay = backoff(state.failures, self.interval)
            state.next_try = time.time() + delay
            self.state.save(state)
            self.totals.source_errors += 1
            self.totals.errors.append(f"{label(source)}: {state.last_error}")
            log.warning("%s: error: %s (failure %d in a row; next try in %d s)", label(source), state.last_error,
                        state.failures, round(delay))
            return False
        state.failures, state.last_success, state.next_try = 0, now_text(), time.time() + self.interval
        self.state.save(state)
        return True

    def run_once(self) -> Totals:
        """Poll every source now, whatever its backoff; what was done."""
        self.totals = Totals()
        for source in _unique(self.sources()):
            self.poll(source)
        return self.totals

    def run(self, stop: threading.Event) -> None:
        """Poll each source when it is due, until ``stop`` is set."""
        while not stop.is_set():
            sources = _unique(self.sources())
            for source in sources:
                if stop.is_set():
                    return
                if self.state.state(source.id).next_try <= time.time():
                    self.poll(source)
            due = [self.state.state(s.id).next_try for s in sources]
            wait = min(due, default=time.time() + self.interval) - time.time()
            stop.wait(min(max(wait, 1.0), self.interval))


def _unique(sources: list[Source]) -> list[Source]:
    seen: dict[str, Source] = {}
    for source in sources:
        seen.setdefault(source.id, source)
    return list(seen.values())
