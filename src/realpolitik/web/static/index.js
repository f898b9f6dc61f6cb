/* Home page: the countries with coded events. */
"use strict";
(async function () {
  const RP = window.RP, h = RP.h;
  try {
    const rows = RP.items(await RP.getJSON("/api/countries"));
    const table = document.getElementById("countries");
    const body = table.querySelector("tbody");
    for (const r of rows) {
      const c = encodeURIComponent(r.country);
      body.append(h("tr", {},
        h("th", { scope: "row" }, h("a", { href: `/country/${c}` }, r.country)),
        h("td", {}, h("a", { href: `/country/${c}` }, r.name || r.country)),
        h("td", { class: "num" }, h("a", { href: `/search?country=${c}` }, String(r.events))),
        h("td", { class: "num" }, h("a", { href: `/country/${c}#stories` }, String(r.stories)))));
    }
    table.hidden = false;
    RP.status(rows.length ? "" : "No countries yet: ingest some articles first.");
  } catch (err) {
    RP.status(`Could not load the countries: ${err.message}`, true);
  }
})();
