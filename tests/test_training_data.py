"""The training corpus keeps its schema and coverage, and the shipped model is built from it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from realpolitik.events.train import corpus_digest
from realpolitik.events.training import (
    CorpusError,
    TrainSentence,
    load_corpus,
    read_file,
    split_of,
)
from realpolitik.events.typing_model import TypingModel
from realpolitik.records import PLOVER_TYPES


@pytest.fixture(scope="module")
def corpus() -> list[TrainSentence]:
    return load_corpus()


def test_corpus_is_large_and_covers_every_type(corpus) -> None:
    assert len(corpus) >= 4000
    types = Counter(e.type for s in corpus for e in s.events)
    assert all(types[t] >= 150 for t in PLOVER_TYPES), types
    assert sum(not s.events for s in corpus) >= 300  # sentences with no event
    assert sum(s.headline for s in corpus) >= 300
    events = [e for s in corpus for e in s.events]
    assert sum(e.negated for e in events) >= 200
    assert sum(e.refused is not None for e in events) >= 150
    assert {e.modality for e in events} == {"asserted", "planned", "hypothetical",
                                            "past_background"}


def test_split_is_a_stable_rule(corpus) -> None:
    dev = [s for s in corpus if s.split == "dev"]
    assert 0.15 <= len(dev) / len(corpus) <= 0.25
    assert split_of("a-0001") == split_of("a-0001")
    assert {split_of(f"x-{n}") for n in range(50)} == {"train", "dev"}


def test_no_sentence_is_written_twice(corpus) -> None:
    texts = Counter(" ".join(s.text.lower().split()) for s in corpus)
    repeated = [t for t, n in texts.items() if n > 1]
    assert len(repeated) <= len(corpus) // 200, repeated[:5]


@pytest.mark.parametrize(("trigger", "country", "message"), [
    ("expelled", "CHL", r"bad.jsonl:1: .*trigger 'expelled'"),  # not in the text
    ("recalled", "CHI", "CHI"),                                   # no such country code
])
def test_schema_rejects_a_bad_line(tmp_path: Path, trigger: str, country: str,
                                   message: str) -> None:
    bad = {"id": "z-1", "text": "Chile recalled its ambassador.",
           "events": [{"type": "SANCTION", "trigger": trigger,
                       "source": {"text": "Chile", "country": country}}]}
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        list(read_file(path))


def test_shipped_model_is_built_from_this_corpus_and_lexicon() -> None:
    model = TypingModel.load()
    assert model.meta["corpus_sha256"] == corpus_digest(), (
        "training/data or lexicon.yaml changed since the model was built: run `make train`")
    assert model.meta["dev"]["macro_f1"] >= 0.7
