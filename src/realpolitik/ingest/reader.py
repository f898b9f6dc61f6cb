"""Read one source (file or stdin) into Articles, whole or not at all.

Every format ends in ``build_article``, so datelines, dates, outlets, cites and
language are decided the same way whatever the container was.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

import feedparser

from realpolitik.files import FileRefused, read_regular
from realpolitik.ingest.cites import find_cites
from realpolitik.ingest.datelines import find_datelines, parse_date, strip_datelines
from realpolitik.ingest.decode import IngestError, decode
from realpolitik.ingest.html import extract_page, fragment_to_text
from realpolitik.ingest.language import guess_language
from realpolitik.ingest.plaintext import clean_body, parse_plaintext
from realpolitik.ingest.sanitize import FIELD_LIMITS, bounded, clean_text, display_name, http_url
from realpolitik.records import Article, IngestProblem, content_id

Normaliser = Callable[[str], str | None]
SINGLE = {".txt": "text", "": "text", ".text": "text", ".html": "html", ".htm": "html",
          ".xhtml": "html"}
STREAM = {".xml": "feed", ".rss": "feed", ".atom": "feed", ".jsonl": "jsonl",
          ".ndjson": "jsonl", ".csv": "csv"}
META_FIELDS = ("title", "summary", "outlet", "published", "date", "url")
MAX_CITES = 20
MAX_NUMBER_DIGITS = 40  # a JSON number longer than this is no id or date (and int() is slow)


@dataclass(frozen=True)
class IngestLimits:
    """Per-file bounds: bytes (checked on the open file before reading) and records.

    ``max_text_bytes`` also bounds the text of one record of a JSONL/CSV file or feed.
    """

    max_text_bytes: int = 5_000_000
    max_stream_bytes: int = 50_000_000
    max_records: int = 5_000


DEFAULT_LIMITS = IngestLimits()


@dataclass(frozen=True)
class _Context:
    """What every format reader needs besides the text."""

    path: str
    normalise: Normaliser | None
    limits: IngestLimits


@dataclass
class SourceResult:
    """One source's articles, or the one problem that stopped it (then articles is empty).

    Article.id is always content_id(text, outlet); a record's or feed item's own id is
    not kept.
    """

    path: str
    articles: list[Article] = field(default_factory=list)
    problem: IngestProblem | None = None


def iter_sources(paths: Sequence[str]) -> Iterator[str]:
    """Expand directories (recursively, sorted, no hidden files); keep '-' and missing paths.

    A directory that cannot be listed (unreadable, path too long) is yielded itself, so
    reading it reports the problem instead of the run skipping it silently.
    """
    for path in paths:
        if path == "-" or not os.path.isdir(path):
            yield path
            continue
        yield from _walk(path)


def _walk(top: str) -> Iterator[str]:
    """Files under ``top`` in sorted order, and every directory that could not be listed."""
    unlisted: list[str] = []

    def note(exc: OSError) -> None:
        unlisted.append(str(exc.filename))

    for root, dirs, files in os.walk(top, onerror=note):
        yield from unlisted
        unlisted.clear()
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield os.path.join(root, name)
    yield from unlisted


def read_source(path: str, *, stdin: TextIO | None = None, limits: IngestLimits = DEFAULT_LIMITS,
                normalise_cite: Normaliser | None = None) -> SourceResult:
    """Read a file ('-' is stdin) into Articles; never raises for bad input.

    The problem line names the file escaped (``display_name``), so it stays one line.
    """
    shown = display_name(path)  # Article.path too: always storable and printable
    name = "stdin" if path == "-" else shown
    try:
        articles = list(_read(path, stdin, _Context(shown, normalise_cite, limits)))
    except IngestError as exc:
        return SourceResult(path, problem=IngestProblem(path=name, problem=f"{name}: {exc}."))
    except RecursionError:
        return SourceResult(path, problem=IngestProblem(
            path=name, problem=f"{name}: is nested too deeply to read."))
    return SourceResult(path, articles)


def byte_limit(path: str, limits: IngestLimits) -> int:
    """The most bytes a file with this name may have before it is even opened."""
    return limits.max_text_bytes if _extension(path) in SINGLE else limits.max_stream_bytes


def _extension(path: str) -> str:
    return "" if path == "-" else Path(path).suffix.lower()


def _read(path: str, stdin: TextIO | None, ctx: _Context) -> Iterator[Article]:
    limits = ctx.limits
    ext = _extension(path)
    fmt = SINGLE.get(ext) or STREAM.get(ext)
    if path == "-":
        text = (stdin or sys.stdin).read(limits.max_stream_bytes + 1)
        size = len(text.encode("utf-8", "surrogatepass"))
        if not text.strip():
            raise IngestError("is empty")
    else:
        try:
            data = read_regular(path, byte_limit(path, limits))
        except FileRefused as exc:
            raise IngestError(str(exc)) from exc
        size = len(data)
        text = decode(data)
        del data
    if fmt is None or (fmt == "text" and ext == ""):
        fmt = sniff(text)
    limit = limits.max_stream_bytes if fmt in STREAM.values() else limits.max_text_bytes
    if size > limit:
        raise IngestError(f"is {size:,} bytes, over the {limit:,}-byte limit for {fmt} input")
    readers: dict[str, Callable[[str, _Context], Iterator[Article]]] = {
        "text": _read_text, "html": _read_html, "feed": _read_feed,
        "jsonl": _read_jsonl, "csv": _read_csv}
    yield from readers[fmt](clean_text(text), ctx)


def sniff(text: str) -> str:
    """Format of extension-less text: feed, html, jsonl or plain text."""
    head = text.lstrip("\ufeff \t\r\n")[:2000].lower()
    if head.startswith("<"):
        if re.search(r"<(rss|feed|rdf:rdf)[\s>]", head):
            return "feed"
        if re.search(r"<(!doctype html|html|head|body|article|div|p)[\s>]", head):
            return "html"
    if head.startswith("{"):
        try:
            if isinstance(_json(head.split("\n", 1)[0]), dict):
                return "jsonl"
        except (ValueError, RecursionError):
            pass
    return "text"


def _refuse_number(text: str) -> Any:
    """JSON numbers: refuse NaN/Infinity and numbers too long to be an id or a date."""
    if len(text) > MAX_NUMBER_DIGITS or text in ("NaN", "Infinity", "-Infinity"):
        raise ValueError(f"number {text[:20]}… not accepted" if len(text) > 20
                         else f"number {text} not accepted")
    return float(text) if any(c in text for c in ".eE") else int(text)


def _json(line: str) -> Any:
    """json.loads with numbers bounded (see _refuse_number); RecursionError when too deep."""
    return json.loads(line, parse_int=_refuse_number, parse_float=_refuse_number,
                      parse_constant=_refuse_number)


_WORD = re.compile(r"[^\W\d_]{2,}")


def build_article(body: str, path: str, *, normalise: Normaliser | None = None,
                  title: str | None = None, summary: str | None = None,
                  outlets: Sequence[str | None] = (), dates: Sequence[dt.date | None] = (),
                  url: str | None = None) -> Article:
    """The shared last step: drop datelines from the body, pick date/outlet, find cites."""
    body = clean_text(body)
    datelines = find_datelines(body)
    text = strip_datelines(body, datelines).strip() if datelines else body.strip()
    if sum(1 for _ in islice(_WORD.finditer(text), 3)) < 3:  # stops at the third word
        raise IngestError("no article text found")
    first = datelines[0] if datelines else None
    published = next((d for d in (*dates, first and first.date) if d), None)
    outlet = bounded(next((o for o in (*outlets, first and first.agency) if o), None),
                     FIELD_LIMITS["outlet"])
    return Article(id=content_id(text, outlet), path=path, url=http_url(url), outlet=outlet,
                   title=bounded(title, FIELD_LIMITS["title"]),
                   summary=bounded(summary, FIELD_LIMITS["summary"]), published=published,
                   dateline=first.places if first else [],
                   cites=find_cites(text, normalise)[:MAX_CITES],
                   language=guess_language(text), text=text)


def _read_text(text: str, ctx: _Context) -> Iterator[Article]:
    parsed = parse_plaintext(text)
    yield build_article(parsed.body, ctx.path, normalise=ctx.normalise, title=parsed.title,
                        summary=parsed.summary, outlets=[parsed.outlet],
                        dates=[parse_date(parsed.published_line or "")])


def _read_html(text: str, ctx: _Context) -> Iterator[Article]:
    yield html_article(text, ctx.path, normalise=ctx.normalise)


def html_article(text: str, path: str, *, normalise: Normaliser | None = None,
                 outlet: str | None = None, default_outlet: str | None = None,
                 url: str | None = None, date: dt.date | None = None) -> Article:
    """One HTML page to an Article (trafilatura). ``outlet`` overrides the page's own
    site name; ``default_outlet``, ``url`` and ``date`` count where the page says nothing."""
    page = extract_page(text, path)
    if page.text is None:
        raise IngestError("no article text found in the HTML")
    parsed = parse_plaintext(page.text) if page.title is None else None
    body = parsed.body if parsed else clean_body(page.text)
    return build_article(
        body, path, normalise=normalise, url=page.url or url,
        title=page.title or (parsed.title if parsed else None),
        summary=page.summary or (parsed.summary if parsed else None),
        outlets=[outlet, page.outlet, parsed.outlet if parsed else None, default_outlet],
        dates=[page.published, parse_date(parsed.published_line or "") if parsed else None,
               date],
    )


def parse_feed(text: str, limits: IngestLimits = DEFAULT_LIMITS) -> Any:
    """A well-formed feed of 1 to ``max_records`` items (feedparser), else IngestError."""
    items = text.count("<item") + text.count("<entry")
    if items > limits.max_records:
        raise IngestError(f"has about {items:,} items, over the {limits.max_records:,}-record "
                          "limit per file (split it)")
    try:
        feed = feedparser.parse(text.encode("utf-8", "replace"), sanitize_html=False,
                                resolve_relative_uris=False)
    except (ValueError, OverflowError, UnicodeError, LookupError) as exc:
        raise IngestError(f"is not a well-formed feed ({type(exc).__name__})") from exc
    if feed.bozo and not isinstance(feed.bozo_exception, feedparser.CharacterEncodingOverride):
        reason = bounded(str(feed.bozo_exception), 200)
        raise IngestError(f"is not a well-formed feed ({reason})")
    if not feed.entries:
        raise IngestError("is a feed with no items")
    if len(feed.entries) > limits.max_records:
        raise IngestError(f"has {len(feed.entries):,} items, over the {limits.max_records:,}"
                          "-record limit per file (split it)")
    return feed


def entry_date(entry: Any) -> dt.date | None:
    """A feed item's publication (else update) date, None when absent or impossible."""
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    try:
        return dt.date(*stamp[:3]) if stamp else None
    except (TypeError, ValueError, OverflowError):
        return None


