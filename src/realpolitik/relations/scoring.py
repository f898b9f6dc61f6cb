"""The one scoring model: how a happening counts in every support and pressure figure.

The report, the indices, the dyad series, the story view's conflicts, the CLI, the API,
the alerts and the dashboard all score **happenings** (one per event in the world, see
``stories.happenings``) through this module and nowhere else. The numbers are data, in
``events/data/plover.yaml``:

column(h)   the type's ``column`` (supporting, withdrawing, pressuring), or its
            ``negated_column`` when the happening is negated or refused; None counts
            nowhere (a negated conflict - "did not attack" - is restraint, not support).
weight(h)   |intensity(type)| / 10 x the modality's ``weight`` (asserted 1, planned 0.6,
            hypothetical 0.4, past background 0.2).
signed(h)   the column's ``sign`` x |intensity| x modality weight (supporting +1,
            withdrawing -1/2, pressuring -1): summed per dyad, a Goldstein-like score.
claim(h)    ``backing`` (supporting) or ``refusing`` (withdrawing) when the modality is a
            claim about the present (asserted, planned); the story view compares these.
stance      of a tally of weights per column: the heaviest column, or ``mixed`` when the
            second weighs at least 75% of the first; None when nothing weighs.
origins     per column, the independent origins (reports) behind its happenings: two
            outlets retelling one report are one origin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from pydantic import BaseModel

from realpolitik.events.lexicon import COLUMNS, Column, PloverTable
from realpolitik.records import ActorRef, Happening, Modality

Stance = Literal["supporting", "withdrawing", "pressuring", "mixed"]
Claim = Literal["backing", "refusing"]
MIXED_RATIO = 0.75

__all__ = ["COLUMNS", "Column", "Evidence", "Stance", "Tally", "claim_of", "column_of",
           "evidence", "signed_of", "stance_of", "toward_country", "weight_of"]


class Scored(Protocol):
    """What scoring reads of a happening (or of one event mention)."""

    @property
    def type(self) -> str: ...

    @property
    def negated(self) -> bool: ...

    @property
    def modality(self) -> Modality: ...


def column_of(h: Scored, plover: PloverTable) -> Column | None:
    """The report column of a happening toward a country, or None (counts nowhere)."""
    info = plover.types[h.type]
    return info.negated_column if h.negated else info.column


def weight_of(h: Scored, plover: PloverTable) -> float:
    """|intensity| / 10 x modality weight: what one happening adds to its column."""
    return abs(plover.types[h.type].intensity) / 10 * plover.modalities[h.modality].weight


def signed_of(h: Scored, plover: PloverTable) -> float:
    """The happening's share of a dyad score (0 when it is in no column)."""
    column = column_of(h, plover)
    if column is None:
        return 0.0
    intensity = abs(plover.types[h.type].intensity) * plover.modalities[h.modality].weight
    return plover.columns[column].sign * intensity


def claim_of(h: Scored, plover: PloverTable) -> Claim | None:
    """'backing' or 'refusing' when the happening claims either about the present."""
    if not plover.modalities[h.modality].claim:
        return None
    column = column_of(h, plover)
    if column == "supporting":
        return "backing"
    return "refusing" if column == "withdrawing" else None


def stance_of(scores: Mapping[str, float]) -> Stance | None:
    """The heaviest column, ``mixed`` when the runner-up is within 75%, None if empty."""
    ranked = sorted(((c, scores.get(c, 0.0)) for c in COLUMNS), key=lambda kv: -kv[1])
    (top, top_score), (_, second) = ranked[0], ranked[1]
    if top_score <= 0:
        return None
    if second >= MIXED_RATIO * top_score:
        return "mixed"
    return top


def toward_country(country: str, happenings: Iterable[Happening]) -> list[Happening]:
    """The happenings a counterpart scores toward ``country``: target X, another source."""
    return [h for h in happenings if h.target is not None and h.target.country == country
            and h.source.country and h.source.country != country]


@dataclass
class Tally:
    """Weights and independent origins per column, over the happenings added."""

    plover: PloverTable
    weights: dict[str, float] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0.0))
    _origins: dict[str, set[str]] = field(
        default_factory=lambda: {c: set() for c in COLUMNS})

    def add(self, h: Happening) -> Column | None:
        """Count ``h`` in its column (if any) and return the column."""
        column = self.weigh(h)
        if column is not None:
            self._origins[column].update(h.origins)
        return column

    def weigh(self, h: Scored, times: int = 1) -> Column | None:
        """Add ``times`` x the weight of ``h`` to its column (origins untouched): a group
        of happenings scoring cannot tell apart counts in one step."""
        column = column_of(h, self.plover)
        if column is not None:
            self.weights[column] += times * weight_of(h, self.plover)
        return column

    def scores(self) -> dict[str, float]:
        return {c: round(w, 3) for c, w in self.weights.items()}

    def origins(self) -> dict[str, int]:
        """How many independent origins stand behind each column."""
        return {c: len(o) for c, o in self._origins.items()}

    def stance(self) -> Stance | None:
        return stance_of(self.weights)


class Evidence(BaseModel):
    """A happening behind a figure, scored: enough to open the sentences it came from."""

    happening_id: str
    story_id: str
    date: dt.date | None
    source: ActorRef
    target: ActorRef | None
    type: str
    negated: bool
    modality: str
    column: Column | None
    weight: float
    mentions: int
    origins: list[str]
    outlets: list[str]
    event_ids: list[str]
    sentence: str


def evidence(h: Happening, plover: PloverTable) -> Evidence:
    return Evidence(happening_id=h.id, story_id=h.story_id, date=h.date, source=h.source,
                    target=h.target, type=h.type, negated=h.negated, modality=h.modality,
                    column=column_of(h, plover), weight=round(weight_of(h, plover), 3),
                    mentions=h.mentions, origins=h.origins, outlets=h.outlets,
                    event_ids=h.event_ids, sentence=h.sentence)
