// Starts the map once the page has loaded: configuration, layers, controls, the timeline, then the data.
"use strict";

(function () {
  const im = window.incidentmap = window.incidentmap || {};

  async function start() {
    const cfg = im.cfg = window.INCIDENTMAP;
    const map = im.map = cfg.map;
    map.setMinZoom(3);
    map.setMaxZoom(18); // the clusters need a top zoom; folium gives one only to tile layers
    im.canvas = L.canvas({ padding: 0.3 }); // thousands of incidents draw far faster on one canvas than as SVG
    im.readState();
    im.makeOverlays();
    im.addControls();
    const embed = document.getElementById("im-embed");
    if (embed) embed.addEventListener("click", () => document.getElementById("im-embed-code").classList.toggle("im-hidden"));
    await im.loadBasemap();
    await im.loadSites();
    let interval, perDay;
    if (cfg.data) {
      interval = cfg.data.interval;
      perDay = cfg.data.counts;
    } else {
      const collection = await im.getJSON("/collections/incidents?f=json");
      interval = collection.extent.temporal.interval[0];
      const params = im.filterParams();
      params.delete("datetime");
      perDay = (await im.getJSON(`/collections/incidents/counts?${params}`)).counts;
    }
    perDay.forEach((c) => { im.counts[c.date] = c.count; });
    if (interval && interval[0]) im.setupTime(interval[0], interval[1]);
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
