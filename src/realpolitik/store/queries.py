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

from realpolitik.records import (
    ActorMention,
    Article,
    CodedArticle,
    DyadCell,
    Event,
    Happening,
    ScoredGroup,
    Story,
)
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
    bucket: str = ""  # the leading sort key (``order`` starts with it, NULLS LAST)
    split: str = ""  # the second sort key (never NULL), to split one large bucket on


EVENTS = Listing("events e", EVENT_FILTERS, 'day NULLS LAST, article_id, section, "start", id',
                 keys='e.id, e.happening_id, e.day, e.article_id, e.section, e."start"',
                 bucket="e.day", split="e.article_id")
HAPPENINGS = Listing("happenings h", HAPPENING_FILTERS, "date NULLS LAST, id", keys="h.id, h.date",
                     bucket="h.date")
ARTICLES = Listing("articles a", ARTICLE_FILTERS, "published NULLS LAST, id",
                   keys="a.id, a.published", bucket="a.published")
STORIES = Listing("stories s", STORY_FILTERS, "first_date NULLS LAST, id",
                  bucket="s.first_date")
ACTORS = Listing("actor_counts ac", ACTOR_FILTERS,
                 "mentions + events DESC, country NULLS LAST, name")

# A mention's outlets and origins are its happening's (joined in on the page only;
# ``{happenings}`` is the table, or only the page's happenings by id).
_WITH_HAPPENING = ("SELECT p.*, COALESCE(h.outlets, []) AS outlets, "
                   "COALESCE(h.origins, []) AS origins FROM ({inner}) p "
                   "LEFT JOIN {happenings} h ON h.id = p.happening_id ORDER BY {order}")
_PAGE_HAPPENINGS = "(SELECT id, outlets, origins FROM happenings WHERE list_contains($hids, id))"


# From this offset on, a page is cut by seeking first: a histogram of the leading sort key
# (e.g. 757 days) tells which of its values hold the page, so only those rows are sorted.
SEEK_OFFSET = 10_000
# An export sorts at most about this many rows at a time (whole values of the leading key).
EXPORT_CHUNK_ROWS = 50_000
Range = tuple[str, dict[str, Any]]  # a condition on a listing's bucket and its parameters


def _bucket_range(bucket: str, lo: Any, hi: Any) -> Range:
    """``lo <= bucket <= hi`` in the listing's order (NULLS LAST; None is the NULL value)."""
    if lo is None:
        return f"{bucket} IS NULL", {}
    if hi is None:
        return f"({bucket} >= $bucket_lo OR {bucket} IS NULL)", {"bucket_lo": lo}
    return f"{bucket} BETWEEN $bucket_lo AND $bucket_hi", {"bucket_lo": lo, "bucket_hi": hi}


def _where(listing: Listing, values: dict[str, Any], extra: Range | None = None
           ) -> tuple[str, dict[str, Any]]:
    """The listing's WHERE clause for ``values``, and ``extra`` (a bucket range) if given."""
    clause, params = where(listing.filters, values)
    if extra is not None:
        clause += f"{' AND' if clause else ' WHERE'} {extra[0]}"
        params.update(extra[1])
    return clause, params


