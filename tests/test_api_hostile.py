"""The API against hostile clients: bad JSON values, huge texts, extreme dates, foreign
Host headers, script URLs, and writes that take too long, on a real server on 127.0.0.1.

Coding is replaced by small fakes here (the real pipeline is exercised in test_api.py),
so the timing tests control exactly how long a write codes and saves; the runaway-coding
test runs the real coding process with a pipeline that hangs.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

import realpolitik.api.ingest as api_ingest
from realpolitik.api import ApiSettings, create_app
from realpolitik.api.coder import ProcessCoder
from realpolitik.api.deps import ApiState
from realpolitik.records import Article, CodedArticle
from realpolitik.settings import load_settings
from realpolitik.store import Store
from realpolitik.web import mount_dashboard
from realpolitik.web.csp import script_hash
from tests.helpers import serve_app

TOKEN = "hostile-test-token"
DOC = {"text": "Norway agreed to send medical aid to Sudan.", "title": "Aid",
       "outlet": "Fjord Wire", "published": "2025-12-02", "url": "https://fjord.example/aid"}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Server:
    url: str
    app: FastAPI

    @property
    def state(self) -> ApiState:
        state: ApiState = self.app.state.api
        return state

    def request(self, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, method: str | None = None) -> Reply:
        """One HTTP request to the server (loopback only); any status is returned."""
        req = urllib.request.Request(self.url + path, data=body, method=method,
                                     headers={"Authorization": f"Bearer {TOKEN}",
                                              "Content-Type": "application/json",
                                              **(headers or {})})
        start = time.monotonic()
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                status, head, data = resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as exc:
            status, head, data = exc.code, dict(exc.headers), exc.read()
        return Reply(status, {k.lower(): v for k, v in head.items()}, data,
                     time.monotonic() - start)

    def post(self, raw: bytes | str) -> Reply:
        return self.request("/api/articles", raw.encode() if isinstance(raw, str) else raw)

    def wait_for_writes(self) -> None:
        """Block until the write thread has finished everything queued so far."""
        self.state.write_pool.submit(lambda: None).result(timeout=60)


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[Server]:
    """The real app and dashboard over an empty database, by uvicorn on a loopback port."""
    app = create_app(ApiSettings(db=tmp_path / "hostile.duckdb", token=TOKEN,
                                 write_timeout=1.0))
    mount_dashboard(app)
    with serve_app(app, log_level="error") as url:
        yield Server(url, app)


class FakeCoder:
    """Codes every article as having no events, at once (stands in for ProcessCoder)."""

    def code(self, articles: Sequence[Article], deadline: float) -> list[CodedArticle]:
        return [CodedArticle(article=a) for a in articles]

    def stop(self) -> None:
        pass


class HangingPipeline:
    """A pipeline (run in the real coding process) that never finishes a text with HANG."""

    def code(self, articles: Sequence[Article]) -> list[CodedArticle]:
        if any("HANG" in a.text for a in articles):
            time.sleep(600)
        return [CodedArticle(article=a) for a in articles]


def _fake_coding(server: Server, monkeypatch: pytest.MonkeyPatch, coder: Any = None,
                 grouping: Callable[..., Any] | None = None) -> None:
    """Replace the coder, embedder and story grouping of the running app with fakes."""
    monkeypatch.setattr(server.state, "_coder", coder or FakeCoder())
    monkeypatch.setattr(server.state, "_embedder", object())
    monkeypatch.setattr(api_ingest, "update_stories", grouping or (lambda *a, **k: None))


def _assert_clean_4xx(reply: Reply, *words: str) -> str:
    assert 400 <= reply.status < 500, reply.body[:300]
    text = reply.body.decode("utf-8")
    json.loads(text)  # always valid JSON
    assert "Traceback" not in text and "/work" not in text and "site-packages" not in text
    for word in words:
        assert word in text
    return text


# ------------------------------------------------------------------ bad values
def test_nan_surrogates_and_long_text_are_4xx(server: Server) -> None:
    for body in ('{"text": NaN}', '{"text": "Norway aids Sudan.", "published": NaN}',
                 '{"documents": [{"text": Infinity}]}'):
        _assert_clean_4xx(server.post(body), "NaN and Infinity are not valid JSON")
    for field in ("text", "title", "outlet", "summary"):
        doc = {**DOC, field: "Norway \ud800 aids Sudan."}
        body = json.dumps(doc)  # ensure_ascii: the lone surrogate travels as \\ud800
        _assert_clean_4xx(server.post(body), field, "lone surrogate (U+D800)")
    long_text = "Norway sends aid to Sudan. " * 44_445  # 1.2 million characters, < 2 MB
    assert len(long_text) > 1_200_000
    reply = server.post(json.dumps({"text": long_text}))
    assert reply.status == 422
    _assert_clean_4xx(reply, "text is too long", "1,000,000")
    assert server.request("/api/articles", method="GET").json()["total"] == 0


def test_extreme_dates_are_4xx_or_answers(server: Server) -> None:
    early = server.request("/api/indices/VEN?as_of=0001-01-01")
    assert early.status == 422
    _assert_clean_4xx(early, "too early")
    for query in ("/api/indices/VEN?as_of=0001-12-31", "/api/indices/VEN?as_of=0002-06-16",
                  "/api/indices/VEN?as_of=9999-12-31", "/api/indices/VEN?as_of=10000-01-01",
                  "/api/indices/VEN?as_of=0000-01-01", "/api/indices/VEN?as_of=2025-02-30",
                  "/api/indices/VEN?as_of=9999-12-31&window=3650&baseline=3650",
                  "/api/indices/VEN?as_of=0011-01-01&window=3650&baseline=3650",
                  "/api/events?since=0001-01-01&until=9999-12-31",
                  "/api/articles?since=9999-12-31", "/api/report/VEN?since=0001-01-01",
                  "/api/stories?since=0001-01-01"):
        reply = server.request(query)
        assert reply.status in (200, 422), (query, reply.status, reply.body[:200])
        if reply.status == 422:
            _assert_clean_4xx(reply)


def test_script_urls_are_refused_and_never_served(server: Server,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_coding(server, monkeypatch)
    for url in ("javascript:alert(3)", " JavaScript:alert(1)", "java\tscript:alert(1)",
                "data:text/html,<script>alert(1)</script>", "/relative", "vbscript:x"):
        _assert_clean_4xx(server.post(json.dumps({**DOC, "url": url})), "http")
    stored = server.post(json.dumps(DOC))
    assert stored.status == 201, stored.body
    (aid,) = stored.json()["articles"]
    # a script URL already in the database (written by an older version) is not served
    with server.state.writer() as store:
        store.con.execute("UPDATE articles SET url = 'javascript:alert(3)' WHERE id = ?", [aid])
    assert server.request(f"/api/articles/{aid}").json()["article"]["url"] is None
    assert server.request("/api/articles").json()["items"][0]["url"] is None


# ------------------------------------------------------------ headers and hosts
def test_security_headers_on_every_response(server: Server) -> None:
    for path, status in (("/api/countries", 200), ("/api/nope", 404),
                         ("/api/events?limit=0", 422), ("/openapi.json", 200)):
        reply = server.request(path)
        assert reply.status == status
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert reply.headers["x-frame-options"] == "DENY"
        assert reply.headers["referrer-policy"] == "no-referrer"
        csp = reply.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-eval" not in csp
    too_big = _declared_only(server, 3_000_000)  # answered before any body is sent
    assert too_big.status == 413 and too_big.getheader("x-frame-options") == "DENY"
    docs = server.request("/docs")
    assert docs.status == 200
    policy = docs.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", policy)
    assert script_src and "'unsafe-inline'" not in script_src.group(1)
    inline = re.findall(r"<script>(.*?)</script>", docs.body.decode(), re.DOTALL)
    assert inline and all(script_hash(code) in policy for code in inline)


def _declared_only(server: Server, size: int) -> http.client.HTTPResponse:
    """POST headers declaring a ``size``-byte body, and the server's answer to them."""
    host, port = server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.putrequest("POST", "/api/articles")
    for name, value in (("Content-Type", "application/json"), ("Content-Length", str(size)),
                        ("Authorization", f"Bearer {TOKEN}")):
        conn.putheader(name, value)
    conn.endheaders()
    reply = conn.getresponse()
    reply.read()
    conn.close()
    return reply


