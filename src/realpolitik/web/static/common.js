/* Shared helpers for the Realpolitik dashboard and the offline report (no framework). */
"use strict";
(function () {
  const RP = (window.RP = window.RP || {});

  RP.STANCE = {
    supporting: { color: "#1b7f3b", symbol: "circle", label: "supporting" },
    withdrawing: { color: "#c77700", symbol: "diamond", label: "withdrawing" },
    pressuring: { color: "#c62f3a", symbol: "square", label: "pressuring" },
    mixed: { color: "#7b3fa0", symbol: "triangle-up", label: "mixed" },
  };

  /** The link target if it is safe to follow: an in-page "#..." or same-site "/..." path,
   *  or an absolute http(s) URL; null for javascript:, data: and every other scheme. */
  RP.safeHref = function safeHref(url) {
    const s = String(url === null || url === undefined ? "" : url);
    if (!s || /[\u0000-\u0020\u007f]/.test(s)) return null;  // browsers drop these first
    if (/^#/.test(s) || /^\/(?![\/\\])/.test(s)) return s;
    try {
      const u = new URL(s);
      return u.protocol === "http:" || u.protocol === "https:" ? s : null;
    } catch (e) {
      return null;
    }
  };

  /** Build an element; children may be strings (as text, never HTML), nodes or arrays.
   *  Event handlers must be functions; href/src values go through RP.safeHref. */
  RP.h = function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (/^on/i.test(k)) { if (typeof v === "function") el.addEventListener(k.slice(2), v); }
      else if (k === "dataset") Object.assign(el.dataset, v);
      else if (k === "href" || k === "src") {
        const safe = RP.safeHref(v);
        if (safe !== null) el.setAttribute(k, safe);
      } else el.setAttribute(k, v === true ? "" : String(v));
    }
    const add = (c) => {
      if (c === null || c === undefined || c === false) return;
      if (Array.isArray(c)) c.forEach(add);
      else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    };
    children.forEach(add);
    return el;
  };

  RP.getJSON = async function getJSON(url) {
    const res = await fetch(url, { headers: { Accept: "application/json" } });
    if (!res.ok) {
      let detail = res.statusText;
      try { detail = (await res.json()).detail || detail; } catch (e) { /* not JSON */ }
      const err = new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
      err.status = res.status;
      throw err;
    }
    return res.json();
  };

  /** List endpoints answer {items, total, limit, offset}; accept a bare array too. */
  RP.items = (d) => (Array.isArray(d) ? d : (d && d.items) || []);

  RP.status = function status(message, isError) {
    const el = document.getElementById("status");
    if (!el) return;
    el.textContent = message || "";
    el.hidden = !message;
    el.classList.toggle("error", !!isError);
  };

  RP.num = (v, digits = 2) =>
    v === null || v === undefined ? "n/a" : Number(v).toFixed(digits);

  RP.clear = (el) => { while (el.firstChild) el.removeChild(el.firstChild); return el; };

  RP.inlineData = function inlineData() {
    const el = document.getElementById("rp-data");
    return el ? JSON.parse(el.textContent) : null;
  };

  /** A button that looks like a link: in-page actions (show evidence) stay keyboard-usable. */
  RP.linkButton = (label, onclick, attrs) =>
    RP.h("button", Object.assign({ type: "button", class: "linkish", onclick }, attrs || {}),
      label);

  RP.stanceBadge = (stance) =>
    RP.h("span", { class: `badge stance-${stance}` }, stance);

  /** "not support (planned)" from an event or happening. */
  RP.what = function what(e) {
    let s = (e.negated ? "not " : "") + String(e.type || "").toLowerCase();
    if (e.modality && e.modality !== "asserted") s += ` (${e.modality.replace("_", " ")})`;
    return s;
  };

  /** Text for plotly labels and hovers, which read a little HTML: shown as written. */
  RP.plotText = (s) => String(s === null || s === undefined ? "" : s)
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

  /** An event's original sentence, marked with its language (never translated). */
  RP.sentence = (tag, e, attrs) => {
    const lang = e.language || "en";
    return RP.h(tag, Object.assign({ lang }, attrs || {}), e.sentence,
      lang !== "en" ? [" ", RP.h("span", { class: "badge lang", title: "language of the sentence" }, lang)] : null);
  };

  RP.actor = (a) => (a ? (a.country ? `${a.name} (${a.country})` : a.name) : "—");
})();
