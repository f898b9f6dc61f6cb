"""Find news datelines ("CARACAS, Dec 2 (Reuters) -") anywhere in a text.

A dateline says where (and often when, and by which agency) a story was filed.
Scraped pages often put it mid-text, after a teaser, so we search everywhere but
only accept a match that starts a line or a sentence and ends with the dash or
agency credit that closes a dateline: prose never looks like that.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

import dateparser

log = logging.getLogger("realpolitik.ingest")

_UP = "A-ZÀ-ÖØ-Þ"
# Linear time on any input: every word is matched atomically and has a bounded length, so
# "A-A-A-…" cannot be split into words in exponentially many ways; runs of whitespace and
# of places are possessive or bounded. Each attempt reads a bounded stretch of text.
_WORD = (rf"(?>[{_UP}][A-Za-z]{{1,2}}\.(?!\w)"  # "St." ok, "Intro." no
         rf"|[{_UP}](?:[\w'’]|[-.](?=\w)){{0,40}}+)")
_PLACE = rf"{_WORD}(?:[ -](?:de |del |la |el |al-)?{_WORD}){{0,3}}"
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DATE = (rf"(?:{_MONTH}\s++\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s++\d{{4}})?"
         rf"|\d{{1,2}}(?:st|nd|rd|th)?\s++{_MONTH}(?:,?\s++\d{{4}})?"
         r"|\d{4}-\d{2}-\d{2})")
_DASH = r"(?:[–—]|-{1,2}(?=\s))"
_CREDIT = rf"{_WORD}(?: {_WORD}){{0,5}}(?:\s?-\s?[A-Z]{{2,8}})?"

DATELINE_RE = re.compile(
    rf"(?:(?<=^)|(?<=\n)|(?<=[.!?\"”]\s))"
    rf"(?P<places>{_PLACE}(?:\s*+/\s*+{_PLACE}){{0,5}}(?:,\s++{_PLACE})?)"
    rf"(?:,\s++(?P<date>{_DATE}))?"
    rf"\s*+(?:\((?P<agency>[^()\n]{{2,40}})\))?"
    rf"\s*+{_DASH}\s*+"
    rf"(?:(?P<credit>{_CREDIT})\s*+{_DASH}\s*+)?",
)

DATEPARSER_SETTINGS = {
    "PREFER_DATES_FROM": "past",
    "REQUIRE_PARTS": ["day", "month", "year"],
    "RETURN_AS_TIMEZONE_AWARE": False,
    "STRICT_PARSING": True,
}


@dataclass(frozen=True)
class Dateline:
    """One dateline: places as written (all-caps names title-cased), date, agency, span."""

    places: list[str]
    date: dt.date | None
    agency: str | None
    start: int
    end: int
    raw: str = field(repr=False, default="")


@lru_cache(maxsize=4096)
def parse_date(text: str) -> dt.date | None:
    """Parse a free-form date; never fills missing parts with today's (no surprises)."""
    text = text.strip()
    if not text or len(text) > 60 or not any(c.isdigit() for c in text):
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        parsed = dateparser.parse(text, languages=["en"], settings=DATEPARSER_SETTINGS)
    except Exception as exc:  # dateparser raises assorted errors on odd input
        log.warning("dateparser failed on the date %r (%s: %s); leaving it undated", text,
                    type(exc).__name__, exc)
        return None
    return parsed.date() if parsed else None


def _clean_place(place: str) -> str:
    place = place.strip(" .")
    return place.title() if place.isupper() and len(place) > 3 else place


def _clean_agency(name: str | None) -> str | None:
    """'Total News Agency-TNA' -> 'Total News Agency'; '(Reuters)' -> 'Reuters'."""
    if not name:
        return None
    name = re.sub(r"\s?-\s?[A-Z]{2,8}$", "", name.strip()).strip()
    return name or None


def _accept(m: re.Match[str]) -> bool:
    """A bare 'Place –' is a dateline only when the place is in capitals at a line start."""
    if m.group("date") or m.group("agency"):
        return True
    places = m.group("places")
    at_line_start = m.start() == 0 or m.string[m.start() - 1] == "\n"
    return at_line_start and places.replace("/", "").replace(" ", "").isupper()


def find_datelines(text: str) -> list[Dateline]:
    """All datelines in ``text``, in order; spans cover the whole prefix incl. credit."""
    found = []
    for m in DATELINE_RE.finditer(text):
        if not _accept(m):
            continue
        places = [_clean_place(p) for p in re.split(r"\s*/\s*|,\s+", m.group("places"))]
        date = parse_date(m.group("date")) if m.group("date") else None
        agency = _clean_agency(m.group("agency")) or _clean_agency(m.group("credit"))
        found.append(Dateline(places, date, agency, m.start(), m.end(), m.group(0)))
    return found


def strip_datelines(text: str, datelines: list[Dateline]) -> str:
    """Remove dateline prefixes, so the body starts with the story's first sentence."""
    for d in sorted(datelines, key=lambda d: d.start, reverse=True):
        text = text[: d.start] + text[d.end :]
    return text
