"""POST /api/articles: code and store documents sent by a client, then update stories.

Coding runs outside the store lock (it takes seconds per batch), so reads keep being
answered; only saving and story grouping hold the store. Writes are serialised.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from realpolitik.api.deps import ApiState, get_state
from realpolitik.api.security import require_writer
from realpolitik.ingest import build_article
from realpolitik.ingest.decode import IngestError
from realpolitik.records import Article
from realpolitik.store import StoreError
from realpolitik.workflow import store_coded, update_stories

router = APIRouter(prefix="/api")


class DocumentIn(BaseModel):
    """One news document: its text and whatever metadata the client knows."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    title: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    url: str | None = None
    summary: str | None = None


class DocumentsIn(BaseModel):
    """Several documents in one request (at most the server's max_documents)."""

    model_config = ConfigDict(extra="forbid")

    documents: list[DocumentIn] = Field(min_length=1)


class WriteProblem(BaseModel):
    document: int | None = None  # index in the request; None for the batch as a whole
    problem: str


class WriteResult(BaseModel):
    stored: int
    events: int
    articles: list[str]
    problems: list[WriteProblem]


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


@router.post("/articles", status_code=status.HTTP_201_CREATED, response_model=WriteResult,
             tags=["articles"], dependencies=[Depends(require_writer)],
             responses={401: {"description": "Missing or wrong token"},
                        403: {"description": "Writes disabled (no token configured)"},
                        413: {"description": "Request body too large"}})
def post_articles(body: DocumentIn | DocumentsIn,
                  state: Annotated[ApiState, Depends(get_state)]) -> WriteResult:
    """Code and store one document or a batch; already stored documents are skipped."""
    docs = body.documents if isinstance(body, DocumentsIn) else [body]
    limit = state.settings.max_documents
    if len(docs) > limit:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"at most {limit} documents per request, got {len(docs)}")
    label = "api:" + dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with state.write_lock:
        articles, problems = _articles(docs, label, state)
        ids = list(dict.fromkeys(a.id for a in articles))
        with state.store() as store:
            known = {a.id for a in store.articles(ids=ids)} if ids else set()
        fresh = [a for a in articles if a.id not in known]
        if not fresh:
            return WriteResult(stored=0, events=0, articles=ids, problems=problems)
        coded = state.pipeline().code(fresh)
        embedder = state.embedder()
        with state.store() as store:
            report = store_coded(coded, label, store)
            problems += [WriteProblem(problem=p) for _, p in report.problems]
            if report.new_articles:
                try:
                    update_stories(store, state.gazetteer, state.plover, embedder)
                except StoreError as exc:  # articles stay stored; the next write groups them
                    problems.append(WriteProblem(problem=str(exc)))
    return WriteResult(stored=report.new_articles, events=report.new_events, articles=ids,
                       problems=problems)
