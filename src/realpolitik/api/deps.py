"""Shared app state: one database per app, one connection (cursor) per request.

Without a write token the database is opened read-only, so other processes (the CLI)
can read it while the dashboard runs. With a token it is opened read-write (DuckDB then
admits no other process). Every request gets its own cursor (``ApiState.reader()``), so
it sees the last committed state and neither waits for a write nor for another reader;
writes (``ApiState.writer()``, their own cursor too) hold ``write_lock`` and run one at a
time in ``write_pool``, under the time budget
``ApiSettings.write_timeout`` (see ``api.ingest``), coding in a child process
(``api.coder``) that is killed when a write runs over.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request

from realpolitik.actors.gazetteer import Gazetteer
from realpolitik.api.coder import ProcessCoder
from realpolitik.events.lexicon import PloverTable, load_plover
from realpolitik.settings import DEFAULTS, Settings
from realpolitik.store import Store, StoreError
from realpolitik.store.errors import SchemaTooOldError

if TYPE_CHECKING:
    from realpolitik.stories import Embedder


LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
WARM_UP_SECONDS = 600.0


@dataclass
class ApiSettings:
    """How the API is served: which database, the write token, limits and allowed hosts.

    ``allowed_hosts`` are the Host header names the server answers (DNS-rebinding guard):
    the loopback names plus the setting ``api.allowed_hosts``. ``write_timeout`` bounds
    one ``POST /api/articles`` in seconds, queueing included. The defaults are those of
    ``realpolitik.settings``; ``from_settings`` takes the effective ones.
    """

    db: Path
    token: str | None = None
    max_body_bytes: int = DEFAULTS.api.max_body_bytes
    max_documents: int = DEFAULTS.api.max_documents
    max_text_chars: int = DEFAULTS.api.max_text_chars
    write_timeout: float = DEFAULTS.api.write_timeout
    warm_up: bool = False  # start the coding process at startup (when writes are enabled)
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS
    window_days: int = DEFAULTS.analysis.window_days  # /api/indices without ?window=
    baseline_days: int = DEFAULTS.analysis.baseline_days
    read_only: bool | None = None  # None: read-only exactly when there is no token

    def opens_read_only(self) -> bool:
        return self.read_only if self.read_only is not None else not self.token

    @classmethod
    def from_settings(cls, db: Path, settings: Settings, warm_up: bool = False
                      ) -> ApiSettings:
        """The serving settings of ``db`` from the ``api`` and ``analysis`` groups."""
        api = settings.api
        return cls(db=db, token=api.token.get_secret_value() if api.token else None,
                   max_body_bytes=api.max_body_bytes, max_documents=api.max_documents,
                   max_text_chars=api.max_text_chars, write_timeout=api.write_timeout,
                   warm_up=warm_up,
                   allowed_hosts=with_hosts(LOCAL_HOSTS, list(api.allowed_hosts)),
                   window_days=settings.analysis.window_days,
                   baseline_days=settings.analysis.baseline_days)


def with_hosts(hosts: tuple[str, ...], more: list[str]) -> tuple[str, ...]:
    """``hosts`` plus ``more`` (lower-cased, IPv6 literals bracketed), without repeats."""
    def norm(name: str) -> str:
        name = name.strip().lower()
        return f"[{name}]" if ":" in name and not name.startswith("[") else name

    return tuple(dict.fromkeys(norm(h) for h in (*hosts, *more) if h.strip()))


@dataclass
class ApiState:
    """Everything the endpoints share for the app's lifetime."""

    settings: ApiSettings
    db: Store
    gazetteer: Gazetteer
    plover: PloverTable
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    write_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="realpolitik-write"))
    closing: threading.Event = field(default_factory=threading.Event)
    _coder: ProcessCoder = field(default_factory=ProcessCoder)
    _embedder: Embedder | None = None

    @contextmanager
    def reader(self) -> Iterator[Store]:
        """A read view of the store on its own cursor: never waits for a writer."""
        with self.db.reader() as view:
            yield view

    @contextmanager
    def writer(self) -> Iterator[Store]:
        """A read-write cursor of its own, one writer at a time."""
        with self.write_lock, self.db.writer() as view:
            yield view

    def close(self) -> None:
        """Refuse further writes, let a write that is storing finish, close the database.

        A write still coding is abandoned: its coding process is stopped and it stores
        nothing.
        """
        self.closing.set()
        self.write_pool.shutdown(wait=False, cancel_futures=True)
        self._coder.stop()
        with self.write_lock:
            self.db.close()

    def coder(self) -> ProcessCoder:
        """The coding process (started, and its models loaded, by the first write)."""
        return self._coder

    def warm_up(self) -> None:
        """Start the coding process and the embedder in the write thread, so the first
        write does not spend its time budget loading models."""
        self.write_pool.submit(self._coder.start, time.monotonic() + WARM_UP_SECONDS)
        self.write_pool.submit(self.embedder)

    def embedder(self) -> Embedder:
        """The story embedder, loaded and warmed on the first write."""
        if self._embedder is None:
            from realpolitik.stories import Embedder

            embedder = Embedder()
            embedder.encode(["warm up"])
            self._embedder = embedder
        return self._embedder

    def name_of(self, code: str) -> str | None:
        return self.gazetteer.country_name(code)


def open_state(settings: ApiSettings) -> ApiState:
    """Open the database and load data; a missing database is created (so a fresh
    dashboard works) and an older one migrated before a read-only open."""
    settings.db.parent.mkdir(parents=True, exist_ok=True)
    store = open_store(settings.db, settings.opens_read_only())
    try:
        return ApiState(settings=settings, db=store, gazetteer=Gazetteer.load(),
                        plover=load_plover())
    except BaseException:
        store.close()
        raise


def open_store(db: Path, read_only: bool) -> Store:
    """``Store(db, read_only)``, creating or migrating it first (briefly read-write)
    when a read-only open finds it missing or at an older schema."""
    if read_only:
        try:
            return Store(db, read_only=True)
        except SchemaTooOldError:
            pass
        except StoreError:
            if db.exists():
                raise
        Store(db).close()
    return Store(db, read_only=read_only)


def get_state(request: Request) -> ApiState:
    """FastAPI dependency: the app's shared state (set by the lifespan handler)."""
    state: Any = request.app.state.api
    return state
