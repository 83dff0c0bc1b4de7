// Clusters that keep meaning: one cluster group for every event type, each cluster drawn as a ring
// of the type colours it holds (SVG) around its count; markers whose outline tells how precisely the
// incident is placed (exact site: filled; near it: dashed ring; only the area: dotted wide ring).
"use strict";

(function () {
  const im = window.incidentmap = window.incidentmap || {};
  const SVG = "http://www.w3.org/2000/svg";
  im.PRECISION = {
    1: { label: "at the named site or town", radius: 7, weight: 1.5, dash: null, fillOpacity: 0.85 },
    2: { label: "near it, or in its area", radius: 8, weight: 2, dash: "4 3", fillOpacity: 0.15 },
    3: { label: "only the governorate or region", radius: 10, weight: 2, dash: "1 4", fillOpacity: 0 },
  };

  im.precisionOf = function (props) {
    const p = Number(props.geo_precision) || 1;
    return im.PRECISION[p] ? p : 1;
  };

  im.precisionMarker = function (feature, type) {
    const style = im.PRECISION[im.precisionOf(feature.properties)];
    return L.circleMarker(im.toLatLng(feature.geometry.coordinates), {
      renderer: im.canvas, radius: style.radius, color: type.colour, weight: style.weight, fillColor: type.colour,
      fillOpacity: style.fillOpacity, dashArray: style.dash, className: "im-incident", imType: type.id,
    });
  };

  // the ring: one arc per type present, in the legend's order, proportional to its count
  im.clusterSvg = function (counts, total, size) {
    const r = size / 2 - 3, c = size / 2, circumference = 2 * Math.PI * r;
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", size);
    svg.setAttribute("height", size);
    svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
    svg.setAttribute("aria-hidden", "true");
    const disc = document.createElementNS(SVG, "circle");
    Object.entries({ cx: c, cy: c, r: r - 3, fill: "rgba(255,255,255,.92)" }).forEach(([k, v]) => disc.setAttribute(k, v));
    svg.appendChild(disc);
    let offset = 0;
    counts.forEach(([type, n]) => {
      const arc = document.createElementNS(SVG, "circle");
      const length = (n / total) * circumference;
      Object.entries({ cx: c, cy: c, r, fill: "none", stroke: type.colour, "stroke-width": 6,
        "stroke-dasharray": `${length} ${circumference - length}`, "stroke-dashoffset": String(-offset),
        transform: `rotate(-90 ${c} ${c})`, "data-type": type.id }).forEach(([k, v]) => arc.setAttribute(k, v));
      svg.appendChild(arc);
      offset += length;
    });
    const text = document.createElementNS(SVG, "text");
    Object.entries({ x: c, y: c, "text-anchor": "middle", "dominant-baseline": "central", class: "im-cluster-count" })
      .forEach(([k, v]) => text.setAttribute(k, v));
    text.textContent = total >= 1000 ? `${(total / 1000).toFixed(total >= 10000 ? 0 : 1)}k` : String(total);
    svg.appendChild(text);
    return svg;
  };

  im.clusterIcon = function (cluster) {
    const byType = {};
    cluster.getAllChildMarkers().forEach((m) => { byType[m.options.imType] = (byType[m.options.imType] || 0) + 1; });
    const counts = im.cfg.eventTypes.filter((t) => byType[t.id]).map((t) => [t, byType[t.id]]);
    const total = cluster.getChildCount();
    const size = Math.round(30 + 6 * Math.log10(total));
    const holder = document.createElement("div");
    holder.appendChild(im.clusterSvg(counts, total, size));
    const words = counts.map(([t, n]) => `${n} ${t.label.toLowerCase()}`).join(", ");
    // the marker is a button: its name is this text (serialised escaped, as textContent)
    holder.appendChild(im.el("span", `${total} incidents: ${words}; zoom in`, { class: "im-visually-hidden" }));
    return L.divIcon({ html: holder.innerHTML, className: "im-cluster", iconSize: [size, size] });
  };

  // one shared cluster group; each type's overlay adds or takes its markers out of it, so a base
  // struck by rockets and drones shows one ring of both colours, not two generic bubbles
  im.shareClusters = function () {
    const shared = L.markerClusterGroup({ spiderfyOnMaxZoom: true, showCoverageOnHover: false,
      maxClusterRadius: 35, zoomToBoundsOnClick: true, iconCreateFunction: im.clusterIcon });
    shared.addTo(im.map);
    im.sharedCluster = shared;
    im.cfg.eventTypes.forEach((type) => {
      const o = im.overlays[type.id];
      const members = new Set();
      o.layer = L.layerGroup([o.halos]);
      o.layer.on("add", () => shared.addLayers([...members]));
      o.layer.on("remove", () => shared.removeLayers([...members]));
      o.cluster = {
        addLayers(markers) {
          markers.forEach((m) => members.add(m));
          if (im.map.hasLayer(o.layer)) shared.addLayers(markers);
        },
        removeLayers(markers) {
          markers.forEach((m) => members.delete(m));
          shared.removeLayers(markers);
        },
        getLayers() { return [...members]; },
      };
    });
  };

  // the legend's key of precision: the three outlines
  im.precisionKey = function (box) {
    const key = im.el("div", null, { class: "im-legend-key im-precision-key" });
    [1, 2, 3].forEach((p) => {
      const row = key.appendChild(im.el("div"));
      row.appendChild(im.el("span", null, { class: `im-swatch im-precision-${p}`, "aria-hidden": "true" }));
      row.appendChild(im.el("span", im.PRECISION[p].label));
    });
    box.appendChild(key);
  };
})();
