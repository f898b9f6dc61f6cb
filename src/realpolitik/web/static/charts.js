/* plotly.js drawings shared by the dashboard and the self-contained report. */
"use strict";
(function () {
  const RP = (window.RP = window.RP || {});
  const CONFIG = { displaylogo: false, responsive: true,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"] };
  const FONT = { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 13 };

  /** Counterparts on a circle around the country; edge width and node size follow weight. */
  RP.networkLayout = function networkLayout(report) {
    const cps = report.counterparts || [];
    const n = cps.length;
    return cps.map((cp, i) => {
      const angle = Math.PI / 2 - (2 * Math.PI * i) / Math.max(n, 1);
      const total = Object.values(cp.scores || {}).reduce((a, b) => a + b, 0);
      return { cp, x: Math.cos(angle), y: Math.sin(angle), total };
    });
  };

  RP.drawNetwork = function drawNetwork(div, report, onSelect) {
    const nodes = RP.networkLayout(report);
    const maxTotal = Math.max(0.01, ...nodes.map((n) => n.total));
    const traces = nodes.map((n) => ({
      type: "scatter", mode: "lines", x: [0.12 * n.x, 0.86 * n.x], y: [0.12 * n.y, 0.86 * n.y],
      hoverinfo: "skip",
      showlegend: false,
      line: { color: RP.STANCE[n.cp.stance].color, width: 1.5 + 6 * (n.total / maxTotal) },
      opacity: 0.55,
    }));
    for (const [stance, style] of Object.entries(RP.STANCE)) {
      const group = nodes.filter((n) => n.cp.stance === stance);
      if (!group.length) continue;
      traces.push({
        type: "scatter", mode: "markers+text", name: style.label,
        x: group.map((n) => n.x), y: group.map((n) => n.y),
        text: group.map((n) => RP.plotText(n.cp.country)), textposition: "top center",
        customdata: group.map((n) => n.cp.country),
        hovertext: group.map((n) => `${RP.plotText(n.cp.name)}: ${stance}<br>` + Object.entries(n.cp.scores)
          .filter(([, v]) => v).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ")),
        hoverinfo: "text",
        marker: { color: style.color, symbol: style.symbol, opacity: 1,
          line: { color: "#fff", width: 1.5 },
          size: group.map((n) => 16 + 22 * Math.sqrt(n.total / maxTotal)) },
      });
    }
    traces.push({
      type: "scatter", mode: "markers+text", name: RP.plotText(report.name), x: [0], y: [0],
      text: [RP.plotText(report.country)], textposition: "middle center", textfont: { color: "#fff" },
      customdata: [report.country], hovertext: [RP.plotText(report.name)], hoverinfo: "text",
      marker: { color: "#1d3557", size: 44 }, showlegend: false, cliponaxis: false,
    });
    const axis = { visible: false, range: [-1.45, 1.45], fixedrange: true };
    const layout = {
      font: FONT, margin: { l: 10, r: 10, t: 10, b: 10 }, height: 380, hovermode: "closest",
      xaxis: axis, yaxis: Object.assign({ scaleanchor: "x" }, axis),
      legend: { orientation: "h", y: -0.02 }, paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
    };
    return window.Plotly.newPlot(div, traces, layout, CONFIG).then((gd) => {
      if (onSelect) {
        gd.on("plotly_click", (ev) => {
          const code = ev && ev.points && ev.points[0] && ev.points[0].customdata;
          if (code && code !== report.country) onSelect(code);
        });
      }
      return gd;
    });
  };

  RP.drawTimeline = function drawTimeline(div, timeline, onPoint) {
    const dates = timeline.map((p) => p.date);
    const traces = [
      { type: "scatter", mode: "lines+markers", name: "isolation (0–1)", x: dates,
        y: timeline.map((p) => p.isolation), line: { color: "#c77700", width: 2.5 },
        marker: { size: 7 }, connectgaps: false },
      { type: "scatter", mode: "lines+markers", name: "pressure (× baseline)", x: dates,
        y: timeline.map((p) => p.pressure), yaxis: "y2", line: { color: "#c62f3a", width: 2.5,
          dash: "dot" }, marker: { size: 7, symbol: "square" } },
    ];
    const layout = {
      font: FONT, height: 380, margin: { l: 50, r: 55, t: 10, b: 40 }, hovermode: "x unified",
      xaxis: { type: "date", title: { text: "as of" } },
      yaxis: { title: { text: "isolation" }, range: [0, 1.05], zeroline: false },
      yaxis2: { title: { text: "pressure" }, overlaying: "y", side: "right", rangemode: "tozero",
        zeroline: false, tickformat: ".1f" },
      legend: { orientation: "h", y: 1.12 }, paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
    };
    return window.Plotly.newPlot(div, traces, layout, CONFIG).then((gd) => {
      if (onPoint) {
        gd.on("plotly_click", (ev) => {
          const p = ev && ev.points && ev.points[0];
          if (p) onPoint(String(p.x).slice(0, 10));
        });
      }
      return gd;
    });
  };
})();
