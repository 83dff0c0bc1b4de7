// The time filter: two range inputs over the days of the data, a histogram of incidents per day,
// presets and play.
"use strict";

(function () {
  const im = window.incidentmap = window.incidentmap || {};
  const isoDay = (ms) => im.isoDay(ms);
  let playTimer = null;

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