def test_host_allow_list(server: Server, tmp_path: Path) -> None:
    port = server.url.rsplit(":", 1)[1]
    for host in ("localhost", f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}",
                 "LOCALHOST"):
        assert server.request("/api/countries", headers={"Host": host}).status == 200, host
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example",
                 "localhost.", "", "[::2]"):
        reply = server.request("/api/countries", headers={"Host": host})
        assert reply.status == 400, host
        _assert_clean_4xx(reply, "Host")
        assert reply.headers["x-frame-options"] == "DENY"
    loaded = load_settings(environ={"REALPOLITIK_ALLOWED_HOSTS": "dash.example, Other.Example"})
    settings = ApiSettings.from_settings(tmp_path / "x.duckdb", loaded.settings)
    assert {"dash.example", "other.example", "localhost", "127.0.0.1", "[::1]"} <= set(
        settings.allowed_hosts)
    assert "evil.example" not in settings.allowed_hosts


def test_what_already_held_still_holds(server: Server) -> None:
    """No way out of the static folder, filters are data not SQL, no trace or path leaks."""
    for path in ("/static/../../pyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml",
                 "/static/..%2f..%2fpyproject.toml", "/static/%2e%2e%5c%2e%2e%5cREADME.md",
                 "/vendor/../api/countries/../../etc/passwd"):
        reply = server.request(path)
        assert reply.status == 404 and b"[project]" not in reply.body, path
    assert server.request("/static/common.js").status == 200
    for query in ("story=%27%20OR%201%3D1%20--", "country=VEN%27%3B%20DROP%20TABLE%20events%3B",
                  "type=ASSAULT%22%29%20OR%20%281%3D1", "source=%25", "target=_"):
        reply = server.request(f"/api/events?{query}")
        assert reply.status in (200, 422) and (reply.status == 422 or reply.json()["total"] == 0)
    assert server.request("/api/countries").status == 200  # the tables are still there
    for path in ("/api/articles/%ED%A0%80", "/api/stories/%00", "/api/happenings/x%0Ay"):
        _assert_clean_4xx(server.request(path))
    unauthorised = server.request("/api/articles", json.dumps(DOC).encode(),
                                  headers={"Authorization": "Bearer wrong"})
    assert unauthorised.status == 401


