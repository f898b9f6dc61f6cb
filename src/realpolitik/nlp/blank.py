"""Tokens and sentences for languages without a parser: ``spacy.blank(lang)`` + sentencizer."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache


@lru_cache(maxsize=16)
def _blank(lang: str):
    import spacy

    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    return nlp


def token_spans(lang: str, text: str) -> list[tuple[int, int]]:
    """(start_char, end_char) of each token of ``text`` (spaces dropped)."""
    return [(t.idx, t.idx + len(t.text)) for t in _blank(lang).tokenizer(text) if not t.is_space]


def sentences(lang: str, text: str) -> Iterator[tuple[int, str]]:
    """(offset, sentence) for each non-blank sentence of ``text``, stripped, as written."""
    for sent in _blank(lang)(text).sents:
        raw = sent.text
        stripped = raw.strip()
        if stripped:
            yield sent.start_char + (len(raw) - len(raw.lstrip())), stripped
