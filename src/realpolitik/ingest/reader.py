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
from pathlib import Path
from typing import Any, TextIO

import feedparser

from realpolitik.ingest.cites import find_cites
from realpolitik.ingest.datelines import find_datelines, parse_date, strip_datelines
from realpolitik.ingest.decode import IngestError, decode
from realpolitik.ingest.html import extract_page, fragment_to_text
from realpolitik.ingest.language import guess_language
from realpolitik.ingest.plaintext import clean_body, parse_plaintext
from realpolitik.records import Article, IngestProblem, content_id

Normaliser = Callable[[str], str | None]
SINGLE = {".txt": "text", "": "text", ".text": "text", ".html": "html", ".htm": "html",
          ".xhtml": "html"}
STREAM = {".xml": "feed", ".rss": "feed", ".atom": "feed", ".jsonl": "jsonl",
          ".ndjson": "jsonl", ".csv": "csv"}
META_FIELDS = ("id", "title", "summary", "outlet", "published", "date", "url")


@dataclass(frozen=True)
class IngestLimits:
    """Size limits, checked with stat() before a file is read."""

    max_text_bytes: int = 5_000_000
    max_stream_bytes: int = 500_000_000


@dataclass
class SourceResult:
    """One source's articles, or the one problem that stopped it (then articles is empty).

    ``source_ids`` runs parallel to ``articles``: a JSONL/CSV record's own ``id``
    (or a feed item's id), kept as metadata: Article.id is always content_id(text, outlet).
    """

    path: str
    articles: list[Article] = field(default_factory=list)
    problem: IngestProblem | None = None
    source_ids: list[str | None] = field(default_factory=list)


def iter_sources(paths: Sequence[str]) -> Iterator[str]:
    """Expand directories (recursively, sorted, no hidden files); keep '-' and missing paths."""
    for path in paths:
        if path == "-" or not os.path.isdir(path):
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith("."):
                    yield os.path.join(root, name)


def read_source(path: str, *, stdin: TextIO | None = None, limits: IngestLimits = IngestLimits(),
                normalise_cite: Normaliser | None = None) -> SourceResult:
    """Read a file ('-' is stdin) into Articles; never raises for bad input."""
    try:
        pairs = list(_read(path, stdin, limits, normalise_cite))
    except IngestError as exc:
        name = "stdin" if path == "-" else path
        return SourceResult(path, problem=IngestProblem(path=path, problem=f"{name}: {exc}."))
    return SourceResult(path, [a for a, _ in pairs], None, [i for _, i in pairs])


def _read(path: str, stdin: TextIO | None, limits: IngestLimits,
          normalise: Normaliser | None) -> Iterator[tuple[Article, str | None]]:
    ext = "" if path == "-" else Path(path).suffix.lower()
    fmt = SINGLE.get(ext) or STREAM.get(ext)
    limit = limits.max_text_bytes if ext in SINGLE else limits.max_stream_bytes
    if path == "-":
        text = (stdin or sys.stdin).read(limits.max_stream_bytes + 1)
        size = len(text.encode("utf-8"))
        if not text.strip():
            raise IngestError("is empty")
    else:
        size = _check_file(path, limit)
        with open(path, "rb") as fh:
            text = decode(fh.read())
    if fmt is None or (fmt == "text" and ext == ""):
        fmt = sniff(text)
    limit = limits.max_stream_bytes if fmt in STREAM.values() else limits.max_text_bytes
    if size > limit:
        raise IngestError(f"is {size:,} bytes, over the {limit:,}-byte limit for {fmt} input")
    readers: dict[str, Callable[..., Iterator[tuple[Article, str | None]]]] = {
        "text": _read_text, "html": _read_html, "feed": _read_feed,
        "jsonl": _read_jsonl, "csv": _read_csv}
    yield from readers[fmt](text, path, normalise)


def _check_file(path: str, limit: int) -> int:
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise IngestError("no such file") from exc
    except OSError as exc:
        raise IngestError(f"cannot be read ({exc.strerror})") from exc
    if not os.path.isfile(path):
        raise IngestError("is not a regular file")
    if st.st_size == 0:
        raise IngestError("is empty")
    if st.st_size > limit:
        raise IngestError(f"is {st.st_size:,} bytes, over the {limit:,}-byte limit")
    if not os.access(path, os.R_OK):
        raise IngestError("cannot be read (permission denied)")
    return st.st_size


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
            if isinstance(json.loads(head.split("\n", 1)[0]), dict):
                return "jsonl"
        except ValueError:
            pass
    return "text"


def build_article(body: str, path: str, *, normalise: Normaliser | None = None,
                  title: str | None = None, summary: str | None = None,
                  outlets: Sequence[str | None] = (), dates: Sequence[dt.date | None] = (),
                  url: str | None = None) -> Article:
    """The shared last step: drop datelines from the body, pick date/outlet, find cites."""
    datelines = find_datelines(body)
    text = strip_datelines(body, datelines).strip() if datelines else body.strip()
    if len(re.findall(r"[^\W\d_]{2,}", text)) < 3:
        raise IngestError("no article text found")
    first = datelines[0] if datelines else None
    published = next((d for d in (*dates, first and first.date) if d), None)
    outlet = next((o for o in (*outlets, first and first.agency) if o), None)
    return Article(id=content_id(text, outlet), path=path, url=url or None, outlet=outlet,
                   title=title or None, summary=summary or None, published=published,
                   dateline=first.places if first else [], cites=find_cites(text, normalise),
                   language=guess_language(text), text=text)


