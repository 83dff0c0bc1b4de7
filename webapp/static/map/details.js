// An incident's details: today the popup of its marker, built from the feature's properties.
"use strict";

(function () {
  const im = window.incidentmap = window.incidentmap || {};
  const el = (...args) => im.el(...args);

  im.popupFor = function (feature, type) {
    const p = feature.properties;
    const box = el("div", null, { class: "im-popup" });
    box.appendChild(el("strong", `${type.label} · ${p.site_name || p.location || "unplaced"}`));
    const when = p.date_from === p.date_to ? p.date_from : `between ${p.date_from} and ${p.date_to} (${p.date_precision})`;
    box.appendChild(el("div", `${when}${p.time_local ? ` at ${p.time_local} local time` : ""}`));
    const place = { 1: "at the named place", 2: "near the place or in its area", 3: "only the governorate or region" };
    box.appendChild(el("div", `Place: ${place[p.geo_precision] || ""}`, { class: "im-muted" }));
    const who = p.perpetrator ? `${p.perpetrator} (${p.attribution})` : "not named";
    box.appendChild(el("div", `Perpetrator: ${who}`));
    const toll = [p.killed === null || p.killed === undefined ? null : `${p.killed} killed`,
      p.injured === null || p.injured === undefined ? null : `${p.injured} injured`].filter(Boolean);
    box.appendChild(el("div", `Casualties: ${toll.length ? toll.join(", ") : "not reported"}`));
    if (p.disagreements) {
      const parts = Object.entries(p.disagreements).map(([k, v]) => `${k}: ${v.join(" / ")}`);
      box.appendChild(el("div", `Reports differ on ${parts.join("; ")}`, { class: "im-muted" }));
    }
    if (p.notes) box.appendChild(el("p", p.notes));
    const sources = el("ul", null, { class: "im-sources" });
    (p.sources || []).forEach((s) => {
      const li = el("li");
      const label = s.outlet || s.title || s.url || "source";
      if (s.url && /^https?:\/\//i.test(s.url)) {
        li.appendChild(el("a", label, { href: s.url, target: "_blank", rel: "noopener noreferrer" }));
      } else {
        li.appendChild(el("span", label));
      }
      if (s.published) li.appendChild(el("span", ` (${s.published})`, { class: "im-muted" }));
      sources.appendChild(li);
    });
    box.appendChild(sources);
    return box;
  };
})();
