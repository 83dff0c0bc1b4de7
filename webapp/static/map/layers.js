// The map's layers: incident markers in clusters per event type, halos of imprecise places, counts per
// area (aggregates), the heat map, known sites and areas, the offline basemap, and the layer control.
"use strict";

(function () {
  const im = window.incidentmap = window.incidentmap || {};
  const el = (...args) => im.el(...args);
  const toLatLng = (c) => im.toLatLng(c);
  let aggregates, lastAggregate = null, moveTimer = null;

  function markerFor(feature, type) {
    const p = feature.properties;
    const exact = (p.geo_precision || 1) === 1;
    const marker = im.precisionMarker ? im.precisionMarker(feature, type) : L.circleMarker(toLatLng(feature.geometry.coordinates), {
      renderer: im.canvas, radius: exact ? 7 : 8, color: type.colour, weight: exact ? 1.5 : 2, fillColor: type.colour,
      fillOpacity: exact ? 0.85 : 0.08, dashArray: exact ? null : "3 3", className: "im-incident",
    });
    marker.bindPopup(() => im.popupFor(feature, type), { maxWidth: 320 });
    marker.bindTooltip(() => el("span", `${type.label}, ${p.date_from}`)); // built on hover, not for all 10,000
    return marker;
  }

  function halo(feature, type) {
    const radius = feature.properties.geo_precision === 3 ? 40000 : 8000;
    return L.circle(toLatLng(feature.geometry.coordinates), {
      renderer: im.canvas, radius, color: type.colour, weight: 1, opacity: 0.3, fillOpacity: 0.04, interactive: false,
    });
  }

  im.makeOverlays = function () {
    const overlays = im.overlays;
    im.cfg.eventTypes.forEach((type) => {
      const cluster = L.markerClusterGroup({ spiderfyOnMaxZoom: true, showCoverageOnHover: false,
        maxClusterRadius: 35, zoomToBoundsOnClick: true });
      const halos = L.layerGroup();
      overlays[type.id] = { layer: L.layerGroup([halos, cluster]), cluster, halos, label: type.label, type };
    });
    overlays.sites = { layer: L.layerGroup(), label: "Known sites" };
    overlays.areas = { layer: L.layerGroup(), label: "Areas (Green Zone, Kirkuk)" };
    overlays.heat = { layer: L.layerGroup(), label: "Heat map (incidents per cell)" };
    aggregates = L.layerGroup().addTo(im.map);
    const pane = im.map.createPane("im-highlight");
    pane.style.zIndex = 650; // above the markers (600), under the popups
    pane.style.pointerEvents = "none";
    highlights = L.layerGroup().addTo(im.map);
    if (im.shareClusters) im.shareClusters(); // clusters.js: one group, rings of the type colours
  };

  // a ring around one incident, over whatever draws it (a marker, a cluster, a count by area):
  // the list's hovered or focused row, or the incident whose details are open
  let highlights, hovered = null, selected = null;
  function ring(feature, className) {
    return L.circleMarker(toLatLng(feature.geometry.coordinates), { radius: 15, color: "#111", weight: 3,
      opacity: 0.9, fill: false, interactive: false, className, pane: "im-highlight" });
  }

  im.highlight = function (feature, select) {
    if (!feature.geometry || !highlights) return;
    if (select) {
      if (selected) highlights.removeLayer(selected);
      selected = ring(feature, "im-selected").addTo(highlights);
      return;
    }
    im.unhighlight();
    hovered = ring(feature, "im-highlight").addTo(highlights);
    const node = hovered.getElement();
    if (node) node.dataset.id = String(feature.id);
  };

  im.unhighlight = function (both) {
    if (hovered) highlights.removeLayer(hovered);
    hovered = null;
    if (both && selected) { highlights.removeLayer(selected); selected = null; }
  };

  // what is drawn, by incident id: a new time span only adds and removes the difference
  const drawnById = new Map();

  im.fillIncidents = function (collection) {
    const overlays = im.overlays;
    const byType = Object.fromEntries(im.cfg.eventTypes.map((t) => [t.id, t]));
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
    const rendered = im.cfg.eventTypes.reduce((n, t) => n + overlays[t.id].cluster.getLayers().length, 0);
    const matched = collection.numberMatched === undefined ? collection.features.length : collection.numberMatched;
    const about = collection.numberMatchedExact === false ? "about " : "";
    im.showCount(`${about}${matched} incident${matched === 1 ? "" : "s"} ${im.cfg.data ? "match" : "in view"}` +
      (rendered < matched ? ` (the first ${rendered} are drawn; narrow the filter to see all)` : ""),
    rendered, matched, "incidents");
  };

  // cells: [[west, south, east, north], count] in lon, lat
  function fillHeat(cells) {
    const max = Math.max(1, ...cells.map((c) => c[1]));
    im.overlays.heat.layer.clearLayers();
    cells.forEach(([[west, south, east, north], n]) => {
      const share = n / max;
      L.rectangle(L.latLngBounds(toLatLng([west, south]), toLatLng([east, north])), {
        stroke: false, fillColor: share > 0.66 ? "#b2182b" : share > 0.33 ? "#ef8a62" : "#fddbc7",
        fillOpacity: 0.25 + 0.45 * share, interactive: false,
      }).addTo(im.overlays.heat.layer);
    });
  }

  im.typeShown = function (id) {
    const overlay = im.overlays[id] || im.overlays.other;
    return im.map.hasLayer(overlay.layer);
  };

  // numbered circles, one per grid cell, counting the event types whose layer is on
  function fillAggregates(grid) {
    const map = im.map;
    lastAggregate = grid;
    aggregates.clearLayers();
    const cells = grid.features.map((f) => {
      const shown = Object.entries(f.properties.by_type).reduce((n, [t, c]) => n + (im.typeShown(t) ? c : 0), 0);
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
        const parts = Object.entries(p.by_type).filter(([t]) => im.typeShown(t)).slice(0, 3)
          .map(([t, c]) => `${c} ${(im.overlays[t] || im.overlays.other).label.toLowerCase()}`);
        return el("span", `${n} incidents: ${parts.join(", ")}${Object.keys(p.by_type).length > 3 ? ", …" : ""}. ` +
          "Click to zoom in.");
      });
      aggregates.addLayer(marker);
    });
    fillHeat(cells.map(([f, n]) => [f.properties.cell, n]));
    const shown = cells.reduce((total, c) => total + c[1], 0);
    im.showCount(`${grid.numberMatched} incidents in view, counted by area` +
      (shown < grid.numberMatched ? ` (${shown} in the layers shown)` : "") + "; zoom in to see them one by one",
    0, grid.numberMatched, "aggregate");
  }

  im.loadSites = async function () {
    const cfg = im.cfg;
    const collection = cfg.data ? cfg.data.sites : await im.getJSON(`/collections/sites/items?limit=${im.VIEW_LIMIT}&f=geojson`);
    collection.features.forEach((feature) => {
      const p = feature.properties;
      if (feature.geometry.type === "Point") {
        L.circleMarker(toLatLng(feature.geometry.coordinates), {
          radius: 4, color: "#222", weight: 1, fillColor: "#fff", fillOpacity: 1, className: "im-site",
        }).bindTooltip(el("span", p.name)).addTo(im.overlays.sites.layer);
      } else {
        L.geoJSON(feature, { style: { color: "#444", weight: 1.5, dashArray: "4 3", fillOpacity: 0.06 } })
          .bindTooltip(el("span", p.name)).addTo(im.overlays.areas.layer);
      }
    });
    return collection;
  };

  im.loadBasemap = async function () {
    const cfg = im.cfg, map = im.map;
    map.createPane("basemap");
    map.getPane("basemap").style.zIndex = 150; // under the tiles: shows wherever tiles do not load
    const get = async (name) => (cfg.data && cfg.data.basemap ? cfg.data.basemap[name]
      : im.getJSON(`/basemap/${name}.geojson`));
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
  };

  im.addControls = function () {
    const cfg = im.cfg, map = im.map, state = im.state, overlays = im.overlays;
    if (cfg.tiles && cfg.tiles !== "none") {
      L.tileLayer(cfg.tiles, { attribution: cfg.tilesAttribution, maxZoom: 18 }).addTo(map);
    }
    map.attributionControl.addAttribution("Borders: Natural Earth; towns: GeoNames");
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    const control = {};
    const wanted = state.layers ? new Set(state.layers.split(",")) : null;
    Object.entries(overlays).forEach(([id, o]) => {
      const swatch = o.type ? `<span class="im-swatch" style="background:${o.type.colour}"></span>` : "";
      control[`${swatch}${o.label}`] = o.layer;
      o.layer.id = id;
      const on = wanted ? wanted.has(id) : id !== "heat";
      if (on) o.layer.addTo(map);
    });
    // one control is both the layer switch and the legend: colours per type, and what a dashed ring means
    const narrow = window.matchMedia && window.matchMedia("(max-width: 640px)").matches;
    const layers = L.control.layers(null, control, { collapsed: cfg.mode === "embed" || narrow,
      position: cfg.mode === "embed" || narrow ? "topright" : "bottomleft" }).addTo(map);
    const box = layers.getContainer();
    box.setAttribute("aria-label", "Layers and legend");
    if (im.precisionKey) im.precisionKey(box.querySelector(".leaflet-control-layers-list")); else {
      const key = el("div", null, { class: "im-legend-key" });
      key.appendChild(el("span", null, { class: "im-swatch im-hollow", "aria-hidden": "true" }));
      key.appendChild(el("span", "dashed ring: near a place, or only its area"));
      box.querySelector(".leaflet-control-layers-list").appendChild(key);
    }
    const sync = () => {
      state.layers = Object.entries(overlays).filter(([, o]) => map.hasLayer(o.layer)).map(([id]) => id).join(",");
      im.writeState();
    };
    map.on("overlayadd overlayremove", sync);
    map.on("overlayadd overlayremove", () => { if (lastAggregate) fillAggregates(lastAggregate); });
    map.on("overlayadd overlayremove", () => { if (im.tilesActive()) im.refreshTiles(); });
    map.on("moveend", () => {
      const c = map.getCenter();
      Object.assign(state, { lat: c.lat.toFixed(4), lon: c.lng.toFixed(4), zoom: String(map.getZoom()) });
      im.writeState();
      // a new view asks the server again (zoomend ends in a moveend too); a pan in progress waits
      if (!cfg.data && im.days.length && cfg.source !== "tiles") { // tiles follow the view by themselves
        clearTimeout(moveTimer);
        moveTimer = setTimeout(im.requestRefresh, im.MOVE_DEBOUNCE_MS);
      }
    });
  };

  // draw what is in view under the filters (the API, or the embedded data of a standalone export)
  im.refresh = async function () {
    if (im.refreshList) im.refreshList().catch((error) => im.showCount(error.message, 0, 0, "incidents"));
    if (im.cfg.source === "tiles") { im.refreshTiles(); return; }
    const seq = ++im.fetchSeq;
    const [from, to] = im.currentSpan();
    const view = im.cfg.data ? { mode: "incidents", collection: im.localItems(im.days[from], im.days[to] + im.DAY - 1000) }
      : await im.viewData();
    if (seq !== im.fetchSeq) return; // an answer to an older request is dropped
    if (view.mode === "aggregate") {
      im.fillIncidents({ features: [], numberMatched: 0 });
      fillAggregates(view.grid);
    } else {
      aggregates.clearLayers();
      lastAggregate = null;
      im.fillIncidents(view.collection);
    }
    document.body.dataset.mode = view.mode;
    document.body.dataset.drawn = String(seq);
  };
})();