def entry_article(entry: Any, path: str, outlet: str | None,
                  normalise: Normaliser | None = None,
                  limits: IngestLimits = DEFAULT_LIMITS) -> Article:
    """A feed item's own content (or summary) as an Article."""
    content = entry.get("content") or []
    raw = (content[0].get("value") if content else None) or entry.get("summary") or ""
    body = clean_body(fragment_to_text(raw))
    if not body:
        raise IngestError("no content or summary text")
    if len(body) > limits.max_text_bytes:
        raise IngestError(f"text over {limits.max_text_bytes:,} characters")
    summary = fragment_to_text(entry.get("summary") or "") if content else None
    return build_article(body, path, normalise=normalise, url=entry.get("link"),
                         title=(entry.get("title") or "").strip(), summary=summary,
                         outlets=[outlet], dates=[entry_date(entry)])


def _read_feed(text: str, ctx: _Context) -> Iterator[Article]:
    feed = parse_feed(text, ctx.limits)
    outlet = (feed.feed.get("title") or "").strip() or None
    for n, entry in enumerate(feed.entries, 1):
        try:
            art = entry_article(entry, ctx.path, outlet, ctx.normalise, ctx.limits)
        except IngestError as exc:
            raise IngestError(f"item {n}: {exc}") from exc
        yield art


