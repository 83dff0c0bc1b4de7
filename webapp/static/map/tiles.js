// Tile mode (cfg.source "tiles"): incidents come from the collection's vector tiles, drawn by
// Leaflet.VectorGrid; a tile holds the incidents themselves, or counts per cell at low zoom or when dense.
"use strict";

(function () {
  const im = window.incidentmap = window.incidentmap || {};
  const TILE_URL = "/collections/incidents/tiles/WebMercatorQuad/{z}/{y}/{x}";
  let vectorTiles = null, tileSeen = new Map(), tileCells = 0;

  im.tilesActive = () => vectorTiles !== null;

  function tileStyle(props, zoom) {
    const types = im.cfg.eventTypes;
    const type = types.find((t) => t.id === props.event_type) || types.find((t) => t.id === "other");
    if (!im.typeShown(type.id)) return []; // an empty list: the feature is not drawn
    const n = Number(props.count) || 1;
    if (zoom === im.map.getZoom()) {
      if (props.id !== undefined && n === 1) tileSeen.set(String(props.id), props); else tileCells += n;
    }
    const cell = props.id === undefined;
    return { radius: cell ? Math.round(6 + 4 * Math.log10(n)) : 6, color: cell ? "#7f1d1d" : type.colour,
      weight: cell ? 1 : 1.5, fillColor: type.colour, fillOpacity: cell ? 0.55 : 0.85, fill: true,
      className: cell ? "im-tile-cell" : "im-tile-incident" };
  }

  function tileUrl() {
    const params = im.filterParams();
    params.delete("bbox"); // the tile is the box
    const query = params.toString();
    return query ? `${TILE_URL}?${query}` : TILE_URL;
  }

  function showTileCount() {
    const n = tileSeen.size;
    im.showCount(`${n} incident${n === 1 ? "" : "s"} drawn from vector tiles` +
      (tileCells ? `, and about ${tileCells} more counted by area (zoom in)` : ""), n, n + tileCells, "tiles");
  }

  async function tilePopup(event) {
    const map = im.map;
    const props = event.layer.properties || {};
    if (props.id === undefined) { // a cell's count: zoom in on it
      map.setView(event.latlng, Math.min(map.getMaxZoom(), map.getZoom() + 2));
      return;
    }
    const feature = await im.getJSON(`/collections/incidents/items/${encodeURIComponent(props.id)}?f=json`);
    const type = im.cfg.eventTypes.find((t) => t.id === feature.properties.event_type) || im.cfg.eventTypes[0];
    L.popup({ maxWidth: 320 }).setLatLng(event.latlng).setContent(im.popupFor(feature, type)).openOn(map);
  }

  im.refreshTiles = function () {
    tileSeen = new Map();
    tileCells = 0;
    if (!vectorTiles) {
      vectorTiles = L.vectorGrid.protobuf(tileUrl(), {
        vectorTileLayerStyles: { incidents: tileStyle }, interactive: true, maxNativeZoom: 18, maxZoom: 18,
        pane: "overlayPane", getFeatureId: (f) => f.properties.id,
      });
      vectorTiles.on("click", (e) => { tilePopup(e).catch((error) => im.showCount(error.message, 0, 0, "tiles")); });
      vectorTiles.on("load", () => {
        showTileCount();
        document.body.dataset.mode = "tiles";
        document.body.dataset.drawn = String(++im.fetchSeq);
      });
      im.map.on("zoomstart", () => { tileSeen = new Map(); tileCells = 0; });
      vectorTiles.addTo(im.map);
    } else {
      vectorTiles.setUrl(tileUrl()); // redraws every tile with the new filters
    }
  };
})();
