// incidentmap's map: layers from the API, a time filter with a histogram, state in the URL.
// Report text reaches the page only through textContent, never as HTML.
"use strict";

(function () {
  const DAY = 86400000;
  const ITEM_LIMIT = 10000; // the download links' page size
  // A view shows incidents one by one when few are in it, else counts per grid cell from the
  // server (/aggregate): a million stored incidents never reach the browser, at most VIEW_LIMIT do.
  const DETAIL_MAX = 2000; // at most this many in view: individual incidents
  const VIEW_LIMIT = 5000; // never more features than this for one view
  const MIN_DETAIL_ZOOM = 5; // below this zoom, always counts
  const CLOSE_ZOOM = 15; // from this zoom, up to VIEW_LIMIT individual incidents
  const MOVE_DEBOUNCE_MS = 200;
  let cfg, map, canvas, days = [], counts = {}, fetchSeq = 0, playTimer = null;
  let aggregates, lastAggregate = null, moveTimer = null;
  // tile mode (cfg.source "tiles"): incidents come from the collection's vector tiles, drawn by
  // Leaflet.VectorGrid; a tile holds the incidents themselves, or counts per cell at low zoom or when dense
  const TILE_URL = "/collections/incidents/tiles/WebMercatorQuad/{z}/{y}/{x}";
  let vectorTiles = null, tileSeen = new Map(), tileCells = 0;
  const overlays = {};
  const state = {};

  // GeoJSON is lon, lat; Leaflet wants lat, lng. This is the one place they swap.
  function toLatLng(coordinates) {
    return [coordinates[1], coordinates[0]];
  }

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    return node;
  }

  function isoDay(ms) {
    return new Date(ms).toISOString().slice(0, 10);
  }

  // ---- state in the URL ------------------------------------------------------------------

  const FILTERS = ["event_type", "country_code", "site_id", "status", "perpetrator", "q", "bbox"];

  function readState() {
    const params = new URLSearchParams(window.location.search);
    Object.assign(state, cfg.state || {});
    params.forEach((value, key) => { state[key] = value; });
  }

  function writeState() {
    if (cfg.mode === "standalone") return;
    const params = new URLSearchParams();
    ["datetime", "layers", "lat", "lon", "zoom", "source"].concat(FILTERS).forEach((key) => {
      if (state[key]) params.set(key, state[key]);
    });
    window.history.replaceState(null, "", `${window.location.pathname}?${params}`);
    updateLinks(params);
  }

  function filterParams() {
    const params = new URLSearchParams();
    FILTERS.forEach((key) => { if (state[key]) params.set(key, state[key]); });
    if (state.datetime) params.set("datetime", state.datetime);
    return params;
  }

  function updateLinks(pageParams) {
    const data = filterParams();
    data.set("limit", String(ITEM_LIMIT));
    const set = (id, href) => { const a = document.getElementById(id); if (a) a.href = href; };
    set("im-geojson", `/collections/incidents/items?${data}&f=geojson`);
    set("im-csv", `/collections/incidents/items?${data}&f=csv`);
    set("im-export-png", `/export/map.png?${pageParams}`);
    set("im-export-html", `/export/map.html?${pageParams}`);
    const code = document.getElementById("im-embed-code");
    if (code) {
      code.value = `<iframe src="${window.location.origin}/embed?${pageParams}" width="800" height="600" ` +
        `style="border:0" title="incidentmap" loading="lazy"></iframe>`;
    }
  }

  // ---- data: the API, or the data embedded in a standalone export -------------------------------

  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${response.status} for ${url}`);
    return response.json();
  }

  function spanOf(props) {
    const from = Date.parse(`${props.date_from || props.date}T00:00:00Z`);
    const to = Date.parse(`${props.date_to || props.date_from || props.date}T23:59:59Z`);
    return [from, to];
  }

  function localItems(wantFrom, wantTo) {
    const all = cfg.data.incidents.features;
    const features = all.filter((f) => {
      const [from, to] = spanOf(f.properties);
      return from <= wantTo && to >= wantFrom;
    });
    return { features, numberMatched: features.length };
  }

  // the visible bounds as an API bbox (lon, lat; west > east where the view crosses the antimeridian)
  function viewBbox() {
    const b = map.getBounds();
    const south = Math.max(-90, b.getSouth()), north = Math.min(90, b.getNorth());
    let west = b.getWest(), east = b.getEast();
    if (east - west >= 360) { west = -180; east = 180; } else {
      const wrap = (lon) => ((((lon + 180) % 360) + 360) % 360) - 180;
      west = wrap(west);
      east = wrap(east);
      if (east === -180 && b.getEast() > b.getWest()) east = 180;
    }
    let box = [west, south, east, north];
    const filter = (state.bbox || "").split(",").map(Number);
    if (filter.length === 4 && filter.every(Number.isFinite) && filter[0] <= filter[2] && west <= east) {
      box = [Math.max(west, filter[0]), Math.max(south, filter[1]), Math.min(east, filter[2]), Math.min(north, filter[3])];
      if (box[0] > box[2] || box[1] > box[3]) return null; // the filter's box is out of view
    }
    return box.map((v) => Number(v.toFixed(5))).join(",");
  }

  // what is in view under the filters: counts per cell always (cheap), the incidents when few
  async function viewData() {
    const params = filterParams();
    const box = viewBbox();
    if (box === null) return { mode: "incidents", collection: { features: [], numberMatched: 0 } };
    params.set("bbox", box);
    const zoom = map.getZoom();
    const grid = await getJSON(`/collections/incidents/aggregate?${params}&zoom=${zoom}`);
    const total = grid.numberMatched;
    const few = (total <= DETAIL_MAX && zoom >= MIN_DETAIL_ZOOM) || (total <= VIEW_LIMIT && zoom >= CLOSE_ZOOM);
    if (!few) return { mode: "aggregate", grid };
    if (!total) return { mode: "incidents", collection: { features: [], numberMatched: 0 } };
    params.set("limit", String(Math.min(VIEW_LIMIT, total)));
    return { mode: "incidents", collection: await getJSON(`/collections/incidents/items?${params}&f=geojson`) };
  }

  // ---- layers -----------------------------------------------------------------------------

  function popupFor(feature, type) {
    const p = feature.properties;
    const box = el("div", null, { class: "im-popup" });
    box.appendChild(el("strong", `${type.label} · ${p.site_name || p.location || "unplaced"}`));
    const when = p.date_from === p.date_to ? p.date_from : `between ${p.date_from} and ${p.date_to} (${p.date_precision})`;
    box.appendChild(el("div", `${when}${p.time_local ? ` at ${p.time_local} local time` : ""}`));
    const place = { 1: "at the named place", 2: "near the place or in its area", 3: "only the governorate or region" };
    box.appendChild(el("div", `Place: ${place[p.geo_precision] || ""}`, { class: "im-muted" }));
    const who = p.perpetrator ? `${p.perpetrator} (${p.attribution})` : "not named";
    box.appendChild(el("div", `Perpetrator: ${who}`));
    const toll = [p.killed === null || p.killed === undefined ? null : `${p.killed} killed`,
      p.injured === null || p.injured === undefined ? null : `${p.injured} injured`].filter(Boolean);
    box.appendChild(el("div", `Casualties: ${toll.length ? toll.join(", ") : "not reported"}`));
    if (p.disagreements) {
      const parts = Object.entries(p.disagreements).map(([k, v]) => `${k}: ${v.join(" / ")}`);
      box.appendChild(el("div", `Reports differ on ${parts.join("; ")}`, { class: "im-muted" }));
    }
    if (p.notes) box.appendChild(el("p", p.notes));
    const sources = el("ul", null, { class: "im-sources" });
    (p.sources || []).forEach((s) => {
      const li = el("li");
      const label = s.outlet || s.title || s.url || "source";
      if (s.url && /^https?:\/\//i.test(s.url)) {
        li.appendChild(el("a", label, { href: s.url, target: "_blank", rel: "noopener noreferrer" }));
      } else {
        li.appendChild(el("span", label));
      }
      if (s.published) li.appendChild(el("span", ` (${s.published})`, { class: "im-muted" }));
      sources.appendChild(li);
    });
    box.appendChild(sources);
    return box;
  }

  function markerFor(feature, type) {
    const p = feature.properties;
    const exact = (p.geo_precision || 1) === 1;
    const marker = L.circleMarker(toLatLng(feature.geometry.coordinates), {
      renderer: canvas, radius: exact ? 7 : 8, color: type.colour, weight: exact ? 1.5 : 2, fillColor: type.colour,
      fillOpacity: exact ? 0.85 : 0.08, dashArray: exact ? null : "3 3", className: "im-incident",
    });
    marker.bindPopup(() => popupFor(feature, type), { maxWidth: 320 });
    marker.bindTooltip(() => el("span", `${type.label}, ${p.date_from}`)); // built on hover, not for all 10,000
    return marker;
  }

  function halo(feature, type) {
    const radius = feature.properties.geo_precision === 3 ? 40000 : 8000;
    return L.circle(toLatLng(feature.geometry.coordinates), {
      renderer: canvas, radius, color: type.colour, weight: 1, opacity: 0.3, fillOpacity: 0.04, interactive: false,
    });
  }

  function makeOverlays() {
    cfg.eventTypes.forEach((type) => {
      const cluster = L.markerClusterGroup({ spiderfyOnMaxZoom: true, showCoverageOnHover: false,
        maxClusterRadius: 35, zoomToBoundsOnClick: true });
      const halos = L.layerGroup();
      overlays[type.id] = { layer: L.layerGroup([halos, cluster]), cluster, halos, label: type.label, type };
    });
    overlays.sites = { layer: L.layerGroup(), label: "Known sites" };
    overlays.areas = { layer: L.layerGroup(), label: "Areas (Green Zone, Kirkuk)" };
    overlays.heat = { layer: L.layerGroup(), label: "Heat map (incidents per cell)" };
  }

  // what is drawn, by incident id: a new time span only adds and removes the difference
  const drawnById = new Map();

  function fillIncidents(collection) {
    const byType = Object.fromEntries(cfg.eventTypes.map((t) => [t.id, t]));
    const wanted = new Map(collection.features.map((f) => [`${f.id}|${f.properties.updated || ""}`, f]));
    const removals = {};
    drawnById.forEach((entry, key) => {
      if (wanted.has(key)) return;
      (removals[entry.type] = removals[entry.type] || []).push(entry.marker);
      if (entry.halo) overlays[entry.type].halos.removeLayer(entry.halo);
      drawnById.delete(key);
    });
    Object.entries(removals).forEach(([id, markers]) => overlays[id].cluster.removeLayers(markers));
    const additions = {};
    wanted.forEach((feature, key) => {
      if (drawnById.has(key)) return;
      const type = byType[feature.properties.event_type] || byType.other;
      const entry = { type: type.id, marker: markerFor(feature, type), halo: null };
      if ((feature.properties.geo_precision || 1) > 1) {
        entry.halo = halo(feature, type);
        overlays[type.id].halos.addLayer(entry.halo);
      }
      (additions[type.id] = additions[type.id] || []).push(entry.marker);
      drawnById.set(key, entry);
    });
    // markercluster places a batch far faster than one marker at a time
    Object.entries(additions).forEach(([id, markers]) => overlays[id].cluster.addLayers(markers));
    const size = 0.25;
    const cells = {};
    collection.features.forEach((f) => {
      const [lon, lat] = f.geometry.coordinates;
      const key = `${Math.floor(lon / size)},${Math.floor(lat / size)}`;
      cells[key] = (cells[key] || 0) + 1;
    });
    fillHeat(Object.entries(cells).map(([key, n]) => {
      const [i, j] = key.split(",").map(Number);
      return [[i * size, j * size, (i + 1) * size, (j + 1) * size], n];
    }));
    const rendered = cfg.eventTypes.reduce((n, t) => n + overlays[t.id].cluster.getLayers().length, 0);
    const matched = collection.numberMatched === undefined ? collection.features.length : collection.numberMatched;
    const about = collection.numberMatchedExact === false ? "about " : "";
    showCount(`${about}${matched} incident${matched === 1 ? "" : "s"} ${cfg.data ? "match" : "in view"}` +
      (rendered < matched ? ` (the first ${rendered} are drawn; narrow the filter to see all)` : ""),
    rendered, matched, "incidents");
  }

  function showCount(text, rendered, matched, mode) {
    const count = document.getElementById("im-count");
    count.textContent = text;
    count.dataset.rendered = String(rendered);
    count.dataset.matched = String(matched);
    count.dataset.mode = mode;
  }

  // cells: [[west, south, east, north], count] in lon, lat
  function fillHeat(cells) {
    const max = Math.max(1, ...cells.map((c) => c[1]));
    overlays.heat.layer.clearLayers();
    cells.forEach(([[west, south, east, north], n]) => {
      const share = n / max;
      L.rectangle(L.latLngBounds(toLatLng([west, south]), toLatLng([east, north])), {
        stroke: false, fillColor: share > 0.66 ? "#b2182b" : share > 0.33 ? "#ef8a62" : "#fddbc7",
        fillOpacity: 0.25 + 0.45 * share, interactive: false,
      }).addTo(overlays.heat.layer);
    });
  }

  function typeShown(id) {
    const overlay = overlays[id] || overlays.other;
    return map.hasLayer(overlay.layer);
  }

  // numbered circles, one per grid cell, counting the event types whose layer is on
  function fillAggregates(grid) {
    lastAggregate = grid;
    aggregates.clearLayers();
    const cells = grid.features.map((f) => {
      const shown = Object.entries(f.properties.by_type).reduce((n, [t, c]) => n + (typeShown(t) ? c : 0), 0);
      return [f, shown];
    }).filter(([, n]) => n > 0);
    const max = Math.max(1, ...cells.map((c) => c[1]));
    cells.forEach(([f, n]) => {
      const p = f.properties;
      const diameter = Math.round(22 + 8 * Math.log10(n)); // 22 px for 1, 54 px for 10,000
      const share = Math.log(n + 1) / Math.log(max + 1);
      const marker = L.marker(toLatLng(f.geometry.coordinates), {
        icon: L.divIcon({ className: `im-agg ${share > 0.66 ? "im-agg-high" : share > 0.33 ? "im-agg-mid" : "im-agg-low"}`,
          html: "", iconSize: [diameter, diameter] }),
        keyboard: true, riseOnHover: true,
      });
      marker.on("add", function () {
        const node = this.getElement();
        node.textContent = n >= 10000 ? `${Math.round(n / 1000)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
        node.dataset.count = String(n);
        node.setAttribute("aria-label", `${n} incidents; zoom in`);
      });
      const [west, south, east, north] = p.bbox;
      marker.on("click", () => map.fitBounds(L.latLngBounds(toLatLng([west, south]), toLatLng([east, north])),
        { padding: [40, 40], maxZoom: 18 }));
      marker.bindTooltip(() => {
        const parts = Object.entries(p.by_type).filter(([t]) => typeShown(t)).slice(0, 3)
          .map(([t, c]) => `${c} ${(overlays[t] || overlays.other).label.toLowerCase()}`);
        return el("span", `${n} incidents: ${parts.join(", ")}${Object.keys(p.by_type).length > 3 ? ", …" : ""}. ` +
          "Click to zoom in.");
      });
      aggregates.addLayer(marker);
    });
    fillHeat(cells.map(([f, n]) => [f.properties.cell, n]));
    const shown = cells.reduce((total, c) => total + c[1], 0);
    showCount(`${grid.numberMatched} incidents in view, counted by area` +
      (shown < grid.numberMatched ? ` (${shown} in the layers shown)` : "") + "; zoom in to see them one by one",
    0, grid.numberMatched, "aggregate");
  }

  // ---- vector tiles --------------------------------------------------------------------------

  function tileStyle(props, zoom) {
    const type = cfg.eventTypes.find((t) => t.id === props.event_type) || cfg.eventTypes.find((t) => t.id === "other");
    if (!typeShown(type.id)) return []; // an empty list: the feature is not drawn
    const n = Number(props.count) || 1;
    if (zoom === map.getZoom()) {
      if (props.id !== undefined && n === 1) tileSeen.set(String(props.id), props); else tileCells += n;
    }
    const cell = props.id === undefined;
    return { radius: cell ? Math.round(6 + 4 * Math.log10(n)) : 6, color: cell ? "#7f1d1d" : type.colour,
      weight: cell ? 1 : 1.5, fillColor: type.colour, fillOpacity: cell ? 0.55 : 0.85, fill: true,
      className: cell ? "im-tile-cell" : "im-tile-incident" };
  }

  function tileUrl() {
    const params = filterParams();
    params.delete("bbox"); // the tile is the box
    const query = params.toString();
    return query ? `${TILE_URL}?${query}` : TILE_URL;
  }

  function showTileCount() {
    const n = tileSeen.size;
    showCount(`${n} incident${n === 1 ? "" : "s"} drawn from vector tiles` +
      (tileCells ? `, and about ${tileCells} more counted by area (zoom in)` : ""), n, n + tileCells, "tiles");
  }

  async function tilePopup(event) {
    const props = event.layer.properties || {};
    if (props.id === undefined) { // a cell's count: zoom in on it
      map.setView(event.latlng, Math.min(map.getMaxZoom(), map.getZoom() + 2));
      return;
    }
    const feature = await getJSON(`/collections/incidents/items/${encodeURIComponent(props.id)}?f=json`);
    const type = cfg.eventTypes.find((t) => t.id === feature.properties.event_type) || cfg.eventTypes[0];
    L.popup({ maxWidth: 320 }).setLatLng(event.latlng).setContent(popupFor(feature, type)).openOn(map);
  }

  function refreshTiles() {
    tileSeen = new Map();
    tileCells = 0;
    if (!vectorTiles) {
      vectorTiles = L.vectorGrid.protobuf(tileUrl(), {
        vectorTileLayerStyles: { incidents: tileStyle }, interactive: true, maxNativeZoom: 18, maxZoom: 18,
        pane: "overlayPane", getFeatureId: (f) => f.properties.id,
      });
      vectorTiles.on("click", (e) => { tilePopup(e).catch((error) => showCount(error.message, 0, 0, "tiles")); });
      vectorTiles.on("load", () => {
        showTileCount();
        document.body.dataset.mode = "tiles";
        document.body.dataset.drawn = String(++fetchSeq);
      });
      map.on("zoomstart", () => { tileSeen = new Map(); tileCells = 0; });
      vectorTiles.addTo(map);
    } else {
      vectorTiles.setUrl(tileUrl()); // redraws every tile with the new filters
    }
  }

  async function loadSites() {
    const collection = cfg.data ? cfg.data.sites : await getJSON(`/collections/sites/items?limit=${VIEW_LIMIT}&f=geojson`);
    collection.features.forEach((feature) => {
      const p = feature.properties;
      if (feature.geometry.type === "Point") {
        L.circleMarker(toLatLng(feature.geometry.coordinates), {
          radius: 4, color: "#222", weight: 1, fillColor: "#fff", fillOpacity: 1, className: "im-site",
        }).bindTooltip(el("span", p.name)).addTo(overlays.sites.layer);
      } else {
        L.geoJSON(feature, { style: { color: "#444", weight: 1.5, dashArray: "4 3", fillOpacity: 0.06 } })
          .bindTooltip(el("span", p.name)).addTo(overlays.areas.layer);
      }
    });
  }

  async function loadBasemap() {
    map.createPane("basemap");
    map.getPane("basemap").style.zIndex = 150; // under the tiles: shows wherever tiles do not load
    const get = async (name) => (cfg.data && cfg.data.basemap ? cfg.data.basemap[name]
      : getJSON(`/basemap/${name}.geojson`));
    const [countries, lines, coast, towns] = await Promise.all(
      ["countries", "governorate_lines", "coastline", "towns"].map(get));
    L.geoJSON(countries, { pane: "basemap", interactive: false,
      style: (f) => ({ color: "#7a7a7a", weight: 1, fillColor: f.properties.focus ? "#f4f1e8" : "#e3e3e0",
        fillOpacity: 1 }) }).addTo(map);
    L.geoJSON(lines, { pane: "basemap", interactive: false, style: { color: "#b3aea0", weight: 0.7, dashArray: "3 3" } })
      .addTo(map);
    L.geoJSON(coast, { pane: "basemap", interactive: false, style: { color: "#8aa6c1", weight: 1 } }).addTo(map);
    const labels = L.layerGroup().addTo(map);
    towns.features.slice(0, 60).forEach((f) => {
      L.circleMarker(toLatLng(f.geometry.coordinates), { pane: "basemap", radius: 2, color: "#555", weight: 1,
        interactive: false }).addTo(labels);
      L.marker(toLatLng(f.geometry.coordinates), { pane: "basemap", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "im-town", html: "", iconSize: null }) })
        .on("add", function () { this.getElement().textContent = f.properties.name; }).addTo(labels);
    });
    map.getContainer().style.background = "#c9dbe9"; // the sea, where nothing is drawn
  }

  function addControls() {
    if (cfg.tiles && cfg.tiles !== "none") {
      L.tileLayer(cfg.tiles, { attribution: cfg.tilesAttribution, maxZoom: 18 }).addTo(map);
    }
    map.attributionControl.addAttribution("Borders: Natural Earth; towns: GeoNames");
    L.control.scale({ imperial: false, position: "bottomright" }).addTo(map);
    const control = {};
    const wanted = state.layers ? new Set(state.layers.split(",")) : null;
    Object.entries(overlays).forEach(([id, o]) => {
      const swatch = o.type ? `<span class="im-swatch" style="background:${o.type.colour}"></span>` : "";
      control[`${swatch}${o.label}`] = o.layer;
      o.layer.id = id;
      const on = wanted ? wanted.has(id) : id !== "heat";
      if (on) o.layer.addTo(map);
    });
    L.control.layers(null, control, { collapsed: cfg.mode === "embed" }).addTo(map);
    const sync = () => {
      state.layers = Object.entries(overlays).filter(([, o]) => map.hasLayer(o.layer)).map(([id]) => id).join(",");
      writeState();
    };
    map.on("overlayadd overlayremove", sync);
    map.on("overlayadd overlayremove", () => { if (lastAggregate) fillAggregates(lastAggregate); });
    map.on("overlayadd overlayremove", () => { if (vectorTiles) refreshTiles(); });
    map.on("moveend", () => {
      const c = map.getCenter();
      Object.assign(state, { lat: c.lat.toFixed(4), lon: c.lng.toFixed(4), zoom: String(map.getZoom()) });
      writeState();
      // a new view asks the server again (zoomend ends in a moveend too); a pan in progress waits
      if (!cfg.data && days.length && cfg.source !== "tiles") { // tiles follow the view by themselves
        clearTimeout(moveTimer);
        moveTimer = setTimeout(requestRefresh, MOVE_DEBOUNCE_MS);
      }
    });
  }

  // ---- time filter --------------------------------------------------------------------------

  function drawHistogram() {
    const canvas = document.getElementById("im-histogram");
    const width = canvas.clientWidth || 300;
    canvas.width = width;
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, width, canvas.height);
    if (!days.length) return;
    const from = Number(document.getElementById("im-from").value);
    const to = Number(document.getElementById("im-to").value);
    const perPixel = Math.max(1, Math.ceil(days.length / width));
    const bins = [];
    for (let i = 0; i < days.length; i += perPixel) {
      let n = 0;
      for (let k = i; k < Math.min(days.length, i + perPixel); k++) n += counts[isoDay(days[k])] || 0;
      bins.push([i, n]);
    }
    const max = Math.max(1, ...bins.map((b) => b[1]));
    const barWidth = width / bins.length;
    bins.forEach(([i, n], b) => {
      ctx.fillStyle = i >= from && i <= to ? "#b2182b" : "#c7c7c7";
      const h = Math.round((n / max) * (canvas.height - 2));
      ctx.fillRect(b * barWidth, canvas.height - h, Math.max(1, barWidth - 0.5), h);
    });
  }

  function currentSpan() {
    let from = Number(document.getElementById("im-from").value);
    let to = Number(document.getElementById("im-to").value);
    if (from > to) [from, to] = [to, from];
    return [from, to];
  }

  function applyTime() {
    const [from, to] = currentSpan();
    document.getElementById("im-from-label").textContent = days.length ? isoDay(days[from]) : "";
    document.getElementById("im-to-label").textContent = days.length ? isoDay(days[to]) : "";
    state.datetime = days.length ? `${isoDay(days[from])}/${isoDay(days[to])}` : "";
    drawHistogram();
    writeState();
    requestRefresh();
  }

  // one request at a time: the first move fetches at once, moves during it ask for one more after
  let inFlight = false, again = false;
  function requestRefresh() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    refresh().finally(() => {
      inFlight = false;
      if (again) { again = false; requestRefresh(); }
    });
  }

  async function refresh() {
    if (cfg.source === "tiles") { refreshTiles(); return; }
    const seq = ++fetchSeq;
    const [from, to] = currentSpan();
    const view = cfg.data ? { mode: "incidents", collection: localItems(days[from], days[to] + DAY - 1000) }
      : await viewData();
    if (seq !== fetchSeq) return; // an answer to an older request is dropped
    if (view.mode === "aggregate") {
      fillIncidents({ features: [], numberMatched: 0 });
      fillAggregates(view.grid);
    } else {
      aggregates.clearLayers();
      lastAggregate = null;
      fillIncidents(view.collection);
    }
    document.body.dataset.mode = view.mode;
    document.body.dataset.drawn = String(seq);
  }

  function setSpan(from, to) {
    document.getElementById("im-from").value = String(Math.max(0, from));
    document.getElementById("im-to").value = String(Math.min(days.length - 1, to));
    applyTime();
  }

  function setupTime(extentStart, extentEnd) {
    const start = Date.parse(`${extentStart.slice(0, 10)}T00:00:00Z`);
    const end = Date.parse(`${extentEnd.slice(0, 10)}T00:00:00Z`);
    days = [];
    for (let t = start; t <= end; t += DAY) days.push(t);
    const last = days.length - 1;
    ["im-from", "im-to"].forEach((id) => {
      const input = document.getElementById(id);
      input.max = String(last);
      input.addEventListener("input", () => applyTime());
    });
    let from = 0, to = last;
    if (state.datetime && state.datetime.includes("/")) {
      const [a, b] = state.datetime.split("/");
      const index = (day, fallback) => {
        const t = Date.parse(`${day.slice(0, 10)}T00:00:00Z`);
        return Number.isNaN(t) ? fallback : Math.round((t - start) / DAY);
      };
      from = Math.max(0, Math.min(last, index(a, 0)));
      to = Math.max(0, Math.min(last, index(b, last)));
    }
    document.querySelectorAll("[data-preset]").forEach((button) => {
      button.addEventListener("click", () => {
        stopPlay();
        const n = button.dataset.preset;
        if (n === "all") setSpan(0, last); else setSpan(last - Number(n) + 1, last);
      });
    });
    document.getElementById("im-play").addEventListener("click", () => (playTimer ? stopPlay() : startPlay()));
    setSpan(from, to);
  }

  function startPlay() {
    let [from, to] = currentSpan();
    const width = Math.max(0, to - from);
    if (to >= days.length - 1) { from = 0; to = width; }
    const step = width >= 14 ? 7 : 1;
    const button = document.getElementById("im-play");
    button.setAttribute("aria-pressed", "true");
    button.textContent = "❚❚ Pause";
    setSpan(from, to);
    playTimer = setInterval(() => {
      const [a, b] = currentSpan();
      if (b >= days.length - 1) { stopPlay(); return; }
      setSpan(a + step, Math.min(days.length - 1, b + step));
    }, 900);
  }

  function stopPlay() {
    clearInterval(playTimer);
    playTimer = null;
    const button = document.getElementById("im-play");
    button.setAttribute("aria-pressed", "false");
    button.textContent = "▶ Play";
  }

  // ---- start ----------------------------------------------------------------------------------

  async function start() {
    cfg = window.INCIDENTMAP;
    map = cfg.map;
    map.setMinZoom(3);
    map.setMaxZoom(18); // the clusters need a top zoom; folium gives one only to tile layers
    canvas = L.canvas({ padding: 0.3 }); // thousands of incidents draw far faster on one canvas than as SVG
    readState();
    makeOverlays();
    aggregates = L.layerGroup().addTo(map);
    addControls();
    const embed = document.getElementById("im-embed");
    if (embed) embed.addEventListener("click", () => document.getElementById("im-embed-code").classList.toggle("im-hidden"));
    await loadBasemap();
    await loadSites();
    let interval, perDay;
    if (cfg.data) {
      interval = cfg.data.interval;
      perDay = cfg.data.counts;
    } else {
      const collection = await getJSON("/collections/incidents?f=json");
      interval = collection.extent.temporal.interval[0];
      const params = filterParams();
      params.delete("datetime");
      perDay = (await getJSON(`/collections/incidents/counts?${params}`)).counts;
    }
    perDay.forEach((c) => { counts[c.date] = c.count; });
    if (interval && interval[0]) setupTime(interval[0], interval[1]);
    else document.getElementById("im-count").textContent = "No incidents yet";
    document.body.dataset.ready = "true";
  }

  window.addEventListener("load", () => {
    start().catch((error) => {
      const count = document.getElementById("im-count");
      if (count) count.textContent = `The map could not load its data: ${error.message}`;
      throw error;
    });
  });
})();
