"""The support and pressure picture for one country, built from happenings.

For country X, every happening whose target is X and whose source is another country
goes in one column (supporting, withdrawing, pressuring) with a weight, by the one
scoring model (``relations.scoring``): a sentence that several outlets carry is one
happening and counts once. Per counterpart the report gives the weight of each column,
the number of independent origins behind it, its stance, the happenings (evidence) and
the article sentences that tell them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from pydantic import BaseModel, Field

from realpolitik.events.lexicon import PloverTable
from realpolitik.records import Article, Event, Happening
from realpolitik.relations.scoring import Evidence, Stance, Tally, evidence, toward_country


class Sentence(BaseModel):
    """One article sentence (event mention) telling a happening, to check it against."""

    event_id: str
    happening_id: str | None
    article_id: str
    outlet: str | None = None
    title: str | None = None
    date: dt.date | None = None
    attributed_to: list[str] = Field(default_factory=list)
    sentence: str
    language: str = "en"  # the sentence's language; shown as written, never translated
    section: str
    start: int
    end: int
    rule: str


class Counterpart(BaseModel):
    country: str
    name: str
    stance: Stance
    scores: dict[str, float]  # weight per column
    origins: dict[str, int]  # independent origins per column
    events: list[Evidence]  # happenings, heaviest first
    sentences: list[Sentence]  # their mentions


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
            scores = ", ".join(f"{k} {v:.2f} ({_n(cp.origins.get(k, 0), 'origin')})"
                               for k, v in cp.scores.items() if v)
            head = f"{cp.name} ({cp.country}): {cp.stance.upper()}  [{scores}]"
            lines.append(f"## {head}" if markdown else head)
            told = {s.event_id: s for s in cp.sentences}
            for ev in cp.events:
                flags = ("not " if ev.negated else "") + ev.type.lower()
                if ev.modality != "asserted":
                    flags += f", {ev.modality}"
                mine = [told[i] for i in ev.event_ids if i in told]
                who = sorted({a for s in mine for a in s.attributed_to})
                per = f" per {', '.join(who)}" if who else ""
                where = ", ".join(sorted({s.outlet or s.article_id for s in mine})) or "-"
                bullet = "- " if markdown else "    - "
                lines.append(f"{bullet}[{ev.column}] {flags}{per} ({where}; {ev.date or 'undated'}"
                             f"; {_n(ev.mentions, 'mention')}, origins: "
                             f"{', '.join(ev.origins) or '-'}): \u201c{_clip(ev.sentence)}\u201d")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


def build_report(country: str, happenings: Iterable[Happening], mentions: Iterable[Event],
                 articles: dict[str, Article], plover: PloverTable,
                 name_of: Callable[[str], str | None], since: dt.date | None = None) -> Report:
    """The picture for ``country`` from happenings (any; filtered here to those toward it),
    their event mentions and the articles of those mentions."""
    by_source: dict[str, list[Happening]] = {}
    for h in toward_country(country, happenings):
        if since is not None and h.date is not None and (h.last_date or h.date) < since:
            continue
        by_source.setdefault(h.source.country or "", []).append(h)
    told = {e.id: e for e in mentions}
    counterparts = []
    for code, hs in by_source.items():
        tally = Tally(plover)
        scored = [h for h in hs if tally.add(h) is not None]
        stance = tally.stance()
        if stance is None:
            continue
        proof = sorted((evidence(h, plover) for h in scored),
                       key=lambda e: (-e.weight, -e.mentions, e.happening_id))
        counterparts.append(Counterpart(
            country=code, name=name_of(code) or code, stance=stance, scores=tally.scores(),
            origins=tally.origins(), events=proof,
            sentences=[_sentence(told[i], articles) for e in proof for i in e.event_ids
                       if i in told]))
    counterparts.sort(key=lambda c: (-sum(c.scores.values()), c.country))
    return Report(country=country, name=name_of(country) or country, since=since,
                  counterparts=counterparts)


def _sentence(event: Event, articles: dict[str, Article]) -> Sentence:
    article = articles.get(event.article_id)
    return Sentence(event_id=event.id, happening_id=event.happening_id,
                    article_id=event.article_id, outlet=article.outlet if article else None,
                    title=article.title if article else None, date=event.date,
                    attributed_to=event.attributed_to, sentence=event.sentence,
                    language=event.language, section=event.section, start=event.start,
                    end=event.end, rule=event.rule)


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _clip(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
