"""The map page, assembled with folium from small elements of our own.

folium builds the Leaflet map and the page around it; every script and style
it loads is served by this app (folium's CDN links are replaced). The layers
are not baked into the page: the scripts under ``static/map/`` fetch them from the API with
the current time filter, so what the map shows is exactly what Download gives.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template
from markupsafe import escape

from geo.mapview import map_view
from geo.model import EVENT_TYPES, STATUSES

# colour-blind-safe palette (Okabe-Ito), one colour per event type
EVENT_COLOURS = {
    "rocket_attack": "#D55E00", "mortar_attack": "#E69F00", "drone_attack": "#CC79A7",
    "missile_attack": "#882255", "airstrike": "#0072B2", "ied": "#009E73", "small_arms": "#56B4E9",
    "other": "#555555",
}
EVENT_LABELS = {t: t.replace("_", " ").replace("ied", "IED").capitalize() for t in EVENT_TYPES}
EVENT_LABELS["ied"] = "IED"
# the map page's own scripts (static/map/<name>.js), plain scripts sharing ``window.incidentmap``,
# loaded in this order without a build step: core first, start last
MAP_MODULES = ("core", "details", "layers", "clusters", "area", "tiles", "timeline", "filters", "list", "chart",
               "start")
CENTRE = (33.3, 42.5)  # lat, lon: between Baghdad and the Syrian border


def script_json(value: object) -> str:
    """JSON that is safe inside a <script> element, whatever text it carries."""
    text = json.dumps(value, ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@dataclass
class MapOptions:
    """What one map page needs to know; ``state`` is the page URL's query (time span, layers, view)."""

    mode: str = "page"  # page, embed or standalone
    tiles: str | None = None
    tiles_attribution: str = ""
    state: dict = field(default_factory=dict)
    asset_base: str = ""  # URL prefix of /vendor and /static, "" for the app itself
    embedded_data: dict | None = None  # standalone export: the filtered data, no API to ask
    source: str = "features"  # incidents from the items and aggregates, or from the vector tiles


class AppAssets(JSCSSMixin, MacroElement):
    """Our own scripts and styles, and the Leaflet plugins, from the app's URLs."""

    _template = Template("")

    def __init__(self, base: str, vector_tiles: bool = False):
        super().__init__()
        self._name = "AppAssets"
        self.default_js = [
            ("leaflet_markercluster", f"{base}/vendor/leaflet-markercluster/leaflet.markercluster.js"),
            *([("leaflet_vectorgrid", f"{base}/static/vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.js")]
              if vector_tiles else []),
            *((f"incidentmap_{name}", f"{base}/static/map/{name}.js") for name in MAP_MODULES),
        ]
        self.default_css = [
            ("markercluster_css", f"{base}/vendor/leaflet-markercluster/MarkerCluster.css"),
            ("markercluster_default_css", f"{base}/vendor/leaflet-markercluster/MarkerCluster.Default.css"),
            ("incidentmap_css", f"{base}/static/map.css"),
        ]


class MapConfig(MacroElement):
    """Hands the map and its configuration to the map scripts (static/map/)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        window.INCIDENTMAP = {{ this.config }};
        window.INCIDENTMAP.map = {{ this._parent.get_name() }};
        {% endmacro %}
    """)

    def __init__(self, options: MapOptions):
        super().__init__()
        self._name = "MapConfig"
        self.config = script_json({
            "mode": options.mode,
            "source": "features" if options.embedded_data is not None else options.source,
            "tiles": options.tiles,
            "tilesAttribution": options.tiles_attribution,
            "state": options.state,
            "eventTypes": [{"id": t, "label": EVENT_LABELS[t], "colour": EVENT_COLOURS[t]} for t in EVENT_TYPES],
            "data": options.embedded_data,
        })


