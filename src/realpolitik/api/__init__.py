"""HTTP API over the store: read endpoints for the dashboard, an authenticated write.

``create_app(ApiSettings(db=...))`` returns the FastAPI app; ``realpolitik serve`` runs it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse

from realpolitik.api.deps import ApiSettings, open_state
from realpolitik.api.docs import docs_page
from realpolitik.api.ingest import router as ingest_router
from realpolitik.api.routes import router as read_router
from realpolitik.api.security import (
    BodyLimitMiddleware,
    HostAllowListMiddleware,
    InternalErrorMiddleware,
    SecurityHeadersMiddleware,
    validation_error_handler,
)

__all__ = ["ApiSettings", "create_app"]


def create_app(settings: ApiSettings) -> FastAPI:
    """The app for one database; the store is opened at startup and closed at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = open_state(settings)
        app.state.api = state
        if settings.warm_up and settings.token:
            state.warm_up()
        try:
            yield
        finally:
            state.close()

    app = FastAPI(title="Realpolitik", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json",
                  description="PLOVER political event data, stories and country reports "
                  "coded from news articles. Reads are open; writes need a bearer token.")
    app.include_router(read_router)
    app.include_router(ingest_router)
    app.add_exception_handler(RequestValidationError, validation_error_handler)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return docs_page(app.openapi_url or "/openapi.json", app.title)

    # added innermost first: headers, then errors, then Host, then size, then the app
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(HostAllowListMiddleware, allowed=settings.allowed_hosts)
    app.add_middleware(InternalErrorMiddleware)  # also covers the guards
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: every response has them
    return app
