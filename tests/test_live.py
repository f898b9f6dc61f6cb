"""The live watcher against a misbehaving news site on 127.0.0.1 (tests/live_fixture.py).

Nothing here reaches beyond 127.0.0.1: the fixture site and the webhook receiver are
started by the tests. Poll intervals and back-off caps are tiny, set in the sources files.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from realpolitik.api import ApiSettings, create_app
from realpolitik.live import check_sources, load_config, watch
from realpolitik.live.config import ConfigError, WatchSettings
from realpolitik.live.fetch import Backoff, Fetcher, HostLimiter, parse_retry_after
from realpolitik.live.urls import canonical_url
from realpolitik.store import Store
from realpolitik.store.live import LiveState
from tests.helpers import REPO, run_cli
from tests.live_fixture import (
    FAST,
    STORIES,
    Events,
    FixtureSite,
    feed,
    hang,
    huge,
    item,
    page_html,
    redirect_loop,
    rss,
    run_until,
    sequence,
    serve,
    slow,
    static,
    status,
    write_sources,
)

LOCAL = "http://127.0.0.1"  # an allowed Host (the default "testserver" is not)


@pytest.fixture(scope="module")
def models() -> tuple[Any, Any]:
    """The coding pipeline and the story embedder, shared with other tests in-process."""
    from realpolitik.cli import _embedder, _pipeline

    return _pipeline(), _embedder()


def _faulty_site(site: FixtureSite) -> None:
    """Routes of the site that misbehaves in every way the issue lists."""
    base = site.base
    site.routes.update({
        "/robots.txt": static("User-agent: *\nDisallow: /private/\n", "text/plain"),
        "/news/ru-backs-ven": static(page_html(STORIES["ru-backs-ven"])),
        "/news/jpn-phl-pact": static(page_html(STORIES["jpn-phl-pact"])),
        "/news/ind-pak-border": static(page_html(STORIES["ind-pak-border"])),
        "/pages/summit": static(page_html(STORIES["deu-fra-summit"]), etag=True),
        # the same text again under a new URL (a syndication or a changed permalink)
        "/world/2025/jpn-phl-defence-pact": static(page_html(STORIES["jpn-phl-pact"])),
        # Latin-1 bytes declared as UTF-8 (header and meta)
        "/news/latin1": static(page_html(STORIES["latin1"]).encode("latin-1")),
        "/private/secret": static(page_html(STORIES["ru-refuses-ven"])),
        "/news/huge": huge(60),
        "/news/hang": hang(20),
        "/feeds/main.xml": sequence(
            feed(rss(base, [item("ru-backs-ven"), item("jpn-phl-pact")])),
            feed(rss(base, [item("ru-backs-ven"), item("jpn-phl-pact"),
                            item("jpn-phl-pact", "/world/2025/jpn-phl-defence-pact")]))),
        "/feeds/flaky.xml": sequence(status(500), feed(rss(base, [item("latin1")]))),
        "/feeds/limited.xml": sequence(status(429, {"Retry-After": "1"}),
                                       feed(rss(base, [item("ind-pak-border")]))),
        "/feeds/broken.xml": feed("<rss><channel><title>Broken</title><item><title>oops"
                                  "</item></channel>", etag=False),
        "/feeds/loop.xml": redirect_loop("/feeds/loop2.xml"),
        "/feeds/loop2.xml": redirect_loop("/feeds/loop.xml"),
        "/feeds/slow.xml": hang(20),
        "/feeds/faults.xml": feed(rss(base, [
            ("Secret", "/private/secret", STORIES["ru-refuses-ven"].date),
            ("Huge", "/news/huge", STORIES["jpn-phl-pact"].date),
            ("Hang", "/news/hang", STORIES["jpn-phl-pact"].date)])),
    })


FAULTY_SOURCES = [
    {"url": "/feeds/main.xml", "name": "main"},
    {"url": "/feeds/flaky.xml", "name": "flaky"},
    {"url": "/feeds/limited.xml", "name": "limited"},
    {"url": "/feeds/broken.xml", "name": "broken"},
    {"url": "/feeds/loop.xml", "name": "loop"},
    {"url": "/feeds/slow.xml", "name": "slow", "interval": 2},
    {"url": "/feeds/faults.xml", "name": "faults", "interval": 2},
    {"url": "/pages/summit", "name": "summit", "kind": "page", "outlet": "Harbour Times"},
]


def test_watcher_survives_every_fault_and_stores_each_article_once(
        tmp_path: Path, models: tuple[Any, Any]) -> None:
    coder, embedder = models
    db = tmp_path / "live.duckdb"
    with serve(FixtureSite()) as site:
        _faulty_site(site)
        sources = write_sources(tmp_path / "sources.yaml", site, FAULTY_SOURCES)
        events = Events()

        def done() -> bool:
            polled = [str(f["source"]) for f in events.of("polled")]
            return (len(events.of("stored")) >= 5 and len(events.of("duplicate")) >= 1
                    and {"main", "flaky", "limited"} <= set(polled)
                    and polled.count("summit") >= 2
                    and any(f.get("status") == 304 and f["source"] == "main"
                            for f in events.of("polled")))

        summary = run_until(lambda stop: watch(sources, db, coder, embedder, events,
                                                stop=stop), done)
        hits = dict(site.hits)

    failed = {(str(f["source"]), str(f["problem"])) for f in events.of("source_failed")}
    problems = {name: {p for s, p in failed if s == name} for name, _ in failed}
    assert any(p.startswith("HTTP 500") for p in problems["flaky"])
    assert any(p.startswith("HTTP 429") for p in problems["limited"])
    assert any("not a well-formed feed" in p for p in problems["broken"])
    assert any("redirect" in p for p in problems["loop"])
    assert any(p.startswith("timed out") for p in problems["slow"])
    retry = [f for f in events.of("source_failed") if f["source"] == "limited"]
    assert float(str(retry[0]["retry_in"]).rstrip("s")) >= 1.0  # Retry-After honoured
    entry_problems = {str(f["url"]).rsplit("/", 1)[-1]: str(f["problem"])
                      for f in events.of("entry_failed")}
    assert entry_problems["secret"] == "disallowed by robots.txt"
    assert "over the 2,000,000-byte limit" in entry_problems["huge"]
    assert entry_problems["hang"].startswith("timed out")
    assert hits.get("/private/secret", 0) == 0  # robots.txt respected
    assert hits["/robots.txt"] == 1  # cached
    assert summary.stored == 5 and summary.duplicates >= 1
    summit = [f.get("status") for f in events.of("polled") if f["source"] == "summit"]
    assert summit[0] == 200 and set(summit[1:]) == {304}  # a page re-read only when changed

    with Store(db) as store:
        articles = store.articles()
        titles = sorted(a.title or "" for a in articles)
        assert titles == sorted(STORIES[s].title for s in
                                ("ru-backs-ven", "jpn-phl-pact", "ind-pak-border", "latin1",
                                 "deu-fra-summit"))
        latin = next(a for a in articles if a.title == STORIES["latin1"].title)
        assert "Bogotá" in latin.text  # Latin-1 decoded, not mojibake or U+FFFD
        assert all(a.story_id for a in articles)  # grouped into stories like `ingest`
        live = LiveState(store)
        main = live.feed(site.base + "/feeds/main.xml")
        assert main.etag and main.status == "304"
        seen = store.con.execute("SELECT key, outcome FROM live_seen").fetchall()
        outcomes = dict(seen)
        assert outcomes[f"url:{site.base}/world/2025/jpn-phl-defence-pact"] == "duplicate"
        assert outcomes[f"url:{site.base}/private/secret"].startswith("refused: disallowed")
        assert f"url:{site.base}/news/hang" not in outcomes  # transient: retried later
        assert store.con.execute("SELECT count(*) FROM events").fetchone()[0] > 0


class Receiver:
    """A webhook receiver on 127.0.0.1 that records every POSTed JSON body."""

    def __init__(self, fail_first: int = 0) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.attempts = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.attempts += 1
                code = 503 if receiver.attempts <= fail_first else 204
                if code == 204:
                    receiver.bodies.append(json.loads(data))
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail_first=1)  # the first POST fails: the sink must retry
    yield r
    r.close()


def test_alert_fires_once_when_an_ally_turns(tmp_path: Path, models: tuple[Any, Any],
                                            receiver: Receiver) -> None:
    coder, embedder = models
    db = tmp_path / "alerts.duckdb"
    alerts = {"outputs": {"terminal": True, "jsonl": "alerts.jsonl",
                          "webhook": {"url": receiver.url, "retries": 3, "backoff": 0.1}},
              "rules": [{"name": "ven-allies", "country": "VEN", "when": "stance_change",
                         "counterparts": ["RUS"]},
                        {"name": "refusals", "country": "*", "when": "happening",
                         "types": ["REJECT"], "min_origins": 1},
                        {"name": "ven-isolation", "country": "VEN", "when": "index",
                         "index": "isolation", "above": 0.3},
                        {"name": "ven-isolation-move", "country": "VEN", "when": "index",
                         "index": "isolation", "move": 0.3}]}
    with serve(FixtureSite()) as site:
        site.routes["/news/ru-backs-ven"] = static(page_html(STORIES["ru-backs-ven"]))
        site.routes["/news/ru-refuses-ven"] = static(page_html(STORIES["ru-refuses-ven"]))
        before = feed(rss(site.base, [item("ru-backs-ven")]))
        after = feed(rss(site.base, [item("ru-refuses-ven"), item("ru-backs-ven")]))
        site.routes["/feeds/ven.xml"] = before
        sources = write_sources(tmp_path / "sources.yaml", site,
                                 [{"url": "/feeds/ven.xml", "name": "ven"}], alerts)
        events = Events()

        def done() -> bool:
            if len(events.of("stored")) == 1 and site.routes["/feeds/ven.xml"] is before:
                site.routes["/feeds/ven.xml"] = after  # the ally turns in a later article
            polls_after = [f for f in events.of("polled") if f.get("status") == 304]
            return len(events.of("stored")) == 2 and len(polls_after) >= 3 \
                and len(receiver.bodies) >= 1

        run_until(lambda stop: watch(sources, db, coder, embedder, events, stop=stop), done)

    stance = [b for b in receiver.bodies if b["kind"] == "stance_change"]
    assert len(stance) == 1, receiver.bodies
    alert = stance[0]
    assert alert["country"] == "VEN" and alert["counterpart"] == "RUS"
    assert alert["figures"]["before"] == "supporting"
    assert alert["figures"]["after"] == "withdrawing"
    assert "RUS toward VEN: supporting → withdrawing" in alert["title"]
    proof = alert["evidence"]
    assert proof and all(e["sentence"] and e["outlets"] and e["origins"] for e in proof)
    assert any(e["type"] == "REJECT" and "to back Venezuela" in e["sentence"] for e in proof)
    link = proof[0]["links"][0]
    assert link["url"].endswith("/news/ru-refuses-ven") and link["dashboard"].startswith(
        "/article/")
    assert receiver.attempts >= 2  # the first POST failed and was retried
    assert len([e for e in events.of("alert") if e["rule"] == "ven-allies"]) == 1
    lines = [json.loads(x) for x in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert [x["key"] for x in lines if x["kind"] == "stance_change"] == [alert["key"]]
    assert any(x["kind"] == "happening" and x["figures"]["type"] == "REJECT" for x in lines)
    crossings = [x for x in lines if x["rule"] == "ven-isolation"]
    assert len(crossings) == 1  # crossed once, when the refusal came; not on every poll
    assert crossings[0]["figures"]["side"] == "above" and crossings[0]["figures"]["value"] >= 0.3
    assert crossings[0]["figures"]["previous_side"] == "below" and crossings[0]["evidence"]
    moves = [x for x in lines if x["rule"] == "ven-isolation-move"]
    assert len(moves) == 1 and moves[0]["kind"] == "index_move"
    assert moves[0]["figures"]["delta"] >= 0.3
    assert moves[0]["figures"]["reference"]["isolation"] == 0.0  # Russia still backed VEN

    with TestClient(create_app(ApiSettings(db=db, token=None)), base_url=LOCAL) as client:
        listed = client.get("/api/alerts", params={"country": "ven"}).json()
        everything = client.get("/api/alerts").json()
    kinds = [a["kind"] for a in listed["items"]]
    assert kinds.count("stance_change") == 1
    assert listed["total"] == len([x for x in lines if "VEN" in (x["country"], x["counterpart"])])
    assert everything["total"] == len(lines)  # the store holds what the outputs got


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _spawn(sources: Path, db: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "realpolitik.cli", "watch", str(sources),
                             "--db", str(db), *extra], stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True, env=env, cwd=REPO)


def _wait_for(proc: subprocess.Popen[str], marker: str, lines: list[str],
              timeout: float = 180.0) -> None:
    """Read the child's log lines until one contains ``marker``."""
    deadline = time.monotonic() + timeout
    assert proc.stderr is not None
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if marker in line:
            return
    raise AssertionError(f"no {marker!r} in the watcher's output:\n{''.join(lines)}")