class ControlPanel(MacroElement):
    """The time filter (range, histogram, presets, play), the filters, the count, downloads and embed."""

    _template = Template("""
        {% macro html(this, kwargs) %}
        <section id="panel" class="im-panel{% if this.mode == 'embed' %} im-compact{% endif %}" aria-label="Time and filters">
          {% if this.mode != 'embed' %}<h1 class="im-title">incidentmap</h1>{% endif %}
          <div class="im-count" id="im-count" role="status">loading…</div>
          <div class="im-range">
            <canvas id="im-histogram" height="64" role="img"
                    aria-label="Incidents per day, stacked by type; above the bars, incidents known only within a span, drawn as spans"></canvas>
            <input type="range" id="im-from" min="0" max="0" value="0" aria-label="From">
            <input type="range" id="im-to" min="0" max="0" value="0" aria-label="To">
          </div>
          <div class="im-dates"><span id="im-from-label"></span> – <span id="im-to-label"></span></div>
          <div class="im-muted im-note" id="im-histogram-note"></div>
          <div class="im-buttons">
            <button type="button" data-preset="7">7 days</button>
            <button type="button" data-preset="30">30 days</button>
            <button type="button" data-preset="all">All</button>
            <button type="button" id="im-play" aria-pressed="false">▶ Play</button>
          </div>
          {% if this.mode == 'page' %}
          <details class="im-filters" id="im-filters">
            <summary>Filters</summary>
            <form id="im-filter-form" role="search" aria-label="Filter incidents">
              <label>Words <input type="search" name="q" placeholder="title, evidence, site" dir="auto"></label>
              <label>Event type <select name="event_type"><option value="">any</option>
                {% for id, label in this.types %}<option value="{{ id }}">{{ label }}</option>{% endfor %}
              </select></label>
              <label>Perpetrator <input type="search" name="perpetrator" dir="auto"></label>
              <label>Site <select name="site_id"><option value="">any</option></select></label>
              <label>Country <select name="country_code"><option value="">any</option></select></label>
              <label>Status <select name="status"><option value="">any</option>
                {% for s in this.statuses %}<option value="{{ s }}">{{ s }}</option>{% endfor %}
              </select></label>
              <label>At least killed <input type="number" name="min_killed" min="0" step="1" inputmode="numeric"></label>
              <label>At least injured <input type="number" name="min_injured" min="0" step="1" inputmode="numeric"></label>
              <button type="reset" id="im-filter-clear">Clear filters</button>
            </form>
          </details>
          <details class="im-trend" id="im-trend" open>
            <summary id="im-trend-heading">Incidents per period</summary>
            <label class="im-trend-period">Per <select id="im-trend-period">
              <option value="auto">auto</option><option value="day">day</option>
              <option value="week">week</option><option value="month">month</option></select></label>
            <svg id="im-trend-chart" class="im-trend-chart" viewBox="0 0 300 144" role="img"
                 aria-label="Incidents per period, stacked by event type" xmlns="http://www.w3.org/2000/svg"></svg>
            <div class="im-trend-key"><span class="im-key-killed">killed</span> <span class="im-key-injured">injured</span></div>
            <p class="im-muted im-note" id="im-trend-note" aria-live="polite"></p>
            <table id="im-trend-table" class="im-visually-hidden"></table>
          </details>
          {% endif %}
          {% if this.mode != 'standalone' %}
          <div class="im-buttons">
            <a id="im-geojson" download>GeoJSON</a>
            <a id="im-csv" download>CSV</a>
            {% if this.mode == 'page' %}<button type="button" id="im-embed">Embed</button>
            <a id="im-export-png">PNG</a><a id="im-export-html">HTML</a>{% endif %}
          </div>
          <textarea id="im-embed-code" class="im-hidden" readonly rows="3" aria-label="Embed code"></textarea>
          {% endif %}
        </section>
        {% endmacro %}
    """)

    def __init__(self, mode: str):
        super().__init__()
        self._name = "ControlPanel"
        self.mode = mode
        self.types = [(t, EVENT_LABELS[t]) for t in EVENT_TYPES]
        self.statuses = STATUSES



