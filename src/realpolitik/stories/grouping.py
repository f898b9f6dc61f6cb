"""Group articles into stories, incrementally, with a result that does not depend on order.

Two articles are *linked* when they are near-duplicates (MinHash LSH on word shingles),
or when they were published within ``window_days`` of each other and their similarity

    cosine(embeddings) + actor_weight * jaccard(countries) + type_weight * jaccard(types)

reaches ``link_threshold``. Stories are the connected components of the links
(single-link clustering). Because a component does not depend on the order in which its
links are found, arriving articles can be added one by one, or all at once, and give the
same stories; an article that links two stories merges them.

A story's id is derived from its earliest member (by date, then id), so it is the same
whenever the same articles are grouped; it changes only when an earlier article joins.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import MinHashLSH

from realpolitik.settings import StoriesSettings as StorySettings
from realpolitik.stories.features import NUM_PERM, ArticleProfile, jaccard


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


class _UnionFind:
    def __init__(self, items: Iterable[str]) -> None:
        self.parent = {i: i for i in items}

    def find(self, item: str) -> str:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def story_id(first_member: str) -> str:
    return "s" + hashlib.sha256(first_member.encode("utf-8")).hexdigest()[:12]


class StoryGrouper:
    """Links new profiles to all known ones and returns the resulting partition."""

    def __init__(self, settings: StorySettings | None = None) -> None:
        self.settings = settings or StorySettings()

    def similarity(self, a: ArticleProfile, b: ArticleProfile) -> float:
        s = self.settings
        return (float(np.dot(a.vector, b.vector)) + s.actor_weight * jaccard(a.actors, b.actors)
                + s.type_weight * jaccard(a.types, b.types))

    def _within_window(self, a: ArticleProfile, b: ArticleProfile) -> bool:
        if a.date is None or b.date is None:
            return True
        return abs((a.date - b.date).days) <= self.settings.window_days

    def group(self, known: Sequence[ArticleProfile], new: Sequence[ArticleProfile],
              known_links: dict[str, str] | None = None) -> Grouping:
        """Group ``new`` profiles together with ``known`` ones.

        ``known_links`` maps known articles to their current story id, so the existing
        partition is kept without recomputing its links (incremental use); without it,
        every pair is compared (a full rebuild).
        """
        everyone = {p.id: p for p in [*known, *new]}
        uf = _UnionFind(everyone)
        if known_links:
            by_story: dict[str, list[str]] = {}
            for article, story in known_links.items():
                if article in everyone:
                    by_story.setdefault(story, []).append(article)
            for members in by_story.values():
                for other in members[1:]:
                    uf.union(members[0], other)
            fresh = list(new)
        else:
            fresh = list(everyone.values())
        duplicates = self._duplicates(list(everyone.values()), fresh, uf)
        self._link(list(everyone.values()), fresh, uf)
        components: dict[str, list[ArticleProfile]] = {}
        for pid, profile in everyone.items():
            components.setdefault(uf.find(pid), []).append(profile)
        story_of = {}
        for members in components.values():
            first = min(members, key=ArticleProfile.sort_key)
            sid = story_id(first.id)
            for m in members:
                story_of[m.id] = sid
        return Grouping(story_of=story_of, duplicate_of=duplicates)

    def _duplicates(self, everyone: list[ArticleProfile], fresh: list[ArticleProfile],
                    uf: _UnionFind) -> dict[str, str]:
        lsh = MinHashLSH(threshold=self.settings.duplicate_threshold, num_perm=NUM_PERM)
        hashes = {p.id: p.minhash() for p in everyone}
        for pid, mh in sorted(hashes.items()):
            lsh.insert(pid, mh)
        dup = _UnionFind(hashes)
        profiles = {p.id: p for p in everyone}
        for p in everyone:
            for other in lsh.query(hashes[p.id]):
                if other != p.id and hashes[p.id].jaccard(hashes[other]) >= \
                        self.settings.duplicate_threshold:
                    dup.union(p.id, other)
        groups: dict[str, list[ArticleProfile]] = {}
        for pid in hashes:
            groups.setdefault(dup.find(pid), []).append(profiles[pid])
        out: dict[str, str] = {}
        for members in groups.values():
            if len(members) < 2:
                continue
            first = min(members, key=ArticleProfile.sort_key)
            for m in members:
                uf.union(first.id, m.id)
                if m.id != first.id:
                    out[m.id] = first.id
        return out

    def _link(self, everyone: list[ArticleProfile], fresh: list[ArticleProfile],
              uf: _UnionFind) -> None:
        if not everyone or not fresh:
            return
        matrix = np.stack([p.vector for p in everyone])
        for p in fresh:
            cosines = matrix @ p.vector
            for n in np.flatnonzero(cosines >= self.settings.link_threshold
                                    - self.settings.actor_weight - self.settings.type_weight):
                other = everyone[int(n)]
                if other.id == p.id or not self._within_window(p, other):
                    continue
                if self.similarity(p, other) >= self.settings.link_threshold:
                    uf.union(p.id, other.id)


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
