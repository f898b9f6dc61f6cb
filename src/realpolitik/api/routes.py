"""Read endpoints: the same records and reports the CLI exports, as JSON for a dashboard.

Every list is filtered, ordered, paged and counted in SQL by the store (one read cursor
per request), in the CLI's listing order; a page builds only the records it returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Generic, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel

from realpolitik.api.deps import ApiState, get_state
from realpolitik.records import ActorMention, Article, Event, Happening, Story
from realpolitik.relations.indices import DateRangeError, DyadPoint, IndexReport, dyad_point
from realpolitik.relations.report import Report
from realpolitik.settings import DEFAULTS
from realpolitik.store import ActorRow
from realpolitik.store.live import LiveState, StoredAlert
from realpolitik.stories import Coverage, compare
from realpolitik.workflow import country_index, country_report

T = TypeVar("T")
router = APIRouter(prefix="/api")
State = Annotated[ApiState, Depends(get_state)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]
Offset = Annotated[int, Query(ge=0, description="Items to skip.")]
Country = Annotated[str | None, Query(description="ISO3 or IGO code (any case).")]
Since = Annotated[dt.date | None, Query(description="On or after this ISO date.")]
Until = Annotated[dt.date | None, Query(description="On or before this ISO date.")]
CountryPath = Annotated[str, Path(min_length=2, max_length=8, pattern=r"^[A-Za-z]+$",
                                  description="ISO3 or IGO code (any case).")]


class Page(BaseModel, Generic[T]):
    """One page of a list: the items, how many match in all, and the page asked for."""

    items: list[T]
    total: int
    limit: int
    offset: int


def page(items: Sequence[T], total: int, limit: int, offset: int) -> Page[T]:
    """A page the store cut (``items``) out of ``total`` matching rows."""
    return Page[T](items=list(items), total=total, limit=limit, offset=offset)


def _upper(code: str | None) -> str | None:
    return code.upper() if code else None


def _not_found(what: str, key: str) -> HTTPException:
    return HTTPException(404, f"no {what} with id {key!r}")


class ArticleDetail(BaseModel):
    article: Article
    mentions: list[ActorMention]
    events: list[Event]


class EventDetail(BaseModel):
    event: Event
    happening: Happening | None


class HappeningDetail(BaseModel):
    happening: Happening
    mentions: list[Event]


class CountryRow(BaseModel):
    country: str
    name: str
    events: int
    stories: int


@router.get("/articles", response_model=Page[Article], tags=["articles"])
def list_articles(state: State, limit: Limit = 100, offset: Offset = 0, country: Country = None,
                  since: Since = None, until: Until = None,
                  story: Annotated[str | None, Query(description="Story id.")] = None
                  ) -> Page[Article]:
    """Stored articles, by publication date (as `realpolitik articles --format jsonl`)."""
    filters = {"country": _upper(country), "since": since, "until": until, "story_id": story}
    with state.reader() as store:
        return page(store.articles(**filters, limit=limit, offset=offset),
                    store.count_articles(**filters), limit, offset)


@router.get("/articles/{article_id}", response_model=ArticleDetail, tags=["articles"],
            responses={404: {"description": "No such article"}})
def get_article(article_id: str, state: State) -> ArticleDetail:
    """One article with the actor mentions and events coded from it."""
    with state.reader() as store:
        coded = store.coded(article_id)
    if coded is None:
        raise _not_found("article", article_id)
    return ArticleDetail(article=coded.article, mentions=coded.mentions, events=coded.events)


@router.get("/events", response_model=Page[Event] | Page[Happening], tags=["events"])
def list_events(state: State, limit: Limit = 100, offset: Offset = 0, country: Country = None,
                source: Country = None, target: Country = None,
                type: Annotated[str | None, Query(description="PLOVER type.")] = None,
                since: Since = None, until: Until = None,
                story: Annotated[str | None, Query(description="Story id.")] = None,
                level: Annotated[Literal["mention", "event"], Query(
                    description="mention: one row per article sentence; event: one row per "
                    "happening, mentions merged.")] = "mention",
                ) -> Page[Event] | Page[Happening]:
    """Coded events per mention (Event) or per happening (Happening), filtered."""
    filters = {"country": _upper(country), "since": since, "until": until, "type": _upper(type),
               "source": _upper(source), "target": _upper(target), "story_id": story}
    with state.reader() as store:
        if level == "event":
            return page(store.happenings(**filters, limit=limit, offset=offset),
                        store.count_happenings(**filters), limit, offset)
        return page(store.events(**filters, limit=limit, offset=offset),
                    store.count_events(**filters), limit, offset)


@router.get("/events/{event_id}", response_model=EventDetail, tags=["events"],
            responses={404: {"description": "No such event"}})
def get_event(event_id: str, state: State) -> EventDetail:
    """One event mention and the happening it was merged into (if grouped yet)."""
    with state.reader() as store:
        event = store.event(event_id)
        if event is None:
            raise _not_found("event", event_id)
        happening = store.happening(event.happening_id) if event.happening_id else None
    return EventDetail(event=event, happening=happening)


@router.get("/happenings/{happening_id}", response_model=HappeningDetail, tags=["events"],
            responses={404: {"description": "No such happening"}})
def get_happening(happening_id: str, state: State) -> HappeningDetail:
    """One happening with every mention (article sentence) that reports it."""
    with state.reader() as store:
        happening = store.happening(happening_id)
        if happening is None:
            raise _not_found("happening", happening_id)
        mentions = store.mentions_of(happening_id)
    return HappeningDetail(happening=happening, mentions=mentions)


@router.get("/stories", response_model=Page[Story], tags=["stories"])
def list_stories(state: State, limit: Limit = 100, offset: Offset = 0, country: Country = None,
                 since: Since = None) -> Page[Story]:
    """Stories (articles about one happening, any outlet), oldest first."""
    filters = {"country": _upper(country), "since": since}
    with state.reader() as store:
        return page(store.stories(**filters, limit=limit, offset=offset),
                    store.count_stories(**filters), limit, offset)


@router.get("/stories/{story_id}", response_model=Coverage, tags=["stories"],
            responses={404: {"description": "No such story"}})
def get_story(story_id: str, state: State) -> Coverage:
    """Coverage comparison of one story (as `realpolitik story ID --format json`)."""
    with state.reader() as store:
        found = store.stories(ids=[story_id])
        if not found:
            raise _not_found("story", story_id)
        story = found[0]
        articles = store.articles(ids=story.articles)
        happenings = store.happenings(story_id=story.id)
    return compare(story, articles, happenings, state.plover)


@router.get("/actors", response_model=Page[ActorRow], tags=["actors"])
def list_actors(state: State, limit: Limit = 100, offset: Offset = 0, country: Country = None
                ) -> Page[ActorRow]:
    """Distinct actors with mention and event counts, most frequent first."""
    with state.reader() as store:
        return page(store.actors(country=_upper(country), limit=limit, offset=offset),
                    store.count_actors(country=_upper(country)), limit, offset)


@router.get("/relations", response_model=Page[DyadPoint], tags=["relations"])
def list_relations(state: State, limit: Limit = 100, offset: Offset = 0,
                   source: Country = None, target: Country = None,
                   period: Annotated[Literal["day", "week"], Query()] = "week"
                   ) -> Page[DyadPoint]:
    """Dyad time series over happenings (as `realpolitik relations`).

    The store selects the page's (source, target, period) cells and counts their
    happenings in SQL; ``dyad_point`` scores each cell (no happening record is built).
    """
    dyad = {"source": _upper(source), "target": _upper(target), "period": period}
    with state.reader() as store:
        cells = store.dyad_cells(**dyad, limit=limit, offset=offset)
        total = store.dyad_cell_count(**dyad)
    return page([dyad_point(c, state.plover, period) for c in cells], total, limit, offset)


@router.get("/indices/{country}", response_model=IndexReport, tags=["relations"])
def get_indices(country: CountryPath, state: State,
                as_of: Annotated[dt.date | None, Query(description="End of the window.")] = None,
                window: Annotated[int | None, Query(
                    ge=1, le=3650, description="Days (default: the server's setting "
                    f"analysis.window_days, {DEFAULTS.analysis.window_days})")] = None,
                baseline: Annotated[int | None, Query(
                    ge=1, le=3650, description="Days (default: the server's setting "
                    f"analysis.baseline_days, {DEFAULTS.analysis.baseline_days})")] = None
                ) -> IndexReport:
    """Isolation and pressure indices for a country (as `realpolitik indices`)."""
    settings = state.settings
    with state.reader() as store:
        try:
            return country_index(store, country.upper(), state.plover, state.name_of, as_of,
                                 window or settings.window_days,
                                 baseline or settings.baseline_days)
        except DateRangeError as exc:  # the dates fall off the calendar
            raise HTTPException(422, str(exc)) from None


@router.get("/report/{country}", response_model=Report, tags=["relations"])
def get_report(country: CountryPath, state: State, since: Since = None) -> Report:
    """Support and pressure picture for a country (as `realpolitik report --format json`)."""
    with state.reader() as store:
        return country_report(store, country.upper(), since, state.plover, state.name_of)


@router.get("/countries", response_model=list[CountryRow], tags=["relations"])
def list_countries(state: State) -> list[CountryRow]:
    """Countries that are the source or target of any event, most events first."""
    with state.reader() as store:
        counts = store.country_counts()
    return [CountryRow(country=c, name=state.name_of(c) or c, events=n, stories=k)
            for c, n, k in counts]


@router.get("/alerts", response_model=Page[StoredAlert], tags=["alerts"])
def list_alerts(state: State, country: Country = None, limit: Limit = 100,
                offset: Offset = 0) -> Page[StoredAlert]:
    """Alerts fired by `realpolitik watch`, newest first (country = target or counterpart)."""
    with state.reader() as store:
        items, total = LiveState(store).alerts(_upper(country), limit, offset)
    return Page[StoredAlert](items=items, total=total, limit=limit, offset=offset)
