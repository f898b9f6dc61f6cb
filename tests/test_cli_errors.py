"""The installed `realpolitik` command over a database it cannot use: one error line and a
non-zero exit, never a traceback (run as a user runs it, in a subprocess)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

CLI = Path(sys.executable).with_name("realpolitik")
HOLDER = ("import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
          "con.execute('CREATE TABLE IF NOT EXISTS held (x INTEGER)'); "
          "print('ready', flush=True); sys.stdin.read()")


def _run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), *args], input=stdin, capture_output=True, text=True,
                          timeout=120, check=False)


def _one_error_line(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for text in expected:
        assert text in lines[0]
    return lines[0]


@pytest.fixture()
def held_db(tmp_path: Path) -> Iterator[Path]:
    """A database file another process holds open read-write (as `realpolitik serve` does)."""
    db = tmp_path / "held.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        yield db
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


@pytest.mark.parametrize("args", [
    ["articles"], ["events", "--format", "jsonl"], ["story", "abc"],
    ["report", "--country", "VEN"], ["ingest", "-"], ["serve", "--port", "1"],
])
def test_locked_database_is_one_line(held_db: Path, args: list[str]) -> None:
    result = _run([*args, "--db", str(held_db)], stdin='{"text": "Russia backs Cuba."}\n')
    assert result.returncode == 2
    _one_error_line(result, str(held_db), "locked by another process",
                    "is `realpolitik serve` running?")


def test_missing_and_corrupt_databases_are_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.duckdb"
    _one_error_line(_run(["articles", "--db", str(missing)]), str(missing), "no such database")
    assert not missing.exists()
    corrupt = tmp_path / "corrupt.duckdb"
    corrupt.write_bytes(b"this is not a database\n" * 200)
    for args in (["events"], ["ingest", "-"]):
        _one_error_line(_run([*args, "--db", str(corrupt)]), str(corrupt),
                        "not a DuckDB database")


def test_bad_dates_and_unexpected_failures_are_one_line(tmp_path: Path) -> None:
    from realpolitik.store import Store

    db = tmp_path / "empty.duckdb"
    Store(db).close()  # a valid, empty database
    early = _run(["indices", "--country", "VEN", "--as-of", "0001-01-01", "--db", str(db)])
    assert early.returncode == 2
    _one_error_line(early, "as_of 0001-01-01 is too early")
    # writing into a folder that does not exist is not foreseen by the command: still one line
    nowhere = tmp_path / "no" / "such" / "folder" / "ven.html"
    failed = _run(["report", "--country", "VEN", "--format", "html", "-o", str(nowhere),
                   "--db", str(db)])
    assert failed.returncode == 1
    _one_error_line(failed, "unexpected FileNotFoundError", "REALPOLITIK_DEBUG=1")


def test_cli_reads_while_serve_without_token_runs(tmp_path: Path) -> None:
    """`serve` without a write token opens the database read-only: the CLI can read it."""
    import os
    import time
    import urllib.request

    from realpolitik.records import ActorRef, Article, CodedArticle, Event
    from realpolitik.store import Store
    from tests.helpers import free_port

    db = tmp_path / "shared.duckdb"
    event = Event(id="e1", article_id="a1", type="ACCUSE", quad_class="VERBAL_CONFLICT",
                  cameo_root="11", sentence="Peru accused Chile.", start=0, end=19, rule="t",
                  source=ActorRef(country="PER", name="Peru", text="Peru"),
                  target=ActorRef(country="CHL", name="Chile", text="Chile"))
    with Store(db) as store:
        store.save_source("x", [CodedArticle(article=Article(id="a1", text="Peru accused "
                                                             "Chile."), events=[event])])
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "REALPOLITIK_API_TOKEN"}
    server = subprocess.Popen([str(CLI), "serve", "--db", str(db), "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/events",
                                            timeout=5) as reply:
                    assert reply.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "serve did not answer"
                time.sleep(0.2)
        listed = _run(["events", "--db", str(db), "--format", "jsonl"])
        assert listed.returncode == 0, listed.stderr
        assert [Event.model_validate_json(line) for line in listed.stdout.splitlines()] == [
            event]
        # a writer still cannot take the file: one line, not a traceback
        _one_error_line(_run(["ingest", "-", "--db", str(db)], stdin="{}\n"),
                        "locked by another process")
    finally:
        server.terminate()
        server.wait(timeout=30)
