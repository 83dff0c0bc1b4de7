// The trend chart: incidents per day, week or month (the API's /trend picks by the range) stacked
// by type, and the killed and injured per period below, under the page's filters and time range.
// Drawn as SVG with an accessible name, and the same numbers in a table for screen readers.
"use strict";

(function () {
  const im = window.incidentmap = window.incidentmap || {};
  const SVG = "http://www.w3.org/2000/svg";
  const WIDTH = 300, BARS = 90, TOLLS = 36, GAP = 6; // viewBox units
  const KILLED = "#7f0000", INJURED = "#e08a00";
  let trendSeq = 0, lastQuery = null;

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, String(v)));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  im.trendParams = function () {
    const params = im.filterParams();
    const period = document.getElementById("im-trend-period");
    if (period && period.value !== "auto") params.set("period", period.value);
    return params;
  };

  // the same filters, time range and period as last drawn: nothing to fetch
  im.loadTrend = async function () {
    const box = document.getElementById("im-trend");
    if (!box || im.cfg.data) return;
    const query = String(im.trendParams());
    if (query === lastQuery) return;
    lastQuery = query;
    const seq = ++trendSeq;
    let doc;
    try {
      doc = await im.getJSON(`/collections/incidents/trend?${query}`);
    } catch (error) {
      if (seq === trendSeq) document.getElementById("im-trend-note").textContent = "No trend for these filters";
      lastQuery = null;
      return;
    }
    if (seq === trendSeq) im.drawTrend(doc);
  };

  im.drawTrend = function (doc) {
    const chart = document.getElementById("im-trend-chart");
    const table = document.getElementById("im-trend-table");
    const periods = doc.periods;
    const name = `Incidents per ${doc.period}`;
    chart.replaceChildren();
    chart.setAttribute("aria-label", `${name}, stacked by event type; killed and injured per ${doc.period} below`);
    chart.dataset.period = doc.period;
    chart.dataset.periods = String(periods.length);
    chart.appendChild(svg("title", {}, `${name}: ${doc.total} incidents, ${doc.killed} killed, ${doc.injured} injured`));
    const note = document.getElementById("im-trend-note");
    note.textContent = periods.length ? `${name}: ${doc.total} incidents, ${doc.killed} killed, ${doc.injured} injured`
      : "No incidents match these filters";
    document.getElementById("im-trend-heading").textContent = name;
    const maxCount = Math.max(1, ...periods.map((p) => p.count));
    const maxToll = Math.max(1, ...periods.map((p) => Math.max(p.killed, p.injured)));
    const step = WIDTH / Math.max(1, periods.length);
    const bar = Math.max(0.5, step * 0.85);
    const known = im.cfg.eventTypes.map((t) => t.id);
    const order = known.concat(doc.eventTypes.filter((t) => !known.includes(t)));
    periods.forEach((p, i) => {
      const x = i * step;
      let top = BARS;
      order.forEach((type) => {
        const n = p.byType[type];
        if (!n) return;
        const h = (n / maxCount) * (BARS - 4);
        top -= h;
        const rect = svg("rect", { x: x.toFixed(2), y: top.toFixed(2), width: bar.toFixed(2), height: h.toFixed(2),
          fill: im.typeOf(type).colour, "data-type": type });
        rect.appendChild(svg("title", {}, `${p.start}: ${n} ${im.typeOf(type).label}`));
        chart.appendChild(rect);
      });
      [[p.killed, KILLED, 0], [p.injured, INJURED, bar / 2]].forEach(([value, colour, offset]) => {
        if (!value) return;
        const h = (value / maxToll) * (TOLLS - 2);
        chart.appendChild(svg("rect", { x: (x + offset).toFixed(2), y: (BARS + GAP + TOLLS - h).toFixed(2),
          width: (bar / 2).toFixed(2), height: h.toFixed(2), fill: colour }));
      });
    });
    chart.appendChild(svg("line", { x1: 0, x2: WIDTH, y1: BARS + 0.5, y2: BARS + 0.5, stroke: "#555", "stroke-width": 0.5 }));
    chart.appendChild(svg("line", { x1: 0, x2: WIDTH, y1: BARS + GAP + TOLLS + 0.5, y2: BARS + GAP + TOLLS + 0.5,
      stroke: "#555", "stroke-width": 0.5 }));
    if (periods.length) {
      chart.appendChild(svg("text", { x: 0, y: BARS + GAP + TOLLS + 10, class: "im-trend-axis" }, periods[0].start));
      chart.appendChild(svg("text", { x: WIDTH, y: BARS + GAP + TOLLS + 10, "text-anchor": "end", class: "im-trend-axis" },
        periods[periods.length - 1].start));
      chart.appendChild(svg("text", { x: 2, y: 9, class: "im-trend-axis" }, `${maxCount} max`));
    }
    fillTable(table, doc, name, order);
  };

  function fillTable(table, doc, name, order) {
    const types = order.filter((t) => doc.eventTypes.includes(t));
    table.replaceChildren();
    table.appendChild(im.el("caption", `${name}, by event type, with killed and injured`));
    const head = im.el("tr");
    [doc.period === "day" ? "Day" : `${doc.period[0].toUpperCase()}${doc.period.slice(1)} from`, "Incidents"]
      .concat(types.map((t) => im.typeOf(t).label), ["Killed", "Injured"])
      .forEach((label) => head.appendChild(im.el("th", label, { scope: "col" })));
    table.appendChild(im.el("thead")).appendChild(head);
    const body = table.appendChild(im.el("tbody"));
    doc.periods.forEach((p) => {
      const row = body.appendChild(im.el("tr"));
      row.appendChild(im.el("th", p.start, { scope: "row" }));
      [p.count].concat(types.map((t) => p.byType[t] || 0), [p.killed, p.injured])
        .forEach((n) => row.appendChild(im.el("td", n)));
    });
  }

  im.setupChart = function () {
    if (!document.getElementById("im-trend")) return;
    const period = document.getElementById("im-trend-period");
    period.addEventListener("change", () => im.loadTrend());
    // every change of the URL's state (filters, time range) may change the trend's query
    const write = im.writeState;
    let pending = null;
    im.writeState = function () {
      write.apply(this, arguments);
      clearTimeout(pending);
      pending = setTimeout(() => im.loadTrend(), 150);
    };
    im.loadTrend();
  };
})();
