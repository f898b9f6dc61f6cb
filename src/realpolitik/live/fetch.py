"""Polite HTTP for the watcher: conditional GETs, size and time limits, robots.txt,
a per-host request interval and exponential back-off (honouring Retry-After).

``Fetcher.get`` never raises for network trouble: it returns a ``Fetched`` whose
``problem`` says in a phrase what went wrong, so the watcher can report and go on.
"""

from __future__ import annotations

import email.utils
import threading
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from realpolitik.live.config import WatchSettings

RETRY_STATUSES = {429, 503}


@dataclass
class Fetched:
    """One response (or the reason there is none)."""

    url: str
    status: int | None = None
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    retry_after: float | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and self.status == 200

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass
class Backoff:
    """Exponential back-off of one source: base x 2^(failures-1), capped."""

    base: float
    cap: float
    failures: int = 0
    until: float = 0.0

    def fail(self, now: float, retry_after: float | None = None,
             retry_after_max: float = 86_400.0) -> float:
        """Record a failure; returns the delay before the next attempt."""
        self.failures += 1
        delay = min(self.base * 2 ** (self.failures - 1), self.cap)
        if retry_after is not None:
            delay = max(delay, min(retry_after, retry_after_max))
        self.until = now + delay
        return delay

    def succeed(self) -> None:
        self.failures, self.until = 0, 0.0


@dataclass
class HostLimiter:
    """At most one request per ``interval`` seconds to each host."""

    interval: float
    clock: Callable[[], float] = time.monotonic
    _next: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, host: str, stop: threading.Event) -> bool:
        """Sleep until the host may be asked again; False when stopped meanwhile."""
        with self._lock:
            now = self.clock()
            start = max(now, self._next.get(host, 0.0))
            self._next[host] = start + self.interval
        return not stop.wait(max(0.0, start - now)) if start > now else not stop.is_set()


class SizeExceeded(Exception):
    """The body went over the size limit while streaming."""


class Fetcher:
    """One httpx client for the watcher's lifetime; use as a context manager."""

    def __init__(self, settings: WatchSettings, stop: threading.Event | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.stop = stop or threading.Event()
        self.limiter = HostLimiter(settings.host_interval)
        self._robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser | None]] = {}
        self.client = httpx.Client(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(settings.timeout), follow_redirects=True,
            max_redirects=settings.max_redirects, transport=transport)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None,
            check_robots: bool = True) -> Fetched:
        """A GET with validators, within the size and time limits, if robots.txt allows."""
        if check_robots and not self.allowed(url):
            return Fetched(url, problem="disallowed by robots.txt")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if not self.limiter.wait(urlsplit(url).netloc, self.stop):
            return Fetched(url, problem="stopped")
        try:
            return self._stream(url, headers)
        except SizeExceeded:
            return Fetched(url, problem=f"response over the {self.settings.max_bytes:,}-byte "
                           "limit (refused)")
        except httpx.TooManyRedirects:
            return Fetched(url, problem=f"more than {self.settings.max_redirects} redirects "
                           "(redirect loop?)")
        except httpx.TimeoutException as exc:
            return Fetched(url, problem=f"timed out ({type(exc).__name__})")
        except httpx.HTTPError as exc:
            return Fetched(url, problem=f"HTTP error ({type(exc).__name__}: {exc})")

    def _stream(self, url: str, headers: dict[str, str]) -> Fetched:
        deadline = time.monotonic() + self.settings.total_timeout
        limit = self.settings.max_bytes
        with self.client.stream("GET", url, headers=headers) as resp:
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit \
                    and "gzip" not in resp.headers.get("Content-Encoding", ""):
                raise SizeExceeded
            chunks, size = [], 0
            if resp.status_code == 200:
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise SizeExceeded
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("total time limit", request=resp.request)
                    chunks.append(chunk)
            got = Fetched(str(resp.url), resp.status_code, b"".join(chunks),
                          resp.headers.get("ETag"), resp.headers.get("Last-Modified"),
                          resp.headers.get("Content-Type"),
                          parse_retry_after(resp.headers.get("Retry-After")))
        if resp.status_code not in (200, 304):
            got.problem = f"HTTP {resp.status_code} {resp.reason_phrase}".strip()
        return got

    def allowed(self, url: str) -> bool:
        """robots.txt of the URL's site allows our User-Agent (cached per site)."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        now = time.monotonic()
        cached = self._robots.get(site)
        if cached is None or cached[0] < now:
            parser = self._load_robots(site)
            failing = parser is not None and parser.disallow_all
            ttl = self.settings.backoff_base if failing else self.settings.robots_ttl
            cached = (now + ttl, parser)
            self._robots[site] = cached
        parser = cached[1]
        return parser is None or parser.can_fetch(self.settings.user_agent, url)

    def _load_robots(self, site: str) -> urllib.robotparser.RobotFileParser | None:
        """The site's rules; None (allow all) when it has none, disallow-all on 5xx."""
        got = self.get(f"{site}/robots.txt", check_robots=False)
        parser = urllib.robotparser.RobotFileParser()
        if got.status is not None and got.status >= 500:
            parser.disallow_all = True
            return parser
        if not got.ok:
            return None
        parser.parse(got.body.decode("utf-8", errors="replace").splitlines())
        return parser
