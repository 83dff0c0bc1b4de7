"""What an export holds: the incidents of a filter, the sites, and a line saying what was asked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from geo.mapview import FILTERS
from geo.query import parse_query
from geo.store import Store
from geo.trend import trend

EXPORT_FILTERS = FILTERS  # the map page's filters, every one: an export shows what the map showed


@dataclass
class ExportData:
    incidents: list[dict]
    sites: list[dict]
    description: str
    interval: list[str | None]
    trend: dict  # the API's /collections/incidents/trend document for the same filters (period auto)

    def counts(self) -> list[dict]:
        per_day: dict[str, int] = {}
        for feature in self.incidents:
            day = feature["properties"]["date_from"]
            per_day[day] = per_day.get(day, 0) + 1
        return [{"date": d, "count": n} for d, n in sorted(per_day.items())]


def export_data(store: Store, params: Mapping[str, str]) -> ExportData:
    """The incidents matching the map's filter (every one, not a page) and all known sites.

    Parameters other than the filters (map view, layers, title) are ignored here.
    """
    filters = {k: v for k, v in params.items() if k in EXPORT_FILTERS and v}
    query = parse_query(filters)
    query.limit = 10**9
    incidents = store.query("incidents", query).features()
    sites = store.query("sites", _all()).features() if "sites" in store.names else []
    days = sorted(f["properties"]["date_from"] for f in incidents)
    ends = sorted(f["properties"]["date_to"] for f in incidents)
    if "datetime" in filters and "/" in filters["datetime"]:
        start, end = (part[:10] if part not in ("", "..") else None for part in filters["datetime"].split("/"))
        span = f"{start or (days[0] if days else '…')} – {end or (ends[-1] if ends else '…')}"
    elif days:
        span = f"{days[0]} – {ends[-1]}"
    else:
        span = "no incidents"
    extra = [f"{k.replace('_', ' ')}: {v}" for k, v in filters.items() if k != "datetime"]
    interval = [f"{days[0]}T00:00:00Z", f"{ends[-1]}T23:59:59Z"] if days else [None, None]
    return ExportData(incidents, sites, " · ".join([span, *extra]), interval, trend(store, "incidents", filters))


def _all():
    query = parse_query({})
    query.limit = 10**9
    return query
