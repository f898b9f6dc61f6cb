"""Code gold-like rows and keep, per row, each parsed sentence with the coder's drafts.

The error-analysis scripts (``miss_reasons.py``, ``role_errors.py``) need what the coder
saw and decided, not only the events it kept: the sentence's parse and actors, and every
draft with the reason a component dropped it.
"""

from __future__ import annotations

from collections.abc import Iterable

from realpolitik.events.context import EventDraft, SentenceInput
from realpolitik.pipeline import Pipeline
from realpolitik.records import Article, Event

Seen = dict[str, list[tuple[SentenceInput, list[EventDraft]]]]


def code_and_capture(pipe: Pipeline, rows: Iterable[tuple[str, str]], batch: int = 64
                     ) -> tuple[dict[str, list[Event]], Seen]:
    """Events per row id, and the (sentence, drafts) pairs the coder produced per row id.

    ``rows`` are (id, text) pairs; the pipeline's coder is wrapped for the call only.
    """
    seen: Seen = {}
    drafts_of = pipe.coder.drafts

    def spy(sent: SentenceInput) -> list[EventDraft]:
        drafts = drafts_of(sent)
        seen.setdefault(sent.article_id, []).append((sent, drafts))
        return drafts

    pipe.coder.drafts = spy  # type: ignore[method-assign]
    predicted: dict[str, list[Event]] = {}
    items = list(rows)
    try:
        for start in range(0, len(items), batch):
            chunk = [Article(id=i, text=t) for i, t in items[start:start + batch]]
            for coded in pipe.code(chunk):
                predicted[coded.article.id] = coded.events
    finally:
        pipe.coder.drafts = drafts_of  # type: ignore[method-assign]
    return predicted, seen