def _record_meta(rec: dict[str, Any], where: str) -> dict[str, str | None]:
    """A record's known metadata fields as bounded one-line strings (None when absent)."""
    meta: dict[str, str | None] = {}
    for key in META_FIELDS:
        value = rec.get(key)
        if value is not None and not isinstance(value, str | int | float):
            raise IngestError(f"{where}: field '{key}' must be a string")
        limit = FIELD_LIMITS.get("date" if key == "published" else key, 2_000)
        meta[key] = bounded(str(value), limit) if value is not None else None
    return meta


def _record_article(rec: dict[str, Any], where: str, ctx: _Context) -> Article:
    """A JSONL/CSV record: ``text`` required, known metadata optional, no other checks."""
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        raise IngestError(f"{where}: record has no text")
    if len(text) > ctx.limits.max_text_bytes:
        raise IngestError(f"{where}: text over {ctx.limits.max_text_bytes:,} characters")
    text = clean_text(text)
    meta = _record_meta(rec, where)
    raw_date = meta["published"] or meta["date"]
    date = parse_date(raw_date) if raw_date else None
    if raw_date and date is None:
        raise IngestError(f"{where}: cannot read the date '{raw_date}'")
    parsed = parse_plaintext(text) if not meta["title"] else None
    try:
        art = build_article(
            parsed.body if parsed else clean_body(text), ctx.path, normalise=ctx.normalise,
            title=meta["title"] or (parsed.title if parsed else None),
            summary=meta["summary"] or (parsed.summary if parsed else None),
            outlets=[meta["outlet"], parsed.outlet if parsed else None],
            dates=[date, parse_date(parsed.published_line or "") if parsed else None],
            url=meta["url"])
    except IngestError as exc:
        raise IngestError(f"{where}: {exc}") from exc
    return art


