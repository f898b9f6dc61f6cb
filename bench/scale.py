"""Scale benchmark (`make bench-scale`): one run prints

1. ingest throughput / bare spaCy ``nlp.pipe`` (same model, same texts, one process, CPU s),
   with where the ingest CPU goes;
2. B-cubed and the largest story versus its true size on the coded synthetic corpus;
3. story-grouping CPU seconds per article at 1k, 10k, 50k and 200k stored articles:
   first as an archive grows (a feed of ``--per-day`` articles a day, the next 1,000 in
   date order after 1k ... 200k articles of its history), then with all stored articles
   in the same two years (so the daily volume grows with the store; 1,000 arrivals at
   random dates, then 1,000 more in date order)
   (coded profiles replicated with new ids, shifted dates, vectors under a signed
   permutation (an orthogonal map) and salted
   MinHash signatures, so replicas are unrelated stories), and the largest story after
   grouping a replicated stream article by article;
4. Ray runner throughput with 1 and 2 workers (wall clock: parallelism is the point;
   the machine may be shared).

``--happenings`` sizes the coded corpus, ``--sizes`` the grouping sizes, ``--no-ray``
skips 4, ``--grouping-only`` skips 4 and the timing passes of 1 (the corpus is still
ingested: its profiles are what 2 and 3 group), ``--ingest-only`` stops after 2. Beside the
CPU per article, 3 prints the ANN's recall at each size: the share of the exactly nearest
neighbours within cosine distance 0.45 (the articles an arrival could join) that the bucket
search returned. Targets are printed beside the figures; nothing here fails a build.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import json
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from realpolitik.actors.gazetteer import Gazetteer
from realpolitik.records import Article
from realpolitik.settings import DEFAULTS
from realpolitik.stories.features import ArticleProfile
from realpolitik.stories.grouping import StoryIndex, StorySettings, bcubed
from scale_corpus import START, generate

EPOCH = START.toordinal()


def cpu() -> float:
    """CPU seconds of this process and its finished children (the reading sandbox)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def split(corpus: Path, folder: Path, per_file: int = 20) -> list[Path]:
    lines = corpus.read_text(encoding="utf-8").splitlines()
    files = []
    for i in range(0, len(lines), per_file):
        path = folder / f"batch-{i // per_file:04d}.jsonl"
        path.write_text("\n".join(lines[i:i + per_file]) + "\n", encoding="utf-8")
        files.append(path)
    return files


def gold_by_article(store, corpus: Path) -> dict[str, str]:
    """Map stored article ids to their happening (by title, outlet and date)."""
    gold = json.loads(corpus.with_suffix(".gold.json").read_text(encoding="utf-8"))
    keys = {}
    for line in corpus.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        keys[(rec["title"], rec["outlet"], rec["published"])] = gold[rec["id"]]
    out = {}
    for a in store.articles():
        key = (a.title, a.outlet, a.published.isoformat() if a.published else None)
        if key in keys:
            out[a.id] = keys[key]
    return out


