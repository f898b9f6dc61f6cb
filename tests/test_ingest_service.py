"""The ingest service (workflow.IngestService): batching, one duplicate rule, one
transaction per source, the confidence threshold, the gate and the story update, with a
fake coder over a real store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pytest

from realpolitik.records import ActorRef, Article, CodedArticle, Event
from realpolitik.store import Store, StoreError
from realpolitik.stories.assembly import StoryStore, StoryUpdate
from realpolitik.workflow import IngestService, IngestSettings, Source

RUS = ActorRef(country="RUS", name="Russia", text="Russia")


class FakeCoder:
    """Codes each article as one SUPPORT event (confidence from the text), and records
    the batches it was asked to code."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def code(self, articles: Sequence[Article]) -> list[CodedArticle]:
        self.batches.append([a.id for a in articles])
        return [CodedArticle(article=a, events=[Event(
            id=f"e-{a.id}", article_id=a.id, source=RUS, type="SUPPORT",
            quad_class="verbal_cooperation", cameo_root="05", sentence=a.text, start=0,
            end=len(a.text), rule="fake", confidence=0.9 if "sure" in a.text else 0.2)])
            for a in articles]


def art(n: int, text: str = "Russia backed it.") -> Article:
    return Article(id=f"a{n}", text=f"{text} ({n})", outlet="Wire")


@pytest.fixture()
def store(tmp_path: Path):
    with Store(tmp_path / "service.duckdb") as s:
        yield s


def count(store: Store, table: str) -> int:
    row = store.con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def test_codes_in_batches_and_keeps_confident_events(store: Store) -> None:
    coder = FakeCoder()
    service = IngestService(coder, store, IngestSettings(batch_size=3, min_confidence=0.5))
    result = service.ingest([art(i, "sure" if i % 2 else "maybe") for i in range(7)], "t")
    assert [len(b) for b in coder.batches] == [3, 3, 1]
    assert result.new_articles == 7 and result.new_events == 3  # only the sure ones
    assert count(store, "events") == 3


def test_duplicates_are_skipped_before_coding(store: Store) -> None:
    coder = FakeCoder()
    service = IngestService(coder, store)
    first = service.ingest([art(1), art(2), art(1)], "first")
    assert (first.new_articles, first.duplicates) == (2, 1)
    again = service.ingest([art(2), art(3)], "second")
    assert (again.new_articles, again.duplicates) == (1, 1)
    assert coder.batches == [["a1", "a2"], ["a3"]]  # a stored article is never re-coded
    assert again.articles == ["a2", "a3"]


def test_one_transaction_per_source(store: Store) -> None:
    class Broken(FakeCoder):
        def code(self, articles: Sequence[Article]) -> list[CodedArticle]:
            coded = super().code(articles)
            # an event that claims another article: storing its source must fail whole
            return [c.model_copy(update={"events": [c.events[0].model_copy(
                update={"article_id": "elsewhere"})]}) if c.article.id == "a2" else c
                for c in coded]

    problems: list[str] = []
    service = IngestService(Broken(), store, IngestSettings(batch_size=10))
    result = service.ingest_sources([Source("good.txt", [art(1)]),
                                     Source("bad.txt", [art(2), art(3)]),
                                     Source("good2.txt", [art(4)])],
                                    on_problem=problems.append)
    assert result.new_articles == 2 and [p for p, _ in result.problems] == ["bad.txt"]
    assert problems and "nothing from it was saved" in problems[0]
    ids = {r[0] for r in store.con.execute("SELECT id FROM articles").fetchall()}
    assert ids == {"a1", "a4"}  # nothing of bad.txt, not even its good article a3
    failed = store.con.execute(
        "SELECT path FROM ingest_log WHERE status = 'failed'").fetchall()
    assert failed == [("bad.txt",)]


def test_gate_abandons_before_anything_is_stored(store: Store) -> None:
    service = IngestService(FakeCoder(), store)
    result = service.ingest([art(1)], "api", gate=lambda: False)
    assert result.abandoned and result.new_articles == 0
    assert count(store, "articles") == 0


def test_store_coded_is_the_load_step_alone(store: Store) -> None:
    coder = FakeCoder()
    grouped: list[object] = []
    service = IngestService(coder, store,
                            stories=lambda s, v=None: grouped.append(s) or StoryUpdate())  # type: ignore[func-returns-value]
    coded = FakeCoder().code([art(1), art(2)])
    result = service.store_coded(coded, "ray:batch-1")
    assert (result.new_articles, result.new_events) == (2, 2)
    assert coder.batches == [] and grouped == []  # no coding, no story update
    assert service.store_coded(coded, "ray:batch-1").new_articles == 0


def test_stories_are_updated_and_a_failure_keeps_the_articles(store: Store) -> None:
    seen: list[tuple[StoryStore, object]] = []

    def grouping(target: StoryStore, vectors: Mapping[str, np.ndarray] | None = None
                 ) -> StoryUpdate:
        seen.append((target, vectors))
        return StoryUpdate(new_articles=1, stories_touched=1, stories_total=1)

    result = IngestService(FakeCoder(), store, stories=grouping).ingest([art(1)], "t")
    assert seen == [(store, None)] and result.stories == StoryUpdate(1, 1, 1)
    given = {"a1": np.zeros(3)}
    service = IngestService(FakeCoder(), store, stories=grouping)
    assert service.update_stories(vectors=given) == StoryUpdate(1, 1, 1)
    assert seen[-1] == (store, given)  # vectors computed elsewhere reach the grouping

    def failing(target: StoryStore, vectors: Mapping[str, np.ndarray] | None = None
                ) -> StoryUpdate:
        raise StoreError("could not store the story grouping: disk full")

    result = IngestService(FakeCoder(), store, stories=failing).ingest([art(2)], "t2")
    assert result.new_articles == 1 and result.stories is None
    assert any("disk full" in p for _, p in result.problems)
    assert count(store, "articles") == 2


def test_coding_alone_needs_no_store() -> None:
    service = IngestService(FakeCoder(), settings=IngestSettings(batch_size=2))
    assert [c.article.id for c in service.code(art(i) for i in range(3))] == ["a0", "a1", "a2"]
    with pytest.raises(ValueError, match="without a store"):
        service.ingest([art(1)], "t")


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"batch_size": 0}, "batch_size"), ({"min_confidence": 1.5}, "min_confidence")])
def test_bad_settings_are_refused(kwargs: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        IngestSettings(**kwargs)


def test_cli_code_keeps_only_events_above_min_confidence() -> None:
    import json

    from tests.helpers import run_cli

    line = json.dumps({"id": "d1", "text": "Cuba voiced support for Maduro. Russia may "
                                           "consider sending advisers to Venezuela."}) + "\n"
    every = [json.loads(x) for x in run_cli(["code"], stdin=line).stdout.splitlines()]
    floor = max(e["confidence"] for e in every)
    kept = [json.loads(x) for x in run_cli(["code", "--min-confidence", str(floor)],
                                           stdin=line).stdout.splitlines()]
    assert every and kept and all(e["confidence"] >= floor for e in kept)
    assert len(kept) == sum(e["confidence"] >= floor for e in every)
