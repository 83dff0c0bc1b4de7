// An incident placed only to its governorate (geo_precision 3) drawn as that area: while its list row
// is hovered or focused, or its details are open, the governorate is outlined on the map (the areas
// of data/basemap/governorates.geojson, served at /basemap/governorates.geojson).
"use strict";

(function () {
  const im = window.incidentmap = window.incidentmap || {};
  let areas = null; // the governorates' areas, fetched on first need
  const drawn = { hover: null, selected: null }; // {id, layer} of each outline shown

  async function loadAreas() {
    if (!areas) {
      areas = im.cfg.data && im.cfg.data.basemap && im.cfg.data.basemap.governorates
        ? Promise.resolve(im.cfg.data.basemap.governorates)
        : im.getJSON("/basemap/governorates.geojson");
      areas = areas.then((c) => c.features).catch((error) => { areas = null; throw error; });
    }
    return areas;
  }

  // ray casting over a polygon's rings (lon, lat): enough for a point in one of a few dozen areas
  function inRings(rings, [x, y]) {
    let inside = false;
    rings.forEach((ring) => {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i], [xj, yj] = ring[j];
        if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    });
    return inside;
  }

  function contains(geometry, point) {
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    return polygons.some((rings) => inRings(rings, point));
  }

  // the area of an incident's governorate: by its admin1 name (or alias) in its country, else the
  // area its point lies in
  im.areaOf = async function (feature) {
    const p = feature.properties || {};
    const all = await loadAreas();
    const name = String(p.admin1 || "").trim().toLowerCase();
    const country = (f) => !p.country_code || f.properties.country_code === p.country_code;
    const named = name && all.find((f) => country(f) && Object.hasOwn(f.properties.aliases, name));
    if (named) return named;
    const point = feature.geometry && feature.geometry.coordinates;
    return (point && all.find((f) => contains(f.geometry, point))) || null;
  };

  function clear(kind) {
    if (drawn[kind]) im.map.removeLayer(drawn[kind].layer);
    drawn[kind] = null;
    if (kind === "selected") document.querySelectorAll(".im-area-note").forEach((n) => n.remove());
  }

  // what the outline is: the governorate, or several the basemap draws no line between
  function areaText(feature, area) {
    const names = area.properties.governorates;
    const admin1 = String(feature.properties.admin1 || "").trim().toLowerCase();
    const own = (Object.hasOwn(area.properties.aliases, admin1) && area.properties.aliases[admin1]) || null;
    if (!own) return `${names.join(", ")} (the area its point lies in), outlined on the map`;
    if (names.length === 1) return `${own} governorate, outlined on the map`;
    const others = names.filter((n) => n !== own).join(", ");
    return `${own} governorate, outlined on the map together with ${others} (the offline basemap draws no ` +
      "boundary between them)";
  }

  function note(feature, area) {
    const panel = document.getElementById("im-details");
    const fields = panel && panel.dataset.incident === String(feature.id) && panel.querySelector(".im-fields");
    if (!fields) return;
    fields.appendChild(im.el("dt", "Area", { class: "im-area-note" }));
    fields.appendChild(im.el("dd", areaText(feature, area), { class: "im-area-note", dir: "auto" }));
  }

  async function drawArea(feature, kind) {
    const id = String(feature.id !== undefined ? feature.id : feature.properties.id);
    if (drawn[kind] && drawn[kind].id === id) return;
    clear(kind);
    if (!feature.properties || Number(feature.properties.geo_precision) !== 3 || !im.map) return;
    drawn[kind] = { id, layer: L.layerGroup() }; // claimed now: a later call replaces it while this one loads
    const mine = drawn[kind];
    const area = await im.areaOf(feature).catch(() => null);
    if (drawn[kind] !== mine || !area) return;
    const type = im.typeOf(feature.properties.event_type);
    const outline = L.geoJSON(area, { interactive: false, pane: im.map.getPane("im-highlight") ? "im-highlight" : "overlayPane",
      style: { color: type.colour, weight: kind === "selected" ? 3 : 2, opacity: 0.95, dashArray: "6 4",
        fillColor: type.colour, fillOpacity: 0.08, className: `im-area im-area-${kind}` } });
    mine.layer.addLayer(outline).addTo(im.map);
    outline.eachLayer((layer) => {
      const node = layer.getElement && layer.getElement();
      if (node) {
        node.dataset.incident = id;
        node.dataset.governorates = area.properties.governorates.join(",");
      }
    });
    if (kind === "selected") note(feature, area);
  }

  // hook into the highlights (layers.js) and the details panel (details.js), loaded before this file
  const highlight = im.highlight, unhighlight = im.unhighlight, showDetails = im.showDetails,
    closeDetails = im.closeDetails;
  im.highlight = function (feature, select) {
    highlight(feature, select);
    drawArea(feature, select ? "selected" : "hover");
  };
  im.unhighlight = function (both) {
    unhighlight(both);
    clear("hover");
    if (both) clear("selected");
  };
  im.showDetails = function (feature, options) {
    showDetails(feature, options);
    clear("selected"); // the panel was redrawn: outline and note drawn again for this incident
    drawArea(feature, "selected");
  };
  im.closeDetails = function () {
    closeDetails();
    clear("selected");
  };
})();
