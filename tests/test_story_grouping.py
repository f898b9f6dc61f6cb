"""Story grouping decisions on constructed profiles (no models): the country-clash rule,
organisations as third parties, arrival order, and the signature resemblance."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest
from datasketch import MinHash

from realpolitik.stories.features import (
    MINHASH_SCHEME,
    NUM_PERM,
    ArticleProfile,
    countries_clash,
    signature,
)
from realpolitik.stories.grouping import StoryIndex

DIM = 16
DAY = dt.date(2025, 11, 24)
BACKGROUND = np.eye(DIM)[0]


def _profile(pid: str, happening: int, actors: set[str], day: int = 0,
             seed: int = 0) -> ArticleProfile:
    """An article whose text is mostly shared background plus its happening's lead."""
    rng = np.random.default_rng(seed)
    vector = BACKGROUND + 0.3 * np.eye(DIM)[1 + happening] + 0.02 * rng.standard_normal(DIM)
    return ArticleProfile(
        id=pid, date=DAY + dt.timedelta(days=day), outlet=None,
        vector=(vector / np.linalg.norm(vector)).astype(np.float32),
        signature=rng.integers(0, 2**32, NUM_PERM, dtype=np.uint64),
        actors=frozenset(actors), types=frozenset({"ACCUSE"}))


def _partition(index: StoryIndex) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for article, story in index.story_ids().items():
        groups.setdefault(story, set()).add(article)
    return {frozenset(g) for g in groups.values()}


@pytest.mark.parametrize(("a", "b", "clash"), [
    ({"ESP", "GBR"}, {"CAN", "GBR"}, True),  # one country swapped: another happening
    ({"ESP", "GBR"}, {"ESP", "GBR", "FRA"}, False),  # a third party
    ({"ESP", "GBR"}, {"GBR"}, False),  # a partial mention
    ({"ESP", "GBR"}, set(), False),  # no countries found
    ({"ESP", "GBR"}, {"ESP", "GBR"}, False),
])
def test_countries_clash_only_when_each_side_has_its_own_country(
        a: set[str], b: set[str], clash: bool) -> None:
    assert countries_clash(a, a, b, b) is clash
    assert countries_clash(b, b, a, a) is clash


def test_same_background_different_countries_are_two_stories() -> None:
    spain = [_profile(f"es{i}", 0, {"ESP", "GBR"}, day=i, seed=i) for i in range(3)]
    canada = [_profile(f"ca{i}", 1, {"CAN", "GBR"}, day=i, seed=10 + i) for i in range(3)]
    cosine = float(np.dot(spain[0].vector, canada[0].vector))
    assert cosine > 0.9  # the texts alone would put them together
    index = StoryIndex()
    index.add([*spain, *canada])
    assert _partition(index) == {frozenset(p.id for p in spain),
                                 frozenset(p.id for p in canada)}


def test_a_third_country_or_a_partial_mention_joins_the_story() -> None:
    first = _profile("a", 0, {"ESP", "GBR"})
    third_party = _profile("b", 0, {"ESP", "GBR", "FRA"}, day=1, seed=1)
    partial = _profile("c", 0, {"GBR"}, day=1, seed=2)
    index = StoryIndex()
    index.add([first, third_party, partial])
    assert _partition(index) == {frozenset({"a", "b", "c"})}


def test_organisations_are_third_parties_not_core_countries() -> None:
    nato = _profile("a", 0, {"SRB", "XKX", "NATO"})
    unsc = _profile("b", 0, {"SRB", "XKX", "UNSC"}, day=1, seed=1)
    assert len(_partition(_grouped([nato, unsc], frozenset({"NATO", "UNSC"})))) == 1
    assert len(_partition(_grouped([nato, unsc], frozenset()))) == 2  # counted as countries


def _grouped(profiles: list[ArticleProfile], igos: frozenset[str]) -> StoryIndex:
    index = StoryIndex(igos=igos)
    index.add(profiles)
    return index


def test_a_story_core_is_what_half_its_articles_name() -> None:
    story = [_profile("a", 0, {"ESP", "GBR", "MAR"}),
             _profile("b", 0, {"ESP", "GBR"}, day=1, seed=1),
             _profile("c", 0, {"ESP", "GBR"}, day=1, seed=2)]
    # MAR is named once in three: an article without it, naming Portugal, still joins
    newcomer = _profile("d", 0, {"ESP", "GBR", "PRT"}, day=2, seed=3)
    swapped = _profile("e", 0, {"ITA", "GBR"}, day=2, seed=4)  # new ITA, misses core ESP
    index = StoryIndex()
    index.add(story)
    index.add([newcomer])
    index.add([swapped])
    assert _partition(index) == {frozenset({"a", "b", "c", "d"}), frozenset({"e"})}


def test_one_by_one_arrival_in_any_order_gives_the_batch_partition() -> None:
    profiles = [_profile(f"es{i}", 0, {"ESP", "GBR"}, day=i % 3, seed=i) for i in range(4)]
    profiles += [_profile(f"ca{i}", 1, {"CAN", "GBR", "UNO"}, day=i % 3, seed=20 + i)
                 for i in range(4)]
    batch = _grouped(profiles, frozenset({"UNO"}))
    for seed in range(5):
        order = profiles[:]
        random.Random(seed).shuffle(order)
        index = StoryIndex(igos=frozenset({"UNO"}))
        for p in order:
            index.add([p])
        assert _partition(index) == _partition(batch)


def test_resemblance_is_the_minhash_jaccard() -> None:
    words = [f"w{i}" for i in range(200)]
    a = " ".join(words)
    b = " ".join(words[:150] + [f"x{i}" for i in range(50)])
    pa, pb = (ArticleProfile(id=t, date=None, outlet=None, vector=np.zeros(DIM),
                             signature=signature(t)) for t in (a, b))
    ma, mb = (MinHash(num_perm=NUM_PERM, hashvalues=p.signature, scheme=MINHASH_SCHEME)
              for p in (pa, pb))
    assert pa.resemblance(pb) == pytest.approx(ma.jaccard(mb))
    assert 0.4 < pa.resemblance(pb) < 0.9
    assert pa.resemblance(pa) == 1.0