# ------------------------------------------------------------- bounded writes
def _read_while(server: Server, busy: Callable[[], bool]) -> list[float]:
    """Read /api/articles repeatedly while ``busy()``; the time each read took."""
    times = []
    deadline = time.monotonic() + 20
    while busy() and time.monotonic() < deadline:
        reply = server.request("/api/articles")
        assert reply.status == 200
        times.append(reply.seconds)
        time.sleep(0.05)
    return times


def test_slow_coding_is_stopped_with_503(server: Server,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    coder = ProcessCoder(factory=f"{__name__}:HangingPipeline")
    _fake_coding(server, monkeypatch, coder)
    try:
        assert coder.code([], time.monotonic() + 60) == []  # started: now time the coding
        hung = coder.pid
        results: dict[str, Reply] = {}
        poster = threading.Thread(target=lambda: results.update(
            first=server.post(json.dumps({**DOC, "text": "HANG Norway aids Sudan."}))))
        poster.start()
        reads = _read_while(server, poster.is_alive)
        poster.join()
        first = results["first"]
        assert first.status == 503 and first.headers["retry-after"]
        _assert_clean_4xx_or_5xx(first, "did not finish within 1 s", "nothing from it was stored")
        assert first.seconds < 3
        assert reads and max(reads) < 1.0  # readers were answered while the write was coding
        server.wait_for_writes()  # the write thread is free again: the coder was killed
        assert coder.pid is None and hung is not None and not _alive(hung)
        assert server.request("/api/articles").json()["total"] == 0  # nothing saved
        server.state.settings.write_timeout = 60  # room to start a fresh coding process
        again = server.post(json.dumps(DOC))
        assert again.status == 201, again.body
        assert server.request("/api/articles").json()["total"] == 1
    finally:
        coder.stop()


class BrokenPipeline:
    """A pipeline (run in the real coding process) that fails on a text with BREAK."""

    def code(self, articles: Sequence[Article]) -> list[CodedArticle]:
        if any("BREAK" in a.text for a in articles):
            raise ValueError("cannot code /secret/path/model.bin")
        return [CodedArticle(article=a) for a in articles]


def test_a_coder_failure_is_422_without_details(server: Server,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    coder = ProcessCoder(factory=f"{__name__}:BrokenPipeline")
    _fake_coding(server, monkeypatch, coder)
    server.state.settings.write_timeout = 60
    try:
        reply = server.post(json.dumps({**DOC, "text": "BREAK Norway aids Sudan."}))
        _assert_clean_4xx(reply, "could not be coded", "nothing was stored")
        assert b"secret" not in reply.body
        assert server.post(json.dumps(DOC)).status == 201  # the same coder goes on
    finally:
        coder.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def _assert_clean_4xx_or_5xx(reply: Reply, *words: str) -> None:
    text = reply.body.decode("utf-8")
    assert "Traceback" not in text and "/work" not in text
    for word in words:
        assert word in text


def test_readers_never_wait_for_a_saving_writer(server: Server,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    saving = threading.Event()

    def slow_grouping(store: Store, *args: Any, **kwargs: Any) -> None:
        """Hold a write transaction open for 2 s, as a long story update would."""
        store.con.begin()
        store.con.execute("UPDATE articles SET title = title || '' ")
        saving.set()
        time.sleep(2)
        store.con.commit()

    _fake_coding(server, monkeypatch, grouping=slow_grouping)
    results: dict[str, Reply] = {}
    poster = threading.Thread(target=lambda: results.update(write=server.post(json.dumps(DOC))))
    poster.start()
    assert saving.wait(10)
    reads = _read_while(server, poster.is_alive)
    poster.join()
    # saving had begun before the 1 s budget ran out, so the write completes
    assert results["write"].status == 201, results["write"].body
    assert results["write"].seconds > 1.5
    assert len(reads) >= 5 and max(reads) < 1.0
    assert server.request("/api/articles").json()["total"] == 1


def test_only_http_urls_are_kept_in_records() -> None:
    from realpolitik.records import http_url

    for good in ("https://example.org/a?b=c#d", "HTTP://EXAMPLE.ORG", "http://[::1]:8000/x",
                 "  https://example.org/padded  "):
        assert http_url(good) == good.strip()
    for bad in ("javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:alert(1)",
                "\x01javascript:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd",
                "//evil.example/x", "/relative", "https://", "https://a b.example/", "", "http:x"):
        assert http_url(bad) is None, bad
    assert Article(id="a", text="t", url="javascript:alert(1)").url is None
    assert Article(id="a", text="t", url="https://example.org/").url == "https://example.org/"
