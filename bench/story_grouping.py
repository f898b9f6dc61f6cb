"""Story-grouping benchmark: B-cubed precision/recall/F1 on the labelled set in
bench/stories/ (68 articles in 12 stories, written for this project, with near-miss
pairs: same actors, different happening), and grouping throughput in articles/s."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from pathlib import Path

from realpolitik.pipeline import Pipeline
from realpolitik.records import Article, content_id
from realpolitik.stories import StoryGrouper, StorySettings, bcubed
from realpolitik.stories.assembly import profile_articles
from realpolitik.stories.embed import Embedder

HERE = Path(__file__).parent / "stories"


def load_labelled() -> tuple[list[Article], dict[str, str]]:
    articles, gold = [], {}
    for path in sorted(HERE.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            article = Article(id=content_id(rec["text"]) + rec["id"], text=rec["text"],
                              title=rec["title"], outlet=rec["outlet"],
                              published=dt.date.fromisoformat(rec["published"]))
            articles.append(article)
            gold[article.id] = rec["story"]
    return articles, gold


def run(settings: StorySettings | None = None) -> dict:
    articles, gold = load_labelled()
    coded = Pipeline().code(articles)
    embedder = Embedder()
    embedder.encode(["warm up"])  # model loading is not grouping throughput
    start = time.perf_counter()
    profiles = profile_articles(coded, embedder)
    embedded = time.perf_counter()
    grouper = StoryGrouper(settings)
    grouping = grouper.group([], profiles)
    done = time.perf_counter()
    p, r, f1 = bcubed(grouping.story_of, gold)
    # arrival order: one article at a time, shuffled, must give the same partition
    order = profiles[:]
    random.Random(3).shuffle(order)
    links: dict[str, str] = {}
    known: list = []
    for profile in order:
        links = grouper.group(known, [profile], links).story_of
        known.append(profile)
    same = _partition(links) == _partition(grouping.story_of)
    sweep = {t: bcubed(StoryGrouper(StorySettings(link_threshold=t)).group([], profiles)
                       .story_of, gold)[2] for t in (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85)}
    return {"sweep": sweep, "articles": len(articles), "stories": len(set(gold.values())),
            "precision": p, "recall": r, "f1": f1,
            "articles_per_s": len(articles) / (done - start),
            "grouping_only_per_s": len(articles) / max(done - embedded, 1e-9),
            "order_invariant": float(same)}


def _partition(story_of: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for article, story in story_of.items():
        groups.setdefault(story, set()).add(article)
    return {frozenset(g) for g in groups.values()}


def main() -> None:
    r = run()
    print(f"story grouping: {r['articles']} labelled articles in {r['stories']} stories")
    print(f"  B-cubed precision {r['precision']:.3f}  recall {r['recall']:.3f}  "
          f"F1 {r['f1']:.3f}")
    print(f"  throughput {r['articles_per_s']:.1f} articles/s (embedding + linking), "
          f"{r['grouping_only_per_s']:.0f} articles/s linking only")
    print("  F1 by link threshold: " + ", ".join(f"{t:.2f}: {f:.3f}"
                                               for t, f in r["sweep"].items()))
    print(f"  one-at-a-time shuffled arrival gives the same stories: "
          f"{'yes' if r['order_invariant'] else 'NO'}")


if __name__ == "__main__":
    main()
