"""A news site on 127.0.0.1 for the watcher tests and the live benchmark: feeds and article
pages written for this project, some of them misbehaving on purpose.

``FixtureSite`` holds the routes (path -> handler) and counts hits per path; tests change
routes while the server runs (a feed gaining an item, a 500 that recovers).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from realpolitik.live.status import SourceStatus

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Story:
    """An article page and its feed item."""

    slug: str
    title: str
    date: dt.date
    paragraphs: list[str]
    outlet: str = "Harbour Times"


STORIES = {
    "ru-backs-ven": Story(
        "ru-backs-ven", "Russia pledges to back Venezuela", dt.date(2025, 11, 3), [
            "Russia pledged on Monday to back the government of Venezuela. Russian officials "
            "agreed to provide new loans to Caracas, the Kremlin said in a statement.",
            "Moscow will cooperate with Venezuela on energy projects, the statement added."]),
    "jpn-phl-pact": Story(
        "jpn-phl-pact", "Japan and the Philippines sign a defence pact", dt.date(2025, 11, 7), [
            "Japan and the Philippines signed a defence pact in Manila on Friday.",
            "Japan agreed to provide patrol boats to the Philippines, officials said."]),
    "ind-pak-border": Story(
        "ind-pak-border", "India accuses Pakistan over border shelling", dt.date(2025, 11, 9), [
            "India accused Pakistan of shelling border villages in Kashmir on Sunday.",
            "Pakistan denied the claim and protested to India, its foreign office said."]),
    "ru-refuses-ven": Story(
        "ru-refuses-ven", "Russia refuses to back Venezuela", dt.date(2025, 11, 25), [
            "Russia refused to back Venezuela against American pressure, officials said on "
            "Tuesday. Moscow declined to provide military aid to Caracas.",
            "The Kremlin said it would not support the Venezuelan government."]),
    "deu-fra-summit": Story(
        "deu-fra-summit", "Germany and France agree on a defence fund", dt.date(2025, 11, 14), [
            "Germany and France agreed on Friday to create a joint defence fund, the two "
            "governments said after a summit in Berlin.",
            "France will contribute ships to the fund, officials said."]),
    "latin1": Story(
        "latin1", "Colombia and Ecuador agree on border talks", dt.date(2025, 11, 12), [
            "Colombia and Ecuador agreed on Wednesday to hold border talks in Bogotá, the "
            "foreign ministers said after a meeting in Quito.",
            "Ecuador's minister said the talks would begin in the new year."], "Andes Diario"),
}


def page_html(story: Story, canonical: str | None = None) -> str:
    paras = "\n".join(f"<p>{p}</p>" for p in story.paragraphs)
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{story.title}</title>"
            f"{link}<meta property=\"og:site_name\" content=\"{story.outlet}\">"
            f"<meta name=\"date\" content=\"{story.date.isoformat()}\"></head><body>"
            f"<nav><a href=\"/\">Home</a> | <a href=\"/world\">World</a></nav>"
            f"<article><h1>{story.title}</h1>{paras}</article>"
            f"<footer>Copyright Harbour Times. All rights reserved.</footer></body></html>")


def rss(base: str, items: list[tuple[str, str, dt.date]], title: str = "Harbour Times") -> str:
    """A feed of (title, link path, date) items."""
    entries = "".join(
        f"<item><title>{t}</title><link>{base}{link}</link><guid>{base}{link}</guid>"
        f"<pubDate>{format_datetime(dt.datetime(d.year, d.month, d.day, 9, tzinfo=dt.UTC))}"
        f"</pubDate><description>{t}.</description></item>" for t, link, d in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>{base}/</link><description>News</description>"
            f"{entries}</channel></rss>")


@dataclass
class FixtureSite:
    """Routes and hit counts of the fixture server."""

    routes: dict[str, Handler] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    base: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, path: str) -> None:
        with self.lock:
            self.hits[path] += 1


def send(h: BaseHTTPRequestHandler, status: int, body: bytes = b"",
         ctype: str = "text/html; charset=utf-8", headers: dict[str, str] | None = None,
         gzip_body: bool = False) -> None:
    if gzip_body and "gzip" in (h.headers.get("Accept-Encoding") or ""):
        body = gzip.compress(body)
        headers = {**(headers or {}), "Content-Encoding": "gzip"}
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(body)


def static(body: str | bytes, ctype: str = "text/html; charset=utf-8", etag: bool = False,
           gzip_body: bool = False) -> Handler:
    """A fixed response; with ``etag``, 304 when the client already has it."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    tag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
    stamp = "Mon, 01 Dec 2025 08:00:00 GMT"

    def handle(h: BaseHTTPRequestHandler) -> None:
        if etag and h.headers.get("If-None-Match") == tag:
            h.send_response(304)
            h.send_header("ETag", tag)
            h.end_headers()
            return
        extra = {"ETag": tag, "Last-Modified": stamp} if etag else {}
        send(h, 200, data, ctype, extra, gzip_body)

    return handle