def ingest_figures(files: list[Path], db: Path, corpus: Path, timings: bool = True,
                   cache: int = 0) -> dict:
    """Ingest ``files`` into ``db`` on CPU seconds; ``cache``: the parse cache's size
    (0 for the headline ratio: this corpus repeats its template sentences across
    articles far more than news does, so the cache would flatter it)."""
    from realpolitik.ingest.language import load_identifier
    from realpolitik.nlp import NlpSettings
    from realpolitik.pipeline import Pipeline, keep_loaded
    from realpolitik.store import Store
    from realpolitik.stories.assembly import story_updater
    from realpolitik.stories.embed import Embedder
    from realpolitik.workflow import IngestService

    pipe = Pipeline(NlpSettings(cache=cache))
    embedder = Embedder()
    embedder.encode(["warm up"])  # loading models is not throughput
    load_identifier()  # the readers' language model, read once per process
    keep_loaded()  # as the CLI does once its models are loaded
    embedder.forget()  # an earlier pass's vectors (the encoder remembers recent texts)
    # an event with a date and a weekday, so dateparser's language data is loaded too
    pipe.code_one(Article(id="w", text="Kenya accused Uganda on Friday of shelling its "
                                       "border post on March 3, 2025.",
                          published=dt.date(2025, 3, 4)))
    if timings:  # bare spaCy before and after the ingest: the machine's drift cancels out
        raw = [json.loads(line)["text"] for line in corpus.read_text(encoding="utf-8")
               .splitlines() if line.strip()]
        spacy_before = bare_spacy(pipe, raw)
    with Store(db) as store:
        service = IngestService(pipe, store, stories=story_updater(pipe.gazetteer, pipe.plover,
                                                                   embedder))
        start = cpu()
        result = service.ingest_files([str(f) for f in files], pipe.normalise_outlet)
        ingest_cpu = cpu() - start
        arts = store.articles()
        from realpolitik.stories.assembly import profile_from_row

        out = {"articles": result.new_articles, "ingest_cpu": ingest_cpu,
               "parsed": pipe.stats.parsed, "reused": pipe.nlp.reused,
               "gold": gold_by_article(store, corpus),
               "story_of": {a.id: a.story_id for a in arts if a.story_id},
               "profiles": [profile_from_row(r) for r in store.profile_rows()]}
        if not timings:
            return out
        spacy_cpu = (spacy_before + bare_spacy(pipe, [a.text for a in arts])) / 2
        start = cpu()
        coded = pipe.code([a.model_copy() for a in arts])
        code_cpu = cpu() - start
        from realpolitik.stories.features import embedding_text

        embedder.forget()  # the ingest pass encoded these very texts
        start = cpu()
        embedder.encode([embedding_text(a) for a in arts])
        embed_cpu = cpu() - start
        return {**out, "events": sum(len(c.events) for c in coded), "spacy_cpu": spacy_cpu,
                "code_cpu": code_cpu, "embed_cpu": embed_cpu}


def bare_spacy(pipe, texts: list[str]) -> float:
    """CPU s of the pipeline's bare spaCy model over ``texts`` (the ratio's denominator)."""
    start = cpu()
    for _ in pipe.nlp.parser.pipe(texts, batch_size=256):
        pass
    return cpu() - start


def replicate(profiles: list[ArticleProfile], gold: dict[str, str], replica: int,
              block: int = 0) -> tuple[list[ArticleProfile], dict[str, str]]:
    """Unrelated copies: rotated vectors, salted signatures, new ids, dates shifted within
    the two years of ``block`` (block 0 is the corpus's own two years, 1 the next two)."""
    rng = np.random.default_rng(replica)
    dim = len(profiles[0].vector)
    order, signs = rng.permutation(dim), rng.choice([-1.0, 1.0], dim).astype(np.float32)
    salt = int(rng.integers(1, 2**31))
    shift = int(rng.integers(0, 730))
    out, labels = [], {}
    for p in profiles:
        date = p.date
        if date is not None:
            offset = (date.toordinal() - EPOCH + shift) % 730
            date = date.fromordinal(EPOCH + 730 * block + offset)
        sig = (p.signature.astype(np.uint64) * np.uint64(2654435761) + np.uint64(salt)) \
            & np.uint64(0xFFFFFFFF)
        pid = f"{p.id}~{replica}"
        out.append(dataclasses.replace(p, id=pid, date=date, signature=sig,
                                       vector=p.vector[order] * signs))
        labels[pid] = f"{gold.get(p.id, p.id)}~{replica}"
    return out, labels


