"""Static maps for reports (PNG, SVG, PDF), drawn with matplotlib on the server, no browser.

The picture shows what the API gives for a filter: the offline basemap
(countries, governorate lines, coast, towns), known sites and areas, and the
incidents coloured by type, hollow where the place is only approximate; with a
legend, a title, the time span, a scale bar and the attribution.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import orjson

from geo.datadir import shipped_data_dir
from geo.model import EVENT_TYPES

COLOURS = {
    "rocket_attack": "#D55E00", "mortar_attack": "#E69F00", "drone_attack": "#CC79A7",
    "missile_attack": "#882255", "airstrike": "#0072B2", "ied": "#009E73", "small_arms": "#56B4E9",
    "other": "#555555",
}
LABELS = {t: "IED" if t == "ied" else t.replace("_", " ").capitalize() for t in EVENT_TYPES}
FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
REGION = (37.5, 29.0, 49.0, 37.6)  # lon/lat box of Iraq, Syria and Jordan's incident areas


@dataclass
class RenderRequest:
    """What to draw and how big."""

    incidents: list[dict]
    sites: list[dict]
    title: str = "Incidents"
    subtitle: str = ""
    fmt: str = "png"
    width_px: int = 1600
    height_px: int = 1200
    dpi: int = 200
    bbox: tuple[float, float, float, float] | None = None
    trend: dict | None = None  # a /collections/incidents/trend document: drawn as a panel under the map


CHART_SHARE = 0.27  # of the figure's height, for the trend panel under the map


def _basemap(name: str) -> list[dict]:
    return orjson.loads((shipped_data_dir() / "basemap" / f"{name}.geojson").read_bytes())["features"]


def _extent(request: RenderRequest) -> tuple[float, float, float, float]:
    if request.bbox:
        return request.bbox
    points = [f["geometry"]["coordinates"] for f in request.incidents]
    if not points:
        return REGION
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    pad_x, pad_y = max(0.6, (max(xs) - min(xs)) * 0.12), max(0.5, (max(ys) - min(ys)) * 0.12)
    return min(xs) - pad_x, min(ys) - pad_y, max(xs) + pad_x, max(ys) + pad_y


def _fit(extent: tuple[float, float, float, float], aspect: float) -> tuple[float, float, float, float]:
    """Widen the box so that, with the cos(latitude) correction, it fills the figure."""
    x0, y0, x1, y1 = extent
    ratio = math.cos(math.radians((y0 + y1) / 2))
    width, height = (x1 - x0) * ratio, y1 - y0
    if width / height < aspect:
        grow = (height * aspect / ratio - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = ((x1 - x0) * ratio / aspect - height) / 2
        y0, y1 = y0 - grow, y1 + grow
    return x0, y0, x1, y1


def _draw_geometry(ax, geometry: dict, **style) -> None:
    from matplotlib.patches import Polygon as Patch

    kind, coords = geometry["type"], geometry["coordinates"]
    if kind in ("Polygon", "MultiPolygon"):
        for polygon in ([coords] if kind == "Polygon" else coords):
            ax.add_patch(Patch(polygon[0], closed=True, **style))
    elif kind in ("LineString", "MultiLineString"):
        for line in ([coords] if kind == "LineString" else coords):
            ax.plot([p[0] for p in line], [p[1] for p in line], **style)


def _scale_bar(ax, extent: tuple[float, float, float, float]) -> None:
    x0, y0, x1, y1 = extent
    lat = y0 + (y1 - y0) * 0.06
    km_per_degree = 111.32 * math.cos(math.radians(lat))
    target = (x1 - x0) * km_per_degree / 5
    length = next(n for n in (500, 250, 200, 100, 50, 25, 20, 10, 5, 2, 1) if n <= max(target, 1))
    start = x0 + (x1 - x0) * 0.04
    end = start + length / km_per_degree
    ax.plot([start, end], [lat, lat], color="#222", lw=2.2, solid_capstyle="butt", zorder=20)
    ax.text((start + end) / 2, lat + (y1 - y0) * 0.012, f"{length} km", ha="center", va="bottom", fontsize=6.5,
            zorder=20)


def _trend_panel(figure, document: dict) -> None:
    """Incidents per period stacked by type, and killed and injured, in the figure's bottom band."""
    from geo.render_trend import draw_trend, trend_series

    band = CHART_SHARE
    incidents_ax = figure.add_axes((0.07, band * 0.47, 0.78, band * 0.40))
    tolls_ax = figure.add_axes((0.07, band * 0.13, 0.78, band * 0.28))
    draw_trend(incidents_ax, tolls_ax, trend_series(document), COLOURS)


