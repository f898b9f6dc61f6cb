"""Coverage comparison of one story: who reported it, what each outlet reported, where
outlets disagree, and the loaded words each uses for the same actors.

Each happening is shown with its report column, and conflicts are found, by the one
scoring model (``relations.scoring``): two happenings of the story with the same source
and target where one says the source backs the target (supporting column) and the other
that it refuses or withdraws (withdrawing column); only claims about the present
(asserted and planned readings) are compared, not hypothetical or background mentions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from functools import cache
from importlib import resources

from pydantic import BaseModel, Field

from realpolitik.datafiles import load_yaml
from realpolitik.events.lexicon import Column, PloverTable
from realpolitik.records import Article, Happening, Story
from realpolitik.relations.scoring import claim_of, column_of


class TermGroup(BaseModel):
    about: str
    loaded: list[str]
    neutral: list[str]


class TermList(BaseModel):
    groups: dict[str, TermGroup]


@cache
def load_terms() -> TermList:
    """The loaded-word list (stories/data/loaded_terms.yaml), validated."""
    text = resources.files("realpolitik.stories").joinpath("data", "loaded_terms.yaml") \
        .read_text(encoding="utf-8")
    return TermList.model_validate(load_yaml(text))


class OutletCoverage(BaseModel):
    outlet: str
    articles: list[str]
    titles: list[str]
    dates: list[dt.date | None]
    languages: list[str] = Field(default_factory=list)  # each article's language
    duplicate_of: list[str] = Field(default_factory=list)
    happenings: list[str]
    loaded: dict[str, int]
    neutral: dict[str, int]


class HappeningCoverage(BaseModel):
    happening: Happening
    column: Column | None  # its column in the report of its target (relations.scoring)
    reported_by: list[str]
    missing_from: list[str]


class Conflict(BaseModel):
    source: str
    target: str | None
    backing: str
    refusing: str
    backing_outlets: list[str]
    refusing_outlets: list[str]
    description: str


class Coverage(BaseModel):
    story: Story
    outlets: list[OutletCoverage]
    happenings: list[HappeningCoverage]
    conflicts: list[Conflict]

    def to_text(self, markdown: bool = False) -> str:
        h1, h2 = ("# ", "## ") if markdown else ("", "")
        s = self.story
        lines = [f"{h1}Story {s.id}: {s.label}",
                 f"{s.first_date} to {s.last_date}; {s.article_count} articles from "
                 f"{len(s.outlets)} outlets; origins: {', '.join(s.origins) or 'none named'}",
                 "", f"{h2}Outlets"]
        for o in self.outlets:
            dates = ", ".join(str(d) for d in o.dates if d)
            copy = f" (copy of {', '.join(o.duplicate_of)})" if o.duplicate_of else ""
            langs = f" ({', '.join(sorted(set(o.languages)))})" if o.languages else ""
            lines.append(f"- {o.outlet}{langs} [{dates}]{copy}: {len(o.happenings)} events; "
                         f"loaded words {_counts(o.loaded) or 'none'}; "
                         f"neutral {_counts(o.neutral) or 'none'}")
        lines += ["", f"{h2}Events"]
        for hc in self.happenings:
            h = hc.happening
            what = ("not " if h.negated else "") + h.type.lower()
            if h.modality != "asserted":
                what += f" ({h.modality})"
            target = h.target.name if h.target else "-"
            scope = "all outlets" if not hc.missing_from else "only " + ", ".join(hc.reported_by)
            column = f" [{hc.column}]" if hc.column else ""
            lines.append(f"- {h.source.name} {what} {target}{column}: {h.mentions} mentions, "
                         f"{len(h.origins)} origin(s) [{', '.join(h.origins)}]; {scope}")
        lines += ["", f"{h2}Conflicts"]
        lines += [f"- {c.description}" for c in self.conflicts] or ["- none"]
        return "\n".join(lines) + "\n"


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{k} x{v}" for k, v in sorted(counter.items(), key=lambda kv: -kv[1]))


def _term_counts(texts: Sequence[str], words: Sequence[str]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    joined = "\n".join(texts).lower()
    for word in words:
        n = len(re.findall(rf"(?<![\w-]){re.escape(word.lower())}(?![\w-])", joined))
        if n:
            counts[word] += n
    return dict(counts)


def compare(story: Story, articles: Sequence[Article], happenings: Sequence[Happening],
            plover: PloverTable) -> Coverage:
    terms = load_terms()
    by_outlet: dict[str, list[Article]] = {}
    for article in sorted(articles, key=lambda a: (a.published or dt.date.max, a.id)):
        by_outlet.setdefault(article.outlet or article.id, []).append(article)
    outlets = []
    for outlet, arts in by_outlet.items():
        texts = [f"{a.title or ''}\n{a.summary or ''}\n{a.text}" for a in arts]
        loaded: dict[str, int] = {}
        neutral: dict[str, int] = {}
        for group in terms.groups.values():
            loaded.update(_term_counts(texts, group.loaded))
            neutral.update(_term_counts(texts, group.neutral))
        outlets.append(OutletCoverage(
            outlet=outlet, articles=[a.id for a in arts], titles=[a.title or "" for a in arts],
            dates=[a.published for a in arts], languages=[a.language for a in arts],
            duplicate_of=[a.duplicate_of for a in arts if a.duplicate_of],
            happenings=[h.id for h in happenings if outlet in h.outlets],
            loaded=loaded, neutral=neutral,
        ))
    names = [o.outlet for o in outlets]
    coverage = [HappeningCoverage(happening=h, column=column_of(h, plover),
                                  reported_by=h.outlets,
                                  missing_from=[n for n in names if n not in h.outlets])
                for h in sorted(happenings, key=lambda h: (-h.mentions, h.id))]
    return Coverage(story=story, outlets=outlets, happenings=coverage,
                    conflicts=find_conflicts(happenings, plover))


def _name(h: Happening) -> str:
    return h.target.name if h.target else "-"


def find_conflicts(happenings: Sequence[Happening], plover: PloverTable) -> list[Conflict]:
    by_pair: dict[tuple[str | None, str | None], dict[str, list[Happening]]] = {}
    for h in happenings:
        stance = claim_of(h, plover)
        if stance is None or h.target is None:
            continue
        pair = (h.source.country, h.target.country)
        by_pair.setdefault(pair, {}).setdefault(stance, []).append(h)
    conflicts = []
    for (source, target), stances in sorted(by_pair.items(), key=lambda kv: str(kv[0])):
        if "backing" not in stances or "refusing" not in stances:
            continue
        backing = max(stances["backing"], key=lambda h: h.mentions)
        refusing = max(stances["refusing"], key=lambda h: h.mentions)
        b_out = sorted({o for h in stances["backing"] for o in h.outlets})
        r_out = sorted({o for h in stances["refusing"] for o in h.outlets})
        conflicts.append(Conflict(
            source=source or backing.source.name, target=target, backing=backing.id,
            refusing=refusing.id, backing_outlets=b_out, refusing_outlets=r_out,
            description=(f"{backing.source.name} backs {_name(backing)}"
                         f" per {', '.join(b_out)} ({backing.type.lower()}: "
                         f"\u201c{backing.sentence[:120]}\u201d) but refuses or withdraws per "
                         f"{', '.join(r_out)} (\u201c{refusing.sentence[:120]}\u201d)"),
        ))
    return conflicts
