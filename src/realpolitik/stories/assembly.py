"""Story assembly: group newly coded articles into stories and rebuild their happenings.

``update_stories`` reads what it needs from a store (any object with the ``StoryStore``
methods), runs the stages of this package (profiles, grouping, source chains,
happenings, labels) and writes one grouping round back in one transaction. Article
profiles are kept in the store as plain rows (``profile_row``/``profile_from_row``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from realpolitik.actors.gazetteer import Gazetteer
from realpolitik.events.lexicon import PloverTable
from realpolitik.records import CodedArticle, Event, Happening, Story
from realpolitik.stories.embed import Embedder
from realpolitik.stories.features import (
    ArticleProfile,
    actor_profile,
    embedding_text,
    signature,
    type_profile,
)
from realpolitik.stories.grouping import StoryGrouper, StorySettings
from realpolitik.stories.happenings import article_origins, build_happenings
from realpolitik.stories.label import story_label


class StoryStore(Protocol):
    """What story assembly reads from and writes to the store (realpolitik.store.Store)."""

    def unprofiled_articles(self) -> list[str]: ...

    def profile_rows(self, start: dt.date | None = None, end: dt.date | None = None
                     ) -> list[dict[str, Any]]: ...

    def coded_many(self, article_ids: list[str]) -> list[CodedArticle]: ...

    def stories(self) -> list[Story]: ...

    def save_stories(self, profiles: list[dict[str, Any]], story_of: dict[str, str],
                     duplicate_of: dict[str, str], origins: dict[str, list[str]],
                     stories: list[Story], happenings: list[Happening],
                     events: list[Event], replaced: set[str]) -> None: ...


@dataclass
class StoryUpdate:
    """What one grouping round did: articles grouped, stories rebuilt, stories in all."""

    new_articles: int = 0
    stories_touched: int = 0
    stories_total: int = 0


def profile_from_row(row: dict[str, Any]) -> ArticleProfile:
    """An article profile from its stored row."""
    return ArticleProfile(
        id=row["article_id"], date=row["published"], outlet=row["outlet"],
        vector=np.asarray(row["vector"], dtype=np.float32),
        signature=np.asarray(row["signature"], dtype=np.uint64),
        actors=frozenset(row["actors"] or []), types=frozenset(row["types"] or []))


def profile_row(p: ArticleProfile) -> dict[str, Any]:
    """The row an article profile is stored as (vectors and signatures as lists)."""
    return {"article_id": p.id, "published": p.date, "outlet": p.outlet,
            "vector": p.vector.tolist(), "signature": [int(x) for x in p.signature],
            "actors": sorted(p.actors), "types": sorted(p.types)}


def story_vectors(coded: Sequence[CodedArticle], embedder: Embedder) -> dict[str, np.ndarray]:
    """The story embedding of each coded article, by article id (what a Ray worker ships)."""
    vectors = embedder.encode([embedding_text(c.article) for c in coded])
    return {c.article.id: v for c, v in zip(coded, vectors, strict=True)}


def profile_articles(coded: Sequence[CodedArticle], embedder: Embedder,
                     known: Mapping[str, np.ndarray] | None = None) -> list[ArticleProfile]:
    """Profiles (embedding, MinHash signature, actors, types) of coded articles; vectors in
    ``known`` (by article id, computed elsewhere) are used as they are, the rest encoded."""
    known = known or {}
    encoded = story_vectors([c for c in coded if c.article.id not in known], embedder)
    return [ArticleProfile(
        id=c.article.id, date=c.article.published, outlet=c.article.outlet,
        vector=known.get(c.article.id, encoded.get(c.article.id)),
        signature=signature(c.article.text), actors=actor_profile(c.mentions, c.events),
        types=type_profile(c.events))
        for c in coded]


def update_stories(store: StoryStore, gazetteer: Gazetteer, plover: PloverTable,
                   embedder: Embedder, settings: StorySettings | None = None,
                   rebuild: bool = False, vectors: Mapping[str, np.ndarray] | None = None
                   ) -> StoryUpdate:
    """Group new articles into stories and rebuild the stories they touch.

    Incremental: only articles without a profile are embedded and linked; the stories they
    join (or merge) are rebuilt with their happenings. ``rebuild`` regroups everything.
    ``vectors``: story embeddings already computed (by article id), not encoded again.
    """
    settings = settings or StorySettings()
    pending = store.unprofiled_articles()
    stored = [profile_from_row(r) for r in store.profile_rows()] if rebuild else []
    if not pending and not stored:
        return StoryUpdate(stories_total=len(store.stories()))
    coded = store.coded_many(pending)
    computed = profile_articles(coded, embedder, vectors)
    new_profiles = stored + computed
    new_ids = {p.id for p in new_profiles}
    dates = [p.date for p in new_profiles if p.date is not None]
    window = dt.timedelta(days=max(settings.window_days, 30))
    if rebuild:
        known_rows: list[dict[str, Any]] = []
    elif dates:
        known_rows = store.profile_rows(min(dates) - window, max(dates) + window)
    else:
        known_rows = store.profile_rows()
    known = [profile_from_row(r) for r in known_rows if r["article_id"] not in new_ids]
    known_links = {r["article_id"]: r["story_id"] for r in known_rows if r["story_id"]}
    known_duplicates = {r["article_id"]: r["duplicate_of"] for r in known_rows
                        if r.get("duplicate_of")}
    grouping = StoryGrouper(settings, gazetteer.igo_codes()).group(
        known, new_profiles, None if rebuild else known_links, known_duplicates)

    touched = {grouping.story_of[p.id] for p in new_profiles}
    members = sorted(a for a, s in grouping.story_of.items() if s in touched)
    replaced = {known_links[a] for a in members if a in known_links}
    if rebuild:
        replaced = {s.id for s in store.stories()}
    # the new articles were loaded above; only the stories' older members are read here
    loaded = {c.article.id: c for c in coded}
    loaded.update((c.article.id, c) for c in store.coded_many(
        [a for a in members if a not in loaded]))
    articles = {a: loaded[a].article for a in members}
    events_by_article: dict[str, list[Event]] = {a: list(loaded[a].events) for a in members}

    origins: dict[str, list[str]] = {}
    # copies found now, else the original a stored copy already had (if still in its story)
    duplicate_of = {a: d for a in members
                    if (d := grouping.duplicate_of.get(a) or articles[a].duplicate_of)
                    and grouping.story_of.get(d) == grouping.story_of[a]}
    ordered = sorted(members, key=lambda a: a in duplicate_of)  # originals first
    for aid in ordered:
        article = articles[aid].model_copy(update={
            "duplicate_of": duplicate_of.get(aid), "story_id": grouping.story_of[aid]})
        root = articles.get(article.duplicate_of) if article.duplicate_of else None
        origins[aid] = article_origins(article, events_by_article[aid], root, gazetteer.outlet)
        articles[aid] = article.model_copy(update={"origins": origins[aid]})

    stories: list[Story] = []
    happenings: list[Happening] = []
    updated_events: list[Event] = []
    for sid in sorted(touched):
        ids = [a for a in members if grouping.story_of[a] == sid]
        story_events = [e for a in ids for e in events_by_article[a]]
        found, mentions = build_happenings(sid, story_events, articles, plover,
                                           gazetteer.outlet, settings.happening_window_days)
        happenings += found
        updated_events += mentions
        arts = sorted((articles[a] for a in ids), key=lambda a: (a.published or dt.date.max,
                                                                  a.id))
        dated = [a.published for a in arts if a.published]
        story_origins = sorted({o for a in arts for o in (a.origins or [a.outlet or a.id])})
        stories.append(Story(
            id=sid, label=story_label(found, [a.title or "" for a in arts],
                                      gazetteer.country_name),
            first_date=min(dated) if dated else None, last_date=max(dated) if dated else None,
            article_count=len(arts), articles=[a.id for a in arts],
            outlets=sorted({a.outlet or a.id for a in arts}), origins=story_origins))

    new_rows = [profile_row(p) for p in computed]
    store.save_stories(new_rows, {a: grouping.story_of[a] for a in members},
                       duplicate_of,
                       origins, stories, happenings, updated_events, replaced)
    return StoryUpdate(new_articles=len(new_profiles), stories_touched=len(stories),
                       stories_total=len(store.stories()))


class StoryUpdater(Protocol):
    """One grouping round over a store, as the ingest service runs it; ``vectors`` are story
    embeddings computed elsewhere (a Ray worker), by article id."""

    def __call__(self, store: StoryStore, vectors: Mapping[str, np.ndarray] | None = None
                 ) -> StoryUpdate: ...


def story_updater(gazetteer: Gazetteer, plover: PloverTable, embedder: Embedder,
                  settings: StorySettings | None = None) -> StoryUpdater:
    """``update_stories`` bound to its data, as the ingest service takes it."""
    def update(store: StoryStore, vectors: Mapping[str, np.ndarray] | None = None
               ) -> StoryUpdate:
        return update_stories(store, gazetteer, plover, embedder, settings, vectors=vectors)
    return update
