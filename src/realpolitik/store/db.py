"""DuckDB persistence for coded articles: one file = one transaction, idempotent.

Why DuckDB: a single local file, fast columnar scans for the analysis queries
and zero-copy Arrow import for bulk inserts. All writes go through pyarrow
tables registered as views, so a benchmark ingesting thousands of articles
does a handful of INSERT ... SELECT statements per file, not one per row.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pyarrow as pa
from pydantic import BaseModel

from realpolitik.files import FileRefused, open_regular
from realpolitik.records import (
    ActorMention,
    ActorRef,
    Article,
    CodedArticle,
    Event,
    Happening,
    Story,
)
from realpolitik.store.schema import MIGRATIONS, SCHEMA_VERSION

DEFAULT_DB = "realpolitik.duckdb"
MAX_HASHED_BYTES = 50_000_000  # no source over this is ever read (IngestLimits)
TABLES = ("articles", "actors", "mentions", "events", "ingest_log", "article_profiles",
          "stories", "happenings")


class StoreError(RuntimeError):
    """Any failure to read or write the store, with a message fit for users."""


class SchemaVersionError(StoreError):
    """The database was written by a newer (or incompatible) realpolitik."""


class StoreLockedError(StoreError):
    """Another process holds the database file (DuckDB allows one writer process)."""


def _open_error(path: Path, exc: duckdb.Error) -> StoreError:
    """A one-line, user-facing reason why DuckDB could not open ``path``."""
    text = str(exc)
    if "Could not set lock" in text:
        return StoreLockedError(f"{path} is locked by another process")
    if "not a valid DuckDB database" in text:
        return StoreError(f"{path} is not a DuckDB database (corrupt, or another kind of file)")
    return StoreError(f"cannot open database {path}: {text.splitlines()[0] if text else exc}")


class SaveResult(BaseModel):
    """What one `save_source` call changed."""

    new_articles: int = 0
    new_events: int = 0
    skipped_articles: int = 0


class ActorRow(BaseModel):
    """One distinct actor (country, sector, name) and how often it occurs."""

    id: str
    country: str | None
    sector: str | None
    name: str
    mentions: int = 0
    events: int = 0


def actor_id(country: str | None, sector: str | None, name: str) -> str:
    """Deterministic actor id, so bulk inserts need no sequence round-trips."""
    key = f"{country or ''}|{sector or ''}|{name}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


_S = pa.string()
_I = pa.int32()
_LS = pa.list_(pa.string())

ARTICLE_SCHEMA = pa.schema([
    ("id", _S), ("path", _S), ("url", _S), ("outlet", _S), ("title", _S), ("summary", _S),
    ("published", pa.date32()), ("dateline", _LS), ("cites", _LS), ("language", _S),
    ("text", _S), ("story_id", _S), ("duplicate_of", _S), ("origins", _LS),
    ("source_path", _S), ("ingested_at", pa.timestamp("us")),
])
ACTOR_SCHEMA = pa.schema([("id", _S), ("country", _S), ("sector", _S), ("name", _S)])
MENTION_SCHEMA = pa.schema([
    ("article_id", _S), ("section", _S), ("start", _I), ("end", _I), ("actor_id", _S),
    ("country", _S), ("sector", _S), ("name", _S), ("text", _S), ("rule", _S),
])
EVENT_SCHEMA = pa.schema([
    ("id", _S), ("article_id", _S),
    ("source_actor_id", _S), ("source_country", _S), ("source_sector", _S),
    ("source_name", _S), ("source_text", _S),
    ("target_actor_id", _S), ("target_country", _S), ("target_sector", _S),
    ("target_name", _S), ("target_text", _S),
    ("type", _S), ("quad_class", _S), ("cameo_root", _S), ("negated", pa.bool_()),
    ("modality", _S), ("attributed_to", _LS), ("date", pa.date32()), ("sentence", _S),
    ("section", _S), ("start", _I), ("end", _I), ("trigger", _S),
    ("confidence", pa.float64()), ("rule", _S), ("story_id", _S), ("happening_id", _S),
    ("mentions", _I), ("language", _S),
])
# A mention's outlets and origins are its happening's: joined in when read, never copied
# onto each mention row (a story with many outlets would multiply them).
_EVENTS = ("(SELECT e.*, COALESCE(h.outlets, []) AS outlets, COALESCE(h.origins, []) AS origins"
           " FROM events e LEFT JOIN happenings h ON h.id = e.happening_id)")
PROFILE_SCHEMA = pa.schema([
    ("article_id", _S), ("published", pa.date32()), ("outlet", _S),
    ("vector", pa.list_(pa.float32())), ("signature", pa.list_(pa.uint64())),
    ("actors", _LS), ("types", _LS),
])
STORY_SCHEMA = pa.schema([
    ("id", _S), ("label", _S), ("first_date", pa.date32()), ("last_date", pa.date32()),
    ("article_count", _I), ("articles", _LS), ("outlets", _LS), ("origins", _LS),
])
HAPPENING_SCHEMA = pa.schema([
    ("id", _S), ("story_id", _S),
    ("source_country", _S), ("source_sector", _S), ("source_name", _S), ("source_text", _S),
    ("target_country", _S), ("target_sector", _S), ("target_name", _S), ("target_text", _S),
    ("type", _S), ("quad_class", _S), ("cameo_root", _S), ("negated", pa.bool_()),
    ("modality", _S), ("date", pa.date32()), ("last_date", pa.date32()), ("mentions", _I),
    ("outlets", _LS), ("origins", _LS), ("event_ids", _LS), ("sentence", _S),
])


def _where(sql: str, conditions: list[str]) -> str:
    """Append the AND of the filter conditions (if any) to a SELECT."""
    return f"{sql} WHERE {' AND '.join(conditions)}" if conditions else sql


def _dyad(prefix: str, source: str | None, target: str | None) -> tuple[list[str], list[Any]]:
    """Filter conditions for a source and/or target country (column prefix e.g. 'e.')."""
    where: list[str] = []
    params: list[Any] = []
    for side, code in (("source", source), ("target", target)):
        if code is not None:
            where.append(f"{prefix}{side}_country = ?")
            params.append(code)
    return where, params


def _q(name: str) -> str:
    """Quote a column name (`start` / `end` are SQL keywords)."""
    return f'"{name}"'


def _cols(schema: pa.Schema) -> str:
    return ", ".join(_q(n) for n in schema.names)


def _article_row(a: Article, source_path: str, at: dt.datetime) -> dict[str, Any]:
    row = a.model_dump()
    row["source_path"] = source_path
    row["ingested_at"] = at
    return row


def _actor_cols(prefix: str, ref: ActorRef | None) -> dict[str, Any]:
    if ref is None:
        return {f"{prefix}_actor_id": None, f"{prefix}_country": None,
                f"{prefix}_sector": None, f"{prefix}_name": None, f"{prefix}_text": None}
    return {
        f"{prefix}_actor_id": actor_id(ref.country, ref.sector, ref.name),
        f"{prefix}_country": ref.country, f"{prefix}_sector": ref.sector,
        f"{prefix}_name": ref.name, f"{prefix}_text": ref.text,
    }


def _event_row(e: Event) -> dict[str, Any]:
    row = e.model_dump(exclude={"source", "target", "outlets", "origins"})
    row.update(_actor_cols("source", e.source))
    row.update(_actor_cols("target", e.target))
    return row


def _mention_row(article_id: str, m: ActorMention) -> dict[str, Any]:
    a = m.actor
    return {
        "article_id": article_id, "section": m.section, "start": m.start, "end": m.end,
        "actor_id": actor_id(a.country, a.sector, a.name), "country": a.country,
        "sector": a.sector, "name": a.name, "text": a.text, "rule": m.rule,
    }


def _row_to_event(r: dict[str, Any]) -> Event:
    source = ActorRef(country=r["source_country"], sector=r["source_sector"],
                      name=r["source_name"], text=r["source_text"])
    target = None
    if r["target_name"] is not None:
        target = ActorRef(country=r["target_country"], sector=r["target_sector"],
                          name=r["target_name"], text=r["target_text"] or "")
    fields = {k: r[k] for k in Event.model_fields if k not in ("source", "target")}
    for key in ("attributed_to", "outlets", "origins"):
        fields[key] = fields[key] or []
    fields["mentions"] = fields["mentions"] or 1
    return Event(source=source, target=target, **fields)


def _row_to_article(r: dict[str, Any]) -> Article:
    fields = {k: r[k] for k in Article.model_fields}
    for key in ("dateline", "cites", "origins"):
        fields[key] = fields[key] or []
    return Article(**fields)


def _actor_from(r: dict[str, Any], prefix: str) -> ActorRef | None:
    if r[f"{prefix}_name"] is None:
        return None
    return ActorRef(country=r[f"{prefix}_country"], sector=r[f"{prefix}_sector"],
                    name=r[f"{prefix}_name"], text=r[f"{prefix}_text"] or "")


def _happening_row(h: Happening) -> dict[str, Any]:
    row = h.model_dump(exclude={"source", "target"})
    for prefix, ref in (("source", h.source), ("target", h.target)):
        cols = _actor_cols(prefix, ref)
        cols.pop(f"{prefix}_actor_id")
        row.update(cols)
    return row


def _row_to_happening(r: dict[str, Any]) -> Happening:
    fields = {k: r[k] for k in Happening.model_fields if k not in ("source", "target")}
    source = _actor_from(r, "source")
    assert source is not None
    return Happening(source=source, target=_actor_from(r, "target"), **fields)


class Store:
    """The project's database. Use as a context manager; writes are per source file.

    Opening applies any pending schema migrations (unless read_only), and refuses
    a database whose schema is newer than this code understands.
    """

    def __init__(self, path: str | Path = DEFAULT_DB, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise StoreError(f"database {self.path} does not exist (nothing ingested yet?)")
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise _open_error(self.path, exc) from exc
        try:
            self._migrate()
        except BaseException:
            self.con.close()
            raise

    # ----------------------------------------------------------------- lifecycle
    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    @contextmanager
    def reader(self) -> Iterator[Store]:
        """A read-only view on its own DuckDB cursor, for use in another thread.

        DuckDB cursors are separate connections to the same database: a reader sees the
        last committed state and never waits for a write transaction on ``self.con``.
        """
        view = copy.copy(self)
        view.con = self.con.cursor()
        view.read_only = True
        try:
            yield view
        finally:
            view.con.close()

    # ---------------------------------------------------------------- migrations
    def schema_version(self) -> int:
        """Current schema version of the open database (0 = empty database)."""
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        ).fetchone()
        if not exists or exists[0] == 0:
            return 0
        row = self.con.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def _migrate(self) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"database {self.path} has schema version {current}, but this realpolitik "
                f"only knows up to version {SCHEMA_VERSION}; upgrade realpolitik to open it"
            )
        if current == SCHEMA_VERSION:
            return
        if self.read_only:
            raise SchemaVersionError(
                f"database {self.path} has schema version {current} < {SCHEMA_VERSION}; "
                "open it once without read_only to migrate it"
            )
        if current == 0:
            self.con.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                "version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)"
            )
        for version, (description, sql) in enumerate(MIGRATIONS, start=1):
            if version <= current:
                continue
            self.con.begin()
            try:
                self.con.execute(sql)
                self.con.execute("INSERT INTO schema_version VALUES (?, ?, ?)",
                                 [version, description, _now()])
                self.con.commit()
            except Exception as exc:
                self.con.rollback()
                raise StoreError(
                    f"migration {version} ({description}) failed on {self.path}: {exc}"
                ) from exc

    # -------------------------------------------------------------------- writes
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
            f"SELECT id FROM {table} WHERE list_contains(?, id)", [ids]
        ).fetchall()
        return {r[0] for r in rows}

    def save_source(self, path: str, coded: list[CodedArticle],
                    content_hash: str | None = None) -> SaveResult:
        """Store everything coded from one source file in one transaction.

        Articles already stored (same id) are skipped together with their events
        and mentions, so re-ingesting a file is a no-op. On any error nothing of
        this file is kept and a StoreError is raised. `content_hash` defaults to
        the sha256 of the file at `path` (None if it is not a local file).
        """
        if self.read_only:
            raise StoreError(f"database {self.path} is open read-only")
        if content_hash is None:
            content_hash = file_hash(path)
        self.con.begin()
        try:
            result = self._save(path, coded, content_hash)
            self.con.commit()
        except Exception as exc:
            self.con.rollback()
            raise StoreError(f"could not store {path}; nothing from it was saved: {exc}") from exc
        return result

    def _save(self, path: str, coded: list[CodedArticle], content_hash: str | None
              ) -> SaveResult:
        at = _now()
        # De-duplicate within the file first (the same article twice in one feed).
        unique: dict[str, CodedArticle] = {}
        for ca in coded:
            if not isinstance(ca, CodedArticle):
                raise TypeError(f"expected CodedArticle, got {type(ca).__name__}")
            unique.setdefault(ca.article.id, ca)
        existing = self._existing("articles", unique)
        new = [ca for aid, ca in unique.items() if aid not in existing]
        skipped = len(coded) - len(new)

        articles = [_article_row(ca.article, path, at) for ca in new]
        mentions = [_mention_row(ca.article.id, m) for ca in new for m in ca.mentions]
        events: dict[str, dict[str, Any]] = {}
        for ca in new:
            for e in ca.events:
                if e.article_id != ca.article.id:
                    raise ValueError(f"event {e.id} has article_id {e.article_id}, "
                                     f"but belongs to article {ca.article.id}")
                events.setdefault(e.id, _event_row(e))
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
        self._insert([
            ("articles", ARTICLE_SCHEMA, articles),
            ("actors", ACTOR_SCHEMA, list(actors.values())),
            ("mentions", MENTION_SCHEMA, mentions),
            ("events", EVENT_SCHEMA, list(events.values())),
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
            [path, content_hash, problem, _now()],
        )

    def seen_hash(self, content_hash: str) -> bool:
        """True if a file with these exact bytes was already stored or skipped.

        Lets the ingester skip unchanged files before parsing them at all.
        """
        row = self.con.execute(
            "SELECT count(*) FROM ingest_log WHERE content_hash = ? AND status <> 'failed'",
            [content_hash],
        ).fetchone()
        return bool(row and row[0])

    # ------------------------------------------------------------------- queries
    def _dicts(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def articles(self, country: str | None = None, since: dt.date | None = None,
                 ids: list[str] | None = None, until: dt.date | None = None,
                 story_id: str | None = None) -> list[Article]:
        """Stored articles, optionally only those involving `country` (in an event
        or a mention), published between `since` and `until`, of a story, or with the
        given ids."""
        where, params = [], []
        if until is not None:
            where.append("a.published <= ?")
            params.append(until)
        if story_id is not None:
            where.append("a.story_id = ?")
            params.append(story_id)
        if country is not None:
            where.append(
                "a.id IN (SELECT article_id FROM events "
                "WHERE source_country = ? OR target_country = ? "
                "UNION SELECT article_id FROM mentions WHERE country = ?)"
            )
            params += [country, country, country]
        if since is not None:
            where.append("a.published >= ?")
            params.append(since)
        if ids is not None:
            where.append("list_contains(?, a.id)")
            params.append(list(ids))
        sql = "SELECT * FROM articles a"
        sql = _where(sql, where)
        sql += " ORDER BY a.published NULLS LAST, a.id"
        return [_row_to_article(r) for r in self._dicts(sql, params)]

    def events(self, country: str | None = None, since: dt.date | None = None,
               article_id: str | None = None, type: str | None = None,
               story_id: str | None = None, source: str | None = None,
               target: str | None = None, until: dt.date | None = None) -> list[Event]:
        """Stored events, filtered by source-or-target country, dyad (source, target),
        date (the event's date, else its article's publication date), article, story
        and PLOVER type."""
        where, params = _dyad("e.", source, target)
        if until is not None:
            where.append("COALESCE(e.date, a.published) <= ?")
            params.append(until)
        if country is not None:
            where.append("(e.source_country = ? OR e.target_country = ?)")
            params += [country, country]
        if since is not None:
            where.append("COALESCE(e.date, a.published) >= ?")
            params.append(since)
        if article_id is not None:
            where.append("e.article_id = ?")
            params.append(article_id)
        if type is not None:
            where.append("e.type = ?")
            params.append(type)
        if story_id is not None:
            where.append("e.story_id = ?")
            params.append(story_id)
        sql = f"SELECT e.* FROM {_EVENTS} e JOIN articles a ON a.id = e.article_id"
        sql = _where(sql, where)
        sql += (' ORDER BY COALESCE(e.date, a.published) NULLS LAST, e.article_id, e.section,'
                ' e."start", e.id')
        return [_row_to_event(r) for r in self._dicts(sql, params)]

    def mentions(self, article_id: str) -> list[ActorMention]:
        """The actor mentions stored for one article, in text order."""
        return self._mentions_of([article_id]).get(article_id, [])

    def _mentions_of(self, article_ids: list[str]) -> dict[str, list[ActorMention]]:
        rows = self._dicts(
            "SELECT * FROM mentions WHERE list_contains(?, article_id) "
            'ORDER BY article_id, section, "start", "end"', [article_ids])
        out: dict[str, list[ActorMention]] = {}
        for r in rows:
            out.setdefault(r["article_id"], []).append(ActorMention(
                actor=ActorRef(country=r["country"], sector=r["sector"], name=r["name"],
                               text=r["text"]),
                section=r["section"], start=r["start"], end=r["end"], rule=r["rule"]))
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

    def actors(self, country: str | None = None) -> list[ActorRow]:
        """Distinct actors with mention and event counts, most frequent first."""
        sql = "SELECT * FROM actor_counts"
        params: list[Any] = []
        if country is not None:
            sql += " WHERE country = ?"
            params.append(country)
        sql += " ORDER BY mentions + events DESC, country NULLS LAST, name"
        return [ActorRow(**r) for r in self._dicts(sql, params)]

    # ------------------------------------------------------------------- stories
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

    def save_stories(self, profiles: list[dict[str, Any]], story_of: dict[str, str],
                     duplicate_of: dict[str, str], origins: dict[str, list[str]],
                     stories: list[Story], happenings: list[Happening],
                     events: list[Event], replaced: set[str]) -> None:
        """Write one grouping round in one transaction: new profiles, article links,
        the rebuilt stories (``replaced`` lists the story ids they supersede) and the
        happenings of those stories, with their mentions updated."""
        if self.read_only:
            raise StoreError(f"database {self.path} is open read-only")
        self.con.begin()
        try:
            self._insert([("article_profiles", PROFILE_SCHEMA, profiles)])
            links = [{"id": a, "story_id": sid, "duplicate_of": duplicate_of.get(a),
                      "origins": origins.get(a, [])} for a, sid in story_of.items()]
            self._update_from("articles", links, pa.schema([
                ("id", _S), ("story_id", _S), ("duplicate_of", _S), ("origins", _LS)]),
                ["story_id", "duplicate_of", "origins"])
            gone = sorted(replaced | {s.id for s in stories})
            self.con.execute("DELETE FROM stories WHERE list_contains(?, id)", [gone])
            self.con.execute("DELETE FROM happenings WHERE list_contains(?, story_id)", [gone])
            self._insert([
                ("stories", STORY_SCHEMA, [s.model_dump() for s in stories]),
                ("happenings", HAPPENING_SCHEMA, [_happening_row(h) for h in happenings]),
            ])
            rows = [{"id": e.id, "story_id": e.story_id, "happening_id": e.happening_id,
                     "mentions": e.mentions} for e in events]
            self._update_from("events", rows, pa.schema([
                ("id", _S), ("story_id", _S), ("happening_id", _S), ("mentions", _I)]),
                ["story_id", "happening_id", "mentions"])
            self.con.commit()
        except Exception as exc:
            self.con.rollback()
            raise StoreError(f"could not store the story grouping: {exc}") from exc

    def _update_from(self, table: str, rows: list[dict[str, Any]], schema: pa.Schema,
                     columns: list[str]) -> None:
        if not rows:
            return
        self.con.register("_upd", pa.Table.from_pylist(rows, schema=schema))
        try:
            sets = ", ".join(f"{c} = u.{c}" for c in columns)
            self.con.execute(f"UPDATE {table} SET {sets} FROM _upd u WHERE {table}.id = u.id")
        finally:
            self.con.unregister("_upd")

    def stories(self, country: str | None = None, since: dt.date | None = None,
                ids: list[str] | None = None) -> list[Story]:
        where, params = [], []
        if country is not None:
            where.append("s.id IN (SELECT story_id FROM events WHERE source_country = ? "
                         "OR target_country = ?)")
            params += [country, country]
        if since is not None:
            where.append("s.last_date >= ?")
            params.append(since)
        if ids is not None:
            where.append("list_contains(?, s.id)")
            params.append(list(ids))
        sql = "SELECT * FROM stories s"
        sql = _where(sql, where)
        sql += " ORDER BY s.first_date NULLS LAST, s.id"
        return [Story(**r) for r in self._dicts(sql, params)]

    def happenings(self, story_id: str | None = None, country: str | None = None,
                   since: dt.date | None = None, until: dt.date | None = None,
                   source: str | None = None, target: str | None = None,
                   type: str | None = None) -> list[Happening]:
        """Happenings (one per event in the world), filtered like ``events``."""
        where, params = _dyad("", source, target)
        if until is not None:
            where.append("date <= ?")
            params.append(until)
        if type is not None:
            where.append("type = ?")
            params.append(type)
        if story_id is not None:
            where.append("story_id = ?")
            params.append(story_id)
        if country is not None:
            where.append("(source_country = ? OR target_country = ?)")
            params += [country, country]
        if since is not None:
            where.append("COALESCE(last_date, date) >= ?")
            params.append(since)
        sql = "SELECT * FROM happenings"
        sql = _where(sql, where)
        sql += " ORDER BY date NULLS LAST, id"
        return [_row_to_happening(r) for r in self._dicts(sql, params)]

    def event(self, event_id: str) -> Event | None:
        rows = self._dicts(f"SELECT * FROM {_EVENTS} WHERE id = ?", [event_id])
        return _row_to_event(rows[0]) if rows else None

    def happening(self, happening_id: str) -> Happening | None:
        rows = self._dicts("SELECT * FROM happenings WHERE id = ?", [happening_id])
        return _row_to_happening(rows[0]) if rows else None

    def mentions_of(self, happening_id: str) -> list[Event]:
        """The event mentions (article sentences) merged into one happening."""
        rows = self._dicts(f'SELECT * FROM {_EVENTS} WHERE happening_id = ? '
                           'ORDER BY date NULLS LAST, article_id, "start", id', [happening_id])
        return [_row_to_event(r) for r in rows]

    def country_counts(self) -> list[tuple[str, int, int]]:
        """(country, event mentions, stories) for every country in an event, most first."""
        rows = self.con.execute(
            "WITH sides AS (SELECT id, source_country AS c, story_id FROM events "
            "UNION SELECT id, target_country, story_id FROM events) "
            "SELECT c, count(*) AS n, count(DISTINCT story_id) AS s FROM sides "
            "WHERE c IS NOT NULL GROUP BY c ORDER BY n DESC, c").fetchall()
        return [(r[0], int(r[1]), int(r[2])) for r in rows]

    def events_for_articles(self, article_ids: list[str]) -> list[Event]:
        rows = self._dicts(f"SELECT * FROM {_EVENTS} WHERE list_contains(?, article_id) "
                           'ORDER BY article_id, section, "start", id', [article_ids])
        return [_row_to_event(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """Row count of every table (for tests and diagnostics)."""
        out: dict[str, int] = {}
        for t in TABLES:
            row = self.con.execute(f"SELECT count(*) FROM {t}").fetchone()
            out[t] = int(row[0]) if row else 0
        return out
