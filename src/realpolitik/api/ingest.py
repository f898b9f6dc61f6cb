"""POST /api/articles: code and store documents sent by a client, then update stories.

The documents go through the ingest service (``workflow.IngestService``) like files do:
the same duplicate rule, batching, confidence threshold, one transaction per request and
story update.

A write runs in the app's single write thread under a time budget
(``ApiSettings.write_timeout``, queueing behind an earlier write included). Coding runs in
a child process and holds nothing; only saving and story grouping hold the writer, and
readers use their own cursors, so reads are answered throughout. A write over its budget
is abandoned before anything is saved and answered 503 (its coding process is killed, so
the next write is not held up); once saving has begun it is allowed to finish.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Body, Depends, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

from realpolitik.api.coder import CodingFailed, CodingTimeout
from realpolitik.api.deps import ApiState, get_state
from realpolitik.api.security import log, require_writer
from realpolitik.ingest import build_article
from realpolitik.ingest.decode import IngestError
from realpolitik.records import Article, CodedArticle, http_url
from realpolitik.stories.assembly import StoryStore, StoryUpdate, update_stories
from realpolitik.workflow import IngestService, IngestSettings

if TYPE_CHECKING:
    import numpy as np

router = APIRouter(prefix="/api")


class DocumentIn(BaseModel):
    """One news document: its text and whatever metadata the client knows."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    title: str | None = Field(default=None, max_length=2_000)
    outlet: str | None = Field(default=None, max_length=200)
    published: dt.date | None = None
    url: str | None = Field(default=None, max_length=2_048)
    summary: str | None = Field(default=None, max_length=20_000)

    @field_validator("text", "title", "outlet", "url", "summary", mode="before")
    @classmethod
    def _valid_unicode(cls, value: object) -> object:
        """Refuse lone surrogates (e.g. ``\\ud800``): JSON allows them, Unicode text not."""
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                bad = ord(value[exc.start])
                raise ValueError(f"contains a lone surrogate (U+{bad:04X}) at character "
                                 f"{exc.start}; send valid Unicode text") from None
        return value

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        """Only http(s) URLs are stored (a javascript: link would run in the dashboard)."""
        if value is not None and http_url(value) is None:
            raise ValueError("must be an absolute http:// or https:// URL")
        return value


class DocumentsIn(BaseModel):
    """Several documents in one request (at most the server's max_documents)."""

    model_config = ConfigDict(extra="forbid")

    documents: list[DocumentIn] = Field(min_length=1)


def _shape(value: object) -> str:
    """Which body a request sent: a batch when it has "documents", else one document."""
    return "batch" if isinstance(value, dict) and "documents" in value else "document"


# Validation errors then name the one shape the client meant, not both.
WriteBody = Annotated[Annotated[DocumentIn, Tag("document")] | Annotated[DocumentsIn, Tag("batch")],
                      Discriminator(_shape), Body()]


class WriteProblem(BaseModel):
    document: int | None = None  # index in the request; None for the batch as a whole
    problem: str


class WriteResult(BaseModel):
    stored: int
    events: int
    articles: list[str]
    problems: list[WriteProblem]


class WriteTicket:
    """Who decides a write's fate: the request (abandon on timeout) or the worker (save).

    Exactly one wins: once saving has begun the write is not abandoned, and an
    abandoned write never starts saving.
    """

    def __init__(self, state: ApiState) -> None:
        self._lock = threading.Lock()
        self._state = state
        self.abandoned = False
        self.saving = False

    def abandon(self) -> bool:
        """Give up the write unless it is already saving; True when it was given up."""
        with self._lock:
            if not self.saving:
                self.abandoned = True
            return self.abandoned

    def begin_saving(self) -> bool:
        """Claim the write for saving; False when it was abandoned or the app is closing."""
        with self._lock:
            if self.abandoned or self._state.closing.is_set():
                self.abandoned = True
                return False
            self.saving = True
            return True


def _check_sizes(docs: list[DocumentIn], state: ApiState) -> None:
    """422 for a batch over max_documents or a text over max_text_chars."""
    limit = state.settings.max_documents
    if len(docs) > limit:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"at most {limit} documents per request, got {len(docs)}")
    most = state.settings.max_text_chars
    for n, doc in enumerate(docs):
        if len(doc.text) > most:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                                f"document {n}: text is too long ({len(doc.text):,} "
                                f"characters, at most {most:,}); split it into several "
                                "documents")


def _articles(docs: list[DocumentIn], label: str, state: ApiState
              ) -> tuple[list[Article], list[WriteProblem]]:
    """Articles built the way file ingest builds them (datelines, cites, language)."""
    articles, problems = [], []
    for n, doc in enumerate(docs):
        try:
            articles.append(build_article(
                doc.text, label, normalise=state.gazetteer.outlet, title=doc.title,
                summary=doc.summary, outlets=[doc.outlet], dates=[doc.published], url=doc.url))
        except IngestError as exc:
            problems.append(WriteProblem(document=n, problem=str(exc)))
    return articles, problems


