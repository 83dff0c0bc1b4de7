"""Incidents per period (day, week or month) stacked by event type, with the killed and injured
reported in each: what the map's trend chart and the report export draw.

Each incident counts in the period of its first day (``date_from``), as the time histogram
counts it; tolls are the sums of those reported (an unreported toll adds nothing). Periods with
no incident between the first and the last are listed with zeros, so a chart's gaps are real.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from geo.errors import InvalidParameterValue, NotFound
from geo.query import parse_query
from geo.store import Store

PERIODS = ("day", "week", "month")
MAX_PERIODS = 2000
AUTO_DAYS = 92  # auto: days up to about three months of data,
AUTO_WEEKS = 3 * 366  # weeks up to three years, months beyond


@dataclass
class Period:
    start: date
    end: date
    by_type: dict[str, int] = field(default_factory=dict)
    killed: int = 0
    injured: int = 0

    @property
    def count(self) -> int:
        return sum(self.by_type.values())

    def to_json(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "count": self.count,
                "byType": dict(sorted(self.by_type.items())), "killed": self.killed, "injured": self.injured}


def period_start(day: date, period: str) -> date:
    """The first day of the period holding ``day`` (weeks start on Monday, ISO 8601)."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def next_start(start: date, period: str) -> date:
    if period == "week":
        return start + timedelta(days=7)
    if period == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + timedelta(days=1)


def choose_period(first: date, last: date) -> str:
    """``auto``: days for a short range, weeks up to three years, months beyond."""
    days = (last - first).days + 1
    return "day" if days <= AUTO_DAYS else "week" if days <= AUTO_WEEKS else "month"


def parse_period(text: str | None) -> str:
    """The ``period`` parameter; absent means auto, an empty or unknown one is a 400."""
    value = "auto" if text is None else text.strip()
    if value not in (*PERIODS, "auto"):
        raise InvalidParameterValue(f"period must be one of day, week, month, auto, got {value[:40]!r}")
    return value


def trend_periods(rows: list[tuple[str, str | None, int, int, int]], period: str) -> tuple[str, list[Period]]:
    """(the period used, every period from the first incident's to the last's) from a store's
    day_type_counts rows. InvalidParameterValue when that is more than MAX_PERIODS periods."""
    if not rows:
        return ("week" if period == "auto" else period), []
    days = sorted({date.fromisoformat(day) for day, *_ in rows})
    if period == "auto":
        period = choose_period(days[0], days[-1])
    first, last = period_start(days[0], period), period_start(days[-1], period)
    periods: dict[date, Period] = {}
    start = first
    while start <= last:
        if len(periods) >= MAX_PERIODS:
            raise InvalidParameterValue(f"the matches span more than {MAX_PERIODS} {period}s; "
                                        "choose a longer period or a shorter datetime")
        following = next_start(start, period)
        periods[start] = Period(start, following - timedelta(days=1))
        start = following
    for day, kind, count, killed, injured in rows:
        bucket = periods[period_start(date.fromisoformat(day), period)]
        name = kind or "unknown"
        bucket.by_type[name] = bucket.by_type.get(name, 0) + count
        bucket.killed += killed
        bucket.injured += injured
    return period, list(periods.values())


def trend(store: Store, collection_id: str, params: Mapping[str, str]) -> dict:
    """The trend document of the API's ``/collections/{id}/trend``: ``period`` (day, week, month or
    auto, the default) and every items filter (limit, offset and sortby do not apply)."""
    if collection_id not in store.names:
        raise NotFound(f"no collection {collection_id!r}")
    wanted = parse_period(params.get("period"))
    query = parse_query({k: v for k, v in params.items() if k not in ("period", "limit", "offset", "sortby")},
                        collection_id)
    period, periods = trend_periods(store.day_type_counts(collection_id, query), wanted)
    types = sorted({name for p in periods for name in p.by_type})
    return {"collection": collection_id, "period": period, "total": sum(p.count for p in periods),
            "killed": sum(p.killed for p in periods), "injured": sum(p.injured for p in periods),
            "eventTypes": types, "periods": [p.to_json() for p in periods]}
