"""`make bench`: throughput of `realpolitik code` against bare spaCy, from one run, then
the time `make train` takes, then the story-grouping benchmark (bench/story_grouping.py).

Prints articles/s and sentences/s of both over the same 1,000-document corpus, their
ratio (target >= 1.0: the pre-parse filter and the trimmed pipeline must pay for the
gazetteer and the event coder), and each process's peak memory. Both subjects run
in fresh processes, one after the other, so they see the same machine load.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import story_grouping
from corpus import build

OUT = Path(__file__).parent / "out"


def measure(subject: str, corpus: Path) -> dict:
    proc = subprocess.run([sys.executable, str(Path(__file__).parent / "child.py"), subject,
                           str(corpus)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{subject} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    OUT.mkdir(exist_ok=True)
    corpus = OUT / "bench_corpus.jsonl"
    info = build(corpus)
    docs, sents = info["documents"], info["sentences"]
    print(f"corpus: {docs} documents, {sents} sentences (recombined from the demo corpus)")
    results = {s: measure(s, corpus) for s in ("spacy", "code", "code-cached")}
    for subject, label in (("code", "realpolitik code"), ("spacy", "bare spaCy nlp.pipe")):
        r = results[subject]
        print(f"{label:22s} {docs / r['seconds']:8.1f} articles/s {sents / r['seconds']:9.1f} "
              f"sentences/s  {r['seconds']:6.1f} CPU s  peak {r['peak_mb']:.0f} MB")
    ratio = results["spacy"]["seconds"] / results["code"]["seconds"]
    print(f"ratio (realpolitik code / bare spaCy throughput): {ratio:.2f}  (target >= 1.0; "
          "parse cache off)")
    cached = results["code-cached"]
    print(f"  with the parse cache on (the default): ratio "
          f"{results['spacy']['seconds'] / cached['seconds']:.2f}, peak {cached['peak_mb']:.0f} "
          "MB (this corpus repeats its few hundred sentences, so the cache parses each once)")
    print()
    train_seconds()
    print()
    story_grouping.main()


def train_seconds() -> None:
    """`make train`'s cost: the typing model rebuilt from training/data into a scratch dir."""
    with tempfile.TemporaryDirectory() as out:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        subprocess.run([sys.executable, "-m", "realpolitik.events.train", "--out", out],
                       check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"make train (typing model from training/data): {cpu:.0f} CPU s, "
          f"{time.perf_counter() - wall:.0f} s wall (target < 20 min on 2 cores)")


if __name__ == "__main__":
    main()
