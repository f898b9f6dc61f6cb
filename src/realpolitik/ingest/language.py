"""Language identification with py3langid (bundled model, no download).

``guess_language`` decides an article's language; ``sentence_languages`` reads each
sentence on its own so an article that mixes languages can be coded sentence by sentence.
Only the languages the coder reads (``CODED_LANGUAGES``) and a few close neighbours are
candidates, so short news text is not mistaken for a rare language.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Languages the event coder reads (English by the parser, the rest by the multilingual path).
CODED_LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "pt", "de", "ru", "ar")
#: Candidate languages for identification: the coded ones and near neighbours to keep apart.
CANDIDATES: tuple[str, ...] = (*CODED_LANGUAGES, "it", "nl", "uk", "ca", "fa")
_LETTER = re.compile(r"[^\W\d_]")
MIN_LETTERS = 12  # below this a text is 'und' (undetermined)


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import _load_identifier

    return _load_identifier(norm_probs=True, langs=list(CANDIDATES))


def load_identifier() -> None:
    """Read the identifier's model now (about 0.45 CPU s of decompression), e.g. before
    forking reading children, which then inherit it instead of each reading it again."""
    _identifier()


def identify(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, probability); ('und', 0.0) for text with too few letters."""
    if len(_LETTER.findall(text)) < MIN_LETTERS:
        return "und", 0.0
    lang, prob = _identifier().classify(text)
    return str(lang), float(prob)


def guess_language(text: str, sample: int = 5000) -> str:
    """ISO 639-1 code of the article's language ('und' when there is too little text)."""
    return identify(text[:sample])[0]


def sentence_language(sentence: str, article_language: str, min_prob: float = 0.9) -> str:
    """A sentence's own language when it is clearly not the article's, else the article's.

    Short sentences are unreliable to identify alone, so they keep the article language
    unless the identifier is at least ``min_prob`` sure.
    """
    lang, prob = identify(sentence)
    if lang == "und" or lang == article_language or prob < min_prob:
        return article_language
    return lang
