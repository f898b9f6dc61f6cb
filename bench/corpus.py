"""Build the benchmark corpus: 1,000 documents recombined from the bundled demo corpus.

The demo articles are ours (see src/realpolitik/demo/README.md); shuffling their
sentences with a fixed seed gives a deterministic, realistic mix of event-bearing and
background sentences without shipping any third-party text.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from realpolitik.cli import demo_corpus
from realpolitik.ingest import iter_sources, read_source
from realpolitik.nlp import NlpEngine


def build(path: Path, documents: int = 1000, seed: int = 7) -> dict[str, int]:
    engine = NlpEngine()
    sentences: list[str] = []
    for source in iter_sources([str(demo_corpus())]):
        for article in read_source(source).articles:
            sentences += [s.text for s in engine.sentences(engine.tokenize(article.text))]
    rng = random.Random(seed)
    total = 0
    with path.open("w", encoding="utf-8") as fh:
        for n in range(documents):
            k = rng.randint(6, 18)
            picked = rng.sample(sentences, k)
            total += k
            fh.write(json.dumps({"id": f"bench-{n:04d}", "text": " ".join(picked),
                                 "date": "2025-12-05"}) + "\n")
    return {"documents": documents, "sentences": total, "pool": len(sentences)}
