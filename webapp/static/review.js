// The review page: propose incidents from a report, correct them, accept or reject them.
// Every text from a report is put into the page as text (textContent), never as HTML.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const NUMBER_FIELDS = ["killed", "injured"];
  const TEXT_FIELDS = ["date_from", "date_to", "time_local", "event_type", "site_id", "location",
    "perpetrator", "attribution", "notes"];
  let map = null;
  let markers = null;

  // GeoJSON is lon, lat; Leaflet wants lat, lng. This is the one place they swap.
  function toLatLng(coordinates) {
    return [coordinates[1], coordinates[0]];
  }

  function setStatus(text, isError) {
    const status = $("status");
    status.textContent = text;
    status.className = isError ? "error" : "";
  }

  function ensureMap() {
    if (map) return;
    map = L.map("review-map", { zoomControl: true }).setView([33.3, 42.5], 5);
    const tiles = document.body.dataset.tiles;
    if (tiles) {
      L.tileLayer(tiles, { attribution: document.body.dataset.attribution || "" }).addTo(map);
    }
    markers = L.featureGroup().addTo(map);
  }

  function showMarkers(features) {
    ensureMap();
    markers.clearLayers();
    features.forEach((feature, i) => {
      const marker = L.circleMarker(toLatLng(feature.geometry.coordinates), {
        radius: 8, weight: 2, color: "#8b1e1e", fillOpacity: feature.properties.geo_precision === 1 ? 0.8 : 0.15,
      });
      const label = document.createElement("span");
      label.textContent = `${i + 1}. ${feature.properties.notes || feature.properties.event_type}`;
      marker.bindTooltip(label);
      marker.addTo(markers);
    });
    if (features.length) map.fitBounds(markers.getBounds().pad(0.5), { maxZoom: 9, animate: false });
  }

  // the report's text with each incident's evidence sentences marked
  function showReport(text, features) {
    const view = $("report-view");
    view.textContent = "";
    const spans = [];
    features.forEach((feature, i) => {
      (feature.properties.sources || []).forEach((source) => {
        (source.quote || "").split(" … ").forEach((sentence) => {
          const probe = sentence.trim().slice(0, 60);
          const at = probe ? text.indexOf(probe) : -1;
          if (at >= 0) {
            const end = text.indexOf(sentence.trim().slice(-20), at);
            spans.push([at, end >= 0 ? end + Math.min(20, sentence.trim().length) : at + probe.length, i]);
          }
        });
      });
    });
    spans.sort((a, b) => a[0] - b[0]);
    let position = 0;
    spans.forEach(([start, end, i]) => {
      if (start < position) return;
      view.appendChild(document.createTextNode(text.slice(position, start)));
      const mark = document.createElement("mark");
      mark.textContent = text.slice(start, end);
      mark.dataset.incident = String(i);
      mark.title = `evidence for incident ${i + 1}`;
      view.appendChild(mark);
      position = end;
    });
    view.appendChild(document.createTextNode(text.slice(position)));
  }

  function fillForm(form, feature, index) {
    const props = feature.properties;
    form.querySelector(".incident-title").textContent =
      `${index + 1}. ${props.event_type.replace("_", " ")} · ${props.site_name || props.location || "unplaced"}`;
    TEXT_FIELDS.concat(NUMBER_FIELDS).forEach((name) => {
      const input = form.elements[name];
      if (input) input.value = props[name] === null || props[name] === undefined ? "" : props[name];
    });
    const extra = [];
    if (props.disagreements) extra.push(`reports differ on: ${Object.keys(props.disagreements).join(", ")}`);
    extra.push(`precision ${props.geo_precision}, confidence ${props.confidence}, status ${props.status}`);
    form.querySelector(".incident-extra").textContent = extra.join(" · ");
    form.classList.toggle("verified", props.status === "verified");
    form.classList.toggle("rejected", props.status === "rejected");
  }

  function edited(form, feature, status) {
    const props = Object.assign({}, feature.properties);
    TEXT_FIELDS.forEach((name) => {
      const value = form.elements[name].value.trim();
      props[name] = value === "" ? null : value;
    });
    NUMBER_FIELDS.forEach((name) => {
      const value = form.elements[name].value.trim();
      props[name] = value === "" ? null : Number(value);
    });
    props.date = props.date_from;
    props.date_precision = props.date_from === props.date_to ? "day" : (props.date_precision === "day" ? "days" : props.date_precision);
    props.attribution = props.attribution || "unknown";
    props.status = status;
    delete props.created;
    delete props.updated;
    return { type: "Feature", id: feature.id, geometry: feature.geometry, properties: props };
  }

  async function save(form, feature, status) {
    const result = form.querySelector(".result");
    result.className = "result";
    result.textContent = "saving…";
    const body = JSON.stringify(edited(form, feature, status));
    const headers = { "Content-Type": "application/geo+json", Authorization: `Bearer ${$("token").value}` };
    const url = `/collections/incidents/items/${encodeURIComponent(feature.id)}`;
    // a proposal is new (POST); one opened from the store, or stored already, is replaced (PUT)
    let response = form.dataset.stored === "true"
      ? await fetch(url, { method: "PUT", headers, body })
      : await fetch("/collections/incidents/items", { method: "POST", headers, body });
    if (response.status === 409) response = await fetch(url, { method: "PUT", headers, body });
    if (response.ok) form.dataset.stored = "true";
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      result.className = "result error";
      result.textContent = `${response.status}: ${answer.description || "the write failed"}`;
      return;
    }
    Object.assign(feature, answer);
    fillForm(form, feature, Number(form.dataset.index));
    result.textContent = status === "verified" ? "accepted and stored" : "rejected and stored";
    // reviewed: it leaves the queue
    document.querySelectorAll("#queue .queue-item").forEach((button) => {
      if (button.dataset.id !== feature.id) return;
      button.parentElement.remove();
      const count = Number(($("queue-count").textContent.match(/\d+/) || ["0"])[0]);
      $("queue-count").textContent = `(${Math.max(0, count - 1)})`;
    });
  }

  function showIncidents(features, stored) {
    const list = $("incidents");
    list.textContent = "";
    features.forEach((feature, i) => {
      const form = $("incident-template").content.firstElementChild.cloneNode(true);
      form.dataset.index = String(i);
      form.dataset.id = feature.id;
      form.dataset.stored = stored ? "true" : "false";
      fillForm(form, feature, i);
      form.querySelector(".accept").addEventListener("click", () => save(form, feature, "verified"));
      form.querySelector(".reject").addEventListener("click", () => save(form, feature, "rejected"));
      list.appendChild(form);
    });
    showMarkers(features);
  }

  $("report-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const report = {};
    ["text", "title", "outlet", "url", "published"].forEach((name) => {
      const value = $(`report-${name}`).value.trim();
      if (value) report[name] = value;
    });
    setStatus("reading the report…");
    // with the editor's token the server reads longer reports and does not count them against
    // the rate for callers without one
    const headers = { "Content-Type": "application/json" };
    if ($("token").value.trim()) headers.Authorization = `Bearer ${$("token").value.trim()}`;
    const response = await fetch("/ingest", { method: "POST", headers, body: JSON.stringify(report) });
    const answer = await response.json();
    if (!response.ok) {
      setStatus(`${response.status}: ${answer.description}`, true);
      return;
    }
    const info = answer.report;
    $("report-info").textContent = `${answer.features.length} incident(s) proposed. Dates: ${info.reference_how}.`;
    setStatus("");
    showReport(report.text, answer.features);
    showIncidents(answer.features);
  });

  async function openStored(id) {
    const response = await fetch(`/collections/incidents/items/${encodeURIComponent(id)}`,
      { headers: { Accept: "application/geo+json" } });
    const answer = await response.json();
    if (!response.ok) {
      setStatus(`${response.status}: ${answer.description}`, true);
      return;
    }
    delete answer.links;
    const quotes = (answer.properties.sources || []).map((s) => `${s.outlet || s.url || "source"}: ${s.quote || ""}`);
    $("report-info").textContent = `Stored incident ${answer.id}, with ${quotes.length} source(s).`;
    showReport(quotes.join("\n\n"), [answer]);
    showIncidents([answer], true);
    setStatus("");
  }

  // the queue: stored incidents still "reported" (from ingest, watch or the API), newest first, paged
  let queueNext = null;
  async function loadQueue(url) {
    const response = await fetch(url, { headers: { Accept: "application/geo+json" } });
    const answer = await response.json();
    if (!response.ok) {
      $("queue-count").textContent = `(${response.status}: ${answer.description || "not available"})`;
      return;
    }
    $("queue-count").textContent = `(${answer.numberMatched})`;
    answer.features.forEach((feature) => {
      const props = feature.properties;
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "queue-item";
      button.dataset.id = feature.id;
      const when = props.date_from === props.date_to ? props.date_from : `${props.date_from} – ${props.date_to}`;
      const place = document.createElement("bdi");  // a site named in Arabic keeps its direction
      place.textContent = props.site_name || props.location || "unplaced";
      button.append(`${when} · ${props.event_type.replace("_", " ")} · `, place,
        ` · ${(props.sources || []).length} source(s)`);
      button.addEventListener("click", () => openStored(feature.id));
      item.appendChild(button);
      $("queue").appendChild(item);
    });
    const next = (answer.links || []).find((link) => link.rel === "next");
    queueNext = next ? next.href : null;
    $("queue-more").hidden = !queueNext;
  }
  $("queue-more").addEventListener("click", () => { if (queueNext) loadQueue(queueNext); });
  loadQueue("/collections/incidents/items?status=reported&sortby=-created&limit=20");

  $("open-button").addEventListener("click", () => openStored($("open-id").value.trim()));
  const wanted = new URLSearchParams(window.location.search).get("id");
  if (wanted) openStored(wanted);
})();
