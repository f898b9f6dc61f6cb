"""Ordered schema migrations for the DuckDB store.

Migrations are append-only: never edit a released one, add a new entry instead.
Migration N (1-based) brings the database to schema version N; each runs in
its own transaction together with the `schema_version` row that records it, so
a crash mid-migration leaves the database at the previous version.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from realpolitik.store.errors import SchemaTooOldError, SchemaVersionError
from realpolitik.store.transaction import transaction

MIGRATIONS: list[tuple[str, str]] = [
    (
        "initial schema: articles, actors, mentions, events, ingest_log",
        """
        CREATE TABLE articles (
            id          VARCHAR PRIMARY KEY,
            path        VARCHAR,
            url         VARCHAR,
            outlet      VARCHAR,
            title       VARCHAR,
            summary     VARCHAR,
            published   DATE,
            dateline    VARCHAR[],
            cites       VARCHAR[],
            language    VARCHAR,
            text        VARCHAR NOT NULL,
            source_path VARCHAR,
            ingested_at TIMESTAMP
        );

        CREATE TABLE actors (
            id      VARCHAR PRIMARY KEY,
            country VARCHAR,
            sector  VARCHAR,
            name    VARCHAR NOT NULL
        );

        CREATE TABLE mentions (
            article_id VARCHAR NOT NULL,
            section    VARCHAR NOT NULL,
            "start"    INTEGER NOT NULL,
            "end"      INTEGER NOT NULL,
            actor_id   VARCHAR NOT NULL,
            country    VARCHAR,
            sector     VARCHAR,
            name       VARCHAR NOT NULL,
            text       VARCHAR NOT NULL,
            rule       VARCHAR
        );

        CREATE TABLE events (
            id              VARCHAR PRIMARY KEY,
            article_id      VARCHAR NOT NULL,
            source_actor_id VARCHAR NOT NULL,
            source_country  VARCHAR,
            source_sector   VARCHAR,
            source_name     VARCHAR NOT NULL,
            source_text     VARCHAR NOT NULL,
            target_actor_id VARCHAR,
            target_country  VARCHAR,
            target_sector   VARCHAR,
            target_name     VARCHAR,
            target_text     VARCHAR,
            type            VARCHAR NOT NULL,
            quad_class      VARCHAR,
            cameo_root      VARCHAR,
            negated         BOOLEAN,
            modality        VARCHAR,
            attributed_to   VARCHAR[],
            date            DATE,
            sentence        VARCHAR,
            section         VARCHAR,
            "start"         INTEGER,
            "end"           INTEGER,
            trigger         VARCHAR,
            confidence      DOUBLE,
            rule            VARCHAR
        );

        CREATE TABLE ingest_log (
            path         VARCHAR NOT NULL,
            content_hash VARCHAR,
            status       VARCHAR NOT NULL,
            problem      VARCHAR,
            new_articles INTEGER,
            new_events   INTEGER,
            "at"         TIMESTAMP NOT NULL
        );

        -- Events with their article's date as a fallback, for time-series work.
        CREATE VIEW events_dated AS
        SELECT e.*, COALESCE(e.date, a.published) AS event_date, a.outlet, a.url
        FROM events e JOIN articles a ON a.id = e.article_id;

        -- How often each actor appears, so `actors` can be listed by salience.
        CREATE VIEW actor_counts AS
        WITH m AS (SELECT actor_id, count(*) AS n FROM mentions GROUP BY actor_id),
             e AS (SELECT actor_id, count(*) AS n FROM (
                       SELECT source_actor_id AS actor_id FROM events
                       UNION ALL
                       SELECT target_actor_id FROM events WHERE target_actor_id IS NOT NULL)
                   GROUP BY actor_id)
        SELECT ac.id, ac.country, ac.sector, ac.name,
               COALESCE(m.n, 0) AS mentions, COALESCE(e.n, 0) AS events
        FROM actors ac
        LEFT JOIN m ON m.actor_id = ac.id
        LEFT JOIN e ON e.actor_id = ac.id;
        """,
    ),
]

MIGRATIONS.append((
    "stories: story and duplicate links, origins, article profiles, stories, happenings",
    """
    ALTER TABLE articles ADD COLUMN story_id VARCHAR;
    ALTER TABLE articles ADD COLUMN duplicate_of VARCHAR;
    ALTER TABLE articles ADD COLUMN origins VARCHAR[];
    ALTER TABLE events ADD COLUMN story_id VARCHAR;
    ALTER TABLE events ADD COLUMN happening_id VARCHAR;
    ALTER TABLE events ADD COLUMN mentions INTEGER DEFAULT 1;
    ALTER TABLE events ADD COLUMN outlets VARCHAR[];
    ALTER TABLE events ADD COLUMN origins VARCHAR[];

    -- What story grouping knows of each article (computed once, at ingest).
    CREATE TABLE article_profiles (
        article_id VARCHAR PRIMARY KEY,
        published  DATE,
        outlet     VARCHAR,
        vector     FLOAT[] NOT NULL,
        signature  UBIGINT[] NOT NULL,
        actors     VARCHAR[],
        types      VARCHAR[]
    );

    CREATE TABLE stories (
        id            VARCHAR PRIMARY KEY,
        label         VARCHAR NOT NULL,
        first_date    DATE,
        last_date     DATE,
        article_count INTEGER NOT NULL,
        articles      VARCHAR[],
        outlets       VARCHAR[],
        origins       VARCHAR[]
    );

    -- One row per event in the world; events rows are its mentions.
    CREATE TABLE happenings (
        id             VARCHAR PRIMARY KEY,
        story_id       VARCHAR NOT NULL,
        source_country VARCHAR,
        source_sector  VARCHAR,
        source_name    VARCHAR NOT NULL,
        source_text    VARCHAR NOT NULL,
        target_country VARCHAR,
        target_sector  VARCHAR,
        target_name    VARCHAR,
        target_text    VARCHAR,
        type           VARCHAR NOT NULL,
        quad_class     VARCHAR,
        cameo_root     VARCHAR,
        negated        BOOLEAN,
        modality       VARCHAR,
        date           DATE,
        last_date      DATE,
        mentions       INTEGER,
        outlets        VARCHAR[],
        origins        VARCHAR[],
        event_ids      VARCHAR[],
        sentence       VARCHAR
    );
    """,
))

MIGRATIONS.append((
    "live watching: feed states, seen entries, fired alerts and alert memory",
    """
    -- One row per watched URL: its conditional-request validators and last outcome.
    CREATE TABLE live_feeds (
        url           VARCHAR PRIMARY KEY,
        etag          VARCHAR,
        last_modified VARCHAR,
        status        VARCHAR,
        problem       VARCHAR,
        entries       INTEGER,
        polled_at     TIMESTAMP,
        ok_at         TIMESTAMP
    );

    -- Every entry dealt with (canonical URL or content key), so a restart repeats nothing.
    CREATE TABLE live_seen (
        key        VARCHAR PRIMARY KEY,
        source     VARCHAR NOT NULL,
        article_id VARCHAR,
        outcome    VARCHAR NOT NULL,
        seen_at    TIMESTAMP NOT NULL
    );

    -- Alerts fired, once per key (the change they report).
    CREATE TABLE alerts (
        key         VARCHAR PRIMARY KEY,
        rule        VARCHAR NOT NULL,
        kind        VARCHAR NOT NULL,
        country     VARCHAR,
        counterpart VARCHAR,
        title       VARCHAR NOT NULL,
        fired_at    TIMESTAMP NOT NULL,
        payload     VARCHAR NOT NULL
    );

    -- What an edge-triggered rule saw last (e.g. whether an index was above its threshold).
    CREATE TABLE alert_state (
        key   VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL,
        "at"  TIMESTAMP NOT NULL
    );
    """,
))

MIGRATIONS.append((
    "events: a mention's outlets and origins are read from its happening, not copied per row",
    """
    ALTER TABLE events DROP COLUMN outlets;
    ALTER TABLE events DROP COLUMN origins;
    """,
))

MIGRATIONS.append((
    "event language: the ISO 639-1 code of the sentence each event was coded from",
    "ALTER TABLE events ADD COLUMN language VARCHAR DEFAULT 'en';",
))

MIGRATIONS.append((
    "events: day (the event's date, else its article's), so listings sort without a join",
    """
    ALTER TABLE events ADD COLUMN day DATE;
    UPDATE events SET day = COALESCE(events.date, a.published)
    FROM articles a WHERE a.id = events.article_id;
    """,
))

MIGRATIONS.append((
    "article_countries: every country an article's events or mentions name, for filters",
    """
    -- Derived from events (source and target) and mentions; kept by Writes._save, which
    -- stores an article's events and mentions together (neither is changed afterwards).
    CREATE TABLE article_countries (
        article_id VARCHAR NOT NULL,
        country    VARCHAR NOT NULL,
        PRIMARY KEY (article_id, country)
    );
    INSERT INTO article_countries
    SELECT DISTINCT article_id, country FROM (
        SELECT article_id, source_country AS country FROM events
        UNION ALL SELECT article_id, target_country FROM events
        UNION ALL SELECT article_id, country FROM mentions)
    WHERE country IS NOT NULL;
    """,
))

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """Schema version of an open database (0 = empty database)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()
    if not exists or exists[0] == 0:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def migrate(con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
    """Apply the pending migrations, each in its own transaction; refuse a newer schema."""
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"database {path} has schema version {current}, but this realpolitik "
            f"only knows up to version {SCHEMA_VERSION}; upgrade realpolitik to open it")
    if current == SCHEMA_VERSION:
        return
    if read_only:
        raise SchemaTooOldError(
            f"database {path} has schema version {current} < {SCHEMA_VERSION}; "
            "open it once without read_only to migrate it")
    if current == 0:
        con.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                    "version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)")
    for version, (description, sql) in enumerate(MIGRATIONS, start=1):
        if version <= current:
            continue
        with transaction(con, f"migration {version} ({description}) failed on {path}"):
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, ?, ?)",
                        [version, description, dt.datetime.now(dt.UTC).replace(tzinfo=None)])
