"""Shared test helpers: the CLI runner and where the (optional) shared data lives."""

from __future__ import annotations

from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from realpolitik.cli import app

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def run_cli(args: list[str], stdin: str | None = None) -> Result:
    """Invoke the real `realpolitik` command in-process, keeping stdout and stderr apart."""
    return CliRunner().invoke(app, args, input=stdin, catch_exceptions=False)
