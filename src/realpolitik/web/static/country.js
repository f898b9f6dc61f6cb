/* Country page: indices, network, timeline, counterparts and their evidence.
   Runs against the API, or on data inlined by the offline report (#rp-data). */
"use strict";
(function () {
  const RP = window.RP, h = RP.h;
  const page = document.getElementById("country-page");
  const inline = RP.inlineData();
  const base = inline ? inline.base_url || null : "";
  const code = page.dataset.country;
  const S = { index: null, report: null, byEvent: new Map() };

  const articleLink = (ev, label) => {
    if (base === null) return h("span", { class: "muted" }, `article ${ev.article_id}`);
    const url = `${base}/article/${encodeURIComponent(ev.article_id)}#ev-${ev.event_id}`;
    return h("a", { href: url }, label || "open article");
  };
  const storyLink = (id) => (base === null || !id ? null
    : h("a", { href: `${base}/story/${encodeURIComponent(id)}` }, "story"));

  function index(data) {
    S.index = data.index; S.report = data.report;
    S.byEvent.clear();
    for (const cp of S.report.counterparts) for (const s of cp.sentences) S.byEvent.set(s.event_id, s);
  }

  /* ------------------------------------------------------------ evidence panel */
  function showPanel(title, body) {
    const box = RP.clear(document.getElementById("evidence"));
    box.append(h("h3", { id: "evidence-title" }, title), body);
    const head = document.getElementById("h-evidence");
    head.scrollIntoView({ block: "start", behavior: "smooth" });
    head.focus({ preventScroll: true });
  }

  function showCounterpart(country, column) {
    const cp = S.report.counterparts.find((c) => c.country === country);
    if (!cp) return;
    const evs = cp.events.filter((e) => !column || e.column === column);
    document.querySelectorAll("#counterparts tr").forEach((tr) =>
      tr.classList.toggle("selected", tr.dataset.country === country));
    const origins = column ? ` from ${cp.origins[column]} origin(s)` : "";
    showPanel(`${cp.name} (${cp.country}) — ${column || cp.stance}: ${evs.length} event(s)${origins}`,
      h("ol", { class: "evidence-list", id: "evidence-list" }, evs.map(happeningItem)));
  }

  function happeningItem(e) {
    const sentences = e.event_ids.map((id) => S.byEvent.get(id)).filter(Boolean);
    return h("li", { class: `ev col-${e.column}` },
      h("blockquote", {}, e.sentence),
      h("p", { class: "meta" }, e.column ? RP.stanceBadge(e.column) : null, " ",
        h("strong", {}, `${RP.actor(e.source)} ${RP.what(e)} ${RP.actor(e.target)}`), " · ",
        e.date || "undated", ` · weight ${RP.num(e.weight)} · ${e.mentions} mention(s) in `,
        e.outlets.join(", ") || "—", " · origins: ", e.origins.join(", ") || "—",
        " · ", storyLink(e.story_id)),
      sentences.length ? h("ul", { class: "mentions" }, sentences.map((ev) =>
        h("li", { dataset: { event: ev.event_id } },
          articleLink(ev, `${ev.outlet || ev.article_id}, ${ev.date || "undated"}`),
          ev.attributed_to.length ? [" (according to ", h("em", {}, ev.attributed_to.join(", ")), ")"] : null,
          ev.sentence !== e.sentence ? [": ", RP.sentence("q", ev)] : null))) : null);
  }

  function showHappenings(title, evidence) {
    showPanel(`${title}: ${evidence.length} event(s)`,
      h("ol", { class: "evidence-list", id: "evidence-list" }, evidence.map(happeningItem)));
  }

  /* ------------------------------------------------------------------ sections */
  function renderIndices() {
    const ix = S.index;
    const all = (parts) => parts.flatMap((p) => p.evidence);
    const box = RP.clear(document.getElementById("indices"));
    const kpi = (label, value, sub, onclick, id) => h("div", { class: "kpi" },
      h("span", { class: "kpi-label" }, label),
      RP.linkButton(value, onclick, { class: "linkish kpi-value", id }),
      h("span", { class: "kpi-sub" }, sub));
    box.append(h("div", { class: "kpis" },
      kpi("Isolation index", RP.num(ix.isolation),
        "0 = supporters still support, 1 = all gone",
        () => showHappenings("Isolation", all(ix.isolation_components)), "isolation-value"),
      kpi("Pressure index", RP.num(ix.pressure),
        `${RP.num(ix.pressure_window_per_day, 3)}/day now vs ${RP.num(ix.pressure_baseline_per_day, 3)}/day in the baseline`,
        () => showHappenings("Pressure", all(ix.pressure_components)), "pressure-value"),
      h("div", { class: "kpi" }, h("span", { class: "kpi-label" }, "Window"),
        h("span", { class: "kpi-plain" }, `${ix.window_start} → ${ix.as_of}`),
        h("span", { class: "kpi-sub" }, `baseline from ${ix.baseline_start}`))));
    const numCell = (value, evidence, title) => h("td", { class: "num" },
      RP.linkButton(RP.num(value), () => showHappenings(title, evidence)));
    box.append(h("div", { class: "grid2" },
      h("div", {}, h("h3", {}, "Isolation components"),
        ix.isolation_components.length ? h("table", { class: "data", id: "isolation-components" },
          h("thead", {}, h("tr", {}, ["Counterpart", "Baseline", "Support", "Withdrawing", "Loss"]
            .map((t, i) => h("th", { scope: "col", class: i ? "num" : null }, t)))),
          h("tbody", {}, ix.isolation_components.map((c) => h("tr", {},
            h("th", { scope: "row" }, `${c.name} (${c.country})`),
            ["baseline_weight", "support", "withdrawing", "loss"].map((k) =>
              numCell(c[k], c.evidence, `Isolation: ${c.name}`))))))
          : h("p", { class: "muted" }, "No supporters on record.")),
      h("div", {}, h("h3", {}, "Pressure components"),
        ix.pressure_components.length ? h("table", { class: "data", id: "pressure-components" },
          h("thead", {}, h("tr", {}, ["Counterpart", "Window", "Baseline"]
            .map((t, i) => h("th", { scope: "col", class: i ? "num" : null }, t)))),
          h("tbody", {}, ix.pressure_components.map((c) => h("tr", {},
            h("th", { scope: "row" }, `${c.name} (${c.country})`),
            ["window", "baseline"].map((k) => numCell(c[k], c.evidence, `Pressure: ${c.name}`))))))
          : h("p", { class: "muted" }, "No pressure on record."))));
  }

  function renderCounterparts() {
    const body = RP.clear(document.querySelector("#counterparts tbody"));
    for (const cp of S.report.counterparts) {
      body.append(h("tr", { dataset: { country: cp.country, stance: cp.stance } },
        h("th", { scope: "row" }, RP.linkButton(`${cp.name} (${cp.country})`,
          () => showCounterpart(cp.country), { class: "linkish counterpart", dataset: { country: cp.country } })),
        h("td", {}, RP.stanceBadge(cp.stance)),
        ["supporting", "withdrawing", "pressuring"].map((col) => h("td", { class: "num" },
          cp.scores[col] ? [RP.linkButton(RP.num(cp.scores[col]), () => showCounterpart(cp.country, col)),
            h("span", { class: "muted origins" }, ` (${cp.origins[col]} origin${cp.origins[col] === 1 ? "" : "s"})`)]
            : h("span", { class: "muted" }, "0"))),
        h("td", { class: "num" }, RP.linkButton(String(cp.events.length),
          () => showCounterpart(cp.country)))));
    }
    if (!S.report.counterparts.length) {
      body.append(h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No events toward this country.")));
    }
  }

  function renderChanges() {
    const list = RP.clear(document.getElementById("changes"));
    for (const c of S.index.stance_changes) {
      list.append(h("li", { class: "change" },
        h("span", {}, `${c.country}: `, RP.stanceBadge(c.before), " → ", RP.stanceBadge(c.after),
          ` on ${c.date} `),
        RP.linkButton(`(${c.evidence.length} event${c.evidence.length === 1 ? "" : "s"})`,
          () => showHappenings(`${c.name}: ${c.before} → ${c.after} on ${c.date}`, c.evidence))));
    }
    if (!S.index.stance_changes.length) list.append(h("li", { class: "muted" }, "No stance changes."));
  }

  function renderStories(stories) {
    const list = document.getElementById("story-list");
    if (!list) return;
    RP.clear(list);
    for (const s of stories) {
      list.append(h("li", {}, base === null ? s.label
        : h("a", { href: `${base}/story/${encodeURIComponent(s.id)}` }, s.label),
        h("span", { class: "muted" }, ` — ${s.first_date || "?"} to ${s.last_date || "?"}, ` +
          `${s.article_count} article(s), ${s.outlets.length} outlet(s)`)));
    }
    if (!stories.length) list.append(h("li", { class: "muted" }, "No stories."));
  }

  async function draw() {
    const title = document.getElementById("country-title");
    title.textContent = `${S.report.name} (${S.report.country})`;
    document.title = `${S.report.name} · Realpolitik`;
    renderIndices(); renderCounterparts(); renderChanges();
    await RP.drawNetwork(document.getElementById("network"), S.report, (c) => showCounterpart(c));
    await RP.drawTimeline(document.getElementById("timeline"), S.index.timeline,
      inline ? null : (day) => {
        const params = new URLSearchParams(location.search);
        params.set("as_of", day);
        location.search = params.toString();
      });
  }

  async function load() {
    try {
      if (inline) {
        index(inline);
        renderStories(inline.stories || []);
      } else {
        const q = new URLSearchParams(location.search);
        const params = new URLSearchParams();
        for (const k of ["as_of", "window", "baseline"]) if (q.get(k)) params.set(k, q.get(k));
        const c = encodeURIComponent(code);
        const [ix, rep] = await Promise.all([
          RP.getJSON(`/api/indices/${c}?${params}`), RP.getJSON(`/api/report/${c}`)]);
        index({ index: ix, report: rep });
        RP.getJSON(`/api/stories?country=${c}&limit=100`).then((d) => renderStories(RP.items(d)))
          .catch(() => renderStories([]));
      }
      await draw();
      RP.status("");
      page.dataset.ready = "1";
    } catch (err) {
      RP.status(`Could not load ${code}: ${err.message}`, true);
    }
  }
  load();
})();
