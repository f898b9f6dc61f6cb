"""A cheap stopword vote for the article language (no language-id dependency).

The pipeline's rules are English; we only need to flag text that clearly is not,
so later stages can skip it instead of producing nonsense events.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words("the and of to in is that for on with was are by as it from has have"),
    "es": _words("el la los las de que y en del por con para una se su al es"),
    "fr": _words("le la les des et est une du dans pour que sur au qui par pas"),
    "de": _words("der die das und ist nicht mit den von zu ein eine dem auf sich"),
    "pt": _words("o os as de que e em do da dos das para com uma por não"),
    "it": _words("il lo gli le di che e del della per con una non sono nel"),
}
_TOKEN = re.compile(r"[^\W\d_]+")


def guess_language(text: str, sample: int = 5000) -> str:
    """ISO 639-1 code of the clearly dominant language, 'en' when unsure, 'und' for no stopwords."""
    words = [w.lower() for w in _TOKEN.findall(text[:sample])]
    if len(words) < 20:
        return "en"
    scores = {lang: sum(w in stop for w in words) for lang, stop in STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    if scores[best] < 0.05 * len(words):
        return "und"
    if best != "en" and scores[best] > 2 * scores["en"]:
        return best
    return "en"
