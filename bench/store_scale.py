"""`make bench-store`: the store and the API at a million events.

Builds the demo database (``realpolitik demo``), then synthesises a large store from it
directly in DuckDB: every coded record (articles, mentions, events, happenings, stories,
and the derived article countries) is replicated with new ids and dates shifted by up to
two years, no coding involved.
Then prints, from one run:

* p50 / p95 latency (wall ms, and CPU ms per request) of every list endpoint through
  FastAPI's TestClient on a read-only app (as `realpolitik serve` without a token);
* peak memory (ru_maxrss of the CLI process, measured from a small parent) of
  `realpolitik events --format parquet`.

Usage: ``python bench/store_scale.py [--events 1000000] [--repeat 20]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

OUT = Path(__file__).parent / "out"
CLI = Path(sys.executable).with_name("realpolitik")
DAYS = 730  # dates spread over two years

# (table, id columns hashed per copy, list columns of ids, date columns shifted)
TABLES = [
    ("articles", ["id", "story_id", "duplicate_of"], [], ["published"]),
    ("mentions", ["article_id"], [], []),
    ("events", ["id", "article_id", "story_id", "happening_id"], [], ["date", "day"]),
    ("happenings", ["id", "story_id"], ["event_ids"], ["date", "last_date"]),
    ("stories", ["id"], ["articles"], ["first_date", "last_date"]),
    ("article_countries", ["article_id"], [], []),
]


def _new_id(expr: str) -> str:
    return f"CASE WHEN {expr} IS NULL THEN NULL ELSE substr(md5({expr} || ':' || r.k), 1, 16) END"


def synthesise(demo: Path, target: Path, events: int) -> dict[str, int]:
    """Replicate the demo's coded records into ``target`` until it holds ``events``."""
    from realpolitik.store import Store

    Store(demo).close()  # a demo built by an older realpolitik is migrated first
    target.unlink(missing_ok=True)
    Store(target).close()  # the real schema, through the migrations
    con = duckdb.connect(str(target))
    con.execute(f"ATTACH '{demo}' AS demo (READ_ONLY)")
    (per_copy,) = con.execute("SELECT count(*) FROM demo.events").fetchone()
    copies = -(-events // per_copy)
    con.execute("INSERT INTO actors SELECT * FROM demo.actors")
    for table, ids, lists, dates in TABLES:
        cols = [r[0] for r in con.execute(f"DESCRIBE demo.{table}").fetchall()]
        select = []
        for c in cols:
            q = f't."{c}"'
            if c in ids:
                select.append(_new_id(q))
            elif c in lists:
                select.append(f"list_transform({q}, lambda x: substr(md5(x || ':' || r.k), 1, 16))")
            elif c in dates:
                select.append(f"{q} + CAST((r.k * 7) % {DAYS} AS INTEGER)")
            else:
                select.append(q)
        col_list = ", ".join(f'"{c}"' for c in cols)
        con.execute(f"INSERT INTO {table} ({col_list}) SELECT {', '.join(select)} "
                    f"FROM demo.{table} t CROSS JOIN range({copies}) r(k)")
    con.execute("DETACH demo")
    con.execute("CHECKPOINT")
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t, *_ in TABLES}
    con.close()
    return counts


ENDPOINTS = [
    "/api/articles?limit=100",
    "/api/articles?limit=100&country=VEN",
    "/api/events?limit=100",
    "/api/events?limit=100&offset=500000",
    "/api/events?limit=100&country=VEN&since=2026-01-01",
    "/api/events?limit=100&level=event",
    "/api/stories?limit=100",
    "/api/stories?limit=100&country=USA",
    "/api/actors?limit=100",
    "/api/relations?limit=100",
    "/api/relations?source=USA",
    "/api/countries",
    "/api/alerts",
]


def latencies(db: Path, repeat: int) -> list[tuple[str, float, float, float, float]]:
    from fastapi.testclient import TestClient

    from realpolitik.api import ApiSettings, create_app

    rows = []
    app = create_app(ApiSettings(db=db, token=None))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        for path in ENDPOINTS:
            for _ in range(2):  # warm the caches
                assert client.get(path).status_code == 200, path
            wall, cpu = [], []
            for _ in range(repeat):
                w, c = time.perf_counter(), time.process_time()
                reply = client.get(path)
                wall.append((time.perf_counter() - w) * 1000)
                cpu.append((time.process_time() - c) * 1000)
                assert reply.status_code == 200, (path, reply.text[:200])
            wall.sort()
            cpu.sort()
            p95 = wall[min(len(wall) - 1, round(0.95 * (len(wall) - 1)))]
            cpu95 = cpu[min(len(cpu) - 1, round(0.95 * (len(cpu) - 1)))]
            rows.append((path, statistics.median(wall), p95, statistics.median(cpu), cpu95))
    return rows


# The export runs under a small Python parent that reports its child's rusage: Linux
# carries a vfork parent's peak RSS into the child's ru_maxrss, so timing the CLI straight
# from this (large) process would count this process's memory as the export's.
_PEAK = ("import resource, subprocess, sys\n"
         "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
         "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
         "print(code, u.ru_maxrss, u.ru_utime + u.ru_stime)")


def export_peak(db: Path) -> tuple[int, float, int]:
    """(peak RSS in MB, CPU seconds, bytes written) of `events --format parquet`."""
    out = OUT / "scale_events.parquet"
    reply = subprocess.run([sys.executable, "-c", _PEAK, str(CLI), "events", "--db", str(db),
                            "--format", "parquet", "-o", str(out)],
                           check=True, capture_output=True, text=True)
    code, peak_kb, seconds = reply.stdout.split()
    if int(code) != 0:
        raise SystemExit(f"export failed with exit code {code}")
    return int(peak_kb) // 1024, float(seconds), out.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    demo = OUT / "store_demo.duckdb"
    if not demo.exists():
        print("building the demo database ...", flush=True)
        subprocess.run([str(CLI), "demo", "--db", str(demo)], check=True,
                       stdout=subprocess.DEVNULL)
    db = OUT / "store_scale.duckdb"
    cpu = time.process_time()
    counts = synthesise(demo, db, args.events)
    print(f"synthesised {counts} in {time.process_time() - cpu:.1f} CPU s "
          f"({db.stat().st_size / 1e6:.0f} MB)")
    print(f"\n| endpoint ({counts['events']:,} events) | p50 ms | p95 ms | CPU p50 ms "
          "| CPU p95 ms |\n|---|---|---|---|---|")
    for path, p50, p95, c50, c95 in latencies(db, args.repeat):
        print(f"| `GET {path}` | {p50:.0f} | {p95:.0f} | {c50:.0f} | {c95:.0f} |")
    peak, seconds, size = export_peak(db)
    print(f"\n`events --format parquet`: peak RSS {peak} MB, {seconds:.1f} CPU s, "
          f"{size / 1e6:.0f} MB written")


if __name__ == "__main__":
    main()
