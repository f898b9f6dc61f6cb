"""The parse cache: a sentence seen before is not parsed again, and coding a syndicated
copy gives the events coding it afresh gives."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from realpolitik.nlp import NlpEngine, NlpSettings
from realpolitik.pipeline import Pipeline
from realpolitik.records import Article, content_id

FIRST = "Kenya accused Uganda on Friday of shelling a border post near Busia."
SECOND = "The two neighbours agreed to hold talks in Nairobi next month."


def reading(doc) -> list[tuple]:
    return [(t.text, t.tag_, t.pos_, t.dep_, t.head.i, t.lemma_, str(t.morph),
             t.is_sent_start) for t in doc]


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline()


def test_repeated_texts_are_parsed_once_and_read_the_same(pipe):
    engine = pipe.nlp
    before = engine.reused
    docs = list(engine.parse([FIRST, SECOND, FIRST]))
    again = list(engine.parse([SECOND]))
    assert engine.reused - before == 2
    fresh = list(engine.parser.pipe([FIRST, SECOND]))
    assert reading(docs[0]) == reading(docs[2]) == reading(fresh[0])
    assert reading(again[0]) == reading(docs[1]) == reading(fresh[1])
    assert len({id(d) for d in (*docs, *again)}) == 4  # each caller gets its own Doc


def test_cache_is_bounded_and_can_be_off():
    small = NlpEngine(NlpSettings(cache=2))
    texts = [FIRST, SECOND, "Ghana recalled its ambassador to Togo.", FIRST]
    docs = list(small.parse(texts))  # FIRST was dropped before its second use
    assert small.reused == 0 and len(small._parsed) == 2
    assert reading(docs[3]) == reading(docs[0])
    off = NlpEngine(NlpSettings(cache=0))
    list(off.parse([FIRST, FIRST]))
    assert off.reused == 0 and not off._parsed


def test_a_syndicated_copy_codes_as_if_coded_alone(pipe):
    text = (f"{FIRST} Nairobi said its soldiers would not withdraw from the area. {SECOND} "
            "Uganda denied the accusation and summoned the Kenyan envoy.")
    day = dt.date(2025, 3, 4)
    original = Article(id=content_id(text, "East Wire"), text=text, outlet="East Wire",
                       published=day, title="Kenya accuses Uganda of shelling")
    copy = original.model_copy(update={"id": content_id(text, "Lake Times"),
                                       "outlet": "Lake Times"})
    together = pipe.code([original, copy])
    settings = pipe.nlp.settings
    pipe.nlp.settings = dataclasses.replace(settings, cache=0)
    try:
        alone = pipe.code([copy])[0]
    finally:
        pipe.nlp.settings = settings
    assert together[1].events and together[1].model_dump() == alone.model_dump()
    assert {e.id for e in together[0].events}.isdisjoint(e.id for e in together[1].events)
