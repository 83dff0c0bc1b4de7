"""The trend panel of a static export (PNG, SVG, PDF): incidents per period stacked by event type,
and the killed and injured per period below, drawn under the map.

The numbers are the API's own: the panel draws a ``/collections/incidents/trend`` document
(``geo.trend.trend``) for the export's filters, so a report's chart and the map page's agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from geo.model import EVENT_TYPES

KILLED, INJURED = "#7f0000", "#e08a00"  # as the map page's chart (static/map.css)


@dataclass
class TrendSeries:
    """What the panel draws, one value per period: the count of each event type, killed, injured."""

    period: str
    starts: list[str] = field(default_factory=list)  # each period's first day, YYYY-MM-DD
    by_type: dict[str, list[int]] = field(default_factory=dict)  # stacked bottom to top in this order
    killed: list[int] = field(default_factory=list)
    injured: list[int] = field(default_factory=list)

    @property
    def totals(self) -> list[int]:
        return [sum(counts[i] for counts in self.by_type.values()) for i in range(len(self.starts))]


def trend_series(document: dict) -> TrendSeries:
    """The series the panel draws from a trend document: types in the legend's order (any type the
    model does not know last), every period of the document, tolls as reported.

    >>> doc = {"period": "day", "periods": [{"start": "2024-01-01", "byType": {"ied": 2}, "killed": 1,
    ...        "injured": 0}]}
    >>> trend_series(doc).by_type
    {'ied': [2]}
    """
    periods = document.get("periods", [])
    seen = {name for p in periods for name in p["byType"]}
    types = [t for t in EVENT_TYPES if t in seen] + sorted(seen - set(EVENT_TYPES))
    return TrendSeries(period=document.get("period", "week"), starts=[p["start"] for p in periods],
                       by_type={t: [p["byType"].get(t, 0) for p in periods] for t in types},
                       killed=[p["killed"] for p in periods], injured=[p["injured"] for p in periods])


def _tick_labels(series: TrendSeries, most: int = 8) -> tuple[list[int], list[str]]:
    """At most ``most`` evenly spaced period labels (day and week: 3 Feb 24; month: Feb 2024)."""
    count = len(series.starts)
    step = max(1, -(-count // most))
    positions = list(range(0, count, step))
    days = [date.fromisoformat(series.starts[i]) for i in positions]
    if series.period == "month":
        return positions, [f"{d:%b %Y}" for d in days]
    return positions, [f"{d.day} {d:%b %y}" for d in days]


def draw_trend(incidents_ax, tolls_ax, series: TrendSeries, colours: dict[str, str]) -> None:
    """Draw ``series`` on two matplotlib axes: stacked incidents above, killed and injured below."""
    title = (f"Incidents per {series.period}, stacked by event type: {sum(series.totals)} incidents, "
             f"{sum(series.killed)} killed, {sum(series.injured)} injured")
    for ax in (incidents_ax, tolls_ax):
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=5, length=2, pad=1.5)
    incidents_ax.set_title(title, fontsize=6.5, loc="left", pad=3, fontweight="bold")
    if not series.starts:
        incidents_ax.text(0.5, 0.5, "No incidents in this selection", transform=incidents_ax.transAxes,
                          ha="center", va="center", fontsize=6.5, color="#333")
        for ax in (incidents_ax, tolls_ax):
            ax.set_xticks([])
            ax.set_yticks([])
        return
    xs = list(range(len(series.starts)))
    bottom = [0] * len(xs)
    for name, counts in series.by_type.items():
        incidents_ax.bar(xs, counts, bottom=bottom, width=0.85, color=colours.get(name, "#999999"), linewidth=0)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    incidents_ax.set_ylim(0, max(1, max(bottom)) * 1.08)  # the types' colours are keyed in the map's legend
    half = 0.42
    tolls_ax.bar([x - half / 2 for x in xs], series.killed, width=half, color=KILLED, label="killed", linewidth=0)
    tolls_ax.bar([x + half / 2 for x in xs], series.injured, width=half, color=INJURED, label="injured", linewidth=0)
    tolls_ax.set_ylim(0, max(1, *series.killed, *series.injured) * 1.1)
    tolls_ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=4.8, frameon=False, borderaxespad=0,
                    handlelength=1, handleheight=0.8, labelspacing=0.25)
    positions, names = _tick_labels(series)
    for ax in (incidents_ax, tolls_ax):
        ax.set_xlim(-0.6, len(xs) - 0.4)
        ax.yaxis.get_major_locator().set_params(integer=True, nbins=3)
    incidents_ax.set_xticks([])
    tolls_ax.set_xticks(positions, names)
    incidents_ax.set_ylabel("incidents", fontsize=5)
    tolls_ax.set_ylabel("killed, injured", fontsize=5)
