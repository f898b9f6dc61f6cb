/* Article page: the text with its coded events highlighted at their offsets. */
"use strict";
(async function () {
  const RP = window.RP, h = RP.h;
  const id = document.getElementById("article-page").dataset.article;

  /** Split text at every event boundary; each piece is marked with the events covering it. */
  function highlighted(text, events) {
    const cuts = new Set([0, text.length]);
    for (const e of events) { cuts.add(Math.max(0, Math.min(e.start, text.length)));
      cuts.add(Math.max(0, Math.min(e.end, text.length))); }
    const points = [...cuts].sort((a, b) => a - b);
    const out = [], seen = new Set();
    for (let i = 0; i < points.length - 1; i++) {
      const [a, b] = [points[i], points[i + 1]];
      const piece = text.slice(a, b);
      const covering = events.filter((e) => e.start <= a && e.end >= b);
      if (!covering.length) { out.push(piece); continue; }
      for (const e of covering) {
        if (!seen.has(e.id)) { seen.add(e.id); out.push(h("span", { id: `ev-${e.id}`, class: "anchor" })); }
      }
      out.push(h("mark", { dataset: { events: covering.map((e) => e.id).join(" ") },
        title: covering.map((e) => `${RP.actor(e.source)} ${RP.what(e)} ${RP.actor(e.target)}`).join("\n") }, piece));
    }
    return out;
  }

  try {
    const d = await RP.getJSON(`/api/articles/${encodeURIComponent(id)}`);
    const a = d.article, events = d.events || [];
    const sec = (name) => events.filter((e) => e.section === name);
    document.title = `${a.title || a.id} · Realpolitik`;
    const box = document.getElementById("article");
    box.append(
      h("h1", {}, highlighted(a.title || a.id, a.title ? sec("title") : [])),
      h("p", { class: "meta" }, [a.outlet || "unknown outlet", a.published || "undated",
        a.url ? h("a", { href: a.url, rel: "noopener noreferrer" }, "original") : null,
        a.story_id ? h("a", { href: `/story/${encodeURIComponent(a.story_id)}` }, "story") : null,
        a.origins && a.origins.length ? `origins: ${a.origins.join(", ")}` : null,
        a.cites && a.cites.length ? `cites: ${a.cites.join(", ")}` : null]
        .filter(Boolean).flatMap((x, i) => (i ? [" · ", x] : [x]))),
      a.summary ? h("p", { class: "summary" }, highlighted(a.summary, sec("summary"))) : null,
      h("div", { class: "body-text" }, highlighted(a.text, sec("body"))));
    const list = document.getElementById("article-events");
    for (const e of events) {
      list.append(h("li", { class: "ev" },
        h("a", { href: `#ev-${e.id}` }, `${RP.actor(e.source)} ${RP.what(e)} ${RP.actor(e.target)}`),
        h("span", { class: "muted" }, ` · ${e.type}${e.attributed_to.length ? ` · according to ${e.attributed_to.join(", ")}` : ""}` +
          ` · ${e.mentions} mention(s), origins: ${(e.origins || []).join(", ") || "—"}`)));
    }
    if (!events.length) list.append(h("li", { class: "muted" }, "No events coded."));
    RP.status("");
    const follow = () => {
      if (!location.hash.startsWith("#ev-")) return;
      const wanted = location.hash.slice(4);
      document.querySelectorAll("mark").forEach((m) =>
        m.classList.toggle("current", (m.dataset.events || "").split(" ").includes(wanted)));
      const target = document.getElementById(location.hash.slice(1));
      if (target) target.scrollIntoView({ block: "center" });
    };
    window.addEventListener("hashchange", follow);
    follow();
    document.getElementById("article-page").dataset.ready = "1";
  } catch (err) {
    RP.status(`Could not load article ${id}: ${err.message}`, true);
  }
})();
