// The incident list beside the map (a bottom sheet on a phone): the incidents of the view under the
// current filters, newest first, a page at a time from the API (its count is the API's numberMatched).
// A row's click flies to the incident and opens its details; hover or focus highlights its marker.
"use strict";

(function () {
  const im = window.incidentmap = window.incidentmap || {};
  const el = (...args) => im.el(...args);
  const PAGE = 50;
  let seq = 0, nextUrl = null, localRest = [], loadingMore = false;

  function rowFor(feature) {
    const p = feature.properties;
    const type = im.typeOf(p.event_type);
    const li = el("li", null, { role: "listitem", class: "im-row-item" });
    const button = el("button", null, { type: "button", class: "im-row", "data-id": String(feature.id) });
    const icon = el("span", null, { class: `im-type-icon im-precision-${p.geo_precision || 1}`,
      style: `background:${type.colour}`, "aria-hidden": "true" });
    button.appendChild(icon);
    const main = el("span", null, { class: "im-row-main" });
    const uncertain = (p.date_from || p.date) !== (p.date_to || p.date_from || p.date);
    const when = el("span", im.whenText(p), { class: uncertain ? "im-when im-span" : "im-when" });
    if (uncertain) when.setAttribute("title", `known only to lie in this span (${p.date_precision || "days"})`);
    main.appendChild(when);
    main.appendChild(el("span", ` ${type.label}`, { class: "im-row-type" }));
    const where = el("span", null, { class: "im-row-site" });
    where.appendChild(el("bdi", p.site_name || p.location || p.site_id || "unplaced"));
    main.appendChild(where);
    const n = (p.sources || []).length;
    main.appendChild(el("span", `${im.tollText(p)} · ${n} source${n === 1 ? "" : "s"}`, { class: "im-row-meta" }));
    button.appendChild(main);
    button.addEventListener("click", () => {
      im.openIncident(feature).catch((error) => im.showCount(error.message, 0, 0, "incidents"));
    });
    const on = () => im.highlight(feature);
    const off = () => im.unhighlight();
    button.addEventListener("mouseenter", on);
    button.addEventListener("focus", on);
    button.addEventListener("mouseleave", off);
    button.addEventListener("blur", off);
    li.appendChild(button);
    return li;
  }

  function showHeading(matched, exact) {
    const heading = document.getElementById("im-list-heading");
    const about = exact === false ? "about " : "";
    heading.textContent = `${about}${matched} incident${matched === 1 ? "" : "s"} in view, newest first`;
    heading.dataset.matched = String(matched);
  }

  function append(features) {
    const list = document.getElementById("im-list");
    const rows = document.createDocumentFragment();
    features.forEach((f) => rows.appendChild(rowFor(f)));
    list.appendChild(rows);
    list.dataset.shown = String(list.children.length);
    document.getElementById("im-more").classList.toggle("im-hidden", !(nextUrl || localRest.length));
  }

  function nextLink(collection) {
    const link = (collection.links || []).find((l) => l.rel === "next");
    if (!link) return null;
    const url = new URL(link.href, window.location.href);
    return `${url.pathname}${url.search}`; // the same origin as the page, whatever host the server names
  }

  // the standalone export: its own data, filtered by time and view, newest first
  function localList() {
    const [from, to] = im.currentSpan();
    const bounds = im.map.getBounds();
    return im.localItems(im.days[from], im.days[to] + im.DAY - 1000).features
      .filter((f) => bounds.contains(im.toLatLng(f.geometry.coordinates)))
      .sort((a, b) => String(b.properties.date_from).localeCompare(String(a.properties.date_from)));
  }

  im.refreshList = async function () {
    const list = document.getElementById("im-list");
    if (!list || !im.days.length) return;
    const mine = ++seq;
    im.listPending = true;
    let features, matched, exact;
    if (im.cfg.data) {
      const all = localList();
      features = all.slice(0, PAGE);
      localRest = all.slice(PAGE);
      matched = all.length;
      nextUrl = null;
    } else {
      const params = im.filterParams();
      const box = im.viewBbox();
      if (box === null) {
        features = []; matched = 0; nextUrl = null;
      } else {
        params.set("bbox", box);
        params.set("sortby", "-date");
        params.set("limit", String(PAGE));
        im.lastListQuery = Object.fromEntries(params);
        const page = await im.getJSON(`/collections/incidents/items?${params}&f=geojson`);
        if (mine !== seq) return; // a newer view asked since
        features = page.features;
        matched = page.numberMatched;
        exact = page.numberMatchedExact;
        nextUrl = nextLink(page);
      }
    }
    if (mine !== seq) return;
    list.replaceChildren();
    list.scrollTop = 0;
    showHeading(matched, exact);
    append(features);
    im.listPending = false;
    document.body.dataset.listed = String(mine);
  };

  async function more() {
    if (loadingMore) return;
    loadingMore = true;
    const mine = seq;
    try {
      if (im.cfg.data) {
        const page = localRest.slice(0, PAGE);
        localRest = localRest.slice(PAGE);
        append(page);
      } else if (nextUrl) {
        const page = await im.getJSON(nextUrl);
        if (mine !== seq) return;
        nextUrl = nextLink(page);
        append(page.features);
      }
    } finally {
      loadingMore = false;
    }
  }

  im.setupList = function () {
    const list = document.getElementById("im-list");
    if (!list) return;
    const button = document.getElementById("im-more");
    button.addEventListener("click", () => { more().catch((error) => { button.textContent = error.message; }); });
    list.addEventListener("scroll", () => { // scrolled near its end: the next page comes by itself
      const near = list.scrollTop + list.clientHeight >= list.scrollHeight - 150;
      if (near && !button.classList.contains("im-hidden")) more().catch(() => {});
    }, { passive: true });
    const toggle = document.getElementById("im-sheet-toggle");
    const side = document.getElementById("im-side");
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      side.classList.toggle("im-collapsed", !open);
    });
  };
})();
