// The filter controls: each one a query parameter of the API, kept in the page's URL. A change
// redraws the map, the list and the timeline with the new filters.
"use strict";

(function () {
  const im = window.incidentmap = window.incidentmap || {};
  const TYPED_DELAY_MS = 350; // words typed: wait for a pause before asking the server
  im.FORM_FILTERS = ["q", "event_type", "perpetrator", "site_id", "country_code", "status", "min_killed", "min_injured"];
  const listeners = [];

  // modules that follow the filters (the list, the timeline) register here
  im.onFiltersChange = function (listener) { listeners.push(listener); };

  function filtersChanged() {
    im.writeState();
    im.requestRefresh();
    listeners.forEach((listener) => listener());
  }

  function fillChoices(select, choices) {
    const wanted = im.state[select.name] || "";
    choices.forEach(([value, label]) => {
      if (![...select.options].some((o) => o.value === value)) select.appendChild(im.el("option", label, { value }));
    });
    if (wanted && ![...select.options].some((o) => o.value === wanted)) {
      select.appendChild(im.el("option", wanted, { value: wanted })); // a value from a shared link we do not know
    }
    select.value = wanted;
  }

  // site and country choices from the known sites (names may be Arabic or English)
  im.fillSiteChoices = function (sites) {
    const form = document.getElementById("im-filter-form");
    if (!form || !sites) return;
    const points = sites.features.filter((f) => f.properties && f.properties.name);
    const byName = points.map((f) => [String(f.id), f.properties.name]).sort((a, b) => a[1].localeCompare(b[1]));
    fillChoices(form.elements.site_id, byName);
    let names = null;
    try { names = new Intl.DisplayNames(["en"], { type: "region" }); } catch (error) { names = null; }
    const codes = [...new Set(sites.features.map((f) => f.properties.country_code).filter(Boolean))].sort();
    fillChoices(form.elements.country_code, codes.map((c) => [c, names ? `${names.of(c)} (${c})` : c]));
  };

  im.setupFilters = function () {
    const form = document.getElementById("im-filter-form");
    if (!form) return;
    let typed = null;
    im.FORM_FILTERS.forEach((name) => {
      const control = form.elements[name];
      if (im.state[name]) control.value = im.state[name];
      const apply = () => {
        let value = control.value.trim();
        if (control.type === "number") {
          if (value !== "" && !control.checkValidity()) return; // the browser shows what is wrong
          if (value === "0") value = "";
        }
        if ((im.state[name] || "") === value) return;
        if (value) im.state[name] = value; else delete im.state[name];
        filtersChanged();
      };
      const typing = control.tagName === "INPUT";
      control.addEventListener(typing ? "input" : "change", () => {
        clearTimeout(typed);
        if (typing) typed = setTimeout(apply, TYPED_DELAY_MS); else apply();
      });
      if (typing) control.addEventListener("change", () => { clearTimeout(typed); apply(); });
    });
    form.addEventListener("submit", (event) => { event.preventDefault(); });
    form.addEventListener("reset", () => {
      setTimeout(() => { // after the form has emptied its controls
        im.FORM_FILTERS.forEach((name) => { delete im.state[name]; });
        filtersChanged();
      });
    });
    if (im.FORM_FILTERS.some((name) => im.state[name])) document.getElementById("im-filters").open = true;
  };
})();
