"""Live watching: poll news feeds and pages, code what is new, alert on changes.

``watch`` wires the pieces for ``realpolitik watch``; ``check_sources`` is
``realpolitik sources check``. See the README section "Live watching and alerts".
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from realpolitik.ingest import parse_feed
from realpolitik.ingest.decode import IngestError, decode
from realpolitik.live.alerts import Alert, AlertEngine
from realpolitik.live.config import AlertsConfig, ConfigError, SourcesFile, load_config
from realpolitik.live.fetch import Fetcher
from realpolitik.live.notify import Dispatcher
from realpolitik.live.status import Reporter
from realpolitik.live.watcher import LiveCoder, Watcher, WatchSummary
from realpolitik.store import Store
from realpolitik.stories import Embedder, StorySettings
from realpolitik.workflow import IngestSettings

__all__ = ["Alert", "AlertsConfig", "ConfigError", "FeedCheck", "SourcesFile", "Watcher",
           "check_sources", "load_config", "stop_on_signals", "watch"]


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` (the watcher finishes its article, then exits)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in previous:
        signal.signal(s, lambda *_: stop.set())
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def watch(sources_path: Path, db: Path, coder: LiveCoder, embedder: Embedder, reporter: Reporter,
          once: bool = False, max_polls: int | None = None,
          stop: threading.Event | None = None, ingest: IngestSettings | None = None,
          stories: StorySettings | None = None) -> WatchSummary:
    """Run the watcher of one sources file against one database until stopped
    (``ingest``: batch size and confidence kept; ``stories``: the grouping settings)."""
    config, alerts = load_config(sources_path)
    stop = stop or threading.Event()
    gazetteer, plover = coder.gazetteer, coder.plover
    dispatcher = Dispatcher(alerts.outputs, reporter, config.settings.user_agent,
                            sources_path.parent)
    try:
        with Store(db) as store, Fetcher(config.settings, stop) as fetcher, \
                stop_on_signals(stop):
            engine = AlertEngine(alerts.rules, store, plover, gazetteer.country_name,
                                 dispatcher.send)
            watcher = Watcher(config, store, coder, embedder, reporter, fetcher, engine.check,
                              stop, ingest=ingest or IngestSettings(), stories=stories)
            reporter.event("info", "watching", sources=len(config.sources), db=str(db),
                           rules=len(alerts.rules))
            return watcher.run(once=once, max_polls=max_polls)
    finally:
        dispatcher.close()
        reporter.close()


@dataclass
class FeedCheck:
    """One source tried once, for ``sources check``."""

    url: str
    kind: str
    status: str
    entries: int | None = None
    last_modified: str | None = None
    problem: str | None = None


def check_sources(config: SourcesFile) -> list[FeedCheck]:
    """Fetch every source once (robots.txt and limits apply) and say what came back."""
    out = []
    with Fetcher(config.settings) as fetcher:
        for spec in config.sources:
            got = fetcher.get(str(spec.url))
            check = FeedCheck(str(spec.url), spec.kind, str(got.status or "-"),
                              last_modified=got.last_modified, problem=got.problem)
            if got.ok and spec.kind == "feed":
                try:
                    check.entries = len(parse_feed(decode(got.body)).entries)
                except IngestError as exc:
                    check.problem = f"feed {exc}"
            out.append(check)
    return out

