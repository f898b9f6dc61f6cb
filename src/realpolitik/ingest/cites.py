"""Which outlets' reports an article retells ("according to a report by The Wall Street Journal").

Knowing that a story is a retelling matters downstream: the events it reports
are second-hand. Explicit phrases ("a report by the newspaper X", "told X")
are trusted for any capitalised name; looser ones ("according to X",
"X reported") only when the name looks like a news outlet, because they equally
introduce people and governments. A gazetteer-backed ``normalise`` (from the
actors stage) can both canonicalise names and veto non-media ones by returning None.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from importlib import resources

from realpolitik.datafiles import load_yaml

_UP = "A-ZÀ-ÖØ-Þ"
_Q = "\"“”'‘’«»"
# Linear time on any input: name words are possessive and at most 40 characters long, so an
# attempt at each capital reads a bounded stretch (no rescanning of a long run of letters).
_NWORD = rf"[{_UP}][\w.&'’-]{{0,40}}+"
_NAME = (rf"(?P<name>[{_Q}]?(?:The\s++|the\s++)?{_NWORD}"
         rf"(?:\s++(?:of\s++|de\s++|&\s++|and\s++)?{_NWORD}){{0,5}}[{_Q}]?)")
_NOUN = (r"(?:newspaper|daily|paper|outlet|news\s+agency|agency|magazine|network|broadcaster"
         r"|channel|news\s+site|website|weekly|tabloid|publication)")
_ADJ = rf"(?:[{_UP}][a-z]{{1,30}}+\s++)?"

STRONG = [
    re.compile(rf"\breport(?:ed|s)?\s+(?:published\s+)?(?:by|in|from|cited\s+by)\s+"
               rf"(?:the\s+)?(?:{_ADJ}{_NOUN}\s+)?{_NAME}"),
    re.compile(rf"\b(?:the\s+)?{_ADJ}{_NOUN}\s+{_NAME}"),
    re.compile(rf"\b(?:cited|quoted|published)\s+by\s+(?:the\s+)?{_NAME}"),
]
WEAK = [
    re.compile(rf"\b(?i:according\s+to)\s+{_NAME}"),
    re.compile(rf"\b(?i:told|speaking\s+to|in\s+an\s+interview\s+with)\s+{_NAME}"),
    re.compile(rf"{_NAME}\s+(?:reported|reports|has\s+reported|first\s+reported|revealed)\b"),
]
_WHEN_WORDS = frozenset({
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
    "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December"})
_WHEN_PREFIX = frozenset({"on", "last", "this"})


@lru_cache(maxsize=1)
def _hints() -> tuple[frozenset[str], frozenset[str]]:
    data = load_yaml(
        resources.files("realpolitik.ingest").joinpath("data/media.yaml").read_text("utf-8"))
    return (frozenset(w.lower() for w in data["media_words"]),
            frozenset(n.lower() for n in data["outlets"]))


def clean_name(name: str) -> str | None:
    """Default normaliser: strip quotes, possessive, a lowercase 'the', extra spaces."""
    name = " ".join(name.split()).strip("\"“”'‘’«» ,.;:")
    name = re.sub(r"['’]s$", "", name)
    return _drop_trailing_when(re.sub(r"^the\s+", "", name)) or None


def _drop_trailing_when(name: str) -> str:
    """Drop trailing day and month names ("Reuters on Monday" -> "Reuters"), word by word."""
    words = name.split()
    while words and words[-1] in _WHEN_WORDS:
        words.pop()
        if words and words[-1] in _WHEN_PREFIX:
            words.pop()
    return " ".join(words)


def looks_like_media(name: str) -> bool:
    """Cheap test used for the loose patterns when no gazetteer normaliser is given."""
    words, outlets = _hints()
    lowered = name.lower().removeprefix("the ")
    return lowered in outlets or any(w in words for w in re.findall(r"[\w']+", lowered))


def find_cites(text: str, normalise: Callable[[str], str | None] | None = None) -> list[str]:
    """Outlet names the text cites as sources, normalised, deduplicated, in order of appearance.

    ``normalise`` maps a raw name to its canonical form or None to reject it; when
    given it also decides for the loose patterns (instead of the media-word test).
    """
    hits: list[tuple[int, str]] = []
    for strong, patterns in ((True, STRONG), (False, WEAK)):
        for pattern in patterns:
            for m in pattern.finditer(text):
                raw = clean_name(m.group("name"))
                if not raw:
                    continue
                if normalise is not None:
                    name = normalise(raw)
                elif strong or looks_like_media(raw):
                    name = raw
                else:
                    name = None
                if name:
                    hits.append((m.start("name"), name))
    seen: dict[str, None] = {}
    for _, name in sorted(hits):
        seen.setdefault(name, None)
    return list(seen)
