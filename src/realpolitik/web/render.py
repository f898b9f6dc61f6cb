"""The support and pressure picture outside the browser: one self-contained HTML file and
PNG charts.

``report_html`` reuses the dashboard's own template, CSS and JavaScript with plotly.js and
the data inlined, so the file opens offline (e-mail it, archive it) and looks like the
country page. ``report_pngs`` draws with matplotlib's Agg renderer, so PNGs can be made
on a server with no browser at all.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib.metadata import version
from pathlib import Path

import networkx as nx
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from realpolitik.records import http_url
from realpolitik.relations.indices import IndexReport
from realpolitik.relations.report import Report
from realpolitik.web import HERE, plotly_js, static_text
from realpolitik.web.csp import script_hash

STANCE_COLORS = {"supporting": "#1b7f3b", "withdrawing": "#c77700", "pressuring": "#c62f3a",
                 "mixed": "#7b3fa0"}
STANCE_MARKERS = {"supporting": "o", "withdrawing": "D", "pressuring": "s", "mixed": "^"}
CENTRE_COLOR = "#1d3557"


# Inside <script>, "</script" ends the element and "<!--" with "<script" changes how the
# parser looks for the end; JSON escapes these characters so no text can do either.
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                 "\u2029": "\\u2029"}
_SCRIPT_HAZARDS = re.compile(r"<!--|<script|</script", re.IGNORECASE)


def _inline_json(data: object) -> str:
    """JSON safe inside a <script> element: no ``<``, ``>`` or ``&`` appear literally."""
    text = json.dumps(data, ensure_ascii=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


def _inline_script(code: str) -> str:
    """Our own or plotly's JavaScript for an inline <script>: refused if it holds text
    that would end the element early (it never should; checked, not trusted)."""
    if _SCRIPT_HAZARDS.search(code):
        raise ValueError("JavaScript to inline contains '<!--', '<script' or '</script'")
    return code


def report_csp(scripts: list[str]) -> str:
    """The report's policy: only its own inline scripts (by hash) run; nothing is fetched."""
    hashes = " ".join(script_hash(code) for code in scripts)
    return (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; form-action 'none'")


def report_html(index: IndexReport, report: Report, base_url: str | None = None) -> str:
    """A self-contained HTML page (plotly.js, data and CSS inlined) for one country.

    ``base_url`` (an http(s) URL such as ``http://localhost:8000``) turns article and story
    references into links to a running dashboard; without it they are plain text, so the
    file never reaches the network.
    """
    if base_url is not None and http_url(base_url) is None:
        raise ValueError(f"base_url must be an absolute http(s) URL, not {base_url!r}")
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                      autoescape=select_autoescape(["html"]))
    data = {"index": index.model_dump(mode="json"), "report": report.model_dump(mode="json"),
            "base_url": base_url.strip().rstrip("/") if base_url else None, "stories": []}
    app_js = _inline_script(
        "\n".join(static_text(name) for name in ("common.js", "charts.js", "country.js")))
    plotly = _inline_script(plotly_js().decode("utf-8"))
    return env.get_template("report.html").render(
        code=report.country, name=report.name,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        csp=report_csp([plotly, app_js]),
        css=Markup(static_text("dashboard.css")),
        data_json=Markup(_inline_json(data)),
        plotly_js=Markup(plotly),
        plotly_version=version("plotly"),
        app_js=Markup(app_js),
    )


