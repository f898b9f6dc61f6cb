"""The browser dashboard: server-rendered page shells that read the JSON API.

The pages are plain Jinja2 templates plus our own JavaScript (no framework, no build
step); data always comes from ``/api/...`` so the dashboard shows exactly what the API
serves. plotly.js is served from the installed ``plotly`` package, never from a CDN.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from realpolitik.records import PLOVER_TYPES

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))


@cache
def plotly_js() -> bytes:
    """plotly.min.js as shipped inside the plotly wheel (read once, kept in memory)."""
    return resources.files("plotly").joinpath("package_data", "plotly.min.js").read_bytes()


@cache
def static_text(name: str) -> str:
    """One of our own static files, for inlining into the self-contained report."""
    return (HERE / "static" / name).read_text(encoding="utf-8")


def _page(request: Request, template: str, **context: object) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, context)


def mount_dashboard(app: FastAPI) -> None:
    """Add the dashboard pages, ``/static`` and ``/vendor/plotly.min.js`` to ``app``."""
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def vendor_plotly() -> Response:
        return Response(plotly_js(), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        return _page(request, "index.html", title="Countries")

    @app.get("/country/{code}", response_class=HTMLResponse, include_in_schema=False)
    def country(request: Request, code: str) -> HTMLResponse:
        return _page(request, "country.html", title=code.upper(), code=code.upper())

    @app.get("/story/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story(request: Request, story_id: str) -> HTMLResponse:
        return _page(request, "story.html", title=f"Story {story_id}", story_id=story_id)

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search(request: Request) -> HTMLResponse:
        return _page(request, "search.html", title="Event search", types=PLOVER_TYPES)

    @app.get("/article/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article(request: Request, article_id: str) -> HTMLResponse:
        return _page(request, "article.html", title=f"Article {article_id}",
                     article_id=article_id)

    @app.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
    def alerts(request: Request) -> HTMLResponse:
        return _page(request, "alerts.html", title="Alerts")
