// The time filter: two range inputs over the days of the data, a histogram of incidents per day,
// presets and play.
"use strict";

(function () {
  const im = window.incidentmap = window.incidentmap || {};
  const isoDay = (ms) => im.isoDay(ms);
  let playTimer = null;

  const SPAN_LIMIT = 500; // at most this many uncertain incidents drawn as spans
  const SPAN_STRIP = 16; // px at the top of the canvas for the spans
  const TREND_DAYS = 2000; // the trend endpoint's most periods (geo/trend.py MAX_PERIODS)
  // im.counts: {day: {type: n}} of the incidents whose day is known; im.spans: [from, to, type] of those
  // known only within a span, drawn as spans (never as a spike on their first day)
  im.spans = [];
  im.spansMatched = 0;
  let countsSeq = 0;

  im.drawHistogram = function () {
    const days = im.days, counts = im.counts;
    const canvas = document.getElementById("im-histogram");
    const width = canvas.clientWidth || 300;
    canvas.width = width;
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, width, canvas.height);
    if (!days.length) return;
    const from = Number(document.getElementById("im-from").value);
    const to = Number(document.getElementById("im-to").value);
    const types = im.cfg.eventTypes;
    const perPixel = Math.max(1, Math.ceil(days.length / width));
    const bins = [];
    for (let i = 0; i < days.length; i += perPixel) {
      const byType = {};
      for (let k = i; k < Math.min(days.length, i + perPixel); k++) {
        Object.entries(counts[isoDay(days[k])] || {}).forEach(([t, n]) => { byType[t] = (byType[t] || 0) + n; });
      }
      bins.push([i, byType, Object.values(byType).reduce((a, b) => a + b, 0)]);
    }
    const max = Math.max(1, ...bins.map((b) => b[2]));
    const barWidth = width / bins.length;
    const barsHeight = canvas.height - SPAN_STRIP;
    bins.forEach(([i, byType], b) => {
      ctx.globalAlpha = i >= from && i <= to ? 1 : 0.3;
      let y = canvas.height;
      types.forEach((type) => { // stacked in the legend's order
        const n = byType[type.id] || 0;
        if (!n) return;
        const h = Math.max(1, Math.round((n / max) * (barsHeight - 2)));
        ctx.fillStyle = type.colour;
        ctx.fillRect(b * barWidth, y - h, Math.max(1, barWidth - 0.5), h);
        y -= h;
      });
    });
    const start = days[0], dayWidth = width / days.length;
    im.spans.forEach(([a, z, t], n) => {
      const x0 = ((a - start) / im.DAY) * dayWidth;
      const x1 = ((z - start) / im.DAY + 1) * dayWidth;
      const ia = Math.round((a - start) / im.DAY), iz = Math.round((z - start) / im.DAY);
      ctx.globalAlpha = iz >= from && ia <= to ? 0.8 : 0.25;
      ctx.fillStyle = im.typeOf(t).colour;
      ctx.fillRect(x0, 2 + (n % 6) * 2.2, Math.max(2, x1 - x0), 1.6);
    });
    ctx.globalAlpha = 1;
    canvas.dataset.spans = String(im.spans.length);
  };

  // the incidents known to the day, per day and type (one trend request, with the page's filters), and
  // the newest SPAN_LIMIT of those known only within a span
  im.loadCounts = async function () {
    const mine = ++countsSeq;
    if (im.cfg.data) {
      im.counts = {};
      im.spans = [];
      im.cfg.data.incidents.features.forEach((f) => {
        const p = f.properties;
        const [a, z] = im.spanOf(p);
        if (isoDay(a) === isoDay(z)) {
          const day = (im.counts[isoDay(a)] = im.counts[isoDay(a)] || {});
          day[p.event_type] = (day[p.event_type] || 0) + 1;
        } else if (im.spans.length < SPAN_LIMIT) im.spans.push([a, z - im.DAY + 1000, p.event_type]);
      });
      im.spansMatched = im.spans.length;
      return;
    }
    const params = im.filterParams();
    params.delete("datetime");
    // one request: the trend's incidents per day by type, with the page's filters (weeks, each drawn on
    // its first day in the timeline, past the trend's limit of TREND_DAYS periods)
    const query = new URLSearchParams(params);
    query.set("filter", "date_precision = 'day'");
    const [start, end] = (im.interval || []).map((t) => (t ? Date.parse(`${t.slice(0, 10)}T00:00:00Z`) : NaN));
    const first = Number.isNaN(start) || start === undefined ? "" : isoDay(start);
    query.set("period", end - start >= TREND_DAYS * im.DAY ? "week" : "day");
    const perDay = im.getJSON(`/collections/incidents/trend?${query}`);
    const spanQuery = new URLSearchParams(params);
    spanQuery.set("filter", "date_precision <> 'day'");
    spanQuery.set("sortby", "-date");
    spanQuery.set("limit", String(SPAN_LIMIT));
    const uncertain = await im.getJSON(`/collections/incidents/items?${spanQuery}&f=geojson`);
    if (mine !== countsSeq) return;
    const trend = await perDay;
    if (mine !== countsSeq) return;
    im.counts = {};
    trend.periods.forEach((p) => {
      if (!p.count) return;
      const key = p.start < first ? first : p.start;
      const day = (im.counts[key] = im.counts[key] || {});
      Object.entries(p.byType).forEach(([type, n]) => { day[type] = (day[type] || 0) + n; });
    });
    im.spans = uncertain.features.map((f) => {
      const [a, z] = im.spanOf(f.properties);
      return [a, z - im.DAY + 1000, f.properties.event_type];
    });
    im.spansMatched = uncertain.numberMatched;
    document.getElementById("im-histogram").dataset.counts = String(mine);
    const note = document.getElementById("im-histogram-note");
    if (note) {
      note.textContent = im.spansMatched > im.spans.length
        ? `Lines above the bars: the newest ${im.spans.length} of ${im.spansMatched} incidents known only within a span`
        : im.spansMatched ? "Lines above the bars: incidents known only within a span" : "";
    }
  };

  im.currentSpan = function () {
    let from = Number(document.getElementById("im-from").value);
    let to = Number(document.getElementById("im-to").value);
    if (from > to) [from, to] = [to, from];
    return [from, to];
  };

  function applyTime() {
    const days = im.days;
    const [from, to] = im.currentSpan();
    document.getElementById("im-from-label").textContent = days.length ? isoDay(days[from]) : "";
    document.getElementById("im-to-label").textContent = days.length ? isoDay(days[to]) : "";
    im.state.datetime = days.length ? `${isoDay(days[from])}/${isoDay(days[to])}` : "";
    im.drawHistogram();
    im.writeState();
    im.requestRefresh();
  }

  function setSpan(from, to) {
    document.getElementById("im-from").value = String(Math.max(0, from));
    document.getElementById("im-to").value = String(Math.min(im.days.length - 1, to));
    applyTime();
  }

  im.setupTime = function (extentStart, extentEnd) {
    const start = Date.parse(`${extentStart.slice(0, 10)}T00:00:00Z`);
    const end = Date.parse(`${extentEnd.slice(0, 10)}T00:00:00Z`);
    const days = im.days = [];
    for (let t = start; t <= end; t += im.DAY) days.push(t);
    const last = days.length - 1;
    ["im-from", "im-to"].forEach((id) => {
      const input = document.getElementById(id);
      input.max = String(last);
      input.addEventListener("input", () => applyTime());
    });
    let from = 0, to = last;
    const state = im.state;
    if (state.datetime && state.datetime.includes("/")) {
      const [a, b] = state.datetime.split("/");
      const index = (day, fallback) => {
        const t = Date.parse(`${day.slice(0, 10)}T00:00:00Z`);
        return Number.isNaN(t) ? fallback : Math.round((t - start) / im.DAY);
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
  };

  function startPlay() {
    const days = im.days;
    let [from, to] = im.currentSpan();
    const width = Math.max(0, to - from);
    if (to >= days.length - 1) { from = 0; to = width; }
    const step = width >= 14 ? 7 : 1;
    const button = document.getElementById("im-play");
    button.setAttribute("aria-pressed", "true");
    button.textContent = "❚❚ Pause";
    setSpan(from, to);
    playTimer = setInterval(() => {
      const [a, b] = im.currentSpan();
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
})();
