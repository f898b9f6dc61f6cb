"""Shared test helpers: the CLI runner and where the (optional) shared data lives."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from click.testing import Result
from fastapi import FastAPI
from typer.testing import CliRunner

from realpolitik.cli import app

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def run_cli(args: list[str], stdin: str | None = None) -> Result:
    """Invoke the real `realpolitik` command in-process, keeping stdout and stderr apart."""
    return CliRunner().invoke(app, args, input=stdin, catch_exceptions=False)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_app(app: FastAPI, log_level: str = "warning") -> Iterator[str]:
    """Run ``app`` with uvicorn on a free loopback port for the block; yields its URL."""
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level=log_level))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=30)
