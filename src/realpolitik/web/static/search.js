/* Event search: a form over GET /api/events, results as a table with links. */
"use strict";
(function () {
  const RP = window.RP, h = RP.h;
  const form = document.getElementById("search-form");
  const FIELDS = ["country", "source", "target", "type", "since", "until", "story", "level"];
  const LIMIT = 50;
  let offset = 0;

  const art = (e) => h("a", { href: `/article/${encodeURIComponent(e.article_id)}#ev-${e.id}` },
    "article");
  const story = (sid) => (sid ? h("a", { href: `/story/${encodeURIComponent(sid)}` }, "story") : "—");

  function params() {
    const p = new URLSearchParams();
    for (const f of FIELDS) {
      const v = (form.elements[f].value || "").trim();
      if (v) p.set(f, ["country", "source", "target"].includes(f) ? v.toUpperCase() : v);
    }
    return p;
  }

  async function run() {
    const p = params();
    history.replaceState(null, "", `/search?${p}`);
    p.set("limit", String(LIMIT)); p.set("offset", String(offset));
    const level = p.get("level") || "mention";
    RP.status("Searching…");
    try {
      const d = await RP.getJSON(`/api/events?${p}`);
      const rows = RP.items(d);
      const total = d.total !== undefined ? d.total : rows.length;
      const table = document.getElementById("results");
      const head = RP.clear(table.querySelector("thead tr"));
      const body = RP.clear(table.querySelector("tbody"));
      const cols = level === "event"
        ? ["Date", "Source", "Event", "Target", "Mentions", "Outlets", "Origins", "Sentence", "Links"]
        : ["Date", "Source", "Event", "Target", "According to", "Sentence", "Links"];
      cols.forEach((c) => head.append(h("th", { scope: "col" }, c)));
      for (const e of rows) {
        const common = [h("td", { class: "nowrap" }, e.date || "undated"), h("td", {}, RP.actor(e.source)),
          h("td", {}, RP.what(e)), h("td", {}, RP.actor(e.target))];
        body.append(level === "event"
          ? h("tr", {}, common, h("td", { class: "num" }, String(e.mentions)),
            h("td", {}, e.outlets.join(", ")), h("td", {}, e.origins.join(", ")),
            RP.sentence("td", e, { class: "small" }),
            h("td", {}, e.story_id ? h("a", { href: `/story/${encodeURIComponent(e.story_id)}#h-${e.id}` }, "story") : "—"))
          : h("tr", {}, common, h("td", {}, (e.attributed_to || []).join(", ") || "—"),
            RP.sentence("td", e, { class: "small" }), h("td", {}, art(e), " · ", story(e.story_id))));
      }
      table.hidden = false;
      RP.status(`${total} result(s)` + (total > rows.length ? `, showing ${offset + 1}–${offset + rows.length}` : ""));
      document.getElementById("prev").hidden = offset === 0;
      document.getElementById("next").hidden = offset + rows.length >= total;
    } catch (err) {
      RP.status(`Search failed: ${err.message}`, true);
    }
  }

  const initial = new URLSearchParams(location.search);
  for (const f of FIELDS) if (initial.get(f)) form.elements[f].value = initial.get(f);
  form.addEventListener("submit", (ev) => { ev.preventDefault(); offset = 0; run(); });
  document.getElementById("prev").addEventListener("click", () => { offset = Math.max(0, offset - LIMIT); run(); });
  document.getElementById("next").addEventListener("click", () => { offset += LIMIT; run(); });
  if (FIELDS.some((f) => initial.get(f))) run();
})();
