"""Session fixtures: the demo database is built once and shared by every module that reads it."""

from __future__ import annotations

import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class DemoDb:
    """The database `realpolitik demo` built, and what the command printed.

    ``path`` is read-only (the file mode too): open it with ``read_only=True`` or through
    the read-only CLI commands; a test that writes, or an app that opens the file
    read-write, takes a ``copy``.
    """

    path: Path
    stdout: str
    stderr: str
    exit_code: int

    def copy(self, dest: Path) -> Path:
        """A writable copy of the database at ``dest`` (a file path)."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.path, dest)
        return dest


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> DemoDb:
    """`realpolitik demo` run once per session into a database shared read-only."""
    from tests.helpers import run_cli

    db = tmp_path_factory.mktemp("demo-session") / "demo.duckdb"
    result = run_cli(["demo", "--db", str(db)])
    assert result.exit_code == 0, result.stderr
    db.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    return DemoDb(path=db, stdout=result.stdout, stderr=result.stderr,
                  exit_code=result.exit_code)