class SidePanel(MacroElement):
    """The incidents in view as a list (a bottom sheet on a phone), and one incident's details.
    Filled by static/map/list.js and details.js; report text goes in with textContent only."""

    _template = Template("""
        {% macro html(this, kwargs) %}
        <aside id="im-side" class="im-side" aria-label="Incidents and details">
          <section id="im-details" class="im-details im-hidden" role="region" aria-label="Incident details"
                   tabindex="-1"></section>
          <section id="im-list-panel" class="im-list-panel" aria-labelledby="im-list-heading">
            <div class="im-list-head">
              <button type="button" id="im-sheet-toggle" class="im-sheet-toggle" aria-expanded="true"
                      aria-controls="im-list">Incidents</button>
              <h2 id="im-list-heading" class="im-list-heading" aria-live="polite">Incidents</h2>
            </div>
            <ul id="im-list" class="im-list" role="list" aria-label="Incidents in view, newest first"></ul>
            <button type="button" id="im-more" class="im-more im-hidden">Show more</button>
          </section>
        </aside>
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "SidePanel"


def build_map(options: MapOptions) -> folium.Map:
    """The map with our elements; layers come from the API (or the embedded data) in static/map/."""
    lat, lon, zoom = map_view(options.state, (*CENTRE, 6))  # the state was checked (geo.mapview)
    fmap = folium.Map(location=[lat, lon], zoom_start=zoom, tiles=None)
    base = options.asset_base
    fmap.default_js = [("leaflet", f"{base}/vendor/leaflet/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{base}/vendor/leaflet/leaflet.css")]
    fmap.add_child(AppAssets(base, vector_tiles=options.source == "tiles" and options.embedded_data is None))
    fmap.add_child(MapConfig(options))
    fmap.add_child(ControlPanel(options.mode))
    if options.mode != "embed":
        fmap.add_child(SidePanel())
    return fmap


def render_page(options: MapOptions, title: str = "incidentmap") -> str:
    """The whole HTML document of a map page."""
    fmap = build_map(options)
    figure = fmap.get_root()
    figure.title = escape(title)  # branca's template does not escape, and an export's title is the caller's
    html = figure.render()
    # branca's <html> names no language; screen readers need it to pick a voice (axe: html-has-lang)
    html = html.replace("<html>", '<html lang="en">', 1)
    # folium's viewport forbids zooming the page, which people with low vision need (axe: meta-viewport)
    html = re.sub(r'<meta name="viewport" content="[^"]*"\s*/?>',
                  '<meta name="viewport" content="width=device-width, initial-scale=1.0" />', html, count=1)
    # the map is a landmark of its own, so nothing on the page lies outside one (axe: region)
    return html.replace('<div class="folium-map" ', '<div class="folium-map" role="region" aria-label="Map" ', 1)


def inline_assets(html: str, files: dict[str, Path]) -> str:
    """Put every script and stylesheet the page links into the page itself, so it opens from disk
    with no network (Leaflet's CSS images become data: URIs)."""
    import base64

    def read(url: str) -> str | None:
        path = files.get(url)
        return path.read_text(encoding="utf-8") if path and path.is_file() else None

    def script(match: re.Match) -> str:
        text = read(match.group(1))
        if text is None:
            raise FileNotFoundError(f"no local copy of {match.group(1)} to inline")
        return "<script>" + text.replace("</script", "<\\/script") + "</script>"

    def style(match: re.Match) -> str:
        url = match.group(1)
        text = read(url)
        if text is None:
            raise FileNotFoundError(f"no local copy of {url} to inline")
        folder = files[url].parent

        def image(found: re.Match) -> str:
            target = folder / found.group(1)
            if not target.is_file():
                return found.group(0)
            data = base64.b64encode(target.read_bytes()).decode()
            return f"url(data:image/{target.suffix.lstrip('.').replace('svg', 'svg+xml')};base64,{data})"

        text = re.sub(r"url\(['\"]?(images/[^'\")]+)['\"]?\)", image, text)
        return "<style>" + text.replace("</style", "<\\/style") + "</style>"

    html = re.sub(r'<script src="([^"]+)"></script>', script, html)
    return re.sub(r'<link rel="stylesheet" href="([^"]+)"\s*/?>', style, html)
