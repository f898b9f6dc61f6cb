/* Alerts page: fired alerts from /api/alerts, each opening onto its figures and evidence. */
"use strict";
(function () {
  const RP = window.RP, h = RP.h;
  const form = document.getElementById("alerts-form");
  const table = document.getElementById("alerts");
  const body = table.querySelector("tbody");

  function figureValue(v) {
    if (v === null || v === undefined) return "—";
    if (Array.isArray(v)) return v.join(", ") || "—";
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }

  function showDetail(alert) {
    const p = alert.payload || {};
    document.getElementById("alert-title").textContent = alert.title;
    const figures = RP.clear(document.getElementById("alert-figures"));
    for (const [k, v] of Object.entries(p.figures || {})) {
      figures.append(h("dt", {}, k.replace(/_/g, " ")), h("dd", {}, figureValue(v)));
    }
    const list = RP.clear(document.getElementById("alert-evidence"));
    for (const e of p.evidence || []) {
      const links = (e.links || []).map((l) => h("li", {},
        h("a", { href: l.dashboard }, l.title || l.article_id),
        l.outlet ? ` · ${l.outlet}` : "",
        l.url ? [" · ", h("a", { href: l.url, rel: "noopener" }, "source")] : ""));
      list.append(h("li", { class: "ev" },
        RP.sentence("blockquote", e),
        h("p", {}, `${RP.actor(e.source)} → ${RP.actor(e.target)}: ${RP.what(e)}`,
          e.date ? ` on ${e.date}` : ""),
        h("p", { class: "meta" }, `Outlets: ${(e.outlets || []).join(", ") || "—"}; origins: `
          + `${(e.origins || []).join(", ") || "—"}`),
        h("ul", { class: "links" }, links)));
    }
    document.getElementById("alert-detail").hidden = false;
  }

  async function load() {
    const country = new FormData(form).get("country");
    const qs = country ? `?country=${encodeURIComponent(country)}` : "";
    RP.status("Loading alerts…");
    try {
      const data = await RP.getJSON(`/api/alerts${qs}`);
      const rows = RP.items(data);
      RP.clear(body);
      for (const a of rows) {
        body.append(h("tr", {},
          h("td", {}, String(a.fired_at).replace("T", " ").slice(0, 19)),
          h("td", {}, a.rule), h("td", {}, a.kind.replace(/_/g, " ")),
          h("td", {}, a.country ? h("a", { href: `/country/${encodeURIComponent(a.country)}` },
            a.country) : "—"),
          h("td", {}, RP.linkButton(a.title, () => showDetail(a), { "data-key": a.key }))));
      }
      table.hidden = !rows.length;
      RP.status(rows.length ? `${data.total} alerts` : "No alerts yet: run `realpolitik watch`.");
    } catch (err) {
      RP.status(`Could not load the alerts: ${err.message}`, true);
    }
  }

  form.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  load();
})();
