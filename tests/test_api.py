"""The HTTP API over a demo database: every endpoint, filters, pagination, the write path
with its token, size and error guards, the OpenAPI schema, and parity with the CLI JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from realpolitik.api import ApiSettings, create_app
from tests.conftest import DemoDb
from tests.helpers import run_cli

TOKEN = "s3cret-token"
LOCAL = "http://127.0.0.1"  # an allowed Host (the default "testserver" is not)
NEW_DOC = {
    "text": "Norway agreed on Tuesday to send medical aid to Sudan, the foreign ministry said. "
            "Norway also urged Egypt to open the border crossings for aid convoys.",
    "title": "Norway pledges aid to Sudan",
    "outlet": "Fjord Wire",
    "published": "2025-12-02",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_db: DemoDb) -> dict[str, Any]:
    """A copy of the session's demo DB (the app opens it read-write) and the CLI's JSON
    exports of it, made before any app opens the file."""
    folder = tmp_path_factory.mktemp("api")
    db = demo_db.copy(folder / "demo.duckdb")
    report = run_cli(["report", "--country", "VEN", "--db", str(db), "--format", "json"])
    articles = run_cli(["articles", "--db", str(db), "--format", "jsonl"])
    stories = run_cli(["stories", "--db", str(db), "--format", "jsonl"])
    first = json.loads(stories.stdout.splitlines()[0])["id"]
    story = run_cli(["story", first, "--db", str(db), "--format", "json"])
    copy = demo_db.copy(folder / "writes.duckdb")
    exports = demo_db.copy(folder / "exports.duckdb")  # opened from this process
    return {"db": db, "write_db": copy, "export_db": exports, "report": json.loads(report.stdout),
            "articles": [json.loads(line) for line in articles.stdout.splitlines()],
            "story_id": first, "story": json.loads(story.stdout)}


@pytest.fixture(scope="module")
def client(demo: dict[str, Any]) -> Iterator[TestClient]:
    with TestClient(create_app(ApiSettings(db=demo["db"], token=TOKEN)), base_url=LOCAL) as c:
        yield c


@pytest.fixture(scope="module")
def writer(demo: dict[str, Any]) -> Iterator[TestClient]:
    """A second app on a copy of the demo DB, so writes leave the read tests' data alone."""
    settings = ApiSettings(db=demo["write_db"], token=TOKEN, max_body_bytes=50_000,
                           max_documents=3)
    with TestClient(create_app(settings), base_url=LOCAL) as c:
        yield c


def _auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _page(resp: Any) -> dict[str, Any]:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {"items", "total", "limit", "offset"}
    return body


# ------------------------------------------------------------------------ reads
def test_articles_match_cli_export(client: TestClient, demo: dict[str, Any]) -> None:
    body = _page(client.get("/api/articles", params={"limit": 1000}))
    assert body["total"] == len(demo["articles"]) > 0
    assert body["items"] == demo["articles"]


def test_articles_filters(client: TestClient, demo: dict[str, Any]) -> None:
    everything = demo["articles"]
    ven = _page(client.get("/api/articles", params={"country": "ven"}))
    assert 0 < ven["total"] <= len(everything)
    dated = sorted(a["published"] for a in everything if a["published"])
    middle = dated[len(dated) // 2]
    since = _page(client.get("/api/articles", params={"since": middle}))["items"]
    until = _page(client.get("/api/articles", params={"until": middle}))["items"]
    assert since and all(a["published"] >= middle for a in since)
    assert until and all(a["published"] <= middle for a in until)
    story = _page(client.get("/api/articles", params={"story": demo["story_id"]}))["items"]
    assert story and all(a["story_id"] == demo["story_id"] for a in story)
    assert client.get("/api/articles", params={"since": "yesterday"}).status_code == 422


def test_pagination_is_consistent(client: TestClient) -> None:
    whole = _page(client.get("/api/events", params={"limit": 1000}))
    assert whole["total"] == len(whole["items"]) > 3
    pages = [_page(client.get("/api/events", params={"limit": 2, "offset": n}))
             for n in range(0, whole["total"], 2)]
    assert all(p["total"] == whole["total"] and p["limit"] == 2 for p in pages)
    assert [e for p in pages for e in p["items"]] == whole["items"]
    beyond = _page(client.get("/api/events", params={"offset": whole["total"] + 5}))
    assert beyond["items"] == [] and beyond["total"] == whole["total"]
    for bad in ({"limit": 0}, {"limit": 1001}, {"offset": -1}):
        assert client.get("/api/events", params=bad).status_code == 422


def test_article_detail_and_404(client: TestClient, demo: dict[str, Any]) -> None:
    events = _page(client.get("/api/events", params={"limit": 1}))["items"]
    aid = events[0]["article_id"]
    body = client.get(f"/api/articles/{aid}").json()
    assert body["article"]["id"] == aid
    assert body["mentions"] and body["events"]
    assert all(e["article_id"] == aid for e in body["events"])
    missing = client.get("/api/articles/nope")
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]


