"""Run one benchmark subject in its own process and print its timing and peak memory.

usage: child.py code|code-cached|spacy CORPUS.jsonl
Both subjects include model loading, so the ratio compares what a user waits for;
times are CPU seconds.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import sys
import time


def run_code(corpus: str, cache: bool = False) -> None:
    """``realpolitik code`` on the corpus; the parse cache is off unless ``cache``: the
    corpus recombines a few hundred demo sentences, so the cache would parse each once."""
    from typer.testing import CliRunner

    from realpolitik.cli import app

    with open(corpus, encoding="utf-8") as fh:
        data = fh.read()
    args = ["code"] if cache else ["--set", "model.parse_cache=0", "code"]
    result = CliRunner().invoke(app, args, input=data)
    if result.exit_code != 0:
        raise SystemExit(f"realpolitik code failed: {result.output[-500:]}")
    events = sum(1 for line in result.stdout.splitlines() if line.strip())
    print(json.dumps({"events": events}), file=sys.stderr)


def run_spacy(corpus: str) -> None:
    import spacy

    from realpolitik.settings import load_settings

    nlp = spacy.load(load_settings().settings.model.spacy)
    with open(corpus, encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    with contextlib.redirect_stdout(io.StringIO()):
        for _doc in nlp.pipe(texts, batch_size=256):
            pass


def main() -> None:
    subject, corpus = sys.argv[1], sys.argv[2]
    start, wall = time.process_time(), time.perf_counter()
    {"code": run_code, "code-cached": lambda c: run_code(c, cache=True),
     "spacy": run_spacy}[subject](corpus)
    # CPU seconds (this process and any it waited for): the machine is shared, so wall
    # time measures the neighbours as much as the code
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = time.process_time() - start + usage.ru_utime + usage.ru_stime
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"subject": subject, "seconds": seconds, "peak_mb": peak_mb,
                      "wall": time.perf_counter() - wall}))


if __name__ == "__main__":
    main()
