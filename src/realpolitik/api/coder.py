"""Coding for the API in a child process, so a write over its time budget can be stopped.

Python cannot stop a thread, and one hostile document could keep the parser busy for
minutes; a process can be killed. The child loads the pipeline once and codes batch after
batch; when a batch is not back by its deadline the child is killed (and started again on
the next write), so the server's write thread is free again at the deadline.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

from realpolitik.records import Article, CodedArticle

PIPELINE = "realpolitik.pipeline:Pipeline"
log = logging.getLogger("realpolitik.api")


class CodingTimeout(RuntimeError):
    """The batch was not coded by its deadline; the coding process was stopped."""


class CodingFailed(RuntimeError):
    """The coding process raised while coding a batch (its message, one line)."""


def _load(factory: str) -> Any:
    module, name = factory.split(":")
    return getattr(importlib.import_module(module), name)()


def _child(conn: Connection, factory: str) -> None:
    """The child's loop: load the pipeline, then code each batch received until EOF."""
    pipeline = _load(factory)
    conn.send(("ready", None))
    while True:
        try:
            articles = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", pipeline.code(articles)))
        except Exception as exc:  # reported to the parent, the child keeps serving
            conn.send(("error", f"{type(exc).__name__}: {str(exc)[:300]}"))


class ProcessCoder:
    """Codes article batches in one child process, each batch by a deadline.

    ``factory`` names the pipeline class as ``module:name`` (tests pass a slow one). Used
    by one thread at a time (the API's write thread); ``stop`` may come from another.
    """

    def __init__(self, factory: str = PIPELINE) -> None:
        self.factory = factory
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def code(self, articles: Sequence[Article], deadline: float) -> list[CodedArticle]:
        """The coded batch, or CodingTimeout when ``time.monotonic()`` passes ``deadline``
        first (model loading included)."""
        conn = self.start(deadline)
        conn.send(list(articles))
        kind, value = self._receive(conn, deadline)
        if kind == "error":
            raise CodingFailed(value)
        coded: list[CodedArticle] = value
        return coded

    def start(self, deadline: float) -> Connection:
        """The running child's end of the pipe, starting the child (and waiting until its
        models are loaded, at most until ``deadline``) when there is none."""
        if self._conn is not None and self._process is not None and self._process.is_alive():
            return self._conn
        self.stop()
        context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        parent, child = context.Pipe()
        process = context.Process(target=_child, args=(child, self.factory), daemon=True,
                                  name="realpolitik-coder")
        process.start()
        child.close()
        self._process, self._conn = process, parent
        self._receive(parent, deadline)  # "ready"
        return parent

    def _receive(self, conn: Connection, deadline: float) -> tuple[str, Any]:
        try:
            if conn.poll(max(0.0, deadline - time.monotonic())):
                kind, value = conn.recv()
                return str(kind), value
        except (EOFError, OSError):  # the child died (killed, or out of memory)
            self.stop()
            raise CodingFailed("the coding process ended unexpectedly") from None
        log.warning("coding process %s passed its deadline and was stopped", self.pid)
        self.stop()
        raise CodingTimeout("coding did not finish by its deadline; the coder was stopped")

    def stop(self) -> None:
        """Kill the child (if any); the next batch starts a fresh one."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is not None and process.is_alive():
            process.kill()
        if process is not None:
            process.join(timeout=10)
        if conn is not None:
            conn.close()
