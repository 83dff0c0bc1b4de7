// An incident's details: the marker's short popup, and the details panel (every field, each source
// with its evidence, where the sources disagree). Report text goes in with textContent only, and
// with dir="auto" so Arabic reads right to left.
"use strict";

(function () {
  const im = window.incidentmap = window.incidentmap || {};
  const el = (...args) => im.el(...args);
  const PLACE = { 1: "at the named place", 2: "near the place or in its area", 3: "only the governorate or region" };
  const FIELD_LABELS = { event_type: "type", killed: "killed", injured: "injured", perpetrator: "perpetrator",
    date: "date", date_from: "date", target: "target", site_id: "site" };
  let returnFocus = null;

  function toll(p) {
    const parts = [p.killed === null || p.killed === undefined ? null : `${p.killed} killed`,
      p.injured === null || p.injured === undefined ? null : `${p.injured} injured`].filter(Boolean);
    return parts.length ? parts.join(", ") : "not reported";
  }
  im.tollText = toll;

  function typeLabel(id) {
    return im.typeOf(id).id === id ? im.typeOf(id).label : String(id);
  }

  function disagreementText(field, values) {
    return values.map((v) => (field === "event_type" ? typeLabel(v) : v === null ? "not reported" : String(v)))
      .join(" / ");
  }

  function whoText(p) {
    if (!p.perpetrator) return "not named";
    if (p.attribution === "claimed") return `${p.perpetrator}: claimed`;
    if (p.attribution === "attributed") return `${p.perpetrator}: attributed by others, not claimed`;
    return `${p.perpetrator}: unknown whether claimed`;
  }

  im.popupFor = function (feature, type) {
    const p = feature.properties;
    const box = el("div", null, { class: "im-popup" });
    const title = el("strong", `${type.label} · `);
    title.appendChild(el("bdi", p.site_name || p.location || p.site_id || "unplaced"));
    box.appendChild(title);
    const when = p.date_from === p.date_to ? p.date_from : `between ${p.date_from} and ${p.date_to} (${p.date_precision})`;
    box.appendChild(el("div", `${when}${p.time_local ? ` at ${p.time_local} local time` : ""}`));
    box.appendChild(el("div", `Place: ${PLACE[p.geo_precision] || ""}`, { class: "im-muted" }));
    const who = p.perpetrator ? `${p.perpetrator} (${p.attribution})` : "not named";
    box.appendChild(el("div", `Perpetrator: ${who}`, { dir: "auto" }));
    box.appendChild(el("div", `Casualties: ${toll(p)}`));
    if (p.disagreements) {
      const parts = Object.entries(p.disagreements).map(([k, v]) => `${k}: ${v.join(" / ")}`);
      box.appendChild(el("div", `Reports differ on ${parts.join("; ")}`, { class: "im-muted" }));
    }
    if (p.notes) box.appendChild(el("p", p.notes, { dir: "auto" }));
    const sources = el("ul", null, { class: "im-sources" });
    (p.sources || []).forEach((s) => {
      const li = el("li");
      const label = s.outlet || s.title || s.url || "source";
      if (s.url && /^https?:\/\//i.test(s.url)) {
        li.appendChild(el("a", label, { href: s.url, target: "_blank", rel: "noopener noreferrer", dir: "auto" }));
      } else {
        li.appendChild(el("span", label, { dir: "auto" }));
      }
      if (s.published) li.appendChild(el("span", ` (${s.published})`, { class: "im-muted" }));
      sources.appendChild(li);
    });
    box.appendChild(sources);
    if (document.getElementById("im-details")) {
      const more = el("button", "Details and sources", { type: "button", class: "im-open-details" });
      more.addEventListener("click", () => im.showDetails(feature));
      box.appendChild(more);
    }
    return box;
  };

  function row(list, label, value, differ) {
    list.appendChild(el("dt", label));
    const dd = el("dd", null);
    dd.appendChild(el("span", value, { dir: "auto" }));
    if (differ) dd.appendChild(el("span", ` (sources differ: ${differ})`, { class: "im-differ" }));
    list.appendChild(dd);
    return dd;
  }

  function sourceItem(s) {
    const li = el("li", null, { class: "im-source" });
    const head = el("div", null, { class: "im-source-head" });
    const label = s.outlet || "source";
    if (s.url && /^https?:\/\//i.test(s.url)) {
      head.appendChild(el("a", label, { href: s.url, target: "_blank", rel: "noopener noreferrer", dir: "auto" }));
    } else {
      head.appendChild(el("span", label, { dir: "auto" }));
    }
    head.appendChild(el("span", s.published ? ` · ${s.published}` : " · date not given", { class: "im-muted" }));
    li.appendChild(head);
    if (s.title) li.appendChild(el("div", s.title, { class: "im-source-title", dir: "auto" }));
    if (s.quote) {
      const evidence = el("blockquote", s.quote, { class: "im-evidence", dir: "auto" });
      li.appendChild(evidence);
    } else {
      li.appendChild(el("div", "no evidence sentence kept", { class: "im-muted" }));
    }
    return li;
  }

  // the panel: every field, the disagreements, each source with its evidence, links to history and review
  im.renderDetails = function (feature) {
    const p = feature.properties;
    const id = String(feature.id !== undefined ? feature.id : p.id);
    const type = im.typeOf(p.event_type);
    const differ = p.disagreements || {};
    const panel = document.getElementById("im-details");
    panel.replaceChildren();
    panel.dataset.incident = id;
    const head = el("div", null, { class: "im-details-head" });
    const title = el("h2", null, { id: "im-details-title", tabindex: "-1" });
    title.appendChild(el("span", null, { class: "im-swatch", style: `background:${type.colour}` }));
    title.appendChild(el("span", `${type.label} · `));
    title.appendChild(el("bdi", p.site_name || p.location || p.site_id || "unplaced"));
    head.appendChild(title);
    const close = el("button", "Close", { type: "button", class: "im-close", "aria-label": "Close incident details" });
    close.addEventListener("click", () => im.closeDetails());
    head.appendChild(close);
    panel.appendChild(head);
    panel.appendChild(el("div", `Status: ${p.status || "reported"}`, { class: `im-status im-status-${p.status || "reported"}` }));
    const names = Object.entries(differ).map(([field, values]) => `${FIELD_LABELS[field] || field} (${disagreementText(field, values)})`);
    if (names.length) {
      const note = el("div", null, { class: "im-disagree", role: "note" });
      note.appendChild(el("strong", "Sources disagree: "));
      note.appendChild(el("span", names.join("; "), { dir: "auto" }));
      panel.appendChild(note);
    }
    const list = el("dl", null, { class: "im-fields" });
    const when = p.date_from === p.date_to ? p.date_from : `between ${p.date_from} and ${p.date_to}`;
    row(list, "When", `${when} (precision: ${p.date_precision || "day"})${p.time_local ? `, ${p.time_local} local time` : ""}`,
      differ.date ? disagreementText("date", differ.date) : null);
    row(list, "Type", type.label, differ.event_type ? disagreementText("event_type", differ.event_type) : null);
    row(list, "Perpetrator", whoText(p), differ.perpetrator ? disagreementText("perpetrator", differ.perpetrator) : null);
    row(list, "Target", p.target || "not named");
    row(list, "Killed", p.killed === null || p.killed === undefined ? "not reported" : String(p.killed),
      differ.killed ? disagreementText("killed", differ.killed) : null);
    row(list, "Injured", p.injured === null || p.injured === undefined ? "not reported" : String(p.injured),
      differ.injured ? disagreementText("injured", differ.injured) : null);
    const site = [p.site_name || p.location, p.admin1, p.country].filter(Boolean).join(", ");
    row(list, "Place", site || "unplaced");
    row(list, "Location precision", `${p.geo_precision || 1}: ${PLACE[p.geo_precision || 1]}`);
    if (feature.geometry && feature.geometry.coordinates) {
      const [lon, lat] = feature.geometry.coordinates;
      row(list, "Coordinates", `${Number(lat).toFixed(5)}, ${Number(lon).toFixed(5)} (lat, lon)`);
    }
    if (p.confidence !== undefined && p.confidence !== null) row(list, "Confidence", String(p.confidence));
    if (p.notes) row(list, "Summary", p.notes);
    Object.entries(differ).forEach(([field, values]) => { // any other field the sources differ on
      if (!["date", "event_type", "perpetrator", "killed", "injured"].includes(field)) {
        row(list, `Sources differ on ${FIELD_LABELS[field] || field}`, disagreementText(field, values));
      }
    });
    row(list, "Recorded", `${p.created || "?"}, updated ${p.updated || "?"}`);
    row(list, "Id", id);
    panel.appendChild(list);
    const sources = p.sources || [];
    panel.appendChild(el("h3", `${sources.length} source${sources.length === 1 ? "" : "s"}`));
    const ol = el("ol", null, { class: "im-source-list" });
    sources.forEach((s) => ol.appendChild(sourceItem(s)));
    panel.appendChild(ol);
    const links = el("div", null, { class: "im-buttons" });
    const path = `/collections/incidents/items/${encodeURIComponent(id)}`;
    links.appendChild(el("a", "Change history", { href: `${path}/history?f=html`, class: "im-history-link" }));
    links.appendChild(el("a", "Review", { href: `/review?id=${encodeURIComponent(id)}`, class: "im-review-link" }));
    links.appendChild(el("a", "GeoJSON", { href: `${path}?f=json` }));
    panel.appendChild(links);
  };

  im.showDetails = function (feature, options) {
    const panel = document.getElementById("im-details");
    if (!panel) return;
    if (!panel.contains(document.activeElement)) returnFocus = document.activeElement;
    im.renderDetails(feature);
    panel.classList.remove("im-hidden");
    document.body.classList.add("im-details-open");
    im.state.incident = panel.dataset.incident;
    im.writeState();
    if (!options || options.focus !== false) document.getElementById("im-details-title").focus();
  };

  im.closeDetails = function () {
    const panel = document.getElementById("im-details");
    panel.classList.add("im-hidden");
    panel.replaceChildren();
    delete panel.dataset.incident;
    document.body.classList.remove("im-details-open");
    delete im.state.incident;
    im.writeState();
    if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
    returnFocus = null;
  };

  // fly to an incident and open its details (a list row, a deep link /incidents/<id>, ?incident=<id>)
  im.openIncident = async function (idOrFeature, options) {
    const feature = typeof idOrFeature === "object" ? idOrFeature : im.cfg.data
      ? im.cfg.data.incidents.features.find((f) => String(f.id) === String(idOrFeature))
      : await im.getJSON(`/collections/incidents/items/${encodeURIComponent(idOrFeature)}?f=json`);
    if (!feature) throw new Error(`no incident ${idOrFeature}`);
    im.showDetails(feature, options);
    if (feature.geometry && feature.geometry.coordinates) {
      const zoom = Math.max(im.map.getZoom(), 11);
      im.map.flyTo(im.toLatLng(feature.geometry.coordinates), zoom, { duration: 0.6 });
      im.highlight(feature, true);
    }
    return feature;
  };

  // a link named an incident that is not stored (deleted, or a wrong id): say so in the panel
  im.showMissing = function (id) {
    const panel = document.getElementById("im-details");
    if (!panel) return;
    panel.replaceChildren();
    const head = el("div", null, { class: "im-details-head" });
    head.appendChild(el("h2", `No incident ${id} is stored`, { id: "im-details-title", tabindex: "-1" }));
    const close = el("button", "Close", { type: "button", class: "im-close", "aria-label": "Close incident details" });
    close.addEventListener("click", () => im.closeDetails());
    head.appendChild(close);
    panel.appendChild(head);
    panel.appendChild(el("p", "It may have been deleted or merged into another; its change history may tell.",
      { class: "im-muted" }));
    panel.classList.remove("im-hidden");
    delete im.state.incident;
    im.writeState();
  };

  im.setupDetails = function () {
    const panel = document.getElementById("im-details");
    if (!panel) return;
    panel.addEventListener("keydown", (event) => { if (event.key === "Escape") im.closeDetails(); });
  };
})();