class _DeadlineCoder:
    """The API's coding process as the service's coder: every batch by one deadline."""

    def __init__(self, state: ApiState, deadline: float) -> None:
        self.state, self.deadline = state, deadline

    def code(self, articles: Sequence[Article]) -> list[CodedArticle]:
        return self.state.coder().code(articles, self.deadline)


def _write(docs: list[DocumentIn], state: ApiState, ticket: WriteTicket, deadline: float,
           min_confidence: float = 0.0) -> WriteResult | None:
    """Code and store ``docs`` (in the write thread); None when abandoned before saving,
    CodingTimeout when coding is not done by ``deadline`` (``time.monotonic()``)."""
    label = "api:" + dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    articles, problems = _articles(docs, label, state)
    if ticket.abandoned:  # gave up while this write waited for an earlier one
        return None

    def grouping(store: StoryStore, vectors: Mapping[str, np.ndarray] | None = None
                 ) -> StoryUpdate:
        return update_stories(store, state.gazetteer, state.plover, state.embedder(),
                              vectors=vectors)

    def gate() -> bool:
        state.embedder()  # loaded before saving begins, since saving is not abandoned
        return ticket.begin_saving()

    service = IngestService(_DeadlineCoder(state, deadline), state.db,
                            IngestSettings(batch_size=max(1, len(articles)),
                                           min_confidence=min_confidence),
                            stories=grouping, writer=state.write_lock)
    result = service.ingest(articles, label, gate=gate)
    if result.abandoned:
        return None
    problems += [WriteProblem(problem=p) for _, p in result.problems]
    return WriteResult(stored=result.new_articles, events=result.new_events,
                       articles=list(dict.fromkeys(result.articles)), problems=problems)


def _unavailable(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail,
                         headers={"Retry-After": "30"})


def _too_slow(budget: float) -> HTTPException:
    return _unavailable(
        f"the write did not finish within {budget:g} s (coding, or waiting for an earlier "
        "write) and was abandoned; nothing from it was stored. Retry later, or send fewer "
        "or shorter documents")


STOPPING = "the server is shutting down; nothing was stored"


def _log_late_failure(done: asyncio.Future[WriteResult | None]) -> None:
    """An abandoned write that later failed: nobody awaits it, so log why (its coder
    stopping at the deadline is the expected end, not a failure)."""
    if done.cancelled() or isinstance(done.exception(), CodingTimeout | None):
        return
    log.error("abandoned write failed", exc_info=done.exception())


@router.post("/articles", status_code=status.HTTP_201_CREATED, response_model=WriteResult,
             tags=["articles"], dependencies=[Depends(require_writer)],
             responses={401: {"description": "Missing or wrong token"},
                        403: {"description": "Writes disabled (no token configured)"},
                        413: {"description": "Request body too large"},
                        503: {"description": "Over the write time budget; nothing stored"}})
async def post_articles(body: WriteBody,
                        state: Annotated[ApiState, Depends(get_state)],
                        min_confidence: Annotated[float, Query(
                            ge=0.0, le=1.0, description="Store only events at least this "
                            "sure (calibrated confidence)")] = 0.0) -> WriteResult:
    """Code and store one document or a batch; already stored documents are skipped."""
    docs = body.documents if isinstance(body, DocumentsIn) else [body]
    _check_sizes(docs, state)
    ticket = WriteTicket(state)
    budget = state.settings.write_timeout
    deadline = time.monotonic() + budget
    try:
        future = state.write_pool.submit(_write, docs, state, ticket, deadline,
                                          min_confidence)
    except RuntimeError:  # the pool is shut down: the app is stopping
        raise _unavailable(STOPPING) from None
    waiting = asyncio.wrap_future(future)
    try:
        result = await asyncio.wait_for(asyncio.shield(waiting), budget)
    except CodingTimeout:  # the write thread stopped the coder at the deadline
        raise _too_slow(budget) from None
    except CodingFailed as exc:  # the documents broke the coder; its reason may hold paths
        log.error("coding failed: %s", exc)
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "the documents could not be coded and nothing was stored; the "
                            "reason is in the server log") from None
    except TimeoutError:
        future.cancel()  # still queued: never runs
        if ticket.abandon():
            waiting.add_done_callback(_log_late_failure)
            raise _too_slow(budget) from None
        result = await waiting  # saving had begun: let it finish (bounded by the database)
    if result is None:  # abandoned because the app began to close
        raise _unavailable(STOPPING)
    return result