def test_events_filters(client: TestClient, demo: dict[str, Any]) -> None:
    items = _page(client.get("/api/events", params={"limit": 1000}))["items"]
    ven = _page(client.get("/api/events", params={"country": "ven", "limit": 1000}))["items"]
    assert ven and all("VEN" in (e["source"]["country"], (e["target"] or {}).get("country"))
                       for e in ven)
    to_ven = _page(client.get("/api/events", params={"target": "VEN", "limit": 1000}))["items"]
    assert to_ven and all(e["target"]["country"] == "VEN" for e in to_ven)
    src = to_ven[0]["source"]["country"]
    pair = _page(client.get("/api/events", params={"source": src, "target": "VEN"}))["items"]
    assert pair and all(e["source"]["country"] == src for e in pair)
    kind = items[0]["type"]
    typed = _page(client.get("/api/events", params={"type": kind.lower(), "limit": 1000}))
    assert typed["items"] and all(e["type"] == kind for e in typed["items"])
    story = _page(client.get("/api/events", params={"story": demo["story_id"]}))["items"]
    assert story and all(e["story_id"] == demo["story_id"] for e in story)
    dated = sorted(e["date"] for e in items if e["date"])
    middle = dated[len(dated) // 2]
    until = _page(client.get("/api/events", params={"until": middle, "limit": 1000}))["items"]
    since = _page(client.get("/api/events", params={"since": middle, "limit": 1000}))["items"]
    assert until and all(e["date"] is None or e["date"] <= middle for e in until)
    assert since and all(e["date"] is None or e["date"] >= middle for e in since)
    assert client.get("/api/events", params={"level": "sentence"}).status_code == 422


def test_event_level_and_details(client: TestClient) -> None:
    happenings = _page(client.get("/api/events", params={"level": "event", "limit": 1000}))
    mentions = _page(client.get("/api/events", params={"limit": 1000}))
    assert 0 < happenings["total"] <= mentions["total"]
    first = happenings["items"][0]
    assert {"event_ids", "origins", "story_id"} <= set(first)
    detail = client.get(f"/api/happenings/{first['id']}").json()
    assert detail["happening"] == first
    assert sorted(e["id"] for e in detail["mentions"]) == sorted(first["event_ids"])
    event = client.get(f"/api/events/{first['event_ids'][0]}").json()
    assert event["event"]["happening_id"] == first["id"]
    assert event["happening"] == first
    to_ven = _page(client.get("/api/events", params={"level": "event", "target": "VEN"}))
    assert to_ven["items"] and all(h["target"]["country"] == "VEN" for h in to_ven["items"])
    for path in ("/api/events/nope", "/api/happenings/nope"):
        resp = client.get(path)
        assert resp.status_code == 404 and set(resp.json()) == {"detail"}


def test_stories(client: TestClient, demo: dict[str, Any]) -> None:
    stories = _page(client.get("/api/stories"))
    assert stories["total"] > 0 and demo["story_id"] in [s["id"] for s in stories["items"]]
    ven = _page(client.get("/api/stories", params={"country": "VEN"}))
    assert 0 < ven["total"] <= stories["total"]
    late = _page(client.get("/api/stories", params={"since": "2100-01-01"}))
    assert late["total"] == 0
    assert client.get(f"/api/stories/{demo['story_id']}").json() == demo["story"]
    assert client.get("/api/stories/nope").status_code == 404


def test_actors_relations_indices_countries(client: TestClient) -> None:
    actors = _page(client.get("/api/actors"))
    assert actors["total"] > 0 and {"id", "name", "mentions", "events"} <= set(actors["items"][0])
    ven = _page(client.get("/api/actors", params={"country": "ven"}))["items"]
    assert ven and all(a["country"] == "VEN" for a in ven)
    rel = _page(client.get("/api/relations", params={"target": "ven", "period": "day"}))
    assert rel["items"] and all(p["target"] == "VEN" and p["period"] == "day"
                                for p in rel["items"])
    assert client.get("/api/relations", params={"period": "year"}).status_code == 422
    idx = client.get("/api/indices/ven", params={"window": 30})
    assert idx.status_code == 200
    body = idx.json()
    assert body["country"] == "VEN" and body["name"] == "Venezuela"
    assert {"isolation", "pressure", "support_network"} <= set(body)
    assert client.get("/api/indices/VEN", params={"window": 0}).status_code == 422
    countries = client.get("/api/countries").json()
    assert countries[0]["country"] == "VEN"
    assert [c["events"] for c in countries] == sorted((c["events"] for c in countries),
                                                      reverse=True)
    assert all(set(c) == {"country", "name", "events", "stories"} for c in countries)


def test_report_matches_cli(client: TestClient, demo: dict[str, Any]) -> None:
    resp = client.get("/api/report/VEN")
    assert resp.status_code == 200
    assert resp.json() == demo["report"]
    assert client.get("/api/report/ven").json() == demo["report"]
    assert client.get("/api/report/VEN", params={"since": "2100-01-01"}).json()[
        "counterparts"] == []


def test_openapi_schema_validates(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    validate(schema)
    assert schema["info"]["title"] == "Realpolitik"
    assert "/api/articles" in schema["paths"] and "post" in schema["paths"]["/api/articles"]
    assert client.get("/docs").status_code == 200


# ------------------------------------------------------------------------ errors
def test_internal_error_hides_traceback(client: TestClient,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    store = client.app.state.api.db  # type: ignore[attr-defined]
    monkeypatch.setattr(store, "stories", boom)
    resp = client.get("/api/stories")
    assert resp.status_code == 500
    assert resp.json() == {"detail": "internal error"}
    assert "secret" not in resp.text and "Traceback" not in resp.text


def test_malformed_json_is_422_without_traceback(writer: TestClient) -> None:
    resp = writer.post("/api/articles", content=b'{"text": "unterminated',
                       headers={**_auth(), "Content-Type": "application/json"})
    assert resp.status_code == 422
    assert "Traceback" not in resp.text and isinstance(resp.json()["detail"], list)
    bad = writer.post("/api/articles", json={"text": "x", "published": "soon"}, headers=_auth())
    assert bad.status_code == 422 and "Traceback" not in bad.text
    extra = writer.post("/api/articles", json={"text": "x", "evil": 1}, headers=_auth())
    assert extra.status_code == 422


def test_oversized_body_refused(writer: TestClient) -> None:
    big = {"text": "word " * 20_000}
    resp = writer.post("/api/articles", json=big, headers=_auth())
    assert resp.status_code == 413

    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(20):
            yield b"word " * 1000
        yield b'"}'

    streamed = writer.post("/api/articles", content=chunks(),
                           headers={**_auth(), "Content-Type": "application/json"})
    assert streamed.status_code == 413


# ------------------------------------------------------------------------ writes
def test_write_needs_token(writer: TestClient, tmp_path: Path) -> None:
    for headers in ({}, _auth("wrong"), {"Authorization": "Basic abc"}):
        resp = writer.post("/api/articles", json=NEW_DOC, headers=headers)
        assert resp.status_code == 401
        assert resp.headers["www-authenticate"] == "Bearer"
    with TestClient(create_app(ApiSettings(db=tmp_path / "empty.duckdb", token=None)),
                    base_url=LOCAL) as c:
        resp = c.post("/api/articles", json=NEW_DOC, headers=_auth())
        assert resp.status_code == 403
        assert resp.json() == {"detail": "writes are disabled: set REALPOLITIK_API_TOKEN"}
        assert _page(c.get("/api/articles"))["total"] == 0  # a fresh DB serves empty lists
        assert c.get("/api/countries").json() == []


def test_write_stores_codes_and_is_idempotent(writer: TestClient) -> None:
    before = _page(writer.get("/api/articles"))["total"]
    resp = writer.post("/api/articles", json=NEW_DOC, headers=_auth())
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["stored"] == 1 and body["events"] > 0 and body["problems"] == []
    (aid,) = body["articles"]
    listed = _page(writer.get("/api/articles", params={"limit": 1000}))
    assert listed["total"] == before + 1 and aid in [a["id"] for a in listed["items"]]
    detail = writer.get(f"/api/articles/{aid}").json()
    assert detail["article"]["outlet"] and detail["events"]
    assert detail["article"]["story_id"]  # grouped into a story by the write
    again = writer.post("/api/articles", json={"documents": [NEW_DOC]}, headers=_auth())
    assert again.status_code == 201
    assert again.json() == {"stored": 0, "events": 0, "articles": [aid], "problems": []}
    assert _page(writer.get("/api/articles"))["total"] == before + 1


def test_batch_limits_and_problems(writer: TestClient) -> None:
    many = {"documents": [NEW_DOC] * 4}
    assert writer.post("/api/articles", json=many, headers=_auth()).status_code == 422
    empty = writer.post("/api/articles", json={"documents": []}, headers=_auth())
    assert empty.status_code == 422
    resp = writer.post("/api/articles", json={"documents": [{"text": "1 2"}]}, headers=_auth())
    assert resp.status_code == 201
    assert resp.json()["stored"] == 0 and resp.json()["problems"][0]["document"] == 0


def test_indices_default_window_is_the_servers_setting(demo_db: DemoDb, tmp_path: Path) -> None:
    """Without ?window=, /api/indices uses the analysis settings the server was given."""
    from realpolitik.settings import load_settings

    settings = load_settings(cli={"analysis.window_days": 30, "analysis.baseline_days": 200},
                             environ={}).settings
    db = demo_db.copy(tmp_path / "settings.duckdb")
    with TestClient(create_app(ApiSettings.from_settings(db, settings)), base_url=LOCAL) as c:
        default = c.get("/api/indices/VEN").json()
        explicit = c.get("/api/indices/VEN", params={"window": 30, "baseline": 200}).json()
        other = c.get("/api/indices/VEN", params={"window": 90, "baseline": 365}).json()
    assert default == explicit and default != other

    def span(body: dict[str, Any]) -> tuple[int, int]:
        as_of, start, base = (dt.date.fromisoformat(body[k])
                              for k in ("as_of", "window_start", "baseline_start"))
        return (as_of - start).days + 1, (start - base).days

    assert span(default) == (30, 200) and span(other) == (90, 365)


def test_relations_pages_cut_in_sql_equal_the_full_series(client: TestClient,
                                                         demo: dict[str, Any]) -> None:
    """The page of dyad cells read in SQL scores exactly as the series over every happening."""
    from realpolitik.events.lexicon import load_plover
    from realpolitik.relations.indices import dyad_series

    with client.app.state.api.reader() as store:  # type: ignore[attr-defined]
        everything = store.happenings()
    plover = load_plover()
    for params in ({"period": "week"}, {"period": "day", "source": "USA"},
                   {"period": "week", "target": "VEN"}):
        full = [p.model_dump(mode="json") for p in dyad_series(
            everything, plover, params["period"], source=params.get("source"),
            target=params.get("target"))]
        assert full
        whole = _page(client.get("/api/relations", params={**params, "limit": 1000}))
        assert whole["total"] == len(full) and whole["items"] == full
        pages = [_page(client.get("/api/relations", params={**params, "limit": 3,
                                                            "offset": n}))
                 for n in range(0, len(full), 3)]
        assert [p for page in pages for p in page["items"]] == full


def test_every_list_pages_like_its_full_listing(client: TestClient) -> None:
    for path, params in (("/api/articles", {}), ("/api/events", {"level": "event"}),
                         ("/api/stories", {}), ("/api/actors", {}),
                         ("/api/events", {"country": "VEN"})):
        whole = _page(client.get(path, params={**params, "limit": 1000}))
        assert whole["total"] == len(whole["items"]) > 0
        pages = [_page(client.get(path, params={**params, "limit": 2, "offset": n}))
                 for n in range(0, whole["total"], 2)]
        assert all(p["total"] == whole["total"] for p in pages)
        assert [e for p in pages for e in p["items"]] == whole["items"], path


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
def test_streamed_event_export_equals_the_record_writer(demo: dict[str, Any], tmp_path: Path,
                                                        fmt: str) -> None:
    """`events --format F` streams Arrow batches from DuckDB; the file is the one the
    record writer makes from ``Store.events()``."""
    import pyarrow.parquet as pq

    from realpolitik.exports import write_batches, write_records
    from realpolitik.records import Event
    from realpolitik.store import Store

    streamed = tmp_path / f"streamed.{fmt}"
    assert run_cli(["events", "--db", str(demo["export_db"]), "--format", fmt, "-o",
                    str(streamed)]).exit_code == 0
    expected = tmp_path / f"expected.{fmt}"
    with Store(demo["export_db"], read_only=True) as store:
        events = store.events()
        write_records(events, fmt, expected)  # type: ignore[arg-type]
        small = tmp_path / f"small.{fmt}"  # batches of 7 rows: several row groups
        assert write_batches(store.event_batches(batch_rows=7), Event, fmt,  # type: ignore[arg-type]
                             small) == len(events) > 7
    if fmt == "parquet":
        assert pq.read_table(streamed).equals(pq.read_table(expected))
        assert pq.read_table(small).equals(pq.read_table(expected))
        assert pq.ParquetFile(small).metadata.num_row_groups > 1
    else:
        assert streamed.read_bytes() == expected.read_bytes() == small.read_bytes()


def test_a_slow_read_does_not_hold_up_other_reads(client: TestClient,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Each request reads on its own cursor: while one is stuck inside its read, another
    request is answered."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from realpolitik.store.queries import Queries

    entered, release = threading.Event(), threading.Event()
    real = Queries.country_counts

    def slow(self: Queries) -> list[tuple[str, int, int]]:
        entered.set()
        assert release.wait(30)
        return real(self)

    monkeypatch.setattr(Queries, "country_counts", slow)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(client.get, "/api/countries")
        assert entered.wait(30)
        other = client.get("/api/events", params={"limit": 5, "country": "VEN"})
        assert other.status_code == 200 and other.json()["items"]
        assert not pending.done()  # the slow read is still open
        release.set()
        assert pending.result(30).status_code == 200
