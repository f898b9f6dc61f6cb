"""Read sources in a child process with a CPU-time and a memory budget per file.

Reading is where the shape of hostile input costs most (decoding, HTML and feed parsers,
layout heuristics), and C code such as lxml or a regular expression cannot be interrupted
from Python. So ``read_source`` runs in a forked child: before each file its CPU limit
(RLIMIT_CPU) is set to the time used so far plus the budget, and its address space may
grow by at most the memory budget (RLIMIT_AS). A file over the CPU budget kills the child
(SIGXCPU); one over the memory budget raises MemoryError there; a read that blocks is
killed after a wall-clock guard. Each becomes the file's one-line problem, a fresh child
reads the next file, and the batch goes on.
"""

from __future__ import annotations

import contextlib
import io
import math
import multiprocessing as mp
import resource
import signal
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import TracebackType

from realpolitik.ingest.language import load_identifier
from realpolitik.ingest.reader import (
    DEFAULT_LIMITS,
    IngestLimits,
    Normaliser,
    SourceResult,
    read_source,
)
from realpolitik.ingest.sanitize import display_name
from realpolitik.records import IngestProblem


@dataclass(frozen=True)
class Budget:
    """Per-file resource budget of the reading child."""

    cpu_seconds: int = 30
    memory_bytes: int = 1_000_000_000  # growth of the child's address space
    wall_seconds: float = 120.0  # a read blocked this long (not computing) is killed


DEFAULT_BUDGET = Budget()


def _problem(path: str, phrase: str) -> SourceResult:
    name = "stdin" if path == "-" else display_name(path)
    return SourceResult(path, problem=IngestProblem(path=name, problem=f"{name}: {phrase}."))


def _limit_memory(extra: int) -> None:
    """Let the address space grow by ``extra`` bytes beyond its size now."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[0])
    current = pages * resource.getpagesize()
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (current + extra, hard))


def _limit_cpu(seconds: int) -> None:
    """SIGXCPU (which ends the process) once ``seconds`` more of CPU time are used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime) + seconds
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _serve(conn: Connection, limits: IngestLimits, normalise: Normaliser | None,
           budget: Budget) -> None:
    """The child's loop: (path, stdin text or None) in, SourceResult out, until None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    _limit_memory(budget.memory_bytes)
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        path, text = request
        _limit_cpu(budget.cpu_seconds)
        stdin = io.StringIO(text) if text is not None else None
        try:
            result = read_source(path, stdin=stdin, limits=limits, normalise_cite=normalise)
        except MemoryError:
            result = _problem(path, f"needs more than {budget.memory_bytes // 10**6:,} MB of "
                                    "memory to read; skipped")
        except Exception as exc:  # a reader bug must not end the batch: name it and go on
            result = _problem(path, f"could not be read (internal error: "
                                    f"{type(exc).__name__}); skipped")
        conn.send(result)


class SandboxedReader:
    """``read_source`` under a per-file budget, in a child process kept between files."""

    def __init__(self, limits: IngestLimits = DEFAULT_LIMITS, budget: Budget = DEFAULT_BUDGET,
                 normalise: Normaliser | None = None) -> None:
        self.limits, self.budget, self.normalise = limits, budget, normalise
        self._proc: mp.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def __enter__(self) -> SandboxedReader:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def read(self, path: str, stdin_text: str | None = None) -> SourceResult:
        """The source's result, or its one-line problem when it broke the budget."""
        conn = self._child()
        try:
            conn.send((path, stdin_text))
            if not conn.poll(self.budget.wall_seconds):
                return self._failed(path, blocked=True)
            result: SourceResult = conn.recv()
            return result
        except (EOFError, OSError):
            return self._failed(path, blocked=False)

    def _failed(self, path: str, blocked: bool) -> SourceResult:
        """Stop the child (it broke a budget or died) and say why, naming the file."""
        proc = self._proc
        assert proc is not None
        proc.join(timeout=0 if blocked else 5)
        if proc.is_alive():
            proc.kill()
            proc.join()
            phrase = f"was still being read after {self.budget.wall_seconds:g} s; skipped"
        elif proc.exitcode == -signal.SIGXCPU:
            phrase = f"took more than {self.budget.cpu_seconds} s of CPU time to read; skipped"
        else:
            phrase = f"crashed the reader (exit code {proc.exitcode}); skipped"
        self.close()
        return _problem(path, phrase)

    def _child(self) -> Connection:
        if self._proc is None or self._conn is None or not self._proc.is_alive():
            self.close()
            load_identifier()  # once per process: every child inherits it
            ctx = mp.get_context("fork")  # inherits the normaliser: nothing to pickle
            parent, child = ctx.Pipe()
            self._proc = ctx.Process(target=_serve, daemon=True,
                                     args=(child, self.limits, self.normalise, self.budget))
            self._proc.start()
            child.close()
            self._conn = parent
        return self._conn

    def close(self) -> None:
        """Stop the child process, if any."""
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(None)
            self._conn.close()
        if self._proc is not None:
            self._proc.join(timeout=5)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join()
        self._proc = self._conn = None
