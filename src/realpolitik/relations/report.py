"""The support and pressure picture for one country, built from coded events.

For country X, every event whose target is X and whose source is another country is
put in one of three columns:

* supporting - cooperative PLOVER types that happened or are promised (AGREE, CONSULT,
  SUPPORT, CONCEDE, COOPERATE, AID);
* withdrawing - the same types negated or refused, plus REJECT and RETREAT toward X;
* pressuring - conflictual types not negated (REQUEST, ACCUSE, THREATEN, PROTEST,
  SANCTION, MOBILIZE, COERCE, ASSAULT).

Each event weighs |intensity| / 10 (PLOVER scale) times a modality weight (asserted 1,
planned 0.6, hypothetical 0.4, past background 0.2), so an old loan or a sanction
under consideration counts less than a refusal that happened. A counterpart's stance
is its heaviest column, or ``mixed`` when the second column weighs at least 75% of the
first. Negated conflict ("did not attack") is restraint and counts in no column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Literal

from pydantic import BaseModel, Field

from realpolitik.events.lexicon import PloverTable
from realpolitik.records import ActorRef, Article, Event, Happening

Stance = Literal["supporting", "withdrawing", "pressuring", "mixed"]
MODALITY_WEIGHT = {"asserted": 1.0, "planned": 0.6, "hypothetical": 0.4, "past_background": 0.2}
MIXED_RATIO = 0.75
WITHDRAWING_TYPES = frozenset({"REJECT", "RETREAT"})


class Evidence(BaseModel):
    """One event behind a figure, with what a reader needs to check it."""

    event_id: str
    article_id: str
    outlet: str | None = None
    title: str | None = None
    date: dt.date | None = None
    type: str
    negated: bool
    modality: str
    column: str
    weight: float
    source: ActorRef
    target: ActorRef | None
    attributed_to: list[str] = Field(default_factory=list)
    sentence: str
    section: str
    start: int
    end: int
    rule: str


class Counterpart(BaseModel):
    country: str
    name: str
    stance: Stance
    scores: dict[str, float]
    events: list[Evidence]


class Report(BaseModel):
    country: str
    name: str
    since: dt.date | None = None
    counterparts: list[Counterpart]

    def to_text(self, markdown: bool = False) -> str:
        lines = [f"{'# ' if markdown else ''}Support and pressure picture: {self.name} "
                 f"({self.country})" + (f" since {self.since}" if self.since else ""), ""]
        if not self.counterparts:
            lines.append("No events toward this country.")
        for cp in self.counterparts:
            scores = ", ".join(f"{k} {v:.2f}" for k, v in cp.scores.items() if v)
            head = f"{cp.name} ({cp.country}): {cp.stance.upper()}  [{scores}]"
            lines.append(f"## {head}" if markdown else head)
            for ev in cp.events:
                flags = ("not " if ev.negated else "") + ev.type.lower()
                if ev.modality != "asserted":
                    flags += f", {ev.modality}"
                who = f" per {', '.join(ev.attributed_to)}" if ev.attributed_to else ""
                where = f"{ev.outlet or ev.article_id}, {ev.date or 'undated'}"
                bullet = "- " if markdown else "    - "
                lines.append(f"{bullet}[{ev.column}] {flags}{who} ({where}): "
                             f"\u201c{_clip(ev.sentence)}\u201d")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


def column_of(event: Event | Happening, plover: PloverTable) -> str | None:
    """Which column of the picture an event toward the country belongs to (or None)."""
    cooperative = plover.types[event.type].cooperative
    if event.type in WITHDRAWING_TYPES:
        return "withdrawing" if not event.negated else None
    if cooperative:
        return "withdrawing" if event.negated else "supporting"
    return None if event.negated else "pressuring"


def build_report(country: str, events: Iterable[Event], articles: dict[str, Article],
                 plover: PloverTable, name_of: Callable[[str], str | None],
                 since: dt.date | None = None) -> Report:
    """The picture for ``country`` from events (any source) and their articles."""
    by_source: dict[str, list[Evidence]] = {}
    for event in events:
        if event.target is None or event.target.country != country:
            continue
        source_country = event.source.country
        if source_country is None or source_country == country:
            continue
        if since is not None and event.date is not None and event.date < since:
            continue
        column = column_of(event, plover)
        if column is None:
            continue
        weight = abs(plover.types[event.type].intensity) / 10 * MODALITY_WEIGHT[event.modality]
        article = articles.get(event.article_id)
        by_source.setdefault(source_country, []).append(Evidence(
            event_id=event.id, article_id=event.article_id,
            outlet=article.outlet if article else None,
            title=article.title if article else None, date=event.date, type=event.type,
            negated=event.negated, modality=event.modality, column=column,
            weight=round(weight, 3), source=event.source, target=event.target,
            attributed_to=event.attributed_to, sentence=event.sentence, section=event.section,
            start=event.start, end=event.end, rule=event.rule,
        ))
    counterparts = []
    for code, evidence in by_source.items():
        scores = {c: 0.0 for c in ("supporting", "withdrawing", "pressuring")}
        for ev in evidence:
            scores[ev.column] += ev.weight
        scores = {k: round(v, 3) for k, v in scores.items()}
        counterparts.append(Counterpart(
            country=code, name=name_of(code) or code, stance=_stance(scores),
            scores=scores, events=sorted(evidence, key=lambda e: (-e.weight, e.event_id)),
        ))
    counterparts.sort(key=lambda c: (-sum(c.scores.values()), c.country))
    return Report(country=country, name=name_of(country) or country, since=since,
                  counterparts=counterparts)


def _stance(scores: dict[str, float]) -> Stance:
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (top, top_score), (_, second) = ranked[0], ranked[1]
    if top_score > 0 and second >= MIXED_RATIO * top_score:
        return "mixed"
    return top  # type: ignore[return-value]


def _clip(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