def feed(body: str, etag: bool = True, gzip_body: bool = True) -> Handler:
    return static(body, "application/rss+xml; charset=utf-8", etag, gzip_body)


def status(code: int, headers: dict[str, str] | None = None) -> Handler:
    return lambda h: send(h, code, f"status {code}".encode(), "text/plain", headers)


def sequence(*handlers: Handler) -> Handler:
    """Each request gets the next handler; the last one repeats."""
    calls = iter(handlers)
    last = [handlers[-1]]

    def handle(h: BaseHTTPRequestHandler) -> None:
        last[0] = next(calls, last[0])
        last[0](h)

    return handle


def slow(handler: Handler, seconds: float) -> Handler:
    """``handler``, answered after ``seconds``."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        handler(h)

    return handle


def redirect_loop(other: str) -> Handler:
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(302)
        h.send_header("Location", other)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return handle


def hang(seconds: float = 30.0) -> Handler:
    """Headers and a few bytes, then nothing: a response that never finishes."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        h.wfile.write(b"<html><body><p>Once upon")
        h.wfile.flush()
        time.sleep(seconds)

    return handle


def huge(megabytes: int = 60) -> Handler:
    """A page of ``megabytes`` MB streamed without a Content-Length."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Connection", "close")
        h.end_headers()
        chunk = b"<p>" + b"Filler sentence about nothing in particular. " * 1400 + b"</p>\n"
        try:
            h.wfile.write(b"<html><body>")
            for _ in range(megabytes * 1_000_000 // len(chunk) + 1):
                h.wfile.write(chunk)
        except OSError:  # the client hung up, as it should
            pass
        h.close_connection = True

    return handle


def make_handler(site: FixtureSite) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            site.hit(path)
            route = site.routes.get(path)
            if route is None:
                send(self, 404, b"not found", "text/plain")
            else:
                route(self)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    return _Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up (timeouts, refused bodies) are the point, not errors."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def serve(site: FixtureSite) -> Iterator[FixtureSite]:
    """Run the site on a free 127.0.0.1 port for the block; ``site.base`` is its URL."""
    server = _QuietServer(("127.0.0.1", 0), make_handler(site))
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------- running the watcher
FAST = {"poll_interval": 0.3, "timeout": 1.0, "total_timeout": 3.0, "max_bytes": 2_000_000,
        "max_redirects": 3, "backoff_base": 0.2, "backoff_max": 1.0, "host_interval": 0.0,
        "user_agent": "RealpolitikTest/1.0"}


class Events:
    """A Reporter that keeps every event (thread-safe) for the tests to wait on."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, dict[str, object]]] = []
        self.lock = threading.Lock()

    def event(self, level: str, event: str, **fields: object) -> None:
        with self.lock:
            self.items.append((level, event, fields))

    def sources(self, statuses: list[SourceStatus]) -> None:
        self.last = statuses

    def close(self) -> None:
        """Nothing to close."""

    def of(self, event: str) -> list[dict[str, object]]:
        with self.lock:
            return [f for _, e, f in self.items if e == event]


def write_sources(path: Path, site: FixtureSite, sources: list[dict[str, Any]],
                   alerts: dict[str, Any] | None = None, **settings: Any) -> Path:
    doc: dict[str, Any] = {"settings": {**FAST, **settings},
                           "sources": [{**s, "url": site.base + s["url"]} for s in sources]}
    if alerts is not None:
        doc["alerts"] = alerts
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def run_until(run: Callable[[threading.Event], Any], done: Callable[[], bool],
               timeout: float = 120.0) -> Any:
    """Run the watcher in a thread until ``done()`` holds, then stop it (as SIGTERM would)."""
    stop = threading.Event()
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(run(stop)), daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not done() and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    reached = done()
    stop.set()
    thread.join(60)
    assert not thread.is_alive(), "the watcher did not stop"
    assert reached, "the condition was not reached before the timeout"
    return result[0]


def item(slug: str, path: str | None = None) -> tuple[str, str, dt.date]:
    s = STORIES[slug]
    return s.title, path or f"/news/{slug}", s.date


