"""Jobs that run the stages against the store: ingest a batch, then update stories.

The CLI, the API and the cluster runner call these; stage code never touches the store.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from realpolitik.actors.gazetteer import Gazetteer
from realpolitik.events.lexicon import PloverTable
from realpolitik.ingest import IngestLimits, iter_sources
from realpolitik.ingest.reader import DEFAULT_LIMITS, byte_limit
from realpolitik.ingest.sandbox import DEFAULT_BUDGET, Budget, SandboxedReader
from realpolitik.ingest.sanitize import display_name
from realpolitik.records import Article, CodedArticle, Event, Happening, Story
from realpolitik.relations.indices import IndexReport, country_indices
from realpolitik.relations.report import Report, build_report
from realpolitik.settings import DEFAULTS
from realpolitik.store import Store, StoreError, file_hash
from realpolitik.stories import (
    ArticleProfile,
    Embedder,
    StoryGrouper,
    StorySettings,
    article_origins,
    build_happenings,
    embedding_text,
    signature,
    story_label,
)
from realpolitik.stories.features import actor_profile, type_profile


class Coder(Protocol):
    """What ingest needs of the coding pipeline (realpolitik.pipeline.Pipeline)."""

    def code(self, articles: Sequence[Article]) -> list[CodedArticle]: ...

    def normalise_outlet(self, name: str) -> str | None: ...


@dataclass
class IngestReport:
    sources: int = 0
    new_articles: int = 0
    new_events: int = 0
    unchanged: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)


def ingest_sources(paths: Sequence[str], store: Store, coder: Coder, batch_size: int = 64,
                   on_problem: Callable[[str], None] | None = None,
                   advance: Callable[[int], None] | None = None,
                   limits: IngestLimits = DEFAULT_LIMITS, budget: Budget = DEFAULT_BUDGET
                   ) -> IngestReport:
    """Read, code and store sources; one transaction per source, problems reported, not raised.

    Unchanged files (same bytes already stored) are skipped before reading; each file is
    read under ``budget`` (see ingest.sandbox); articles are coded in batches of at most
    ``batch_size`` across files for parser throughput, then saved file by file. Paths are
    logged and reported escaped (``display_name``).
    """
    report = IngestReport()
    sources = list(iter_sources(paths))
    report.sources = len(sources)
    batch: list[tuple[str, list[Article], str | None]] = []

    def problem(path: str, message: str, digest: str | None) -> None:
        report.problems.append((path, message))
        store.log_problem(path, message, digest)
        if on_problem:
            on_problem(message)

    def flush() -> None:
        articles = [a for _, arts, _ in batch for a in arts]
        coded = [c for i in range(0, len(articles), batch_size)
                 for c in coder.code(articles[i:i + batch_size])]
        pos = 0
        for path, arts, digest in batch:
            mine, pos = coded[pos:pos + len(arts)], pos + len(arts)
            try:
                saved = store.save_source(path, mine, content_hash=digest)
            except StoreError as exc:
                problem(path, str(exc), digest)
            else:
                report.new_articles += saved.new_articles
                report.new_events += saved.new_events
            if advance:
                advance(1)
        batch.clear()

    with SandboxedReader(limits, budget, coder.normalise_outlet) as reader:
        for path in sources:
            digest = file_hash(path, byte_limit(path, limits)) if path != "-" else None
            if digest is not None and store.seen_hash(digest):
                report.unchanged += 1
                if advance:
                    advance(1)
                continue
            stdin = sys.stdin.read(limits.max_stream_bytes + 1) if path == "-" else None
            result = reader.read(path, stdin)
            name = "-" if path == "-" else display_name(path)
            if result.problem is not None:
                problem(name, result.problem.problem, digest)
                if advance:
                    advance(1)
                continue
            batch.append((name, result.articles, digest))
            if sum(len(a) for _, a, _ in batch) >= batch_size:
                flush()
    if batch:
        flush()
    return report


def store_coded(coded: Sequence[CodedArticle], label: str, store: Store) -> IngestReport:
    """Store articles coded from records (API, stdin) as one source: one transaction.

    ``label`` stands in for a file path in the ingest log (e.g. "api:2025-12-02T10:00").
    """
    report = IngestReport(sources=1)
    try:
        saved = store.save_source(label, list(coded), content_hash=None)
    except StoreError as exc:
        report.problems.append((label, str(exc)))
        store.log_problem(label, str(exc))
        return report
    report.new_articles, report.new_events = saved.new_articles, saved.new_events
    return report


@dataclass
class StoryUpdate:
    new_articles: int = 0
    stories_touched: int = 0
    stories_total: int = 0


def _profile_from_row(row: dict[str, Any]) -> ArticleProfile:
    return ArticleProfile(
        id=row["article_id"], date=row["published"], outlet=row["outlet"],
        vector=np.asarray(row["vector"], dtype=np.float32),
        signature=np.asarray(row["signature"], dtype=np.uint64),
        actors=frozenset(row["actors"] or []), types=frozenset(row["types"] or []))


def _profile_row(p: ArticleProfile) -> dict[str, Any]:
    return {"article_id": p.id, "published": p.date, "outlet": p.outlet,
            "vector": p.vector.tolist(), "signature": [int(x) for x in p.signature],
            "actors": sorted(p.actors), "types": sorted(p.types)}


def profile_articles(coded: Sequence[CodedArticle], embedder: Embedder) -> list[ArticleProfile]:
    vectors = embedder.encode([embedding_text(c.article) for c in coded])
    return [ArticleProfile(
        id=c.article.id, date=c.article.published, outlet=c.article.outlet, vector=vec,
        signature=signature(c.article.text), actors=actor_profile(c.mentions, c.events),
        types=type_profile(c.events)) for c, vec in zip(coded, vectors, strict=True)]


def update_stories(store: Store, gazetteer: Gazetteer, plover: PloverTable, embedder: Embedder,
                   settings: StorySettings | None = None, rebuild: bool = False) -> StoryUpdate:
    """Group new articles into stories and rebuild the stories they touch.

    Incremental: only articles without a profile are embedded and linked; the stories they
    join (or merge) are rebuilt with their happenings. ``rebuild`` regroups everything.
    """
    settings = settings or StorySettings()
    pending = store.unprofiled_articles()
    stored = [_profile_from_row(r) for r in store.profile_rows()] if rebuild else []
    if not pending and not stored:
        return StoryUpdate(stories_total=len(store.stories()))
    coded = store.coded_many(pending)
    computed = profile_articles(coded, embedder)
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
    known = [_profile_from_row(r) for r in known_rows if r["article_id"] not in new_ids]
    known_links = {r["article_id"]: r["story_id"] for r in known_rows if r["story_id"]}
    grouping = StoryGrouper(settings).group(known, new_profiles, None if rebuild else known_links)

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
    ordered = sorted(members, key=lambda a: a in grouping.duplicate_of)  # originals first
    for aid in ordered:
        article = articles[aid].model_copy(update={
            "duplicate_of": grouping.duplicate_of.get(aid), "story_id": grouping.story_of[aid]})
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

    new_rows = [_profile_row(p) for p in computed]
    store.save_stories(new_rows, {a: grouping.story_of[a] for a in members},
                       {a: d for a, d in grouping.duplicate_of.items() if a in articles},
                       origins, stories, happenings, updated_events, replaced)
    return StoryUpdate(new_articles=len(new_profiles), stories_touched=len(stories),
                       stories_total=len(store.stories()))


def country_report(store: Store, country: str, since: dt.date | None, plover: PloverTable,
                   name_of: Callable[[str], str | None]) -> Report:
    """The support and pressure picture of one country, from the store (CLI and API)."""
    events = store.events(country=country, since=since)
    articles = {a.id: a for a in store.articles(ids=sorted({e.article_id for e in events}))}
    return build_report(country, events, articles, plover, name_of, since)


def country_index(store: Store, country: str, plover: PloverTable,
                  name_of: Callable[[str], str | None], as_of: dt.date | None = None,
                  window_days: int = DEFAULTS.analysis.window_days,
                  baseline_days: int = DEFAULTS.analysis.baseline_days) -> IndexReport:
    """Isolation and pressure indices of one country, from the store (CLI and API)."""
    return country_indices(country, store.happenings(country=country), plover, name_of,
                           as_of=as_of, window_days=window_days, baseline_days=baseline_days)