def _page_sql(listing: Listing, values: dict[str, Any], limit: int | None, offset: int,
              extra: Range | None = None) -> tuple[str, dict[str, Any]]:
    clause, params = _where(listing, values, extra)
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

    def _histogram(self, listing: Listing, values: dict[str, Any]) -> list[tuple[Any, int]]:
        """(value of the leading sort key, matching rows) in listing order."""
        clause, params = _where(listing, values)
        rows = self.con.execute(
            f"SELECT {listing.bucket} AS k, count(*) FROM {listing.source}{clause} "
            "GROUP BY k ORDER BY k NULLS LAST", params).fetchall()
        return [(k, int(n)) for k, n in rows]

    def _seek(self, listing: Listing, values: dict[str, Any], limit: int, offset: int
              ) -> tuple[Range, int] | None:
        """The bucket range holding rows ``offset .. offset + limit`` and the offset of the
        page inside it (None past the end): the same page, sorting only that range."""
        seen, first, last, skip = 0, None, None, 0
        found = False
        for k, n in self._histogram(listing, values):
            if seen + n > offset:
                if not found:
                    found, first, skip = True, k, offset - seen
                last = k
                if seen + n >= offset + limit:
                    break
            seen += n
        if not found:
            return None
        return _bucket_range(listing.bucket, first, last), skip

    def _chunks(self, listing: Listing, values: dict[str, Any], rows: int) -> list[Range]:
        """Consecutive ranges of about ``rows`` matching rows each, in listing order,
        covering every match: runs of whole buckets, and a bucket above ``rows`` split on
        the next sort key (``listing.split``)."""
        out: list[Range] = []
        run: list[Any] = []  # buckets of the open range
        size = 0
        for k, n in self._histogram(listing, values):
            if n > rows and listing.split:
                if run:
                    out.append(_bucket_range(listing.bucket, run[0], run[-1]))
                    run, size = [], 0
                out += self._split(listing, values, k, rows)
                continue
            run.append(k)
            size += n
            if size >= rows:
                out.append(_bucket_range(listing.bucket, run[0], run[-1]))
                run, size = [], 0
        if run:
            out.append(_bucket_range(listing.bucket, run[0], run[-1]))
        return out

    def _split(self, listing: Listing, values: dict[str, Any], bucket: Any, rows: int
               ) -> list[Range]:
        """Ranges of ``listing.split`` values of about ``rows`` rows inside one bucket."""
        if bucket is None:
            one: Range = (f"{listing.bucket} IS NULL", {})
        else:
            one = (f"{listing.bucket} = $bucket_eq", {"bucket_eq": bucket})
        clause, params = _where(listing, values, one)
        counts = self.con.execute(
            f"SELECT {listing.split} AS k, count(*) FROM {listing.source}{clause} "
            "GROUP BY k ORDER BY k", params).fetchall()
        out: list[Range] = []
        first, size = None, 0
        for i, (k, n) in enumerate(counts):
            first = k if size == 0 else first
            size += n
            if size >= rows or i == len(counts) - 1:
                out.append((f"{one[0]} AND {listing.split} BETWEEN $split_lo AND $split_hi",
                            {**one[1], "split_lo": first, "split_hi": k}))
                size = 0
        return out

    def _list(self, listing: Listing, values: dict[str, Any], limit: int | None = None,
              offset: int = 0) -> list[dict[str, Any]]:
        extra = None
        if listing.bucket and limit is not None and offset >= SEEK_OFFSET:
            seek = self._seek(listing, values, limit, offset)
            if seek is None:
                return []
            extra, offset = seek
        happenings: str = "happenings"
        joined: dict[str, Any] = {}
        if listing.keys and limit is not None:
            # cut the page on the sort keys alone, then read only the page's rows
            keyed = Listing(listing.source, listing.filters, listing.order, listing.keys)
            sql, params = _page_sql(keyed, values, limit, offset, extra)
            keys = self.con.execute(sql, params).fetchall()
            if not keys:
                return []
            values = {"ids": [r[0] for r in keys]}
            limit, offset, extra = None, 0, None
            if listing is EVENTS:  # the second key is the happening: join only the page's
                happenings = _PAGE_HAPPENINGS
                joined = {"hids": [r[1] for r in keys if r[1] is not None]}
        sql, params = _page_sql(listing, values, limit, offset, extra)
        if listing is EVENTS:
            sql = _WITH_HAPPENING.format(inner=sql, order=listing.order, happenings=happenings)
            params.update(joined)
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

    def event_batches(self, batch_rows: int = 50_000, chunk_rows: int = EXPORT_CHUNK_ROWS,
                      **filters: Any) -> Iterator[pa.RecordBatch]:
        """Events as Arrow record batches shaped like ``Event`` (actors as structs),
        in listing order, streamed from DuckDB: memory stays bounded at any store size.

        The listing is read in consecutive ranges of days (about ``chunk_rows`` events
        each), so DuckDB sorts one range at a time and joins only its happenings."""
        columns = _export_select(Event, "p").replace('p."outlets"', "h.outlets").replace(
            'p."origins"', "h.origins")
        order = ", ".join(f"p.{key}" for key in EVENTS.order.split(", "))
        for chunk in self._chunks(EVENTS, filters, chunk_rows):
            clause, params = _where(EVENTS, filters, chunk)
            rows = f"SELECT {EVENTS.select} FROM {EVENTS.source}{clause}"
            sql = (f"SELECT {columns} FROM ({rows}) p LEFT JOIN (SELECT id, outlets, origins "
                   f"FROM happenings WHERE id IN (SELECT happening_id FROM ({rows}))) h "
                   f"ON h.id = p.happening_id ORDER BY {order}")
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
                order='date NULLS LAST, article_id, "start", id',
                happenings="(SELECT * FROM happenings WHERE id = $h)"), {"h": happening_id})
        return [row_to_event(r) for r in rows]

    def events_for_articles(self, article_ids: list[str]) -> list[Event]:
        rows = self._dicts(
            _WITH_HAPPENING.format(
                inner="SELECT * FROM events WHERE list_contains($ids, article_id)",
                order='article_id, section, "start", id', happenings="happenings"),
            {"ids": list(article_ids)})
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

    def dyad_cells(self, source: str | None = None, target: str | None = None,
                   period: Period = "week", limit: int | None = None, offset: int = 0
                   ) -> list[DyadCell]:
        """One page of dyad cells (ordered by source, target, period start), counted in
        SQL: per cell its happenings grouped by what scoring reads (type, negated,
        modality), its distinct origins and its happening ids (by date, id).
        ``relations.indices.dyad_point`` scores each cell; no happening record is built."""
        sql, params = self._dyad_cells(source, target, period)
        page = ""
        if limit is not None:
            page = " LIMIT $limit OFFSET $offset"
            params.update(limit=limit, offset=offset)
        start = "h.date" if period == "day" else "CAST(date_trunc('week', h.date) AS DATE)"
        keep = sql.split(" FROM happenings h", 1)[1]
        rows = self.con.execute(
            f"WITH cells AS (SELECT DISTINCT source_country AS c1, target_country AS c2, "
            f"_start AS c3 FROM ({sql}) ORDER BY c1, c2, c3{page}), "
            f"hs AS MATERIALIZED (SELECT cells.*, h.id, h.date, h.origins, h.type, h.negated, "
            f"h.modality FROM happenings h JOIN cells ON h.source_country = cells.c1 AND "
            f"h.target_country = cells.c2 AND {start} = cells.c3{keep}), "
            "g AS (SELECT c1, c2, c3, list({'type': type, 'negated': negated, "
            "'modality': modality, 'happenings': n} ORDER BY first) AS groups FROM ("
            "SELECT c1, c2, c3, type, negated, modality, count(*) AS n, "
            "min({'d': date, 'i': id}) AS first FROM hs GROUP BY ALL) GROUP BY ALL), "
            "o AS (SELECT c1, c2, c3, len(list_distinct(flatten(list(COALESCE(origins, []))))) "
            "AS origins, list(id ORDER BY date, id) AS evidence FROM hs GROUP BY ALL) "
            "SELECT o.c1, o.c2, o.c3, g.groups, o.origins, o.evidence FROM o "
            "JOIN g USING (c1, c2, c3) ORDER BY o.c1, o.c2, o.c3", params).fetchall()
        return [DyadCell(source=c1, target=c2, start=c3,
                         groups=[ScoredGroup(**g) for g in groups], origins=origins,
                         evidence=evidence)
                for c1, c2, c3, groups, origins, evidence in rows]

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
