"""HTML pages and fragments to text, via trafilatura (pages) and lxml (feed fragments)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from html import unescape

import lxml.html
import trafilatura
from lxml import etree

from realpolitik.ingest.datelines import parse_date
from realpolitik.ingest.plaintext import is_body_line

log = logging.getLogger("realpolitik.ingest")

_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr",
           "section", "article", "header", "footer", "ul", "ol", "table", "pre"}


@dataclass
class HtmlPage:
    """What trafilatura found in a page; text is None when there is no article text."""

    text: str | None
    title: str | None = None
    summary: str | None = None
    outlet: str | None = None
    published: object = None
    url: str | None = None


def extract_page(html: str, path: str = "") -> HtmlPage:
    """Main text and metadata of a page; never raises on malformed markup (a trafilatura
    failure is logged, naming ``path``, and the plain-markup fallback is used)."""
    try:
        doc = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=False,
            include_links=False, include_images=False,
            date_extraction_params={"original_date": True, "extensive_search": False})
    except Exception as exc:  # trafilatura/lxml can fail on pathological markup
        log.warning("%s: trafilatura could not read the page (%s: %s); using the plain "
                    "markup fallback", path or "HTML page", type(exc).__name__, exc)
        doc = None
    if doc is None or not (doc.text or "").strip():
        return _fallback(html)
    text = doc.text.strip()
    title = (doc.title or "").strip() or None
    if title and text.split("\n", 1)[0].strip() == title:  # trafilatura repeats the <h1>
        text = text.split("\n", 1)[1].strip() if "\n" in text else ""
    summary = (doc.description or "").strip() or None
    if summary and " ".join(text.split()).startswith(" ".join(summary.split()).rstrip(".… ")):
        summary = None  # an auto-generated description is just the first sentence
    return HtmlPage(text=text or None, title=title, summary=summary,
                    outlet=(doc.sitename or "").strip() or None,
                    published=parse_date(doc.date) if doc.date else None, url=doc.url)


_TITLE = re.compile(r"<title\b[^<>]{0,200}>([^<]{1,300})", re.IGNORECASE)
_HIDDEN = re.compile(r"<(script|style|title)\b", re.IGNORECASE)


def _fallback(html: str) -> HtmlPage:
    """Tag-stripping rescue for pages too broken for trafilatura; prose lines only."""
    title = _TITLE.search(html)
    html = _drop_hidden(html)
    lines = (" ".join(x.split()) for x in unescape(re.sub(r"<[^>]*+>?", "\n", html)).split("\n"))
    prose = [x for x in lines if is_body_line(x)]
    return HtmlPage(text="\n".join(prose) or None,
                    title=" ".join(title.group(1).split()) or None if title else None)


def _drop_hidden(html: str) -> str:
    """Cut <script>, <style> and <title> elements; linear: each close tag is searched once."""
    lower = html.lower()
    parts: list[str] = []
    pos = 0
    unclosed: set[str] = set()
    for m in _HIDDEN.finditer(html):
        tag = m.group(1).lower()
        if m.start() < pos or tag in unclosed:
            continue
        close = lower.find(f"</{tag}", m.end())
        end = lower.find(">", close) if close >= 0 else -1
        if end < 0:
            unclosed.add(tag)  # no later element of this tag can be closed either
            continue
        parts.append(html[pos:m.start()])
        parts.append(" ")
        pos = end + 1
    parts.append(html[pos:])
    return "".join(parts)


def fragment_to_text(fragment: str) -> str:
    """Text of an HTML fragment (a feed item's content), one line per block element."""
    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return fragment.strip()
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag not in {"script", "style"}:
            parts.append("\n" if tag in _BLOCKS else "")
            parts.append(node.text or "")
            for child in node:
                walk(child)
            parts.append("\n" if tag in _BLOCKS else "")
        parts.append(node.tail or "")

    walk(root)
    lines = (" ".join(x.split()) for x in "".join(parts).split("\n"))
    return "\n".join(x for x in lines if x)
