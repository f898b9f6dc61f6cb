"""Store: migrations, atomic idempotent saves, and record-returning queries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from realpolitik.records import ActorMention, ActorRef, Article, CodedArticle, Event, content_id
from realpolitik.store import (
    SCHEMA_VERSION,
    SchemaVersionError,
    Store,
    StoreError,
)


def make_event(article_id: str, n: int, source: str, target: str | None, type_: str = "ACCUSE",
               date: dt.date | None = None, confidence: float = 0.7) -> Event:
    return Event(
        id=f"{article_id}-e{n}",
        article_id=article_id,
        source=ActorRef(country=source, sector="GOV", name=f"{source} government", text=source),
        target=(ActorRef(country=target, sector=None, name=target, text=target)
                if target else None),
        type=type_,
        quad_class="VERBAL_CONFLICT",
        cameo_root="11",
        attributed_to=["Reuters"],
        date=date,
        sentence=f"{source} accused {target}.",
        start=n * 10,
        end=n * 10 + 8,
        trigger="accused",
        confidence=confidence,
        rule="test",
    )


def make_coded(text: str, published: dt.date, pairs: list[tuple[str, str | None, str]],
               mention_country: str | None = None) -> CodedArticle:
    aid = content_id(text)
    article = Article(id=aid, path="x.html", url=f"https://ex.org/{aid}", outlet="Ex",
                      title="T " + text[:10], summary=None, published=published,
                      dateline=["KYIV"], cites=["Reuters", "AP"], text=text)
    mentions = []
    if mention_country:
        mentions.append(ActorMention(actor=ActorRef(country=mention_country, sector=None,
                                               name=mention_country, text=mention_country),
                                start=0, end=3))
    events = [make_event(aid, i, s, t, ty) for i, (s, t, ty) in enumerate(pairs)]
    return CodedArticle(article=article, mentions=mentions, events=events)


@pytest.fixture
def file_a() -> list[CodedArticle]:
    return [
        make_coded("Russia accused Ukraine of shelling.", dt.date(2024, 1, 5),
                   [("RUS", "UKR", "ACCUSE"), ("UKR", "RUS", "ASSAULT")]),
        make_coded("France met Germany in Paris.", dt.date(2024, 3, 1),
                   [("FRA", "DEU", "CONSULT")], mention_country="BEL"),
    ]


@pytest.fixture
def file_b() -> list[CodedArticle]:
    return [make_coded("Japan offered aid to Nepal.", dt.date(2024, 6, 1),
                       [("JPN", "NPL", "AID"), ("JPN", None, "AID")])]


def test_migrations_create_schema_and_version(tmp_path: Path) -> None:
    db = tmp_path / "rp.duckdb"
    with Store(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.counts() == {"articles": 0, "actors": 0, "mentions": 0, "events": 0,
                                  "ingest_log": 0, "article_profiles": 0, "stories": 0,
                                  "happenings": 0}
        cols = {r[0] for r in store.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name='events'"
        ).fetchall()}
        assert {"source_country", "target_text", "attributed_to", "start", "end"} <= cols
    # Reopening does not re-apply migrations.
    with Store(db) as store:
        rows = store.con.execute("SELECT count(*) FROM schema_version").fetchone()
        assert rows == (SCHEMA_VERSION,)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "rp.duckdb"
    Store(db).close()
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO schema_version VALUES (?, 'from the future', NULL)",
                [SCHEMA_VERSION + 1])
    con.close()
    with pytest.raises(SchemaVersionError, match="upgrade realpolitik"):
        Store(db)


def test_read_only_missing_db_is_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store(tmp_path / "nope.duckdb", read_only=True)


def test_save_is_idempotent(tmp_path: Path, file_a: list[CodedArticle]) -> None:
    with Store(tmp_path / "rp.duckdb") as store:
        first = store.save_source("a.jsonl", file_a)
        assert (first.new_articles, first.new_events, first.skipped_articles) == (2, 3, 0)
        before = store.counts()
        second = store.save_source("a.jsonl", file_a)
        assert (second.new_articles, second.new_events, second.skipped_articles) == (0, 0, 2)
        after = store.counts()
        assert {k: v for k, v in after.items() if k != "ingest_log"} == {
            k: v for k, v in before.items() if k != "ingest_log"}
        assert after["ingest_log"] == 2
        statuses = store.con.execute("SELECT status FROM ingest_log ORDER BY \"at\"").fetchall()
        assert [s for (s,) in statuses] == ["stored", "skipped"]
        # actors are distinct (country, sector, name)
        assert before["actors"] == 7  # 2x RUS/UKR as source+target, FRA, DEU, BEL
        assert before["mentions"] == 1


def test_duplicate_article_within_file_stored_once(tmp_path: Path,
                                                   file_a: list[CodedArticle]) -> None:
    with Store(tmp_path / "rp.duckdb") as store:
        res = store.save_source("dup.jsonl", [file_a[0], file_a[0]])
        assert (res.new_articles, res.skipped_articles) == (1, 1)
        assert store.counts()["events"] == 2


def test_failure_rolls_back_whole_file(tmp_path: Path, file_a: list[CodedArticle],
                                       file_b: list[CodedArticle],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(tmp_path / "rp.duckdb") as store:
        store.save_source("a.jsonl", file_a)
        before = store.counts()

        # 1) an invalid record in the middle of the file
        with pytest.raises(StoreError, match=r"b\.jsonl"):
            store.save_source("b.jsonl", [*file_b, "not a record"])  # type: ignore[list-item]
        assert store.counts() == before

        # 2) a failure after the articles were already inserted
        real_insert = Store._insert

        def failing_insert(self: Store, tables) -> None:  # type: ignore[no-untyped-def]
            real_insert(self, tables)
            raise RuntimeError("disk full")

        monkeypatch.setattr(Store, "_insert", failing_insert)
        with pytest.raises(StoreError, match="disk full"):
            store.save_source("b.jsonl", file_b)
        monkeypatch.undo()
        assert store.counts() == before
        assert [a.id for a in store.articles()] == [ca.article.id for ca in file_a]

        store.log_problem("b.jsonl", "disk full")
        assert store.counts()["ingest_log"] == before["ingest_log"] + 1

        # The same file then goes in cleanly.
        res = store.save_source("b.jsonl", file_b)
        assert (res.new_articles, res.new_events) == (1, 2)


def test_queries_return_records(tmp_path: Path, file_a: list[CodedArticle],
                                file_b: list[CodedArticle]) -> None:
    with Store(tmp_path / "rp.duckdb") as store:
        store.save_source("a.jsonl", file_a)
        store.save_source("b.jsonl", file_b)

        arts = store.articles()
        assert len(arts) == 3 and all(isinstance(a, Article) for a in arts)
        assert arts[0] == file_a[0].article  # round-trips every field incl. lists
        assert [a.id for a in store.articles(country="UKR")] == [file_a[0].article.id]
        # country via a mention only
        assert [a.id for a in store.articles(country="BEL")] == [file_a[1].article.id]
        assert [a.id for a in store.articles(since=dt.date(2024, 2, 1))] == [
            file_a[1].article.id, file_b[0].article.id]
        assert store.articles(ids=[file_b[0].article.id]) == [file_b[0].article]
        assert store.articles(country="ZZZ") == []

        evs = store.events()
        assert len(evs) == 5 and all(isinstance(e, Event) for e in evs)
        assert store.events(article_id=file_a[0].article.id) == file_a[0].events
        assert {e.type for e in store.events(country="RUS")} == {"ACCUSE", "ASSAULT"}
        assert [e.type for e in store.events(type="AID")] == ["AID", "AID"]
        no_target = [e for e in store.events(type="AID") if e.target is None]
        assert len(no_target) == 1
        assert {e.article_id for e in store.events(since=dt.date(2024, 2, 1))} == {
            file_a[1].article.id, file_b[0].article.id}
        assert store.events(country="JPN", type="ACCUSE") == []

        coded = store.coded(file_a[1].article.id)
        assert coded == file_a[1]
        actors = store.actors(country="JPN")
        assert [(a.name, a.events) for a in actors] == [("JPN government", 2)]


def test_reopen_existing_db(tmp_path: Path, file_a: list[CodedArticle]) -> None:
    db = tmp_path / "rp.duckdb"
    with Store(db) as store:
        store.save_source("a.jsonl", file_a)
    with Store(db, read_only=True) as store:
        assert store.counts()["articles"] == 2
        assert len(store.events()) == 3
        with pytest.raises(StoreError, match="read-only"):
            store.save_source("a.jsonl", file_a)
    with Store(db) as store:
        assert store.save_source("a.jsonl", file_a).new_articles == 0


def test_content_hash_recorded(tmp_path: Path, file_a: list[CodedArticle]) -> None:
    src = tmp_path / "feed.xml"
    src.write_bytes(b"<rss/>")
    with Store(tmp_path / "rp.duckdb") as store:
        store.save_source(str(src), file_a)
        (h,) = store.con.execute("SELECT content_hash FROM ingest_log").fetchone()
        assert h is not None and len(h) == 64
        assert store.seen_hash(h)
        assert not store.seen_hash("0" * 64)


def test_mentions_read_their_happenings_outlets_instead_of_copying_them(
        tmp_path: Path, file_a: list[CodedArticle]) -> None:
    from realpolitik.records import Happening, Story

    outlets = [f"Outlet {n}" for n in range(600)]
    with Store(tmp_path / "o.duckdb") as store:
        store.save_source("a.jsonl", file_a)
        event = file_a[0].events[0]
        happening = Happening(
            id="h1", story_id="s1", source=event.source, target=event.target, type=event.type,
            quad_class=event.quad_class, cameo_root=event.cameo_root, negated=False,
            modality="asserted", mentions=1, outlets=outlets, origins=["Reuters"],
            event_ids=[event.id], sentence=event.sentence)
        story = Story(id="s1", label="x", article_count=1, articles=[event.article_id],
                      outlets=outlets, origins=["Reuters"])
        mention = event.model_copy(update={"story_id": "s1", "happening_id": "h1",
                                           "outlets": outlets, "origins": ["Reuters"]})
        store.save_stories([], {event.article_id: "s1"}, {}, {}, [story], [happening],
                           [mention], set())
        columns = {r[0] for r in store.con.execute("DESCRIBE events").fetchall()}
        assert "outlets" not in columns and "origins" not in columns
        read = store.event(event.id)
        assert read is not None and read.outlets == outlets and read.origins == ["Reuters"]
        assert store.mentions_of("h1")[0].outlets == outlets
        other = store.event(file_a[0].events[1].id)
        assert other is not None and other.outlets == [] and other.happening_id is None


def test_migrations_produce_the_columns_generated_from_the_records(tmp_path: Path) -> None:
    from realpolitik.store.tables import RECORD_TABLES

    with Store(tmp_path / "cols.duckdb") as store:
        for spec in RECORD_TABLES:
            stored = {r[0]: r[1] for r in store.con.execute(f"DESCRIBE {spec.name}").fetchall()}
            assert stored == {c.name: c.sql for c in spec.columns()}, spec.name
        # the generated DDL creates the same shape
        store.con.execute(RECORD_TABLES[3].ddl().replace("CREATE TABLE events",
                                                         "CREATE TEMP TABLE events_shape"))
        shape = {r[0]: r[1] for r in store.con.execute("DESCRIBE events_shape").fetchall()}
        assert shape == {c.name: c.sql for c in RECORD_TABLES[3].columns()}


def test_filter_table_builds_named_parameters_and_refuses_unknown_filters() -> None:
    from realpolitik.store.filters import EVENT_FILTERS, where

    assert where(EVENT_FILTERS, {"country": None}) == ("", {})
    clause, params = where(EVENT_FILTERS, {"country": "VEN", "type": "AID", "since": None,
                                           "ids": ("a", "b")})
    assert clause == (" WHERE (e.source_country = $country OR e.target_country = $country)"
                      " AND e.type = $type AND list_contains($ids, e.id)")
    assert params == {"country": "VEN", "type": "AID", "ids": ["a", "b"]}
    with pytest.raises(ValueError, match="unknown filter"):
        where(EVENT_FILTERS, {"colour": "red"})


def test_pages_and_counts_are_cut_in_sql(tmp_path: Path, file_a: list[CodedArticle],
                                         file_b: list[CodedArticle]) -> None:
    with Store(tmp_path / "p.duckdb") as store:
        store.save_source("a.jsonl", file_a)
        store.save_source("b.jsonl", file_b)
        everything = store.events()
        assert store.count_events() == len(everything) == 5
        pages = [store.events(limit=2, offset=n) for n in range(0, 5, 2)]
        assert [len(p) for p in pages] == [2, 2, 1]
        assert [e for p in pages for e in p] == everything
        assert store.events(type="AID", limit=1) == [e for e in everything
                                                     if e.type == "AID"][:1]
        assert store.count_events(type="AID") == 2
        assert store.count_articles(country="BEL") == 1
        assert store.articles(limit=1, offset=2) == store.articles()[2:3]
        assert store.count_actors(country="JPN") == 1
        # the page is cut by DuckDB on the sort keys, then only its rows are read
        seen: list[str] = []
        real = store.con

        class Recorder:
            def __getattr__(self, name: str) -> object:
                return getattr(real, name)

            def execute(self, sql: str, params: object = ()) -> object:
                seen.append(sql)
                return real.execute(sql, params)

        store.con = Recorder()  # type: ignore[assignment]
        assert store.events(limit=1) == everything[:1]
        store.con = real
        assert "LIMIT $limit" in seen[0] and "e.sentence" not in seen[0]
        assert "list_contains($ids, e.id)" in seen[1] and "LIMIT" not in seen[1]


def test_deep_pages_and_export_chunks_keep_the_listing_order(
        tmp_path: Path, file_a: list[CodedArticle], file_b: list[CodedArticle],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Seeking on the leading sort key (deep offsets) and exporting by ranges of days give
    exactly the full listing, undated rows (NULLS LAST) included."""
    import pyarrow as pa

    from realpolitik.store import queries

    undated = make_coded("Chile praised Peru.", dt.date(2024, 1, 1), [("CHL", "PER", "SUPPORT")])
    undated = undated.model_copy(update={
        "article": undated.article.model_copy(update={"published": None})})
    with Store(tmp_path / "seek.duckdb") as store:
        store.save_source("a.jsonl", file_a)
        store.save_source("b.jsonl", file_b)
        store.save_source("c.jsonl", [undated])
        events, articles = store.events(), store.articles()
        assert events[-1].date is None and articles[-1].published is None
        monkeypatch.setattr(queries, "SEEK_OFFSET", 0)  # every page seeks
        for limit in (1, 2, 4):
            for n in range(0, len(events) + 1):
                assert store.events(limit=limit, offset=n) == events[n:n + limit]
                assert store.articles(limit=limit, offset=n) == articles[n:n + limit]
        assert store.events(country="JPN", limit=1, offset=1) == [
            e for e in events if "JPN" in (e.source.country, e.target and e.target.country)][1:2]
        for chunk in (1, 2, 100):
            table = pa.Table.from_batches(list(store.event_batches(batch_rows=2,
                                                                   chunk_rows=chunk)))
            assert table.column("id").to_pylist() == [e.id for e in events]


