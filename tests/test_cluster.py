"""The Ray runner gives the same store as a local ingest (two workers on loopback)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.test_stories import ARTICLES


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    try:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
                 _node_ip_address="127.0.0.1")
    except Exception as exc:  # Ray cannot start here (no shared memory, no sockets, ...)
        pytest.skip(f"Ray cannot start a local two-CPU instance on this machine: {exc}")
    yield
    ray.shutdown()


def _dump(db: Path, what: str) -> list[dict]:
    out = run_cli([what, "--db", str(db), "--format", "jsonl"]).stdout
    return sorted((json.loads(line) for line in out.splitlines()), key=lambda r: r["id"])


def test_ray_ingest_equals_local_ingest(tmp_path: Path, ray_cluster: None) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    (corpus / "broken.json").write_text("{not json", encoding="utf-8")
    local, remote = tmp_path / "local.duckdb", tmp_path / "ray.duckdb"
    a = run_cli(["ingest", str(corpus), "--db", str(local)])
    b = run_cli(["ingest", str(corpus), "--db", str(remote), "--ray", "--workers", "2"])
    assert a.exit_code == b.exit_code == 1  # the broken file fails in both, and only it
    assert "broken.json" in b.stderr
    for what in ("articles", "events", "stories"):
        mine, theirs = _dump(local, what), _dump(remote, what)
        assert mine, what
        assert theirs == mine, what
    # a second run finds every file already stored and codes nothing
    again = run_cli(["ingest", str(corpus), "--db", str(remote), "--ray", "--workers", "2"])
    assert "Stored 0 new articles" in again.stderr


def test_ray_refuses_stdin(tmp_path: Path) -> None:
    result = run_cli(["ingest", "-", "--db", str(tmp_path / "x.duckdb"), "--ray"], stdin="x")
    assert result.exit_code == 2
    assert "not stdin" in result.stderr


def test_vectors_computed_elsewhere_are_used_not_encoded_again() -> None:
    """The writer of a Ray run groups with the workers' story vectors: only articles
    without one are encoded, and a known vector is taken as it is."""
    import numpy as np

    from realpolitik.records import Article, CodedArticle
    from realpolitik.stories.assembly import profile_articles, story_vectors

    class CountingEmbedder:
        def __init__(self) -> None:
            self.texts: list[str] = []

        def encode(self, texts):
            self.texts += texts
            return np.ones((len(texts), 4), dtype=np.float32) / 2

    coded = [CodedArticle(article=Article(id=f"a{i}", title=f"Title {i}",
                                          text=f"Body number {i} of the story."))
             for i in range(3)]
    known = {"a1": np.array([1, 0, 0, 0], dtype=np.float32)}
    embedder = CountingEmbedder()
    profiles = profile_articles(coded, embedder, known)
    assert len(embedder.texts) == 2  # a0 and a2 only
    assert [p.vector.tolist() for p in profiles] == [[0.5] * 4, [1, 0, 0, 0], [0.5] * 4]
    assert set(story_vectors(coded, embedder)) == {"a0", "a1", "a2"}
