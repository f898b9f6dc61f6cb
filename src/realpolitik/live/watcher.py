"""The watch loop: poll due sources, take in new entries one article at a time, then
group stories and check alert rules.

Articles go through the same services as ``realpolitik ingest`` (``ingest.html_article``
and ``entry_article`` to build them, then the ingest service ``workflow.IngestService``:
its duplicate rule, coding, storing and story update). An entry is marked seen only
after its article is stored (or refused for good), and a feed's validators (ETag,
Last-Modified) are saved only once all its entries are dealt with, so a crash at any
point neither loses nor repeats one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import feedparser

from realpolitik.actors.gazetteer import Gazetteer
from realpolitik.events.lexicon import PloverTable
from realpolitik.ingest import entry_article, entry_date, html_article, parse_feed
from realpolitik.ingest.decode import IngestError, decode
from realpolitik.live.config import SourcesFile, SourceSpec
from realpolitik.live.fetch import RETRY_STATUSES, Backoff, Fetched, Fetcher
from realpolitik.live.status import Reporter, SourceStatus
from realpolitik.live.urls import article_key, url_key
from realpolitik.records import Article
from realpolitik.store import Store, StoreError
from realpolitik.store.db import _now
from realpolitik.store.live import FeedState, LiveState
from realpolitik.stories import Embedder
from realpolitik.stories.assembly import story_updater
from realpolitik.workflow import Coder, IngestService

# Problems worth trying again later; anything else about a page is final.
TRANSIENT = ("timed out", "HTTP 5", "HTTP 429", "HTTP error", "stopped")


def transient(problem: str) -> bool:
    return problem.startswith(TRANSIENT)


@dataclass
class WatchSummary:
    rounds: int = 0
    polls: int = 0
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    failures: int = 0
    alerts: int = 0


@dataclass
class _Source:
    spec: SourceSpec
    status: SourceStatus
    backoff: Backoff
    due: float = 0.0


class LiveCoder(Coder, Protocol):
    """The coding pipeline with the data story grouping needs (realpolitik.pipeline)."""

    gazetteer: Gazetteer
    plover: PloverTable

    def normalise_outlet(self, name: str) -> str | None: ...


@dataclass
class Watcher:
    """Polls the sources of one sources file into one store until stopped."""

    config: SourcesFile
    store: Store
    coder: LiveCoder
    embedder: Embedder
    reporter: Reporter
    fetcher: Fetcher
    check_alerts: Callable[[], int] = lambda: 0
    stop: threading.Event = field(default_factory=threading.Event)
    clock: Callable[[], float] = time.monotonic
    summary: WatchSummary = field(default_factory=WatchSummary)

    def __post_init__(self) -> None:
        self.live = LiveState(self.store)
        self.service = IngestService(self.coder, self.store, stories=story_updater(
            self.coder.gazetteer, self.coder.plover, self.embedder))
        s = self.config.settings
        self.sources = [_Source(spec, SourceStatus(spec.label, spec.kind),
                                Backoff(s.backoff_base, s.backoff_max))
                        for spec in self.config.sources]

    # ------------------------------------------------------------------ loop
    def run(self, once: bool = False, max_polls: int | None = None) -> WatchSummary:
        """Poll until stopped, or for one round (``once``) or ``max_polls`` rounds."""
        self._group_stories()  # articles a crash left ungrouped
        self.summary.alerts += self.check_alerts()
        limit = 1 if once else max_polls
        while not self.stop.is_set() and (limit is None or self.summary.rounds < limit):
            stored = self.round(force=once)
            if stored:
                self._group_stories()
            if stored or self.summary.rounds == 1:
                self.summary.alerts += self.check_alerts()
            if limit is not None and self.summary.rounds >= limit:
                break
            self._sleep()
        self.reporter.event("info", "stopped", rounds=self.summary.rounds,
                            polls=self.summary.polls, stored=self.summary.stored,
                            duplicates=self.summary.duplicates, refused=self.summary.refused,
                            failures=self.summary.failures, alerts=self.summary.alerts)
        return self.summary

    def round(self, force: bool = False) -> int:
        """Poll every due source once; returns the articles stored."""
        self.summary.rounds += 1
        before = self.summary.stored
        for src in self.sources:
            if self.stop.is_set():
                break
            now = self.clock()
            if not force and (now < src.due or now < src.backoff.until):
                continue
            self.poll(src)
            interval = src.spec.interval or self.config.settings.poll_interval
            src.due = self.clock() + interval
            self._show()
        return self.summary.stored - before

    def _sleep(self) -> None:
        now = self.clock()
        wake = min((max(s.due, s.backoff.until) for s in self.sources), default=now)
        self._show()
        self.stop.wait(max(0.05, min(wake - now, 60.0)))

    def _show(self) -> None:
        now = self.clock()
        for s in self.sources:
            s.status.next_in = max(0.0, max(s.due, s.backoff.until) - now)
        self.reporter.sources([s.status for s in self.sources])

    # ------------------------------------------------------------------ one source
    def poll(self, src: _Source) -> None:
        """One poll of one source; problems are reported and backed off, never raised."""
        url = str(src.spec.url)
        state = self.live.feed(url)
        src.status.polls += 1
        self.summary.polls += 1
        got = self.fetcher.get(url, state.etag, state.last_modified)
        state.polled_at = _now()
        if got.problem is not None:
            self._failed(src, state, got.problem, got)
            return
        src.status.http = str(got.status)
        if got.not_modified:
            src.status.state, src.status.problem = "not modified", ""
            self._succeeded(src, state, got, keep_validators=True)
            return
        try:
            complete = self._take(src, got)
        except IngestError as exc:
            self._failed(src, state, f"{'feed' if src.spec.kind == 'feed' else 'page'} {exc}",
                         got)
            return
        src.status.state, src.status.problem = "ok", ""
        self._succeeded(src, state, got, keep_validators=not complete)

    def _failed(self, src: _Source, state: FeedState, problem: str, got: Fetched) -> None:
        retry_after = got.retry_after if got.status in RETRY_STATUSES else None
        delay = src.backoff.fail(self.clock(), retry_after, self.config.settings.retry_after_max)
        self.summary.failures += 1
        src.status.state, src.status.problem = "failing", problem
        src.status.http = str(got.status or "")
        src.status.failures += 1
        state.status, state.problem = (str(got.status) if got.status else "error"), problem
        self.live.save_feed(state)
        self.reporter.event("warning", "source_failed", source=src.spec.label,
                            url=str(src.spec.url), problem=problem,
                            retry_in=f"{delay:.1f}s", failures=src.backoff.failures)

    def _succeeded(self, src: _Source, state: FeedState, got: Fetched,
                   keep_validators: bool) -> None:
        src.backoff.succeed()
        if not keep_validators:
            state.etag, state.last_modified = got.etag, got.last_modified
        state.status, state.problem, state.ok_at = str(got.status), None, _now()
        state.entries = src.status.entries
        self.live.save_feed(state)
        self.reporter.event("info", "polled", source=src.spec.label, status=got.status,
                            entries=src.status.entries, stored=src.status.stored)

    def _take(self, src: _Source, got: Fetched) -> bool:
        """Take in what a 200 response holds; False if an entry must be retried later."""
        text = decode(got.body)
        if src.spec.kind == "page":
            article = html_article(text, f"live:{src.spec.url}", normalise=self._normalise,
                                   outlet=src.spec.outlet, url=got.url)
            return self._keep(src, article, [article_key(article.id)])
        feed = parse_feed(text)
        feed_title = (feed.feed.get("title") or "").strip() or None
        entries = feed.entries[:self.config.settings.max_entries]
        src.status.entries = len(entries)
        complete = True
        for entry in entries:
            if self.stop.is_set():
                return False
            complete = self._entry(src, entry, feed_title) and complete
        return complete

    def _entry(self, src: _Source, entry: feedparser.FeedParserDict, feed_title: str | None
               ) -> bool:
        """One feed item; False when it failed in a way worth retrying."""
        link = entry.get("link")
        keys = [url_key(link)] if link else []
        if entry.get("id"):
            keys.append(f"entry:{src.spec.url}#{entry.get('id')}")
        if keys and self.live.seen(keys):
            return True
        label = f"live:{src.spec.url}"
        try:
            article = self._entry_article(entry, link, label, src.spec.outlet, feed_title)
        except _PageProblem as exc:
            self.reporter.event("warning", "entry_failed", source=src.spec.label, url=link,
                                problem=exc.problem)
            if transient(exc.problem):
                return False
            self.summary.refused += 1
            self.live.mark_seen(keys, str(src.spec.url), None, f"refused: {exc.problem}")
            return True
        if article.url:
            keys.append(url_key(article.url))
        return self._keep(src, article, keys)

    def _entry_article(self, entry: feedparser.FeedParserDict, link: str | None, label: str,
                       outlet: str | None, feed_title: str | None) -> Article:
        """The item's page through trafilatura, else (no link, no text) its own content.

        The outlet is the sources file's, else the page's site name, else the feed title.
        """
        if link:
            got = self.fetcher.get(link)
            if got.problem is not None:
                raise _PageProblem(got.problem)
            try:
                return html_article(decode(got.body), label, normalise=self._normalise,
                                    outlet=outlet, default_outlet=feed_title, url=link,
                                    date=entry_date(entry))
            except IngestError as exc:
                problem = str(exc)
        else:
            problem = "no link"
        try:
            return entry_article(entry, label, outlet or feed_title, self._normalise)
        except IngestError as exc:
            raise _PageProblem(f"{problem}; item: {exc}") from exc

    def _keep(self, src: _Source, article: Article, keys: list[str]) -> bool:
        """Code and store one article unless its content is stored already."""
        if src.spec.language:
            article = article.model_copy(update={"language": src.spec.language})
        keys = [*keys, article_key(article.id)]
        if not self.service.fresh([article]):
            self.summary.duplicates += 1
            self.live.mark_seen(keys, str(src.spec.url), article.id, "duplicate")
            self.reporter.event("info", "duplicate", source=src.spec.label, url=article.url,
                                article=article.id)
            return True
        report = self.service.store_coded(list(self.service.code([article])),
                                          f"live:{src.spec.url}")
        if report.problems:
            self.reporter.event("error", "store_failed", source=src.spec.label,
                                url=article.url, problem=report.problems[0][1])
            return False
        self.live.mark_seen(keys, str(src.spec.url), article.id, "stored")
        self.summary.stored += report.new_articles
        src.status.stored += report.new_articles
        self.reporter.event("info", "stored", source=src.spec.label, url=article.url,
                            article=article.id, events=report.new_events,
                            title=article.title)
        return True

    def _normalise(self, name: str) -> str | None:
        return self.coder.normalise_outlet(name)

    def _group_stories(self) -> None:
        try:
            update = self.service.update_stories()
        except StoreError as exc:  # articles stay stored; the next round groups them
            self.reporter.event("error", "stories_failed", problem=str(exc))
            return
        if update is not None and update.new_articles:
            self.reporter.event("info", "stories", grouped=update.new_articles,
                                touched=update.stories_touched, total=update.stories_total)


class _PageProblem(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
