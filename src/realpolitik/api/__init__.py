"""HTTP API over the store: read endpoints for the dashboard, an authenticated write.

``create_app(ApiSettings(db=...))`` returns the FastAPI app; ``realpolitik serve`` runs it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from realpolitik.api.deps import ApiSettings, open_state
from realpolitik.api.ingest import router as ingest_router
from realpolitik.api.routes import router as read_router
from realpolitik.api.security import BodyLimitMiddleware, InternalErrorMiddleware

__all__ = ["ApiSettings", "create_app"]


def create_app(settings: ApiSettings) -> FastAPI:
    """The app for one database; the store is opened at startup and closed at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = open_state(settings)
        app.state.api = state
        try:
            yield
        finally:
            with state.lock:
                state.db.close()

    app = FastAPI(title="Realpolitik", lifespan=lifespan, docs_url="/docs",
                  openapi_url="/openapi.json",
                  description="PLOVER political event data, stories and country reports "
                  "coded from news articles. Reads are open; writes need a bearer token.")
    app.include_router(read_router)
    app.include_router(ingest_router)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(InternalErrorMiddleware)  # outermost: also covers the body guard
    return app
