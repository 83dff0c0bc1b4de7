// Starts the map once the page has loaded: configuration, layers, controls, the filters, the list,
// the timeline, then the data; and opens the incident the URL names (incident=<id>).
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
    im.setupFilters();
    im.setupList();
    im.setupDetails();
    if (im.setupChart) im.setupChart(); // the trend chart (chart.js), following the filters and time range
    im.onFiltersChange(() => im.loadCounts().then(im.drawHistogram).catch(() => {}));
    const embed = document.getElementById("im-embed");
    if (embed) embed.addEventListener("click", () => document.getElementById("im-embed-code").classList.toggle("im-hidden"));
    await im.loadBasemap();
    im.fillSiteChoices(await im.loadSites());
    const interval = cfg.data ? cfg.data.interval
      : (await im.getJSON("/collections/incidents?f=json")).extent.temporal.interval[0];
    im.interval = interval; // the data's first and last day: the timeline's ends
    await im.loadCounts();
    if (interval && interval[0]) im.setupTime(interval[0], interval[1]);
    else document.getElementById("im-count").textContent = "No incidents yet";
    if (im.state.incident) { // a deep link: fly there and open its details
      await im.openIncident(im.state.incident, { focus: false }).catch(() => im.showMissing(im.state.incident));
    }
    document.body.dataset.ready = "true";
  }

  window.addEventListener("load", () => {
    start().catch((error) => {
      const count = document.getElementById("im-count");
      if (count) count.textContent = `The map could not load its data: ${error.message}`;
      document.body.dataset.ready = "error";
      throw error;
    });
  });
})();