def test_restart_after_kill_9_misses_and_repeats_nothing_and_sigterm_stops(
        tmp_path: Path) -> None:
    """Two real `realpolitik watch` processes: one killed -9 mid-feed, one (also serving the
    dashboard) that takes in the rest and stops cleanly on SIGTERM."""
    db = tmp_path / "restart.duckdb"
    slugs = ["ru-backs-ven", "jpn-phl-pact", "ind-pak-border", "latin1"]
    with serve(FixtureSite()) as site:
        for slug in slugs:
            site.routes[f"/news/{slug}"] = static(page_html(STORIES[slug]))
        site.routes["/feeds/all.xml"] = feed(rss(site.base, [item(s) for s in slugs]))
        sources = write_sources(tmp_path / "sources.yaml", site,
                                 [{"url": "/feeds/all.xml", "name": "all"}], poll_interval=60)
        first = _spawn(sources, db)
        lines: list[str] = []
        try:
            _wait_for(first, "event=stored", lines)
        finally:
            first.kill()  # SIGKILL: no clean-up at all
            first.wait(30)
        assert first.returncode == -signal.SIGKILL
        with Store(db) as store:
            before = {a.url for a in store.articles()}
        assert 1 <= len(before) < len(slugs), "the kill should land in the middle of the feed"
        port = _free_port()
        second = _spawn(sources, db, "--serve-port", str(port))
        lines2: list[str] = []
        try:
            _wait_for(second, "event=polled", lines2)
            api = f"http://127.0.0.1:{port}"  # the dashboard served by the watching process
            assert httpx.get(f"{api}/api/articles").json()["total"] == len(slugs)
            assert "Alerts" in httpx.get(f"{api}/alerts").text
            second.send_signal(signal.SIGTERM)
            _, rest = second.communicate(timeout=60)
        finally:
            if second.poll() is None:
                second.kill()
        lines2 += rest.splitlines(keepends=True)
        hits = dict(site.hits)
    assert second.returncode == 0, "".join(lines2)
    assert any("event=stopped" in x for x in lines2)
    assert len([x for x in lines2 if "event=stored" in x]) == len(slugs) - len(before)
    with Store(db) as store:
        articles = store.articles()
        assert sorted(a.title for a in articles) == sorted(STORIES[s].title for s in slugs)
        assert all(a.story_id for a in articles)
    for url in before:  # what was stored before the kill was not fetched again
        assert url and hits[url.removeprefix(site.base)] == 1


