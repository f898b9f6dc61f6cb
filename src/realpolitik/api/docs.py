"""The interactive API docs (Swagger UI) with a CSP that admits only its own scripts.

Swagger UI comes from its CDN (as FastAPI serves it) and starts with one inline script;
the page's policy allows that CDN and that script's hash, nothing else.
"""

from __future__ import annotations

from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from realpolitik.web.csp import inline_script_hashes

CDN = "https://cdn.jsdelivr.net"
FAVICON_HOST = "https://fastapi.tiangolo.com"


def docs_page(openapi_url: str, title: str) -> HTMLResponse:
    """Swagger UI for ``openapi_url`` with its own Content-Security-Policy header."""
    page = get_swagger_ui_html(openapi_url=openapi_url, title=f"{title} - Swagger UI")
    html = bytes(page.body).decode("utf-8")
    scripts = " ".join([CDN, *inline_script_hashes(html)])
    policy = (f"default-src 'none'; script-src {scripts}; style-src {CDN} 'unsafe-inline'; "
              f"img-src 'self' data: {FAVICON_HOST}; connect-src 'self'; "
              "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return HTMLResponse(html, headers={"Content-Security-Policy": policy})
