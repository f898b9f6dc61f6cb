"""The ingest service, and the store-backed report and indices.

``IngestService`` is the one way articles get coded and stored: the CLI (``ingest``,
``code``, ``eval``), the API (``POST /api/articles``) and the watcher call it. It codes in
batches of ``batch_size`` (the parser is faster on batches), keeps events of at least
``min_confidence``, skips duplicates by one rule (an article whose id - outlet and body -
is already stored, or earlier in the same call, is not coded again), stores each source
(a file, an API request, a feed item) in one transaction - stored whole or not at all -
and then updates the stories. ``store_coded`` is the load step alone, for runners that
code elsewhere and keep one writer. Stage code never touches the store.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from realpolitik.events.lexicon import PloverTable
from realpolitik.ingest import IngestLimits, iter_sources
from realpolitik.ingest.reader import DEFAULT_LIMITS, byte_limit
from realpolitik.ingest.sandbox import DEFAULT_BUDGET, Budget, SandboxedReader
from realpolitik.ingest.sanitize import display_name
from realpolitik.records import Article, CodedArticle, confident
from realpolitik.relations.indices import IndexReport, country_indices
from realpolitik.relations.report import Report, build_report
from realpolitik.settings import DEFAULTS
from realpolitik.store import Store, StoreError, file_hash
from realpolitik.stories.assembly import StoryUpdate, StoryUpdater

if TYPE_CHECKING:
    import numpy as np


class Coder(Protocol):
    """What ingest needs of the coding pipeline (realpolitik.pipeline.Pipeline)."""

    def code(self, articles: Sequence[Article]) -> list[CodedArticle]: ...


@dataclass(frozen=True)
class IngestSettings:
    """How the service codes: articles per parser batch, and the confidence kept."""

    batch_size: int = 64
    min_confidence: float = 0.0

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {self.batch_size}")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"min_confidence must lie in 0..1, not {self.min_confidence}")


@dataclass
class Source:
    """Articles stored together, in one transaction: one file, request or feed item."""

    label: str  # the path, or e.g. "api:2025-12-02T10:00:00Z", in the ingest log
    articles: list[Article]
    content_hash: str | None = None


@dataclass
class IngestResult:
    """What one call stored, skipped and could not store."""

    sources: int = 0
    new_articles: int = 0
    new_events: int = 0
    duplicates: int = 0  # articles already stored (or repeated), not coded again
    unchanged: int = 0  # files whose exact bytes were stored before, not read
    articles: list[str] = field(default_factory=list)  # ids of every article handed in
    problems: list[tuple[str, str]] = field(default_factory=list)  # (source, problem)
    stories: StoryUpdate | None = None
    abandoned: bool = False  # the gate said no: nothing was stored
    worker_cpu: float = 0.0  # CPU s Ray workers spent reading and coding (not loading)


class IngestService:
    """Codes, de-duplicates and stores articles, then updates the stories.

    ``store`` may be None for coding alone (``code``). ``stories`` groups stories at the
    end of every ingest call (``stories.assembly.story_updater``); None skips it.
    Writes happen inside ``writer`` (e.g. the API's write lock).
    """

    def __init__(self, coder: Coder, store: Store | None = None,
                 settings: IngestSettings | None = None, stories: StoryUpdater | None = None,
                 writer: AbstractContextManager | None = None) -> None:
        self.coder, self.store = coder, store
        self.settings = settings or IngestSettings()
        self.stories = stories
        self.writer: AbstractContextManager = writer or nullcontext()

    # ------------------------------------------------------------------ coding
    def code(self, articles: Iterable[Article]) -> Iterator[CodedArticle]:
        """Coded articles, in input order, coded ``batch_size`` at a time (lazily)."""
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= self.settings.batch_size:
                yield from self._code_batch(batch)
                batch = []
        if batch:
            yield from self._code_batch(batch)

    def _code_batch(self, batch: list[Article]) -> list[CodedArticle]:
        coded = self.coder.code(batch)
        floor = self.settings.min_confidence
        if floor <= 0:
            return coded
        return [c.model_copy(update={"events": confident(c.events, floor)}) for c in coded]

    # ------------------------------------------------------------------- dedup
    def fresh(self, articles: Sequence[Article], seen: set[str] | None = None) -> list[Article]:
        """The articles to code: not stored yet and not earlier in ``articles`` or ``seen``
        (which is updated). Read on its own cursor, so it never waits for a writer."""
        seen = set() if seen is None else seen
        ids = list(dict.fromkeys(a.id for a in articles if a.id not in seen))
        with self._store().reader() as view:
            known = {a.id for a in view.articles(ids=ids)} if ids else set()
        out = []
        for article in articles:
            if article.id in seen or article.id in known:
                continue
            seen.add(article.id)
            out.append(article)
        return out

    # ----------------------------------------------------------------- storing
    def store_coded(self, coded: Sequence[CodedArticle], label: str,
                    content_hash: str | None = None) -> IngestResult:
        """Store articles coded elsewhere as one source, in one transaction (no stories).

        A failure stores nothing of the source and is reported in ``problems`` (and the
        ingest log), not raised.
        """
        result = IngestResult(sources=1, articles=[c.article.id for c in coded])
        self._save(label, list(coded), content_hash, result)
        return result

    def _save(self, label: str, coded: list[CodedArticle], content_hash: str | None,
              result: IngestResult) -> None:
        store = self._store()
        with self.writer:
            try:
                saved = store.save_source(label, coded, content_hash=content_hash)
            except StoreError as exc:
                result.problems.append((label, str(exc)))
                store.log_problem(label, str(exc), content_hash)
                return
        result.new_articles += saved.new_articles
        result.new_events += saved.new_events
        result.duplicates += saved.skipped_articles

    def update_stories(self, result: IngestResult | None = None,
                       vectors: Mapping[str, np.ndarray] | None = None) -> StoryUpdate | None:
        """Group what is not grouped yet (``vectors``: story embeddings already computed,
        by article id). A StoreError becomes a problem in ``result`` (raised when there
        is none); the articles stay stored and the next call groups them."""
        if self.stories is None:
            return None
        store = self._store()
        with self.writer:
            try:
                update = self.stories(store, vectors)
            except StoreError as exc:
                if result is None:
                    raise
                result.problems.append((str(store.path), str(exc)))
                return None
        if result is not None:
            result.stories = update
        return update

    # ------------------------------------------------------------------ ingest
    def ingest(self, articles: Sequence[Article], label: str,
               gate: Callable[[], bool] | None = None) -> IngestResult:
        """Code and store ``articles`` as one source, then update the stories.

        ``gate`` is asked once coding is done: False abandons the call before anything
        is stored (``abandoned``), e.g. when the API's time budget ran out.
        """
        return self.ingest_sources([Source(label, list(articles))], gate=gate)

    def ingest_sources(self, sources: Iterable[Source], gate: Callable[[], bool] | None = None,
                       done: Callable[[Source], None] | None = None,
                       on_problem: Callable[[str], None] | None = None) -> IngestResult:
        """Code and store many sources (one transaction each), batching coding across
        them, then update the stories. ``done`` is called as each source is stored,
        ``on_problem`` with each problem as it happens."""
        result = IngestResult()
        self._run(sources, result, gate, done, on_problem)
        return result

    def _run(self, sources: Iterable[Source], result: IngestResult,
             gate: Callable[[], bool] | None, done: Callable[[Source], None] | None,
             on_problem: Callable[[str], None] | None) -> None:
        seen: set[str] = set()
        pending: list[tuple[Source, list[Article]]] = []
        waiting = 0
        for source in sources:
            result.sources += 1
            result.articles.extend(a.id for a in source.articles)
            todo = self.fresh(source.articles, seen)
            result.duplicates += len(source.articles) - len(todo)
            pending.append((source, todo))
            waiting += len(todo)
            if waiting >= self.settings.batch_size:
                if not self._flush(pending, result, gate, done, on_problem):
                    return
                pending, waiting = [], 0
        if pending and not self._flush(pending, result, gate, done, on_problem):
            return
        problems = len(result.problems)
        self.update_stories(result)  # also groups what an earlier failed call left
        if on_problem:
            for _, problem in result.problems[problems:]:
                on_problem(problem)

    def _flush(self, pending: list[tuple[Source, list[Article]]], result: IngestResult,
               gate: Callable[[], bool] | None, done: Callable[[Source], None] | None,
               on_problem: Callable[[str], None] | None) -> bool:
        """Code the pending sources' articles together, then store source by source."""
        coded = list(self.code(a for _, todo in pending for a in todo))
        if coded and gate is not None and not gate():
            result.abandoned = True
            return False
        pos = 0
        for source, todo in pending:
            mine, pos = coded[pos:pos + len(todo)], pos + len(todo)
            if not mine and source.content_hash is None:
                continue  # nothing new, and no file whose bytes the log should remember
            problems = len(result.problems)
            self._save(source.label, mine, source.content_hash, result)
            if on_problem and len(result.problems) > problems:
                on_problem(result.problems[-1][1])
            if done is not None:
                done(source)
        return True

    def ingest_files(self, paths: Sequence[str], normalise: Callable[[str], str | None],
                     limits: IngestLimits = DEFAULT_LIMITS, budget: Budget = DEFAULT_BUDGET,
                     on_problem: Callable[[str], None] | None = None,
                     advance: Callable[[int], None] | None = None) -> IngestResult:
        """Read, code and store files, directories (recursively) and ``-`` (stdin).

        Unchanged files (same bytes already stored) are skipped before reading; each file
        is read under ``budget`` (see ingest.sandbox) and stored in its own transaction;
        a file that cannot be read or stored is reported (``on_problem``, the ingest log,
        ``problems``; paths escaped with ``display_name``) and the others go on.
        ``advance(1)`` is called per file dealt with; ``sources`` counts every file.
        """
        store = self._store()
        paths = list(iter_sources(paths))
        result = IngestResult()

        def tick(_: object = None) -> None:
            if advance:
                advance(1)

        def readable(reader: SandboxedReader) -> Iterator[Source]:
            for path in paths:
                digest = file_hash(path, byte_limit(path, limits)) if path != "-" else None
                if digest is not None and store.seen_hash(digest):
                    result.unchanged += 1
                    tick()
                    continue
                stdin = sys.stdin.read(limits.max_stream_bytes + 1) if path == "-" else None
                read = reader.read(path, stdin)
                name = "-" if path == "-" else display_name(path)
                if read.problem is not None:
                    result.problems.append((name, read.problem.problem))
                    with self.writer:
                        store.log_problem(name, read.problem.problem, digest)
                    if on_problem:
                        on_problem(read.problem.problem)
                    tick()
                    continue
                yield Source(name, read.articles, digest)

        with SandboxedReader(limits, budget, normalise) as reader:
            self._run(readable(reader), result, None, tick, on_problem)
        result.sources = len(paths)
        return result

    def _store(self) -> Store:
        if self.store is None:
            raise ValueError("this IngestService was made without a store (coding only)")
        return self.store


def country_report(store: Store, country: str, since: dt.date | None, plover: PloverTable,
                   name_of: Callable[[str], str | None]) -> Report:
    """The support and pressure picture of one country, from the store (CLI and API)."""
    happenings = store.happenings(country=country, since=since)
    wanted = {i for h in happenings for i in h.event_ids}
    mentions = [e for e in store.events(country=country) if e.id in wanted]
    articles = {a.id: a for a in store.articles(ids=sorted({e.article_id for e in mentions}))}
    return build_report(country, happenings, mentions, articles, plover, name_of, since)


def country_index(store: Store, country: str, plover: PloverTable,
                  name_of: Callable[[str], str | None], as_of: dt.date | None = None,
                  window_days: int = DEFAULTS.analysis.window_days,
                  baseline_days: int = DEFAULTS.analysis.baseline_days) -> IndexReport:
    """Isolation and pressure indices of one country, from the store (CLI and API)."""
    return country_indices(country, store.happenings(country=country), plover, name_of,
                           as_of=as_of, window_days=window_days, baseline_days=baseline_days)
