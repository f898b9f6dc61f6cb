"""Reads: every listing filtered, ordered, paged and counted in SQL.

A listing is a FROM clause, a filter table (``store.filters``) and an ORDER BY; the
page (LIMIT/OFFSET) is cut by DuckDB, so a page of 100 builds 100 records whatever the
store holds. Mentions read their happening's outlets and origins by a join on the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import pyarrow as pa
from pydantic import BaseModel

from realpolitik.records import ActorMention, Article, CodedArticle, Event, Happening, Story
from realpolitik.store.connection import Connection
from realpolitik.store.filters import (
    ACTOR_FILTERS,
    ARTICLE_FILTERS,
    EVENT_FILTERS,
    HAPPENING_FILTERS,
    STORY_FILTERS,
    Filters,
    where,
)
from realpolitik.store.rows import (
    row_to_article,
    row_to_event,
    row_to_happening,
    row_to_mention,
)
from realpolitik.store.tables import nested_model

TABLES = ("articles", "actors", "mentions", "events", "ingest_log", "article_profiles",
          "stories", "happenings")
Period = Literal["day", "week"]


class ActorRow(BaseModel):
    """One distinct actor (country, sector, name) and how often it occurs."""

    id: str
    country: str | None
    sector: str | None
    name: str
    mentions: int = 0
    events: int = 0


@dataclass(frozen=True)
class Listing:
    """How one kind of record is listed: its rows, filters and order."""

    source: str  # FROM clause
    filters: Filters
    order: str  # ORDER BY over the selected columns
    select: str = "*"
    keys: str = ""  # the columns ORDER BY needs: the page is cut on these, then read


EVENTS = Listing("events e", EVENT_FILTERS, 'day NULLS LAST, article_id, section, "start", id',
                 keys='e.id, e.day, e.article_id, e.section, e."start"')
HAPPENINGS = Listing("happenings h", HAPPENING_FILTERS, "date NULLS LAST, id")
ARTICLES = Listing("articles a", ARTICLE_FILTERS, "published NULLS LAST, id")
STORIES = Listing("stories s", STORY_FILTERS, "first_date NULLS LAST, id")
ACTORS = Listing("actor_counts ac", ACTOR_FILTERS,
                 "mentions + events DESC, country NULLS LAST, name")

# A mention's outlets and origins are its happening's (joined in on the page only).
_WITH_HAPPENING = ("SELECT p.*, COALESCE(h.outlets, []) AS outlets, "
                   "COALESCE(h.origins, []) AS origins FROM ({inner}) p "
                   "LEFT JOIN happenings h ON h.id = p.happening_id ORDER BY {order}")


def _page_sql(listing: Listing, values: dict[str, Any], limit: int | None, offset: int
              ) -> tuple[str, dict[str, Any]]:
    clause, params = where(listing.filters, values)
    sql = f"SELECT {listing.select} FROM {listing.source}{clause} ORDER BY {listing.order}"
    if limit is not None:
        sql += " LIMIT $limit"
        params["limit"] = limit
    if offset:
        sql += " OFFSET $offset"
        params["offset"] = offset
    return sql, params


def _export_select(model: type[BaseModel], alias: str) -> str:
    """SELECT list that builds ``model``'s nesting and defaults in SQL, for Arrow exports."""
    out = []
    for name, info in model.model_fields.items():
        sub = nested_model(info.annotation)
        if sub is not None:
            parts = ", ".join(f'{f} := {alias}."{name}_{f}"' for f in sub.model_fields)
            out.append(f'CASE WHEN {alias}."{name}_name" IS NULL THEN NULL '
                       f'ELSE struct_pack({parts}) END AS "{name}"')
            continue
        col = f'{alias}."{name}"'
        if info.default_factory is list:
            col = f"COALESCE({col}, [])"
        elif info.default is not None and not info.is_required():
            col = f"COALESCE({col}, {_literal(info.default)})"
        out.append(f'{col} AS "{name}"')
    return ", ".join(out)


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


