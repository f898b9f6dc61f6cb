/* Story page: how the outlets covered one happening in the world. */
"use strict";
(async function () {
  const RP = window.RP, h = RP.h;
  const id = document.getElementById("story-page").dataset.story;
  const art = (aid, label) => h("a", { href: `/article/${encodeURIComponent(aid)}` }, label || aid);
  const words = (counts) => {
    const entries = Object.entries(counts || {}).sort((a, b) => b[1] - a[1]);
    return entries.length ? entries.map(([w, n]) => `${w} ×${n}`).join(", ") : "—";
  };

  async function toggleMentions(button, hid, cell) {
    const existing = cell.querySelector(".mentions");
    if (existing) { existing.remove(); button.setAttribute("aria-expanded", "false"); return; }
    button.setAttribute("aria-expanded", "true");
    try {
      const d = await RP.getJSON(`/api/happenings/${encodeURIComponent(hid)}`);
      cell.append(h("ul", { class: "mentions" }, (d.mentions || []).map((m) => h("li", {},
        RP.sentence("q", m), " — ",
        h("a", { href: `/article/${encodeURIComponent(m.article_id)}#ev-${m.id}` },
          m.article_id),
        m.attributed_to && m.attributed_to.length ? ` (according to ${m.attributed_to.join(", ")})` : ""))));
    } catch (err) {
      cell.append(h("p", { class: "mentions error" }, `Could not load mentions: ${err.message}`));
    }
  }

  try {
    const cov = await RP.getJSON(`/api/stories/${encodeURIComponent(id)}`);
    const s = cov.story;
    document.getElementById("story-title").textContent = s.label;
    document.title = `${s.label} · Realpolitik`;
    document.getElementById("story-meta").append(
      `${s.first_date || "?"} to ${s.last_date || "?"} · ${s.article_count} article(s) from ` +
      `${s.outlets.length} outlet(s) · origins: `, h("strong", {}, s.origins.join(", ") || "none named"));
    const titleOf = new Map();
    for (const o of cov.outlets) o.articles.forEach((a, i) => titleOf.set(a, o.titles[i] || a));
    const outlets = document.querySelector("#outlets tbody");
    for (const o of cov.outlets) {
      outlets.append(h("tr", {},
        h("th", { scope: "row" }, o.outlet),
        h("td", {}, h("ul", { class: "plain" }, o.articles.map((a, i) =>
          h("li", {}, art(a, o.titles[i] || a))))),
        h("td", {}, o.dates.map((d) => d || "undated").join(", ")),
        h("td", {}, o.duplicate_of.length ? o.duplicate_of.map((a) => art(a, titleOf.get(a) || a)) : "—"),
        h("td", { class: "num" }, h("a", { href: "#happenings" }, String(o.happenings.length))),
        h("td", {}, words(o.loaded)), h("td", {}, words(o.neutral))));
    }
    const haps = document.querySelector("#happenings tbody");
    for (const hc of cov.happenings) {
      const e = hc.happening;
      const cell = h("td", {});
      const btn = RP.linkButton(String(e.mentions), () => toggleMentions(btn, e.id, cell),
        { "aria-expanded": "false", title: "Show the sentences" });
      cell.append(h("strong", {}, `${RP.actor(e.source)} ${RP.what(e)} ${RP.actor(e.target)}`),
        h("div", { class: "muted small" }, e.sentence));
      haps.append(h("tr", { id: `h-${e.id}` },
        h("td", { class: "nowrap" }, e.date || "undated"), cell, h("td", { class: "num" }, btn),
        h("td", {}, hc.reported_by.join(", ") || "—"),
        h("td", {}, hc.missing_from.length ? hc.missing_from.join(", ") : "all outlets"),
        h("td", {}, h("span", { class: "badge" }, String(e.origins.length)), " ",
          e.origins.join(", "))));
    }
    const conflicts = document.getElementById("conflicts");
    for (const c of cov.conflicts) {
      conflicts.append(h("li", {}, c.description, " ",
        h("a", { href: `#h-${c.backing}` }, "backing"), " / ",
        h("a", { href: `#h-${c.refusing}` }, "refusing")));
    }
    if (!cov.conflicts.length) conflicts.append(h("li", { class: "muted" }, "No conflicting claims."));
    RP.status("");
    document.getElementById("story-page").dataset.ready = "1";
  } catch (err) {
    RP.status(`Could not load story ${id}: ${err.message}`, true);
  }
})();