def grouping_figures(profiles: list[ArticleProfile], gold: dict[str, str], sizes: list[int],
                     probe: int, stream: int, freeze: bool = False) -> dict:
    settings = StorySettings()
    igos = Gazetteer.load().igo_codes()
    index = StoryIndex(settings, igos)
    replica = 0
    per_article: dict[int, float] = {}
    recall: dict[int, float] = {}
    in_order: dict[int, float] = {}
    for size in sorted(sizes):
        while len(index.profiles) < size:  # fill with correctly grouped replicas
            replica += 1
            batch, labels = replicate(profiles, gold, replica)
            index.load(batch[:size - len(index.profiles)], labels)
        if freeze:  # the loaded state is long-lived: keep it out of the cyclic GC's scans
            gc.collect()
            gc.freeze()
        for ordered in (False, True):  # dates at random, then a second set in date order
            fresh: list[ArticleProfile] = []
            while len(fresh) < probe:
                replica += 1
                fresh += replicate(profiles, gold, replica)[0]
            fresh = fresh[:probe]
            if ordered:
                fresh.sort(key=ArticleProfile.sort_key)
            start = time.process_time()
            for i in range(0, len(fresh), 50):  # arriving in batches of 50
                index.add(fresh[i:i + 50])
            (in_order if ordered else per_article)[size] = \
                (time.process_time() - start) / len(fresh)
            if not ordered:
                recall[size] = ann_recall(index, fresh[:200])
    # a stream grouped article by article (batches of 50), against its true stories
    streamed = StoryIndex(settings, igos)
    truth: dict[str, str] = {}
    arrivals: list[ArticleProfile] = []
    r = 10_000
    while len(arrivals) < stream:
        r += 1
        batch, labels = replicate(profiles, gold, r)
        arrivals += batch
        truth.update(labels)
    arrivals = arrivals[:stream]
    np.random.default_rng(5).shuffle(arrivals)
    for i in range(0, len(arrivals), 50):
        streamed.add(arrivals[i:i + 50])
    got = streamed.story_ids()
    true_sizes = Counter(truth[a] for a in got)
    biggest = Counter(got.values()).most_common(1)[0][0]
    members = [a for a, s in got.items() if s == biggest]
    own_truth = Counter(truth[a] for a in members).most_common(1)[0][0]
    return {"per_article": per_article, "recall": recall, "in_order": in_order,
            "stream": len(arrivals), "stream_f1": bcubed(got, truth)[2],
            "stream_largest": len(members),
            "stream_largest_true": true_sizes[own_truth],
            "stream_max_true": max(true_sizes.values())}