class Queries(Connection):
    """The store's reads; every list method takes ``limit`` and ``offset``."""

    def _list(self, listing: Listing, values: dict[str, Any], limit: int | None = None,
              offset: int = 0) -> list[dict[str, Any]]:
        if listing.keys and limit is not None:
            # cut the page on the sort keys alone, then read only the page's rows
            keyed = Listing(listing.source, listing.filters, listing.order, listing.keys)
            sql, params = _page_sql(keyed, values, limit, offset)
            ids = [r[0] for r in self.con.execute(sql, params).fetchall()]
            if not ids:
                return []
            values = {"ids": ids}
            limit, offset = None, 0
        sql, params = _page_sql(listing, values, limit, offset)
        if listing is EVENTS:
            sql = _WITH_HAPPENING.format(inner=sql, order=listing.order)
        return self._dicts(sql, params)

    def _count(self, listing: Listing, values: dict[str, Any]) -> int:
        clause, params = where(listing.filters, values)
        return int(self._scalar(f"SELECT count(*) FROM {listing.source}{clause}", params))

    # ------------------------------------------------------------------ articles
    def articles(self, country: str | None = None, since: dt.date | None = None,
                 ids: list[str] | None = None, until: dt.date | None = None,
                 story_id: str | None = None, limit: int | None = None, offset: int = 0
                 ) -> list[Article]:
        """Stored articles, optionally only those involving `country` (in an event
        or a mention), published between `since` and `until`, of a story, or with the
        given ids."""
        values = {"country": country, "since": since, "until": until, "story_id": story_id,
                  "ids": ids}
        return [row_to_article(r) for r in self._list(ARTICLES, values, limit, offset)]

    def count_articles(self, **filters: Any) -> int:
        return self._count(ARTICLES, filters)

    # -------------------------------------------------------------------- events
    def events(self, country: str | None = None, since: dt.date | None = None,
               article_id: str | None = None, type: str | None = None,
               story_id: str | None = None, source: str | None = None,
               target: str | None = None, until: dt.date | None = None,
               ids: list[str] | None = None, limit: int | None = None, offset: int = 0
               ) -> list[Event]:
        """Stored events, filtered by source-or-target country, dyad (source, target),
        date (the event's date, else its article's publication date), article, story,
        PLOVER type and ids."""
        values = {"country": country, "since": since, "until": until, "type": type,
                  "article_id": article_id, "story_id": story_id, "source": source,
                  "target": target, "ids": ids}
        return [row_to_event(r) for r in self._list(EVENTS, values, limit, offset)]

    def count_events(self, **filters: Any) -> int:
        return self._count(EVENTS, filters)

    def event_batches(self, batch_rows: int = 50_000, **filters: Any
                      ) -> Iterator[pa.RecordBatch]:
        """Events as Arrow record batches shaped like ``Event`` (actors as structs),
        in listing order, streamed from DuckDB: memory stays bounded at any store size."""
        clause, params = where(EVENTS.filters, filters)
        columns = _export_select(Event, "p").replace('p."outlets"', "h.outlets").replace(
            'p."origins"', "h.origins")
        order = ", ".join(f"p.{key}" for key in EVENTS.order.split(", "))
        sql = (f"SELECT {columns} FROM (SELECT {EVENTS.select} FROM {EVENTS.source}{clause}) p"
               f" LEFT JOIN happenings h ON h.id = p.happening_id ORDER BY {order}")
        # a relation (not an executed result) streams: DuckDB produces one batch at a time
        cursor = self.con.cursor()
        try:
            yield from cursor.sql(sql, params=params).to_arrow_reader(batch_rows)
        finally:
            cursor.close()

    def event(self, event_id: str) -> Event | None:
        found = self.events(ids=[event_id])
        return found[0] if found else None

    def mentions_of(self, happening_id: str) -> list[Event]:
        """The event mentions (article sentences) merged into one happening."""
        rows = self._dicts(
            _WITH_HAPPENING.format(
                inner="SELECT * FROM events WHERE happening_id = $h",
                order='date NULLS LAST, article_id, "start", id'), {"h": happening_id})
        return [row_to_event(r) for r in rows]

    def events_for_articles(self, article_ids: list[str]) -> list[Event]:
        rows = self._dicts(
            _WITH_HAPPENING.format(
                inner="SELECT * FROM events WHERE list_contains($ids, article_id)",
                order='article_id, section, "start", id'), {"ids": list(article_ids)})
        return [row_to_event(r) for r in rows]

    # ---------------------------------------------------------------- happenings
    def happenings(self, story_id: str | None = None, country: str | None = None,
                   since: dt.date | None = None, until: dt.date | None = None,
                   source: str | None = None, target: str | None = None,
                   type: str | None = None, limit: int | None = None, offset: int = 0
                   ) -> list[Happening]:
        """Happenings (one per event in the world), filtered like ``events``."""
        values = {"story_id": story_id, "country": country, "since": since, "until": until,
                  "source": source, "target": target, "type": type}
        return [row_to_happening(r) for r in self._list(HAPPENINGS, values, limit, offset)]

    def count_happenings(self, **filters: Any) -> int:
        return self._count(HAPPENINGS, filters)

    def happening(self, happening_id: str) -> Happening | None:
        rows = self._dicts("SELECT * FROM happenings WHERE id = ?", [happening_id])
        return row_to_happening(rows[0]) if rows else None

    def _dyad_cells(self, source: str | None, target: str | None, period: Period
                    ) -> tuple[str, dict[str, Any]]:
        start = "h.date" if period == "day" else "CAST(date_trunc('week', h.date) AS DATE)"
        clause, params = where(HAPPENING_FILTERS, {"source": source, "target": target})
        keep = ("h.date IS NOT NULL AND h.target_name IS NOT NULL AND "
                "COALESCE(h.source_country, '') <> '' AND COALESCE(h.target_country, '') <> ''")
        clause = f"{clause} AND {keep}" if clause else f" WHERE {keep}"
        return (f"SELECT h.source_country, h.target_country, {start} AS _start "
                f"FROM happenings h{clause}", params)

    def dyad_cell_count(self, source: str | None = None, target: str | None = None,
                        period: Period = "week") -> int:
        """How many (source, target, period) cells the dyad series has."""
        sql, params = self._dyad_cells(source, target, period)
        return int(self._scalar(
            f"SELECT count(*) FROM (SELECT DISTINCT source_country, target_country, _start "
            f"FROM ({sql}))", params))

    def dyad_happenings(self, source: str | None = None, target: str | None = None,
                        period: Period = "week", limit: int | None = None, offset: int = 0
                        ) -> list[Happening]:
        """The happenings of one page of dyad cells (cells ordered by source, target,
        period start), in ``happenings()`` order: what ``dyad_series`` reads for that page."""
        sql, params = self._dyad_cells(source, target, period)
        page = ""
        if limit is not None:
            page = " LIMIT $limit OFFSET $offset"
            params.update(limit=limit, offset=offset)
        start = "h.date" if period == "day" else "CAST(date_trunc('week', h.date) AS DATE)"
        keep = sql.split(" FROM happenings h", 1)[1]
        rows = self._dicts(
            f"WITH cells AS (SELECT DISTINCT source_country AS c1, target_country AS c2, "
            f"_start AS c3 FROM ({sql}) ORDER BY c1, c2, c3{page}) "
            f"SELECT h.* FROM happenings h JOIN cells ON h.source_country = cells.c1 AND "
            f"h.target_country = cells.c2 AND {start} = cells.c3{keep} ORDER BY h.date, h.id",
            params)
        return [row_to_happening(r) for r in rows]

    # ------------------------------------------------------------------- stories
    def stories(self, country: str | None = None, since: dt.date | None = None,
                ids: list[str] | None = None, limit: int | None = None, offset: int = 0
                ) -> list[Story]:
        """Stories, oldest first."""
        values = {"country": country, "since": since, "ids": ids}
        return [Story(**r) for r in self._list(STORIES, values, limit, offset)]

    def count_stories(self, **filters: Any) -> int:
        return self._count(STORIES, filters)

    # ------------------------------------------------------------------- actors
    def actors(self, country: str | None = None, limit: int | None = None, offset: int = 0
               ) -> list[ActorRow]:
        """Distinct actors with mention and event counts, most frequent first."""
        return [ActorRow(**r) for r in self._list(ACTORS, {"country": country}, limit,
                                                  offset)]

    def count_actors(self, **filters: Any) -> int:
        return self._count(ACTORS, filters)

    # ----------------------------------------------------------------- articles+
    def _mentions_of(self, article_ids: list[str]) -> dict[str, list[ActorMention]]:
        rows = self._dicts(
            "SELECT * FROM mentions WHERE list_contains(?, article_id) "
            'ORDER BY article_id, section, "start", "end"', [article_ids])
        out: dict[str, list[ActorMention]] = {}
        for r in rows:
            out.setdefault(r["article_id"], []).append(row_to_mention(r))
        return out

    def coded(self, article_id: str) -> CodedArticle | None:
        """Rebuild one CodedArticle (article, mentions, events) from the store."""
        found = self.coded_many([article_id])
        return found[0] if found else None

    def coded_many(self, article_ids: list[str]) -> list[CodedArticle]:
        """Rebuild CodedArticles for many ids in three queries (unknown ids are skipped)."""
        mentions = self._mentions_of(article_ids)
        events: dict[str, list[Event]] = {}
        for event in self.events_for_articles(article_ids):
            events.setdefault(event.article_id, []).append(event)
        return [CodedArticle(article=a, mentions=mentions.get(a.id, []),
                             events=events.get(a.id, []))
                for a in self.articles(ids=article_ids)]

    # ------------------------------------------------------------ story grouping
    def unprofiled_articles(self) -> list[str]:
        """Ids of stored articles that story grouping has not seen yet."""
        rows = self.con.execute(
            "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM article_profiles)"
            " ORDER BY published NULLS LAST, id").fetchall()
        return [r[0] for r in rows]

    def profile_rows(self, start: dt.date | None = None, end: dt.date | None = None
                     ) -> list[dict[str, Any]]:
        """Stored article profiles (published between start and end, or undated)."""
        sql = ("SELECT p.*, a.story_id FROM article_profiles p "
               "JOIN articles a ON a.id = p.article_id")
        params: list[Any] = []
        if start is not None and end is not None:
            sql += " WHERE p.published IS NULL OR p.published BETWEEN ? AND ?"
            params = [start, end]
        return self._dicts(sql + " ORDER BY p.published NULLS LAST, p.article_id", params)

    # ------------------------------------------------------------------ figures
    def country_counts(self) -> list[tuple[str, int, int]]:
        """(country, event mentions, stories) for every country in an event, most first."""
        rows = self.con.execute(
            "WITH sides AS (SELECT source_country AS c, story_id FROM events UNION ALL "
            "SELECT target_country, story_id FROM events "
            "WHERE target_country IS DISTINCT FROM source_country) "
            "SELECT c, count(*) AS n, count(DISTINCT story_id) AS s FROM sides "
            "WHERE c IS NOT NULL GROUP BY c ORDER BY n DESC, c").fetchall()
        return [(r[0], int(r[1]), int(r[2])) for r in rows]

    def counts(self) -> dict[str, int]:
        """Row count of every table (tests, benchmarks)."""
        return {t: int(self._scalar(f"SELECT count(*) FROM {t}")) for t in TABLES}
