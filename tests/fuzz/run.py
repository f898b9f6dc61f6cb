"""`make fuzz`: >= 10,000 hostile inputs through `realpolitik ingest`, then SIGKILL runs.

Prints, from this one run: inputs by kind, crashes, hangs (files over the per-file CPU
budget), peak RSS, files stored and refused, and the kill/resume results. Exits 1 on any
crash, hang, RSS over 2 GB or lost state.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.fuzz.generators import article_text, make_corpus
from tests.fuzz.harness import (
    Verdict,
    ingest,
    judge,
    kill_chain,
    peak_children_rss_mb,
    state,
)


def one_batch(root: Path, n: int, count: int, seed: int, cpu: int) -> Verdict:
    """Generate one batch and ingest it (its own database) with the real CLI."""
    d = root / f"batch{n:03d}"
    d.mkdir()
    made = make_corpus(d, count, seed)
    t0 = time.monotonic()
    db = root / f"fuzz{n:03d}.duckdb"
    v = judge(made, ingest([str(d)], db, "--cpu-per-file", str(cpu)), db)
    print(f"  batch {n}: {v.inputs} inputs, {v.stored} stored, {v.refused} refused, "
          f"{len(v.crashes)} crashes, {len(v.hangs)} hangs, {time.monotonic() - t0:.0f} s",
          flush=True)
    shutil.rmtree(d, ignore_errors=True)
    return v


def fuzz(root: Path, inputs: int, batch: int, seed: int, cpu: int, jobs: int) -> Verdict:
    """All batches, ``jobs`` ingest processes at a time; the verdicts summed."""
    total = Verdict()
    starts = range(0, inputs, batch)
    with ThreadPoolExecutor(jobs) as pool:
        for v in pool.map(lambda s: one_batch(root, s // batch, min(batch, inputs - s),
                                              seed + s, cpu), starts):
            total.add(v)
    total.peak_rss_mb = peak_children_rss_mb()
    return total


def kill_corpus(root: Path, seed: int) -> list[str]:
    rng = random.Random(seed)
    d = root / "kill-corpus"
    d.mkdir()
    for n in range(8):
        (d / f"a{n:02d}.txt").write_text(article_text(rng, 3))
    (d / "bad.txt").write_bytes(b"\x00\x01")
    return [str(d)]


def kills(root: Path, count: int, seed: int, chain: int = 5) -> tuple[int, list[str]]:
    """``count`` SIGKILLs in chains of ``chain`` (each chain ends with a finished resume)."""
    paths = kill_corpus(root, seed)
    t0 = time.monotonic()
    ingest(paths, root / "clean.duckdb")
    clean_seconds = time.monotonic() - t0
    clean = state(root / "clean.duckdb")
    rng = random.Random(seed)
    problems: list[str] = []
    for n in range(0, count, chain):
        delays = [rng.uniform(0.3, 1.0) * clean_seconds for _ in range(min(chain, count - n))]
        db = root / f"kill{n:02d}.duckdb"
        found = kill_chain(paths, db, clean, delays)
        shown = ", ".join(f"{d:.1f}" for d in delays)
        print(f"  kills at {shown} s, then resumed: {found or 'ok'}", flush=True)
        problems += found
        db.unlink(missing_ok=True)
    return len(clean["articles"]), problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--inputs", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=2_500)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--cpu-per-file", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=2, help="ingest processes at a time")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="realpolitik-fuzz-"))
    t0 = time.monotonic()
    try:
        print(f"fuzz: {args.inputs} inputs in batches of {args.batch} (seed {args.seed})")
        v = fuzz(root, args.inputs, args.batch, args.seed, args.cpu_per_file, args.jobs)
        print(f"kills: {args.kills} SIGKILLs at random moments, each resumed")
        articles, lost = kills(root, args.kills, args.seed)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print("\nresult")
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(v.kinds.items()))
    print(f"  inputs        {v.inputs}  ({kinds})")
    print(f"  crashes       {len(v.crashes)}")
    for c in v.crashes[:20]:
        print(f"    {c}")
    print(f"  hangs         {len(v.hangs)}  (files over {args.cpu_per_file} s CPU)")
    print(f"  peak RSS      {v.peak_rss_mb:.0f} MB")
    print(f"  files stored  {v.stored}, refused in one line {v.refused}")
    print(f"  kills         {args.kills}, state lost or different {len(lost)} "
          f"(clean run {articles} articles)")
    for p in lost[:20]:
        print(f"    {p}")
    print(f"  time          {time.monotonic() - t0:.0f} s")
    bad = v.crashes or v.hangs or lost or v.peak_rss_mb >= 2048
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