def _timeline_png(index: IndexReport, path: Path) -> None:
    points = [p for p in index.timeline if p.get("date")]
    days = [dt.date.fromisoformat(p["date"]) for p in points]
    fig = Figure(figsize=(9, 4.2), dpi=120, layout="constrained")
    ax = fig.add_subplot()
    iso = [p["isolation"] if p["isolation"] is not None else float("nan") for p in points]
    ax.plot(days, iso, color=STANCE_COLORS["withdrawing"], marker="o", lw=2.2,
            label="isolation (0-1)")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("isolation")
    ax2 = ax.twinx()
    ax2.plot(days, [p["pressure"] for p in points], color=STANCE_COLORS["pressuring"],
             marker="s", ls=":", lw=2.2, label="pressure (x baseline)")
    ax2.set_ylabel("pressure")
    ax2.set_ylim(bottom=0)
    lines = ax.get_lines() + ax2.get_lines()
    changes: dict[dt.date, list[str]] = {}
    for change in index.stance_changes:
        if days and days[0] <= change.date <= days[-1]:
            changes.setdefault(change.date, []).append(f"{change.country} \u2192 {change.after}")
    for day, labels in changes.items():
        ax.axvline(day, color="#888", lw=0.8, ls="--")
        ax.annotate("\n".join(labels), (day, 1.02), xytext=(-4, 0), textcoords="offset points",
                    fontsize=7, color="#444", ha="right", va="top")
    ax.legend(lines, [line.get_label() for line in lines], loc="upper left", frameon=False)
    ax.set_title(f"{index.name} ({index.country}): isolation and pressure, "
                 f"as of {index.as_of}")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.savefig(path, format="png")


def _network_png(report: Report, path: Path) -> None:
    graph = nx.Graph()
    graph.add_node(report.country)
    for cp in report.counterparts:
        graph.add_edge(report.country, cp.country, weight=sum(cp.scores.values()))
    others = [cp.country for cp in report.counterparts]
    pos = nx.shell_layout(graph, nlist=[[report.country], others] if others
                          else [[report.country]])
    fig = Figure(figsize=(7, 7.4), dpi=120, layout="constrained")
    ax = fig.add_subplot()
    top = max((sum(cp.scores.values()) for cp in report.counterparts), default=1.0) or 1.0
    for cp in report.counterparts:
        total = sum(cp.scores.values())
        (x0, y0), (x1, y1) = pos[report.country], pos[cp.country]
        ax.plot([x0, x1], [y0, y1], color=STANCE_COLORS[cp.stance], alpha=0.55,
                lw=1.5 + 6 * total / top, zorder=1)
        ax.scatter([x1], [y1], s=300 + 900 * (total / top) ** 0.5,
                   c=STANCE_COLORS[cp.stance], marker=STANCE_MARKERS[cp.stance],
                   edgecolors="white", linewidths=1.5, zorder=2)
        ax.annotate(cp.country, (x1, y1), xytext=(0, 24), textcoords="offset points",
                    ha="center", fontsize=10, fontweight="bold")
    cx, cy = pos[report.country]
    ax.scatter([cx], [cy], s=1600, c=CENTRE_COLOR, zorder=3)
    ax.annotate(report.country, (cx, cy), ha="center", va="center", color="white",
                fontweight="bold", zorder=4)
    handles = [Line2D([], [], ls="", marker=STANCE_MARKERS[s], color=c, markersize=10, label=s)
               for s, c in STANCE_COLORS.items()]
    ax.legend(handles=handles, loc="lower center", ncol=4, frameon=False,
              bbox_to_anchor=(0.5, -0.06))
    reach = max((float(abs(c).max()) for c in pos.values()), default=1.0) or 1.0
    ax.set_xlim(-1.3 * reach, 1.3 * reach)
    ax.set_ylim(-1.3 * reach, 1.3 * reach)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.suptitle(f"Who backs, withdraws from and pressures {report.name} ({report.country})")
    fig.savefig(path, format="png", bbox_inches="tight", pad_inches=0.2)


def report_pngs(index: IndexReport, report: Report, prefix: Path) -> list[Path]:
    """Write ``<prefix>-timeline.png`` and ``<prefix>-network.png``; return their paths."""
    prefix = Path(prefix)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    timeline = prefix.with_name(prefix.name + "-timeline.png")
    network = prefix.with_name(prefix.name + "-network.png")
    _timeline_png(index, timeline)
    _network_png(report, network)
    return [timeline, network]
