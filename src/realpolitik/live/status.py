"""What the watcher tells its operator: a Rich live table on a terminal, logfmt lines
otherwise (one event per line: ``ts=… level=… event=… source=… key=value``)."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import ClassVar, Protocol, TextIO

from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table


@dataclass
class SourceStatus:
    """The latest state of one watched URL, as the status table shows it."""

    label: str
    kind: str
    state: str = "pending"
    http: str = ""
    problem: str = ""
    entries: int = 0
    stored: int = 0
    polls: int = 0
    failures: int = 0
    next_in: float = 0.0


class Reporter(Protocol):
    def event(self, level: str, event: str, **fields: object) -> None: ...

    def sources(self, statuses: list[SourceStatus]) -> None: ...

    def close(self) -> None: ...


def _value(v: object) -> str:
    text = str(v)
    if text and not any(c in text for c in ' "=\n'):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def logfmt(level: str, event: str, **fields: object) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    pairs = [f"ts={stamp}", f"level={level}", f"event={event}"]
    pairs += [f"{k}={_value(v)}" for k, v in fields.items() if v is not None]
    return " ".join(pairs)


class LogReporter:
    """Structured lines, flushed at once (for journald, files and tests)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def event(self, level: str, event: str, **fields: object) -> None:
        with self._lock:
            self.stream.write(logfmt(level, event, **fields) + "\n")
            self.stream.flush()

    def sources(self, statuses: list[SourceStatus]) -> None:
        """Nothing: every change was already logged as an event."""

    def close(self) -> None:
        self.stream.flush()


class RichReporter:
    """A live table of sources above a scrolling log of events and alerts."""

    STYLE: ClassVar[dict[str, str]] = {"ok": "green", "not modified": "cyan",
                                       "failing": "red"}

    def __init__(self, console: Console) -> None:
        self.console = console
        self.live = Live(Table(), console=console, refresh_per_second=2, transient=False)
        self.live.start()

    def event(self, level: str, event: str, **fields: object) -> None:
        colour = {"warning": "yellow", "error": "red", "alert": "bold magenta"}.get(level, "dim")
        detail = escape(" ".join(f"{k}={v}" for k, v in fields.items() if v is not None))
        self.live.console.print(f"[{colour}]{event}[/{colour}] {detail}", highlight=False)

    def sources(self, statuses: list[SourceStatus]) -> None:
        table = Table(title="realpolitik watch", expand=True)
        for col in ("source", "kind", "state", "HTTP", "entries", "stored", "polls",
                    "next in", "problem"):
            table.add_column(col, overflow="fold")
        for s in statuses:
            style = self.STYLE.get(s.state, "")
            state = f"[{style}]{s.state}[/{style}]" if style else s.state
            table.add_row(escape(s.label), s.kind, state, s.http, str(s.entries), str(s.stored),
                          str(s.polls), f"{s.next_in:.0f}s", escape(s.problem))
        self.live.update(table)

    def close(self) -> None:
        self.live.stop()


def make_reporter(console: Console, stream: TextIO) -> Reporter:
    """Rich on a terminal, log lines otherwise."""
    return RichReporter(console) if console.is_terminal else LogReporter(stream)