def test_sigterm_mid_article_finishes_it_then_exits(tmp_path: Path) -> None:
    db = tmp_path / "term.duckdb"
    slugs = ["ru-backs-ven", "jpn-phl-pact", "ind-pak-border"]
    with serve(FixtureSite()) as site:
        for slug in slugs:
            site.routes[f"/news/{slug}"] = slow(static(page_html(STORIES[slug])), 1.5)
        site.routes["/feeds/all.xml"] = feed(rss(site.base, [item(s) for s in slugs]))
        sources = write_sources(tmp_path / "sources.yaml", site,
                                [{"url": "/feeds/all.xml", "name": "all"}], poll_interval=60,
                                timeout=10)
        proc = _spawn(sources, db)
        try:
            deadline = time.monotonic() + 180
            while not site.hits["/news/ru-backs-ven"] and time.monotonic() < deadline:
                time.sleep(0.05)  # the first page is being fetched (it takes 1.5 s)
            proc.send_signal(signal.SIGTERM)
            _, log = proc.communicate(timeout=90)
        finally:
            if proc.poll() is None:
                proc.kill()
        hits = dict(site.hits)
    assert proc.returncode == 0, log
    assert log.count("event=stored") == 1 and "event=stopped" in log
    assert hits.get("/news/jpn-phl-pact", 0) == 0  # nothing started after the signal
    with Store(db) as store:
        assert [a.title for a in store.articles()] == [STORIES["ru-backs-ven"].title]
        feed_state = LiveState(store).feed(site.base + "/feeds/all.xml")
        assert feed_state.etag is None  # the feed is not done: the next start re-reads it