def render(request: RenderRequest) -> bytes:
    """The map as PNG, SVG or PDF bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    if request.fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {request.fmt!r}")
    figure = Figure(figsize=(request.width_px / request.dpi, request.height_px / request.dpi), dpi=request.dpi)
    chart = CHART_SHARE if request.trend is not None else 0.0
    ax = figure.add_axes((0, chart, 1, 1 - chart))
    if request.trend is not None:
        _trend_panel(figure, request.trend)
    extent = _fit(_extent(request), request.width_px / (request.height_px * (1 - chart)))
    x0, y0, x1, y1 = extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
    ax.set_facecolor("#c9dbe9")
    ax.axis("off")
    for feature in _basemap("countries"):
        focus = feature["properties"].get("focus")
        _draw_geometry(ax, feature["geometry"], facecolor="#f4f1e8" if focus else "#e3e3e0", edgecolor="#7a7a7a",
                       linewidth=0.6, zorder=1)
    for feature in _basemap("governorate_lines"):
        _draw_geometry(ax, feature["geometry"], color="#b3aea0", linewidth=0.35, linestyle=(0, (3, 3)), zorder=2)
    for feature in _basemap("coastline"):
        _draw_geometry(ax, feature["geometry"], color="#8aa6c1", linewidth=0.5, zorder=2)
    shown = 0
    for town in _basemap("towns"):
        lon, lat = town["geometry"]["coordinates"]
        if x0 < lon < x1 and y0 < lat < y1 and shown < 40:
            ax.plot(lon, lat, "o", ms=1.6, color="#555", zorder=3)
            ax.text(lon + (x1 - x0) * 0.004, lat, town["properties"]["name"], fontsize=4.5, color="#444",
                    va="center", zorder=3)
            shown += 1
    for site in request.sites:
        geometry = site["geometry"]
        if geometry["type"] == "Polygon":
            _draw_geometry(ax, geometry, facecolor=(0.3, 0.3, 0.3, 0.06), edgecolor="#444", linewidth=0.6,
                           linestyle=(0, (4, 3)), zorder=4)
        else:
            ax.plot(*geometry["coordinates"][:2], "s", ms=2.2, mfc="white", mec="#222", mew=0.5, zorder=5)
    used = []
    stacks: dict[tuple, list[dict]] = {}
    for feature in request.incidents:  # incidents on one spot are drawn once, with their number
        lon, lat = feature["geometry"]["coordinates"][:2]
        props = feature["properties"]
        key = (round(lon, 3), round(lat, 3), props.get("event_type"), (props.get("geo_precision") or 1) == 1)
        stacks.setdefault(key, []).append(feature)
    for (lon, lat, event_type, exact), stack in stacks.items():
        colour = COLOURS.get(event_type, COLOURS["other"])
        size = 4.2 + 2.2 * math.log2(len(stack))
        ax.plot(lon, lat, "o", ms=size, mfc=colour if exact else "none", mec=colour, mew=0.9 if exact else 1.2,
                alpha=0.85, zorder=6)
        if len(stack) > 1:
            ax.text(lon, lat, str(len(stack)), fontsize=4.2, ha="center", va="center", zorder=7,
                    color="white" if exact else colour, fontweight="bold")
        if event_type not in used:
            used.append(event_type)
    handles = [Line2D([], [], marker="o", ls="", ms=4.5, mfc=COLOURS.get(t, "#555"), mec=COLOURS.get(t, "#555"),
                      label=LABELS.get(t, t)) for t in EVENT_TYPES if t in used]
    handles.append(Line2D([], [], marker="o", ls="", ms=4.5, mfc="none", mec="#555", label="near a place / area only"))
    handles.append(Line2D([], [], marker="s", ls="", ms=3, mfc="white", mec="#222", label="known site"))
    legend = ax.legend(handles=handles, loc="lower right", fontsize=5.5, frameon=True, framealpha=0.92,
                       borderpad=0.6, labelspacing=0.35)
    legend.set_zorder(20)
    # a caller's title is text, never mathtext: "$x^$" would fail to parse and "a $b$" would not read as typed
    ax.text(0.015, 0.975, request.title, transform=ax.transAxes, fontsize=10, fontweight="bold", va="top",
            zorder=20, parse_math=False, bbox={"facecolor": "white", "alpha": 0.88, "edgecolor": "none", "pad": 3})
    subtitle = f"{request.subtitle} · {len(request.incidents)} incidents" if request.subtitle else \
        f"{len(request.incidents)} incidents"
    ax.text(0.015, 0.925, subtitle, transform=ax.transAxes, fontsize=6.5, va="top", zorder=20, parse_math=False,
            bbox={"facecolor": "white", "alpha": 0.88, "edgecolor": "none", "pad": 2})
    ax.text(0.995, 0.005, "Borders: Natural Earth · towns: GeoNames · incidents: incidentmap, from the sources "
            "listed per incident", transform=ax.transAxes, fontsize=4.5, ha="right", va="bottom", color="#333",
            zorder=20, bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.5})
    _scale_bar(ax, extent)
    out = io.BytesIO()
    figure.savefig(out, format=request.fmt, dpi=request.dpi, metadata=None if request.fmt != "png" else
                   {"Software": "incidentmap"})
    return out.getvalue()