def history_figures(profiles: list[ArticleProfile], gold: dict[str, str], sizes: list[int],
                    probe: int, per_day: int) -> dict[int, float]:
    """CPU s per new article of a live feed of ``per_day`` articles a day, after 1k ... 200k
    stored articles of its own history: the store grows by time at a constant daily volume
    (as an archive does), and the next ``probe`` articles in date order arrive in batches
    of 50. Replicas fill consecutive two-year blocks, ``per_day * 730 / len(profiles)``
    of them a block, so every day of the history holds about ``per_day`` articles. Each
    size has an index of its own, loaded with the first ``size`` articles."""
    settings = StorySettings()
    igo = Gazetteer.load().igo_codes()
    per_block = max(1, round(per_day * 730 / len(profiles)))
    feed: list[ArticleProfile] = []
    labels: dict[str, str] = {}
    replica = 20_000  # seeds apart from the other measures' replicas
    while len(feed) < max(sizes) + probe or (replica - 20_000) % per_block:
        replica += 1
        batch, more = replicate(profiles, gold, replica, (replica - 20_001) // per_block)
        feed += batch
        labels.update(more)
    dated = sorted((p for p in feed if p.date is not None), key=ArticleProfile.sort_key)
    dated = dated[:max(sizes) + probe]  # whole blocks made: every day is at volume
    indexes = {}
    for size in sorted(sizes):
        indexes[size] = StoryIndex(settings, igo)
        indexes[size].load(dated[:size], labels)
    # the sizes take turns, a batch of 50 each: a shared machine's drift over the minutes
    # of the measure then falls on every size alike instead of on the last ones
    spent = dict.fromkeys(indexes, 0.0)
    for i in range(0, probe, 50):
        for size, index in indexes.items():
            batch = dated[size + i:size + i + 50]
            start = time.process_time()
            index.add(batch)
            spent[size] += time.process_time() - start
    return {size: spent[size] / probe for size in indexes}


def ann_recall(index: StoryIndex, probes: list[ArticleProfile], within: float = 0.45
               ) -> float:
    """Share of the exactly nearest neighbours within cosine distance ``within`` of each
    probe that the index's (approximate) search also returns."""
    found = wanted = 0
    for p in probes:
        close = {a for a in index.neighbours(p, exact=True) if a != p.id
                 and 1.0 - float(np.dot(p.vector, index.profiles[a].vector)) <= within}
        found += len(close & set(index.neighbours(p)))
        wanted += len(close)
    return found / wanted if wanted else 1.0


def ray_figures(files: list[Path], tmp: Path, workers: list[int]
                ) -> dict[int, tuple[float, int, float]]:
    """Per worker count: wall seconds, articles, and CPU seconds (the driver's, storing and
    grouping, plus the workers' reading and coding; pipeline loading not counted). The
    workers' parse caches are off: each sees part of this template-repeating corpus, so
    they would favour one worker and hide the parallelism measured here."""
    import ray

    from realpolitik.cluster import ray_ingest
    from realpolitik.nlp import NlpSettings
    from realpolitik.pipeline import Pipeline, keep_loaded
    from realpolitik.store import Store
    from realpolitik.stories.assembly import story_updater
    from realpolitik.stories.embed import Embedder
    from realpolitik.workflow import IngestService

    pipe = Pipeline()
    keep_loaded()
    out = {}
    for w in workers:
        ray.init(num_cpus=w, include_dashboard=False, log_to_driver=False,
                 _node_ip_address="127.0.0.1")
        try:
            with Store(tmp / f"ray{w}.duckdb") as store:
                service = IngestService(pipe, store, stories=story_updater(
                    pipe.gazetteer, pipe.plover, Embedder()))
                start, driver = time.perf_counter(), cpu()
                result = ray_ingest([str(f) for f in files], service, workers=w,
                                    chunk_sources=1, nlp=NlpSettings(cache=0))
                out[w] = (time.perf_counter() - start, result.new_articles,
                          cpu() - driver + result.worker_cpu)
        finally:
            ray.shutdown()
    return out


def ingest_report(ing: dict) -> None:
    n = ing["articles"]
    ratio = ing["spacy_cpu"] / ing["ingest_cpu"]
    print(f"ingest: {n} articles, {ing['events']} events; {n / ing['ingest_cpu']:.2f} "
          f"articles per CPU s; bare spaCy nlp.pipe {n / ing['spacy_cpu']:.2f}; "
          f"ratio {ratio:.2f} (target >= 0.6)")
    print(f"  CPU s per article: full ingest {ing['ingest_cpu'] / n:.3f} = coding "
          f"{ing['code_cpu'] / n:.3f} (of which spaCy {ing['spacy_cpu'] / n:.3f}) + "
          f"story embedding {ing['embed_cpu'] / n:.3f} + reading, storing, grouping "
          f"{(ing['ingest_cpu'] - ing['code_cpu'] - ing['embed_cpu']) / n:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--happenings", type=int, default=120)
    parser.add_argument("--sizes", default="1000,10000,50000,200000")
    parser.add_argument("--probe", type=int, default=1000, help="articles timed per size")
    parser.add_argument("--stream", type=int, default=20000)
    parser.add_argument("--per-day", type=int, default=150,
                        help="daily volume of the growing-history grouping measure")
    parser.add_argument("--ray-happenings", type=int, default=360,
                        help="happenings of the Ray runner's own corpus (larger, so one "
                             "pipeline load per worker is not most of the run)")
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--grouping-only", action="store_true",
                        help="skip Ray and the ingest timing passes (stories and grouping)")
    parser.add_argument("--ingest-only", action="store_true",
                        help="stop after the ingest ratio and the coded corpus's stories")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="gc.freeze() the stored state before timing grouping")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="rp-scale-") as tmp_name:
        tmp = Path(tmp_name)
        corpus = tmp / "corpus.jsonl"
        made = generate(corpus, args.happenings)
        folder = tmp / "files"
        folder.mkdir()
        files = split(corpus, folder)
        print(f"synthetic corpus: {made['articles']} articles from {made['happenings']} "
              f"happenings in {len(files)} files, two years of dates")
        ing = ingest_figures(files, tmp / "ingest.duckdb", corpus, not args.grouping_only)
        if not args.grouping_only:
            ingest_report(ing)
            cached = ingest_figures(files, tmp / "cached.duckdb", corpus, False,
                                    DEFAULTS.model.parse_cache)
            print(f"  with the parse cache on (the default, {DEFAULTS.model.parse_cache:,} "
                  f"sentences): {cached['articles'] / cached['ingest_cpu']:.2f} articles per "
                  f"CPU s, ratio {ing['spacy_cpu'] / cached['ingest_cpu']:.2f}; "
                  f"{cached['reused']:,} of {cached['parsed']:,} parses reused (this corpus "
                  "repeats template sentences; news repeats mostly syndicated copies)")
        gold, story_of, profiles = ing["gold"], ing["story_of"], ing["profiles"]
        p, r, f1 = bcubed(story_of, gold)
        true_sizes = Counter(gold.values())
        biggest = Counter(story_of.values()).most_common(1)[0]
        own = Counter(gold[a] for a, s in story_of.items() if s == biggest[0] and a in gold)
        own_size = true_sizes[own.most_common(1)[0][0]]
        print(f"stories on the coded corpus: B-cubed P {p:.3f} R {r:.3f} F1 {f1:.3f}; largest "
              f"story {biggest[1]} articles, its happening has {own_size} (largest true "
              f"{max(true_sizes.values())}; target <= true + 10 %)")
        if args.ingest_only:
            return
        history = history_figures(profiles, gold, sizes, args.probe, args.per_day)
        print(f"story grouping CPU ms per new article of a feed of {args.per_day} articles a "
              "day, by stored articles of its history: " + ", ".join(
                  f"{s:,}: {v * 1000:.2f}" for s, v in history.items())
              + f" (max/min {max(history.values()) / min(history.values()):.2f}; target "
              "<= 1.25)")
        g = grouping_figures(profiles, gold, sizes, args.probe, args.stream, args.gc_freeze)
        base = min(g["per_article"].values())
        print("  the same stored articles all within two years (the daily volume grows with "
              "the store, x200 from 1k to 200k), arrivals at random dates: " + ", ".join(
                  f"{s:,}: {v * 1000:.2f}" for s, v in g["per_article"].items())
              + f" (max/min {max(g['per_article'].values()) / base:.2f})")
        print("  a second set arriving in date order (a live feed; +1 probe stored): " + ", ".join(
            f"{s:,}: {v * 1000:.2f}" for s, v in g["in_order"].items())
            + f" (max/min {max(g['in_order'].values()) / min(g['in_order'].values()):.2f})")
        print("  ANN recall of the neighbours within cosine distance 0.45: " + ", ".join(
            f"{s:,}: {v:.3f}" for s, v in g["recall"].items()))
        print(f"replicated stream of {g['stream']:,} articles in shuffled batches of 50: "
              f"B-cubed F1 {g['stream_f1']:.3f}; largest story {g['stream_largest']}, its "
              f"true size {g['stream_largest_true']} (largest true {g['stream_max_true']})")
        if not (args.no_ray or args.grouping_only):
            ray_folder = tmp / "ray-files"
            ray_folder.mkdir()
            ray_made = generate(tmp / "ray-corpus.jsonl", args.ray_happenings, seed=23)
            ray = ray_figures(split(tmp / "ray-corpus.jsonl", ray_folder), tmp, [1, 2])
            print(f"Ray runner on {ray_made['articles']} articles (local instance, wall clock "
                  "incl. loading one pipeline per worker): " + ", ".join(
                      f"{w} worker{'s' if w > 1 else ''}: {arts / secs:.2f} articles/s "
                      f"({secs:.0f} s)" for w, (secs, arts, _) in ray.items())
                  + f"; speed-up {ray[1][0] / ray[2][0]:.2f}x")
            print("  per CPU s (driver + workers' reading and coding, loading excluded): "
                  + ", ".join(f"{w} worker{'s' if w > 1 else ''}: {arts / used:.2f} articles"
                              for w, (_, arts, used) in ray.items())
                  + f"; in-process ingest {ing['articles'] / ing['ingest_cpu']:.2f}")


if __name__ == "__main__":
    main()