# ------------------------------------------------------------------ smaller pieces
def test_sources_file_errors_have_line_numbers(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("settings:\n  poll_interval: -5\nsources:\n  - url: http://127.0.0.1:9/a\n"
                   "    kind: magazine\n  - outlet: No URL\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(bad)
    lines = str(exc.value).splitlines()
    assert any(x.startswith(f"{bad}:2: settings.poll_interval") for x in lines)
    assert any(x.startswith(f"{bad}:5: sources[0].kind") for x in lines)
    assert any(x.startswith(f"{bad}:6: sources[1].url") for x in lines)
    broken = tmp_path / "broken.yaml"
    broken.write_text("sources:\n  - url: [unclosed\n", encoding="utf-8")
    result = run_cli(["sources", "check", str(broken)])
    assert result.exit_code == 2 and f"{broken}:3: invalid YAML" in result.stderr


def test_alert_rules_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("sources:\n  - url: http://127.0.0.1:9/feed\nalerts:\n  rules:\n"
                    "    - name: x\n      when: index\n      index: isolation\n"
                    "    - name: y\n      when: happening\n      types: [HUG]\n")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert f"{path}:5: alerts.rules[0]" in str(exc.value)
    assert "unknown PLOVER types ['HUG']" in str(exc.value)


def test_sources_check_tries_each_feed(tmp_path: Path) -> None:
    with serve(FixtureSite()) as site:
        _faulty_site(site)
        sources = write_sources(tmp_path / "sources.yaml", site, [
            {"url": "/feeds/main.xml"}, {"url": "/feeds/broken.xml"},
            {"url": "/news/latin1", "kind": "page"}, {"url": "/private/x", "kind": "page"}])
        config, _ = load_config(sources)
        checks = {c.url.removeprefix(site.base): c for c in check_sources(config)}
        result = run_cli(["sources", "check", str(sources)])
    assert checks["/feeds/main.xml"].status == "200" and checks["/feeds/main.xml"].entries == 2
    assert checks["/feeds/main.xml"].last_modified == "Mon, 01 Dec 2025 08:00:00 GMT"
    assert "not a well-formed feed" in (checks["/feeds/broken.xml"].problem or "")
    assert checks["/news/latin1"].problem is None
    assert checks["/private/x"].problem == "disallowed by robots.txt"
    assert result.exit_code == 1
    assert "valid (4 sources, 0 alert rules)" in result.stderr
    assert "/feeds/main.xml" in result.stdout and "disallowed by robots.txt" in result.stdout


def test_fetcher_conditional_gzip_and_user_agent() -> None:
    seen: list[dict[str, str]] = []
    with serve(FixtureSite()) as site:
        body = rss(site.base, [item("ru-backs-ven")])
        handler = feed(body)

        def spy(h: BaseHTTPRequestHandler) -> None:
            seen.append(dict(h.headers))
            handler(h)

        site.routes["/f.xml"] = spy
        with Fetcher(WatchSettings(**FAST)) as fetcher:
            first = fetcher.get(site.base + "/f.xml")
            again = fetcher.get(site.base + "/f.xml", first.etag, first.last_modified)
    assert first.ok and first.body.decode() == body and first.etag
    assert again.not_modified and again.problem is None
    assert seen[0]["User-Agent"] == "RealpolitikTest/1.0" and "gzip" in seen[0][
        "Accept-Encoding"]
    assert seen[1]["If-None-Match"] == first.etag


def test_backoff_and_retry_after() -> None:
    b = Backoff(base=2, cap=10)
    assert [b.fail(0) for _ in range(4)] == [2, 4, 8, 10]
    assert b.fail(0, retry_after=30) == 30
    b.succeed()
    assert b.failures == 0 and b.fail(0) == 2
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 60) == 60
    assert parse_retry_after("soon") is None


def test_host_limiter_spaces_requests_per_host() -> None:
    limiter = HostLimiter(interval=0.2)
    stop = threading.Event()
    began = time.monotonic()
    assert all(limiter.wait("a.example", stop) for _ in range(3))
    spent = time.monotonic() - began
    assert limiter.wait("b.example", stop)  # another host does not wait for the first
    assert 0.4 <= spent < 1.0 and time.monotonic() - began - spent < 0.1
    stop.set()
    assert not limiter.wait("a.example", stop)  # a stop cuts the wait short


def test_canonical_url() -> None:
    assert canonical_url("HTTP://Example.COM:80/News/a/?utm_source=x&b=2&a=1#top") == \
        "http://example.com/News/a?a=1&b=2"
    assert canonical_url("https://example.com") == "https://example.com/"


def test_dashboard_alerts_endpoint_on_an_empty_store(tmp_path: Path) -> None:
    with TestClient(create_app(ApiSettings(db=tmp_path / "e.duckdb", token=None)),
                    base_url=LOCAL) as client:
        assert client.get("/api/alerts").json() == {"items": [], "total": 0, "limit": 100,
                                                    "offset": 0}
