// incidentmap's map, shared core: one namespace (window.incidentmap), the state in the URL, fetch helpers.
// The modules (webapp.maps.MAP_MODULES) are plain scripts loaded in that order, no build step.
// Report text reaches the page only through textContent, never as HTML.
"use strict";

(function () {
  const im = window.incidentmap = window.incidentmap || {};

  im.DAY = 86400000;
  im.ITEM_LIMIT = 10000; // the download links' page size
  // A view shows incidents one by one when few are in it, else counts per grid cell from the
  // server (/aggregate): a million stored incidents never reach the browser, at most VIEW_LIMIT do.
  im.DETAIL_MAX = 2000; // at most this many in view: individual incidents
  im.VIEW_LIMIT = 5000; // never more features than this for one view
  im.MIN_DETAIL_ZOOM = 5; // below this zoom, always counts
  im.CLOSE_ZOOM = 15; // from this zoom, up to VIEW_LIMIT individual incidents
  im.MOVE_DEBOUNCE_MS = 200;

  // shared, mutable: set by start.js and the modules
  im.cfg = null; // window.INCIDENTMAP: the page's configuration and the Leaflet map
  im.map = null;
  im.canvas = null; // one canvas renderer for every incident marker
  im.days = []; // the timeline's days (ms since the epoch)
  im.counts = {}; // incidents per ISO day
  im.fetchSeq = 0;
  im.state = {};
  im.overlays = {};

  // GeoJSON is lon, lat; Leaflet wants lat, lng. This is the one place they swap.
  im.toLatLng = function (coordinates) {
    return [coordinates[1], coordinates[0]];
  };

  im.el = function (tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    return node;
  };

  im.isoDay = function (ms) {
    return new Date(ms).toISOString().slice(0, 10);
  };

  // ---- state in the URL ------------------------------------------------------------------

  im.FILTERS = ["event_type", "country_code", "site_id", "status", "perpetrator", "q", "min_killed", "min_injured",
    "bbox"];

  im.readState = function () {
    const params = new URLSearchParams(window.location.search);
    Object.assign(im.state, im.cfg.state || {});
    params.forEach((value, key) => { im.state[key] = value; });
  };

  im.writeState = function () {
    if (im.cfg.mode === "standalone") return;
    const params = new URLSearchParams();
    ["datetime", "layers", "lat", "lon", "zoom", "source", "incident"].concat(im.FILTERS).forEach((key) => {
      if (im.state[key]) params.set(key, im.state[key]);
    });
    window.history.replaceState(null, "", `${window.location.pathname}?${params}`);
    im.updateLinks(params);
  };

  im.filterParams = function () {
    const params = new URLSearchParams();
    im.FILTERS.forEach((key) => { if (im.state[key]) params.set(key, im.state[key]); });
    if (im.state.datetime) params.set("datetime", im.state.datetime);
    return params;
  };

  im.updateLinks = function (pageParams) {
    const data = im.filterParams();
    data.set("limit", String(im.ITEM_LIMIT));
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
  };

  // ---- data: the API, or the data embedded in a standalone export -------------------------------

  im.getJSON = async function (url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${response.status} for ${url}`);
    return response.json();
  };

  im.typeOf = function (id) {
    const types = im.cfg.eventTypes;
    return types.find((t) => t.id === id) || types.find((t) => t.id === "other") || types[0];
  };

  // "2023-11-28", or "2023-11-28 – 2023-12-04" when the day is not known
  im.whenText = function (p) {
    const from = p.date_from || p.date, to = p.date_to || from;
    return from === to ? from : `${from} – ${to}`;
  };

  im.spanOf = function (props) {
    const from = Date.parse(`${props.date_from || props.date}T00:00:00Z`);
    const to = Date.parse(`${props.date_to || props.date_from || props.date}T23:59:59Z`);
    return [from, to];
  };

  im.localItems = function (wantFrom, wantTo) {
    const all = im.cfg.data.incidents.features;
    const features = all.filter((f) => {
      const [from, to] = im.spanOf(f.properties);
      return from <= wantTo && to >= wantFrom;
    });
    return { features, numberMatched: features.length };
  };

  // the visible bounds as an API bbox (lon, lat; west > east where the view crosses the antimeridian)
  im.viewBbox = function () {
    const b = im.map.getBounds();
    const south = Math.max(-90, b.getSouth()), north = Math.min(90, b.getNorth());
    let west = b.getWest(), east = b.getEast();
    if (east - west >= 360) { west = -180; east = 180; } else {
      const wrap = (lon) => ((((lon + 180) % 360) + 360) % 360) - 180;
      west = wrap(west);
      east = wrap(east);
      if (east === -180 && b.getEast() > b.getWest()) east = 180;
    }
    let box = [west, south, east, north];
    const filter = (im.state.bbox || "").split(",").map(Number);
    if (filter.length === 4 && filter.every(Number.isFinite) && filter[0] <= filter[2] && west <= east) {
      box = [Math.max(west, filter[0]), Math.max(south, filter[1]), Math.min(east, filter[2]), Math.min(north, filter[3])];
      if (box[0] > box[2] || box[1] > box[3]) return null; // the filter's box is out of view
    }
    return box.map((v) => Number(v.toFixed(5))).join(",");
  };

  // what is in view under the filters: counts per cell always (cheap), the incidents when few
  im.viewData = async function () {
    const params = im.filterParams();
    const box = im.viewBbox();
    if (box === null) return { mode: "incidents", collection: { features: [], numberMatched: 0 } };
    params.set("bbox", box);
    const zoom = im.map.getZoom();
    const grid = await im.getJSON(`/collections/incidents/aggregate?${params}&zoom=${zoom}`);
    const total = grid.numberMatched;
    const few = (total <= im.DETAIL_MAX && zoom >= im.MIN_DETAIL_ZOOM) ||
      (total <= im.VIEW_LIMIT && zoom >= im.CLOSE_ZOOM);
    if (!few) return { mode: "aggregate", grid };
    if (!total) return { mode: "incidents", collection: { features: [], numberMatched: 0 } };
    params.set("limit", String(Math.min(im.VIEW_LIMIT, total)));
    return { mode: "incidents", collection: await im.getJSON(`/collections/incidents/items?${params}&f=geojson`) };
  };

  im.showCount = function (text, rendered, matched, mode) {
    const count = document.getElementById("im-count");
    count.textContent = text;
    count.dataset.rendered = String(rendered);
    count.dataset.matched = String(matched);
    count.dataset.mode = mode;
  };

  // one request at a time: the first move fetches at once, moves during it ask for one more after
  let inFlight = false, again = false;
  im.requestRefresh = function () {
    if (inFlight) { again = true; return; }
    inFlight = true;
    im.refresh().finally(() => {
      inFlight = false;
      if (again) { again = false; im.requestRefresh(); }
    });
  };
})();
