"""Run the real `realpolitik ingest` on generated inputs and judge what it did.

A run is judged file by file: a good file must be stored (and all its articles present),
a bad file reported in exactly one error line naming it, any file one or the other;
a traceback, an exit code other than 0/1 or a file neither stored nor reported is a crash;
a file over its per-file CPU budget is a hang. Peak RSS is the largest of the ingest
process and its reading child (RUSAGE_CHILDREN).
"""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from realpolitik.ingest.sanitize import display_name
from realpolitik.store import file_hash
from tests.fuzz.generators import Made

CLI = [sys.executable, "-m", "realpolitik.cli"]
HANG_PHRASES = ("of CPU time to read", "was still being read")


@dataclass
class Verdict:
    """What one ingest run did to its inputs."""

    inputs: int = 0
    crashes: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    stored: int = 0
    refused: int = 0
    peak_rss_mb: float = 0.0
    kinds: Counter[str] = field(default_factory=Counter)

    def add(self, other: Verdict) -> None:
        self.inputs += other.inputs
        self.crashes += other.crashes
        self.hangs += other.hangs
        self.stored += other.stored
        self.refused += other.refused
        self.peak_rss_mb = max(self.peak_rss_mb, other.peak_rss_mb)
        self.kinds.update(other.kinds)


def ingest(paths: list[str], db: Path, *extra: str, timeout: float = 1800
           ) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it (a separate process), stderr captured."""
    return subprocess.run([*CLI, "ingest", *paths, "--db", str(db), *extra],
                          capture_output=True, text=True, timeout=timeout, check=False)


def peak_children_rss_mb() -> float:
    """Largest RSS of any finished child process of this one, in MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _logged(db: Path) -> tuple[dict[str, str], set[str]]:
    """Status per logged path ('stored', 'skipped' or 'failed'; the last entry wins), and
    the content hashes of files stored or skipped."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute('SELECT path, status, content_hash FROM ingest_log ORDER BY "at"'
                           ).fetchall()
    finally:
        con.close()
    return {p: s for p, s, _ in rows}, {h for _, s, h in rows if s != "failed" and h}


def judge(made: list[Made], proc: subprocess.CompletedProcess[str], db: Path) -> Verdict:
    """Check every input against what the run printed and stored."""
    verdict = Verdict(inputs=len(made), peak_rss_mb=peak_children_rss_mb())
    verdict.kinds.update(m.kind for m in made)
    if "Traceback" in proc.stderr or proc.returncode not in (0, 1):
        verdict.crashes.append(f"run exited {proc.returncode}: {proc.stderr[-2000:]}")
        return verdict
    errors = [x for x in proc.stderr.splitlines() if x.startswith("error: ")]
    logged, hashes = _logged(db)
    for m in made:
        name = display_name(m.path)
        lines = [x for x in errors if x.startswith(f"error: {name}: ")]
        status = logged.get(name)
        if status is None and not lines and file_hash(m.path) in hashes:
            status = "unchanged"  # the same bytes as a file already stored: skipped
        if any(p in x for x in lines for p in HANG_PHRASES):
            verdict.hangs.append(name)
        if lines and status == "failed" and len(lines) == 1 and m.expect != "good":
            verdict.refused += 1
        elif not lines and status in ("stored", "skipped", "unchanged") and m.expect != "bad":
            verdict.stored += 1
        else:
            verdict.crashes.append(f"{m.kind} {name!r} (expected {m.expect}): status {status}, "
                                   f"{len(lines)} error lines {lines[:2]}")
    if any(m.expect != "good" for m in made) and proc.returncode != 1:
        verdict.crashes.append(f"exit code {proc.returncode} although files were refused")
    return verdict


# --- crash safety: SIGKILL at a random moment, then resume --------------------------

STATE_QUERIES = {
    "articles": "SELECT id, story_id, duplicate_of, origins FROM articles ORDER BY id",
    "events": "SELECT id, article_id, type, happening_id, story_id, mentions FROM events "
              "ORDER BY id",
    "stories": "SELECT id, articles, outlets, origins FROM stories ORDER BY id",
    "happenings": "SELECT id, story_id, event_ids, outlets, origins FROM happenings ORDER BY id",
}


def state(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """The rows that define a database's content (no timestamps)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(q).fetchall() for t, q in STATE_QUERIES.items()}
    finally:
        con.close()


def consistent(db: Path, clean: dict[str, list[tuple[object, ...]]]) -> list[str]:
    """Problems of a killed run's database: it must open, and every stored article must
    have exactly its events of the clean run (no article without its events, no event
    without its article)."""
    try:
        now = state(db)
    except duckdb.Error as exc:
        return [f"database does not open: {exc}"]
    expected: dict[object, set[object]] = {}
    for row in clean["events"]:
        expected.setdefault(row[1], set()).add(row[0])
    have: dict[object, set[object]] = {}
    for row in now["events"]:
        have.setdefault(row[1], set()).add(row[0])
    articles = {row[0] for row in now["articles"]}
    problems = [f"events without their article {a}" for a in have if a not in articles]
    problems += [f"article {a} stored with {len(have.get(a, set()))} of its "
                 f"{len(expected.get(a, set()))} events" for a in articles
                 if have.get(a, set()) != expected.get(a, set())]
    return problems


def kill_chain(paths: list[str], db: Path, clean: dict[str, list[tuple[object, ...]]],
               delays: list[float]) -> list[str]:
    """Ingest, SIGKILL after each delay in turn (each run resumes the killed one), checking
    the database after every kill; then let a last run finish and compare with ``clean``."""
    problems: list[str] = []
    for delay in delays:
        proc = subprocess.Popen([*CLI, "ingest", *paths, "--db", str(db)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if db.exists():
            problems += [f"after a kill at {delay:.1f} s: {p}" for p in consistent(db, clean)]
    resumed = ingest(paths, db)
    if "Traceback" in resumed.stderr:
        return [*problems, f"resume failed: {resumed.stderr[-1000:]}"]
    after = state(db)
    problems += [f"after resuming, {t} differ from one clean run" for t in STATE_QUERIES
                 if after[t] != clean[t]]
    return problems
