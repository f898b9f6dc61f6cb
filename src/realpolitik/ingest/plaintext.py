"""Split a plain-text article dump into title, summary, outlet, date and clean body.

Text saved from the web comes in two common shapes: a *page* (title, a few
short header lines such as outlet / date / "2 min read", paragraphs, then a
"Comments" trailer) and a *feed dump* (body first, then a short title line and a
one-paragraph summary). We recognise both from line shapes alone — lengths,
final punctuation, capitalisation — never from outlet-specific strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from realpolitik.datafiles import load_yaml
from realpolitik.ingest.datelines import parse_date

MAX_HEADER_LINES = 10
_BULLET = re.compile(r"^[-*•·|»>]\s+")
_BYLINE = re.compile(r"^(?:by|por|par|von|written by|posted by)\s+\S", re.IGNORECASE)
_TERMINAL = tuple(".!?:;\"”'’)")


@dataclass
class ParsedText:
    """What the plain-text heuristics found; ``body`` still contains any dateline."""

    body: str
    title: str | None = None
    summary: str | None = None
    outlet: str | None = None
    published_line: str | None = None


@lru_cache(maxsize=1)
def boilerplate_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(lines, trailers) regexes compiled from data/boilerplate.yaml."""
    data = load_yaml(
        resources.files("realpolitik.ingest").joinpath("data/boilerplate.yaml").read_text("utf-8"))

    def compile_any(items: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in items), re.IGNORECASE)

    return compile_any(data["lines"]), compile_any(data["trailers"])


def unbullet(line: str) -> str:
    return _BULLET.sub("", line.strip()).strip()


def is_boilerplate(line: str) -> bool:
    line = unbullet(line)
    return len(line) <= 120 and boilerplate_patterns()[0].fullmatch(line) is not None


def is_trailer(line: str) -> bool:
    line = unbullet(line)
    return len(line) <= 200 and boilerplate_patterns()[1].fullmatch(line) is not None


def cap_ratio(line: str) -> float:
    """Share of significant words (4+ letters) that start with a capital."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line) if len(w) > 3]
    return sum(w[0].isupper() for w in words) / len(words) if words else 0.0


def is_title_like(line: str) -> bool:
    n = len(line.split())
    return 2 <= n <= 25 and len(line) <= 250 and not line.endswith((".", ",", ";", ":")) \
        and cap_ratio(line) >= 0.6


def is_summary_like(line: str) -> bool:
    return 8 <= len(line.split()) <= 90 and len(line) <= 700 and line.endswith(_TERMINAL)


def is_body_line(line: str) -> bool:
    """A line of running prose: long, or a full sentence of some length."""
    return len(line) > 200 or (line.endswith(_TERMINAL) and len(line.split()) >= 8)


def drop_furniture(lines: list[str]) -> list[str]:
    """Cut a trailer ("Comments", "Related articles") in the last part and boilerplate lines."""
    total = sum(len(x) for x in lines) or 1
    seen = 0
    for i, line in enumerate(lines):
        if seen >= total / 2 and is_trailer(line):
            lines = lines[:i]
            break
        seen += len(line)
    return [x for x in lines if not (x and is_boilerplate(x))]


def wrap_width(lines: list[str]) -> int:
    """The column a hard-wrapped text breaks at, or 0 when lines are not wrapped."""
    lengths = [len(x) for x in lines if x]
    if len(lengths) < 3 or max(lengths) > 100:
        return 0
    width = max(lengths)
    return width if sum(n >= width - 15 for n in lengths) >= len(lengths) / 3 else 0


def reflow(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines into one line per paragraph; blank lines are kept."""
    width = wrap_width(lines)
    out: list[str] = []
    for line in lines:
        prev = out[-1] if out else ""
        if line and prev and not _BULLET.match(line) and (
                line[0].islower() or (width and len(prev.rsplit("\n", 1)[-1]) >= 0.75 * width
                                      and not prev.endswith(_TERMINAL))):
            out[-1] = prev + " " + line
        else:
            out.append(line)
    return out


def to_paragraphs(lines: list[str]) -> str:
    """One paragraph per non-empty (reflowed) line, blank-line separated."""
    return "\n\n".join(x for x in reflow(lines) if x)


def clean_body(text: str) -> str:
    """Boilerplate removal and paragraphing for text whose title is already known."""
    lines = [x.strip() for x in text.splitlines()]
    return to_paragraphs(drop_furniture(lines))


def _split_header(lines: list[str]) -> tuple[list[str], list[str]]:
    """Leading short non-prose lines (at most MAX_HEADER_LINES) vs the rest."""
    count = 0
    for i, line in enumerate(lines):
        if not line:
            continue
        if is_body_line(line):
            return lines[:i], lines[i:]
        count += 1
        if count > MAX_HEADER_LINES:
            break
    return [], lines


def _read_header(header: list[str], parsed: ParsedText) -> None:
    """Pick title, outlet, date and dek out of the header lines."""
    plain: list[str] = []
    bullets: list[str] = []
    for raw in (x for x in header if x):
        line = unbullet(raw)
        if not line or _BYLINE.match(line):
            continue
        if len(line) <= 40 and parse_date(line):
            parsed.published_line = parsed.published_line or line
            continue
        (bullets if _BULLET.match(raw) else plain).append(line)
    if plain:
        parsed.title = max(plain, key=lambda x: len(x.split())) if not bullets else plain[0]
    for line in bullets + plain:
        if line == parsed.title:
            continue
        if parsed.outlet is None and len(line.split()) <= 5 and cap_ratio(line) >= 0.99:
            parsed.outlet = line
        elif parsed.summary is None and len(line.split()) >= 6:
            parsed.summary = line


def _read_trailer(lines: list[str], parsed: ParsedText) -> list[str]:
    """Feed-dump layout: a title-like line (and a summary) after a much longer body."""
    idx = [i for i, x in enumerate(lines) if x]
    if len(idx) < 2:
        return lines
    last, prev = lines[idx[-1]], lines[idx[-2]]
    body_chars = sum(len(lines[i]) for i in idx[:-2])
    if len(idx) >= 3 and is_title_like(prev) and is_summary_like(last) \
            and body_chars >= 3 * (len(prev) + len(last)):
        parsed.title, parsed.summary = prev, last
        return lines[: idx[-2]]
    if is_title_like(last) and body_chars + len(prev) >= 5 * len(last):
        parsed.title = last
        return lines[: idx[-1]]
    return lines


def parse_plaintext(text: str) -> ParsedText:
    """Header/trailer/boilerplate analysis of one plain-text article."""
    lines = reflow(drop_furniture([x.strip() for x in text.splitlines()]))
    header, rest = _split_header(lines)
    parsed = ParsedText(body="")
    _read_header(header, parsed)
    if parsed.title is None:
        rest = _read_trailer(rest, parsed)
    parsed.body = to_paragraphs(rest)
    return parsed
