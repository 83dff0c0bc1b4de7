"""Store what reports yield: each incident merges into the stored one it repeats, or is added.

Everything one call brings is decided in memory first and written in one
atomic batch, so a report that fails halfway stores nothing, and ingesting
the same report twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from geo.dedup import merge, same_event
from geo.query import MAX_LIMIT, Query
from geo.store import Store
from geo.store.base import WriteGuard, same_but_bookkeeping
from geo.timespan import day_end, day_start, parse_day

_WINDOW_DEGREES = 0.3


@dataclass
class IngestSummary:
    new: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"{len(self.new)} new, {len(self.merged)} merged, {len(self.unchanged)} unchanged"


def _stored_near(store: Store, feature: dict) -> list[dict]:
    lon, lat = feature["geometry"]["coordinates"][:2]
    props = feature["properties"]
    query = Query(bbox=(lon - _WINDOW_DEGREES, lat - _WINDOW_DEGREES, lon + _WINDOW_DEGREES, lat + _WINDOW_DEGREES),
                  time_start=day_start(parse_day(props["date_from"])), time_end=day_end(parse_day(props["date_to"])),
                  limit=MAX_LIMIT)
    if (props.get("geo_precision") or 1) == 3:
        query.bbox = None
        query.exact = {"country_code": (props.get("country_code") or "",)}
    return store.query("incidents", query).features()



def ingest_features(store: Store, features: list[dict],
                    ancestors: Callable[[str], tuple[str, ...]] = lambda s: (), *,
                    actor: str | None = None, note: str | None = None,
                    guard: WriteGuard | None = None) -> IngestSummary:
    """Merge ``features`` into the store's incidents; one atomic write (``guard``: the writer's
    role check, see geo.roles)."""
    summary = IngestSummary()
    pending: dict[str, dict] = {}
    for feature in features:
        found = None
        nearby = list(pending.values()) + [f for f in _stored_near(store, feature) if f["id"] not in pending]
        for candidate in nearby:
            if candidate["id"] == feature["id"] or same_event(candidate, feature, ancestors):
                found = candidate
                break
        if found is None:
            pending[feature["id"]] = feature
            summary.new.append(feature["id"])
            continue
        merged = merge(found, feature, ancestors)
        if same_but_bookkeeping(found, merged):
            if found["id"] not in summary.new + summary.merged + summary.unchanged:
                summary.unchanged.append(found["id"])
            continue
        pending[found["id"]] = merged
        if found["id"] not in summary.new + summary.merged:
            summary.merged.append(found["id"])
    if pending:
        store.put_many("incidents", list(pending.values()), actor=actor, note=note, guard=guard)
        from geo.live.alerts_worker import written

        written(store)  # alerts run from the history, in the background
    return summary
