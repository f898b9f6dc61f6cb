"""What the story stage knows of an article: a text embedding, a MinHash signature of its
word shingles, the countries it involves and the event types it reports."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import numpy as np
from datasketch import LeanMinHash, MinHash

from realpolitik.records import ActorMention, Article, Event

SHINGLE_WORDS = 5
NUM_PERM = 128
MINHASH_SCHEME = "affine32"  # stored signatures are only comparable under one scheme
MINHASH_SEED = 1  # datasketch's default seed, which ``signature`` uses
LEAD_CHARS = 900  # the lead says what the story is; the tail wanders into background
TOP_ACTORS = 6
_WORD = re.compile(r"\w+", re.UNICODE)
# The permutations datasketch draws from its fixed seed for every new MinHash (about 0.1 ms
# each time): drawn once here and shared, read-only, by every signature.
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME).permutations
_PERMUTATIONS.setflags(write=False)


@dataclass
class ArticleProfile:
    """Everything grouping needs of one article (persisted, so it is computed once)."""

    id: str
    date: dt.date | None
    outlet: str | None
    vector: np.ndarray
    signature: np.ndarray
    actors: frozenset[str] = field(default_factory=frozenset)
    types: frozenset[str] = field(default_factory=frozenset)

    def minhash(self) -> LeanMinHash:
        """The signature as a MinHash for LSH (lean: no permutations are regenerated)."""
        return LeanMinHash(seed=MINHASH_SEED, hashvalues=self.signature, scheme=MINHASH_SCHEME)

    def resemblance(self, other: ArticleProfile) -> float:
        """Estimated Jaccard of the two bodies' shingles (share of equal MinHash values)."""
        if len(self.signature) != len(other.signature) or not len(self.signature):
            return 0.0
        return float(np.count_nonzero(self.signature == other.signature)) / len(self.signature)

    def sort_key(self) -> tuple[dt.date, str]:
        return (self.date or dt.date.max, self.id)


def embedding_text(article: Article) -> str:
    """Title, summary and lead: the part of an article that names its happening."""
    parts = [article.title or "", article.summary or "", article.text[:LEAD_CHARS]]
    return "\n".join(p for p in parts if p)


def signature(text: str) -> np.ndarray:
    """MinHash of 5-word shingles of the body: robust to headers, footers and light edits."""
    words = _WORD.findall(text.lower())
    grams = {" ".join(words[i:i + SHINGLE_WORDS])
             for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}
    mh = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME,
                 permutations=_PERMUTATIONS)
    mh.update_batch([g.encode("utf-8") for g in grams])
    return mh.hashvalues.copy()


def actor_profile(mentions: Iterable[ActorMention], events: Iterable[Event]) -> frozenset[str]:
    """The countries an article is most about (event participants count double)."""
    counts: Counter[str] = Counter()
    for m in mentions:
        if m.actor.country:
            counts[m.actor.country] += 1
    for e in events:
        for actor in (e.source, e.target):
            if actor is not None and actor.country:
                counts[actor.country] += 2
    return frozenset(code for code, _ in counts.most_common(TOP_ACTORS))


def type_profile(events: Iterable[Event]) -> frozenset[str]:
    return frozenset(e.type for e in events)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def countries_clash(core_a: Iterable[str], named_a: Collection[str], core_b: Iterable[str],
                    named_b: Collection[str]) -> bool:
    """Whether two articles or stories are about different country sets.

    ``core`` are the countries a side is mostly about (for a story: those named in at least
    half its articles), ``named`` every country it names. They clash when each side has a
    core country the other never names: Spain-Britain against Canada-Britain, not
    Spain-Britain against Spain-Britain-France (a third party) or Britain alone.
    """
    return any(c not in named_b for c in core_a) and any(c not in named_a for c in core_b)