def test_article_countries_are_kept_on_write_and_built_by_migration(
        tmp_path: Path, file_a: list[CodedArticle], file_b: list[CodedArticle]) -> None:
    """The derived table of article countries (the ``country`` filter of articles) holds
    every country of an article's events and mentions, whether written by ``save_source``
    or built by its migration on a database from before it."""
    from realpolitik.store import MIGRATIONS

    expected = sorted({(ca.article.id, c) for ca in [*file_a, *file_b]
                       for c in [m.actor.country for m in ca.mentions]
                       + [e.source.country for e in ca.events]
                       + [e.target.country for e in ca.events if e.target] if c})
    query = "SELECT article_id, country FROM article_countries ORDER BY ALL"
    db = tmp_path / "old.duckdb"
    with Store(db) as store:
        store.save_source("a.jsonl", file_a)
        store.save_source("b.jsonl", file_b)
        assert store.con.execute(query).fetchall() == expected
        assert store.count_articles(country="BEL") == 1  # named by a mention only
        assert store.articles(country="NPL") == [file_b[0].article]
    version = next(n for n, (what, _) in enumerate(MIGRATIONS, start=1)
                   if what.startswith("article_countries"))
    con = duckdb.connect(str(db))  # the database as it was before that migration
    con.execute("DROP TABLE article_countries")
    con.execute("DELETE FROM schema_version WHERE version >= ?", [version])
    con.close()
    with Store(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.con.execute(query).fetchall() == expected
        assert store.count_articles(country="BEL") == 1