def _read_text(text: str, path: str, normalise: Normaliser | None
               ) -> Iterator[tuple[Article, str | None]]:
    parsed = parse_plaintext(text)
    yield build_article(parsed.body, path, normalise=normalise, title=parsed.title,
                        summary=parsed.summary, outlets=[parsed.outlet],
                        dates=[parse_date(parsed.published_line or "")]), None


def _read_html(text: str, path: str, normalise: Normaliser | None
               ) -> Iterator[tuple[Article, str | None]]:
    yield html_article(text, path, normalise=normalise), None


def html_article(text: str, path: str, *, normalise: Normaliser | None = None,
                 outlet: str | None = None, default_outlet: str | None = None,
                 url: str | None = None, date: dt.date | None = None) -> Article:
    """One HTML page to an Article (trafilatura). ``outlet`` overrides the page's own
    site name; ``default_outlet``, ``url`` and ``date`` count where the page says nothing."""
    page = extract_page(text)
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


def parse_feed(text: str) -> feedparser.FeedParserDict:
    """A well-formed feed with at least one item (feedparser), else IngestError."""
    feed = feedparser.parse(text.encode("utf-8"), sanitize_html=False, resolve_relative_uris=False)
    if feed.bozo and not isinstance(feed.bozo_exception, feedparser.CharacterEncodingOverride):
        raise IngestError(f"is not a well-formed feed ({feed.bozo_exception})")
    if not feed.entries:
        raise IngestError("is a feed with no items")
    return feed


def entry_date(entry: feedparser.FeedParserDict) -> dt.date | None:
    """A feed item's publication (else update) date."""
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    return dt.date(*stamp[:3]) if stamp else None


def entry_article(entry: feedparser.FeedParserDict, path: str, outlet: str | None,
                  normalise: Normaliser | None = None) -> Article:
    """A feed item's own content (or summary) as an Article."""
    content = entry.get("content") or []
    raw = (content[0].get("value") if content else None) or entry.get("summary") or ""
    body = clean_body(fragment_to_text(raw))
    if not body:
        raise IngestError("no content or summary text")
    summary = fragment_to_text(entry.get("summary") or "") if content else None
    return build_article(body, path, normalise=normalise, url=entry.get("link"),
                         title=(entry.get("title") or "").strip(), summary=summary,
                         outlets=[outlet], dates=[entry_date(entry)])


def _read_feed(text: str, path: str, normalise: Normaliser | None
               ) -> Iterator[tuple[Article, str | None]]:
    feed = parse_feed(text)
    outlet = (feed.feed.get("title") or "").strip() or None
    for n, entry in enumerate(feed.entries, 1):
        try:
            art = entry_article(entry, path, outlet, normalise)
        except IngestError as exc:
            raise IngestError(f"item {n}: {exc}") from exc
        yield art, entry.get("id")


def _record_article(rec: dict[str, Any], path: str, where: str,
                    normalise: Normaliser | None) -> tuple[Article, str | None]:
    """A JSONL/CSV record: ``text`` required, known metadata optional, no other checks."""
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        raise IngestError(f"{where}: record has no text")
    meta = {k: rec.get(k) for k in META_FIELDS}
    for key, value in meta.items():
        if value is not None and not isinstance(value, str | int | float):
            raise IngestError(f"{where}: field '{key}' must be a string")
    meta = {k: (str(v).strip() or None) if v is not None else None for k, v in meta.items()}
    raw_date = meta["published"] or meta["date"]
    date = parse_date(raw_date) if raw_date else None
    if raw_date and date is None:
        raise IngestError(f"{where}: cannot read the date '{raw_date}'")
    parsed = parse_plaintext(text) if not meta["title"] else None
    try:
        art = build_article(
            parsed.body if parsed else clean_body(text), path, normalise=normalise,
            title=meta["title"] or (parsed.title if parsed else None),
            summary=meta["summary"] or (parsed.summary if parsed else None),
            outlets=[meta["outlet"], parsed.outlet if parsed else None],
            dates=[date, parse_date(parsed.published_line or "") if parsed else None],
            url=meta["url"])
    except IngestError as exc:
        raise IngestError(f"{where}: {exc}") from exc
    return art, meta["id"]


def _read_jsonl(text: str, path: str, normalise: Normaliser | None
                ) -> Iterator[tuple[Article, str | None]]:
    count = 0
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IngestError(f"line {n}: invalid JSON ({exc.msg} at column {exc.colno})") from exc
        if not isinstance(rec, dict):
            raise IngestError(f"line {n}: expected a JSON object, got {type(rec).__name__}")
        count += 1
        yield _record_article(rec, path, f"line {n}", normalise)
    if not count:
        raise IngestError("has no records")


def _read_csv(text: str, path: str, normalise: Normaliser | None
              ) -> Iterator[tuple[Article, str | None]]:
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
                rows.append(_record_article(row, path, where, normalise))
        except csv.Error as exc:
            raise IngestError(f"line {reader.line_num}: malformed CSV ({exc})") from exc
    finally:
        csv.field_size_limit(old)
    if not rows:
        raise IngestError("has no records")
    yield from rows
