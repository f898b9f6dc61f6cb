"""Writes: one source file per transaction, story grouping rounds, the ingest log.

All bulk writes go through Arrow tables registered as views, so a file of many
articles is a handful of INSERT ... SELECT statements, not one per row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import BaseModel

from realpolitik.files import FileRefused, open_regular
from realpolitik.records import CodedArticle, Event, Happening, Story
from realpolitik.store.connection import Connection
from realpolitik.store.rows import (
    actor_id,
    article_row,
    event_row,
    happening_row,
    mention_row,
    now,
)
from realpolitik.store.tables import (
    ACTOR_SCHEMA,
    ARTICLE_COUNTRY_SCHEMA,
    ARTICLE_SCHEMA,
    EVENT_SCHEMA,
    HAPPENING_SCHEMA,
    MENTION_SCHEMA,
    PROFILE_SCHEMA,
    STORY_SCHEMA,
)

MAX_HASHED_BYTES = 50_000_000  # no source over this is ever read (IngestLimits)


class SaveResult(BaseModel):
    """What one `save_source` call changed."""

    new_articles: int = 0
    new_events: int = 0
    skipped_articles: int = 0


def file_hash(path: str | Path, max_bytes: int = MAX_HASHED_BYTES) -> str | None:
    """sha256 of a regular file's bytes, or None when the path is not a readable regular
    file of at most ``max_bytes`` (checked before reading: FIFOs and devices are never read)."""
    try:
        fh, _ = open_regular(str(path), max_bytes)
    except FileRefused:
        return None
    with fh:
        try:
            return hashlib.file_digest(fh, "sha256").hexdigest()
        except OSError:
            return None


def _cols(schema: pa.Schema) -> str:
    return ", ".join(f'"{n}"' for n in schema.names)


class Writes(Connection):
    """The store's writes (each method is one transaction or one statement)."""

    def _insert(self, tables: list[tuple[str, pa.Schema, list[dict[str, Any]]]]) -> None:
        """Bulk insert through Arrow tables: one INSERT ... SELECT per table, one round trip.

        Actors use INSERT OR IGNORE since another file may have stored them already.
        """
        statements, views = [], []
        try:
            for table, schema, rows in tables:
                if not rows:
                    continue
                view = f"_new_{table}"
                self.con.register(view, pa.Table.from_pylist(rows, schema=schema))
                views.append(view)
                verb = "INSERT OR IGNORE" if table == "actors" else "INSERT"
                statements.append(f"{verb} INTO {table} ({_cols(schema)}) "
                                  f"SELECT {_cols(schema)} FROM {view};")
            if statements:
                self.con.execute("\n".join(statements))
        finally:
            for view in views:
                self.con.unregister(view)

    def _existing(self, table: str, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        if not ids:
            return set()
        rows = self.con.execute(
            f"SELECT id FROM {table} WHERE list_contains(?, id)", [ids]).fetchall()
        return {r[0] for r in rows}

    def save_source(self, path: str, coded: list[CodedArticle],
                    content_hash: str | None = None) -> SaveResult:
        """Store everything coded from one source file in one transaction.

        Articles already stored (same id) are skipped together with their events
        and mentions, so re-ingesting a file is a no-op. On any error nothing of
        this file is kept and a StoreError is raised. `content_hash` defaults to
        the sha256 of the file at `path` (None if it is not a local file).
        """
        with self.transaction(f"could not store {path}; nothing from it was saved"):
            if content_hash is None:
                content_hash = file_hash(path)
            return self._save(path, coded, content_hash)

    def _save(self, path: str, coded: list[CodedArticle], content_hash: str | None
              ) -> SaveResult:
        at = now()
        # De-duplicate within the file first (the same article twice in one feed).
        unique: dict[str, CodedArticle] = {}
        for ca in coded:
            if not isinstance(ca, CodedArticle):
                raise TypeError(f"expected CodedArticle, got {type(ca).__name__}")
            unique.setdefault(ca.article.id, ca)
        existing = self._existing("articles", unique)
        new = [ca for aid, ca in unique.items() if aid not in existing]
        skipped = len(coded) - len(new)

        articles = [article_row(ca.article, path, at) for ca in new]
        mentions = [mention_row(ca.article.id, m) for ca in new for m in ca.mentions]
        events: dict[str, dict[str, Any]] = {}
        for ca in new:
            for e in ca.events:
                if e.article_id != ca.article.id:
                    raise ValueError(f"event {e.id} has article_id {e.article_id}, "
                                     f"but belongs to article {ca.article.id}")
                events.setdefault(e.id, event_row(e, ca.article.published))
        # Event ids hash their article id, so events of a new article are new too;
        # the primary key still guards against a collision (and fails the file).

        actors: dict[str, dict[str, Any]] = {}
        for ca in new:
            refs = [m.actor for m in ca.mentions]
            for e in ca.events:
                refs.append(e.source)
                if e.target is not None:
                    refs.append(e.target)
            for r in refs:
                aid = actor_id(r.country, r.sector, r.name)
                actors.setdefault(aid, {"id": aid, "country": r.country,
                                        "sector": r.sector, "name": r.name})
        countries = {(m["article_id"], m["country"]) for m in mentions
                     if m["country"] is not None}
        countries |= {(e["article_id"], e[side]) for e in events.values()
                      for side in ("source_country", "target_country") if e[side] is not None}
        self._insert([
            ("articles", ARTICLE_SCHEMA, articles),
            ("actors", ACTOR_SCHEMA, list(actors.values())),
            ("mentions", MENTION_SCHEMA, mentions),
            ("events", EVENT_SCHEMA, list(events.values())),
            ("article_countries", ARTICLE_COUNTRY_SCHEMA,
             [{"article_id": a, "country": c} for a, c in sorted(countries)]),
        ])
        status = "stored" if articles else "skipped"
        self.con.execute(
            "INSERT INTO ingest_log VALUES (?, ?, ?, NULL, ?, ?, ?)",
            [path, content_hash, status, len(articles), len(events), at],
        )
        return SaveResult(new_articles=len(articles), new_events=len(events),
                          skipped_articles=skipped)

    def log_problem(self, path: str, problem: str, content_hash: str | None = None) -> None:
        """Record a source that failed (parse error, failed save, ...) in ingest_log."""
        if content_hash is None:
            content_hash = file_hash(path)
        self.con.execute(
            "INSERT INTO ingest_log VALUES (?, ?, 'failed', ?, 0, 0, ?)",
            [path, content_hash, problem, now()],
        )

    def seen_hash(self, content_hash: str) -> bool:
        """True if a file with these exact bytes was already stored or skipped.

        Lets the ingester skip unchanged files before parsing them at all.
        """
        return bool(self._scalar(
            "SELECT count(*) FROM ingest_log WHERE content_hash = ? AND status <> 'failed'",
            [content_hash]))

    def save_stories(self, profiles: list[dict[str, Any]], story_of: dict[str, str],
                     duplicate_of: dict[str, str], origins: dict[str, list[str]],
                     stories: list[Story], happenings: list[Happening],
                     events: list[Event], replaced: set[str]) -> None:
        """Write one grouping round in one transaction: new profiles, article links,
        the rebuilt stories (``replaced`` lists the story ids they supersede) and the
        happenings of those stories, with their mentions updated."""
        with self.transaction("could not store the story grouping"):
            self._insert([("article_profiles", PROFILE_SCHEMA, profiles)])
            links = [{"id": a, "story_id": sid, "duplicate_of": duplicate_of.get(a),
                      "origins": origins.get(a, [])} for a, sid in story_of.items()]
            self._update_from("articles", links, ["story_id", "duplicate_of", "origins"],
                              ARTICLE_SCHEMA)
            gone = sorted(replaced | {s.id for s in stories})
            self.con.execute("DELETE FROM stories WHERE list_contains(?, id)", [gone])
            self.con.execute("DELETE FROM happenings WHERE list_contains(?, story_id)", [gone])
            self._insert([
                ("stories", STORY_SCHEMA, [s.model_dump() for s in stories]),
                ("happenings", HAPPENING_SCHEMA, [happening_row(h) for h in happenings]),
            ])
            rows = [{"id": e.id, "story_id": e.story_id, "happening_id": e.happening_id,
                     "mentions": e.mentions} for e in events]
            self._update_from("events", rows, ["story_id", "happening_id", "mentions"],
                              EVENT_SCHEMA)

    def _update_from(self, table: str, rows: list[dict[str, Any]], columns: list[str],
                     schema: pa.Schema) -> None:
        if not rows:
            return
        sub = pa.schema([schema.field(c) for c in ["id", *columns]])
        self.con.register("_upd", pa.Table.from_pylist(rows, schema=sub))
        try:
            sets = ", ".join(f"{c} = u.{c}" for c in columns)
            self.con.execute(f"UPDATE {table} SET {sets} FROM _upd u WHERE {table}.id = u.id")
        finally:
            self.con.unregister("_upd")