def _read_jsonl(text: str, ctx: _Context) -> Iterator[Article]:
    """One JSON object per line; lines end at "\n" only (U+2028 etc. may sit in strings)."""
    count = 0
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        count += 1
        if count > ctx.limits.max_records:
            raise IngestError(f"has more than {ctx.limits.max_records:,} records, the limit "
                              "per file (split it)")
        yield _record_article(_json_record(line, n), f"line {n}", ctx)
    if not count:
        raise IngestError("has no records")


def _json_record(line: str, n: int) -> dict[str, Any]:
    try:
        rec = _json(line)
    except json.JSONDecodeError as exc:
        raise IngestError(f"line {n}: invalid JSON ({exc.msg} at column {exc.colno})") from exc
    except ValueError as exc:
        raise IngestError(f"line {n}: invalid JSON ({exc})") from exc
    except RecursionError as exc:
        raise IngestError(f"line {n}: JSON nested too deeply") from exc
    if not isinstance(rec, dict):
        raise IngestError(f"line {n}: expected a JSON object, got {type(rec).__name__}")
    return rec


def _read_csv(text: str, ctx: _Context) -> Iterator[Article]:
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, len(text)))
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        fields = [(f or "").strip().lower() for f in reader.fieldnames or []]
        if "text" not in fields:
            raise IngestError("has no 'text' column in its header row")
        reader.fieldnames = fields
        rows = []
        try:
            for row in reader:
                where = f"row {len(rows) + 1} (line {reader.line_num})"
                if None in row:
                    raise IngestError(f"{where}: more fields than the header has")
                if len(rows) >= ctx.limits.max_records:
                    raise IngestError(f"has more than {ctx.limits.max_records:,} records, the "
                                      "limit per file (split it)")
                rows.append(_record_article(row, where, ctx))
        except csv.Error as exc:
            raise IngestError(f"line {reader.line_num}: malformed CSV ({exc})") from exc
    finally:
        csv.field_size_limit(old)
    if not rows:
        raise IngestError("has no records")
    yield from rows
