"""One event per happening: merge the mentions of a story's events, and count origins.

Within a story, event mentions (one per article sentence) with the same source and
target country, PLOVER type, polarity and modality, dated within
``happening_window_days`` of the first, are one happening. Its ``origins`` are the
independent original sources behind the mentions: a mention attributed to a known
report counts for that report; a mention in an article that retells reports counts for
those reports; a syndicated copy counts for its original; anything else counts for the
outlet that published it. Two outlets retelling one report are one origin, not two.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence

from realpolitik.events.lexicon import PloverTable
from realpolitik.records import ActorRef, Article, Event, Happening

OutletName = Callable[[str], str | None]


def _actor_key(actor: ActorRef | None) -> str:
    if actor is None:
        return "-"
    return actor.country or f"name:{actor.name}"


def happening_key(event: Event) -> tuple[str, str, str, bool, str]:
    return (_actor_key(event.source), _actor_key(event.target), event.type, event.negated,
            event.modality)


def article_origins(article: Article, events: Sequence[Event], root: Article | None,
                    outlet_name: OutletName) -> list[str]:
    """The original reports an article passes on: what it cites, the outlets its events
    are attributed to, or (for a syndicated copy) whatever its original passes on."""
    if root is not None and root.id != article.id:
        return root.origins or [root.outlet or root.id]
    found: list[str] = list(article.cites)
    for event in events:
        for name in event.attributed_to:
            outlet = name if name in article.cites else outlet_name(name)
            if outlet and outlet != article.outlet:
                found.append(outlet)
    return list(dict.fromkeys(found))


def mention_origins(event: Event, article: Article, root: Article | None,
                    outlet_name: OutletName) -> list[str]:
    """Independent source(s) of one mention (see the module docstring)."""
    attributed = []
    for name in event.attributed_to:
        outlet = name if name in article.cites else outlet_name(name)
        if outlet:
            attributed.append(outlet)
    if attributed:
        return list(dict.fromkeys(attributed))
    if article.origins or article.cites:
        return list(article.origins or article.cites)
    origin = root if root is not None else article
    return [origin.outlet or origin.id]


def build_happenings(story_id: str, events: Sequence[Event], articles: dict[str, Article],
                     plover: PloverTable, outlet_name: OutletName,
                     window_days: int = 7) -> tuple[list[Happening], list[Event]]:
    """Merge a story's event mentions into happenings; return them and the updated mentions."""
    ordered = sorted(events, key=lambda e: (e.date or dt.date.max, e.article_id, e.start, e.id))
    groups: dict[tuple, list[list[Event]]] = {}
    for event in ordered:
        runs = groups.setdefault(happening_key(event), [])
        if runs and _fits(runs[-1][0], event, window_days):
            runs[-1].append(event)
        else:
            runs.append([event])
    happenings: list[Happening] = []
    updated: list[Event] = []
    for runs in groups.values():
        for run in runs:
            outlets: list[str] = []
            origins: list[str] = []
            for event in run:
                article = articles[event.article_id]
                root = articles.get(article.duplicate_of) if article.duplicate_of else None
                outlets.append(article.outlet or article.id)
                origins.extend(mention_origins(event, article, root, outlet_name))
            outlets = sorted(set(outlets))
            origins = sorted(set(origins))
            first = run[0]
            hid = "h" + hashlib.sha256(f"{story_id}|{first.id}".encode()).hexdigest()[:15]
            info = plover.types[first.type]
            dates = [e.date for e in run if e.date is not None]
            happenings.append(Happening(
                id=hid, story_id=story_id, source=first.source, target=first.target,
                type=first.type, quad_class=info.quad_class, cameo_root=info.cameo_root[0],
                negated=first.negated, modality=first.modality,
                date=min(dates) if dates else None, last_date=max(dates) if dates else None,
                mentions=len(run), outlets=outlets, origins=origins,
                event_ids=[e.id for e in run],
                sentence=max(run, key=lambda e: e.confidence).sentence,
            ))
            updated.extend(e.model_copy(update={
                "story_id": story_id, "happening_id": hid, "mentions": len(run),
                "outlets": outlets, "origins": origins}) for e in run)
    return happenings, updated


def _fits(first: Event, event: Event, window_days: int) -> bool:
    if first.date is None or event.date is None:
        return True
    return (event.date - first.date).days <= window_days
