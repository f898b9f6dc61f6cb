"""The annotated training corpus for the event coder: schema, loading, split and checks.

The corpus is JSONL under ``training/data/`` (written for this project, see
``training/ANNOTATION.md``): one sentence or headline a line, with every event it
states. The split is a rule, not a file: a sentence is in dev when the first byte of
the SHA-1 of its id, modulo 5, is 0 (about 20%), so adding sentences never moves old
ones between train and dev.

``python -m realpolitik.events.training FILE...`` checks files and prints counts.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pycountry
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from realpolitik.datafiles import load_yaml
from realpolitik.events.lexicon import known_type
from realpolitik.records import PLOVER_TYPES, Modality

TRAINING_DIR = Path(__file__).resolve().parents[3] / "training" / "data"
Split = Literal["train", "dev"]


@lru_cache(maxsize=1)
def _organisation_codes() -> frozenset[str]:
    path = Path(__file__).resolve().parents[1] / "actors" / "data" / "organisations.yaml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    return frozenset(o["code"] for o in data["organisations"])


@lru_cache(maxsize=1)
def _sector_codes() -> frozenset[str]:
    path = Path(__file__).resolve().parents[1] / "actors" / "data" / "sectors.yaml"
    return frozenset(load_yaml(path.read_text(encoding="utf-8"))["codes"])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TrainActor(_Strict):
    """An actor as written in the sentence, with its country (or organisation) code."""

    text: str = Field(min_length=1)
    country: str | None = None
    sector: str | None = None

    @field_validator("country")
    @classmethod
    def _known_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value in _organisation_codes() or pycountry.countries.get(alpha_3=value):
            return value
        raise ValueError(f"{value!r} is neither an ISO 3166 alpha-3 code nor an "
                         "organisation code of actors/data/organisations.yaml")

    @field_validator("sector")
    @classmethod
    def _known_sector(cls, value: str | None) -> str | None:
        if value is not None and value not in _sector_codes():
            raise ValueError(f"unknown sector {value!r} (see actors/data/sectors.yaml)")
        return value


class TrainEvent(_Strict):
    """One event the sentence states: who did what to whom, as the text has it."""

    type: str
    trigger: str = Field(min_length=1)
    source: TrainActor
    target: TrainActor | None = None
    negated: bool = False
    modality: Modality = "asserted"
    refused: str | None = None  # for REJECT of a proposed act: that act's type

    _v_types = field_validator("type", "refused")(classmethod(lambda cls, v: known_type(v)))


class TrainSentence(_Strict):
    """A sentence (or headline) and all its events; no events means 'no event'."""

    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    headline: bool = False
    events: list[TrainEvent] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _spans_in_text(self) -> TrainSentence:
        for event in self.events:
            for label, span in (("trigger", event.trigger), ("source", event.source.text),
                                ("target", event.target.text if event.target else None)):
                if span is not None and span not in self.text:
                    raise ValueError(f"{label} {span!r} is not in the text")
            if event.refused is not None and event.type != "REJECT":
                raise ValueError("'refused' goes only with type REJECT")
        return self

    @property
    def split(self) -> Split:
        return split_of(self.id)


# Parts j-n were filled from hand-written frames with actors drawn from a country table:
# the same frame with other actors in dev would flatter the dev figures, so they train only.
TRAIN_ONLY_PREFIXES = ("j-", "k-", "l-", "m-", "n-")


def split_of(sentence_id: str) -> Split:
    """The documented split rule: SHA-1(id)[0] % 5 == 0 is dev, except the frame-filled
    parts, which are always train."""
    if sentence_id.startswith(TRAIN_ONLY_PREFIXES):
        return "train"
    return "dev" if hashlib.sha1(sentence_id.encode("utf-8")).digest()[0] % 5 == 0 else "train"


class CorpusError(ValueError):
    """A training file broke the schema; the message names the file and line."""


def read_file(path: Path) -> Iterator[TrainSentence]:
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                yield TrainSentence.model_validate(json.loads(line))
            except (ValueError, ValidationError) as exc:
                message = " ".join(str(exc).split())
                raise CorpusError(f"{path}:{lineno}: {message}") from exc


def load_corpus(paths: Iterable[Path] | None = None) -> list[TrainSentence]:
    """Every sentence of the corpus files; ids must be unique across files."""
    files = sorted(paths) if paths is not None else sorted(TRAINING_DIR.glob("*.jsonl"))
    seen: dict[str, Path] = {}
    out: list[TrainSentence] = []
    for path in files:
        for sentence in read_file(path):
            if sentence.id in seen:
                raise CorpusError(f"{path}: id {sentence.id!r} also in {seen[sentence.id]}")
            seen[sentence.id] = path
            out.append(sentence)
    return out


def summary(sentences: list[TrainSentence]) -> str:
    types = Counter(e.type for s in sentences for e in s.events)
    splits = Counter(s.split for s in sentences)
    lines = [f"{len(sentences)} sentences ({splits['train']} train, {splits['dev']} dev), "
             f"{sum(types.values())} events, "
             f"{sum(not s.events for s in sentences)} with no event, "
             f"{sum(s.headline for s in sentences)} headlines"]
    lines += [f"  {t:<10} {types.get(t, 0):5d}" for t in PLOVER_TYPES]
    negated = sum(e.negated for s in sentences for e in s.events)
    modal = Counter(e.modality for s in sentences for e in s.events)
    lines.append(f"  negated {negated}; modality {dict(modal)}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or None
    try:
        sentences = load_corpus(paths)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(summary(sentences))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
