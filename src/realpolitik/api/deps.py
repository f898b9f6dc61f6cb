"""Shared app state: one Store per app, a lock around it, and the heavy coders made lazily.

DuckDB allows a single read-write connection per file per process, and the API's sync
endpoints run in a threadpool, so every store access goes through ``ApiState.store()``,
which holds ``lock`` for the duration of the block.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request

from realpolitik.actors.gazetteer import Gazetteer
from realpolitik.events.lexicon import PloverTable, load_plover
from realpolitik.store import Store

if TYPE_CHECKING:
    from realpolitik.pipeline import Pipeline
    from realpolitik.stories import Embedder


@dataclass
class ApiSettings:
    """How the API is served: which database, the write token and request limits."""

    db: Path
    token: str | None = field(default_factory=lambda: _env_token())
    max_body_bytes: int = 2_000_000
    max_documents: int = 100


def _env_token() -> str | None:
    import os

    return os.environ.get("REALPOLITIK_API_TOKEN") or None


@dataclass
class ApiState:
    """Everything the endpoints share for the app's lifetime."""

    settings: ApiSettings
    db: Store
    gazetteer: Gazetteer
    plover: PloverTable
    lock: threading.Lock = field(default_factory=threading.Lock)
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    _pipeline: Pipeline | None = None
    _embedder: Embedder | None = None

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The store, held exclusively for the block (one connection, many threads)."""
        with self.lock:
            yield self.db

    def pipeline(self) -> Pipeline:
        """The coding pipeline, loaded on the first write (spaCy models take seconds)."""
        if self._pipeline is None:
            from realpolitik.pipeline import Pipeline

            self._pipeline = Pipeline()
        return self._pipeline

    def embedder(self) -> Embedder:
        """The story embedder, loaded and warmed on the first write, outside the store lock."""
        if self._embedder is None:
            from realpolitik.stories import Embedder

            embedder = Embedder()
            embedder.encode(["warm up"])
            self._embedder = embedder
        return self._embedder

    def name_of(self, code: str) -> str | None:
        return self.gazetteer.country_name(code)


def open_state(settings: ApiSettings) -> ApiState:
    """Open (creating if missing, so a fresh dashboard works) the database and load data."""
    settings.db.parent.mkdir(parents=True, exist_ok=True)
    store = Store(settings.db)
    try:
        return ApiState(settings=settings, db=store, gazetteer=Gazetteer.load(),
                        plover=load_plover())
    except BaseException:
        store.close()
        raise


def get_state(request: Request) -> ApiState:
    """FastAPI dependency: the app's shared state (set by the lifespan handler)."""
    state: Any = request.app.state.api
    return state
