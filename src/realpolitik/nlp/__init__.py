"""NLP stage: sentence splitting, the cheap pre-parse filter, and batched spaCy parsing.

The expensive part of event coding is the dependency parse. Most news sentences hold
no codable event, so sentences are first split and tokenized with spaCy's rule-based
components only, and just those with an actor-like word *and* a trigger word go to
the statistical pipeline (tagger, parser, lemmatizer; NER is not needed because
actors come from the gazetteer).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy
import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

from realpolitik.settings import DEFAULTS

# Components the event coder never reads; excluding them is the single biggest speed-up.
UNUSED_COMPONENTS = ("ner",)
# spaCy's tokenizer is quadratic in the length of a run of prefix/suffix characters inside
# one token ("))))…": 4,000 take seconds). Such runs, and any very long token, are broken
# with spaces before tokenizing; same length, so every character offset stays right.
_SYMBOL_RUN = re.compile(r"[^\w\s]{5,}")
_LONG_TOKEN = re.compile(r"\S{101,}")
CHUNK_CHARS = 100_000  # texts are tokenized in sentence-aligned chunks of at most this


@dataclass(frozen=True)
class NlpSettings:
    """The ``model`` settings group as the engine takes it (see ``realpolitik.settings``)."""

    model: str = DEFAULTS.model.spacy
    batch_size: int = DEFAULTS.model.parse_batch
    workers: int = DEFAULTS.model.workers
    cache: int = DEFAULTS.model.parse_cache


@dataclass(frozen=True)
class Sentence:
    """A sentence of one article section, by character offsets into that section."""

    start: int
    end: int
    text: str


class NlpEngine:
    """Owns the spaCy pipelines of one process: a cheap splitter and the full parser."""

    def __init__(self, settings: NlpSettings | None = None) -> None:
        self.settings = settings or NlpSettings()
        try:
            self.parser: Language = spacy.load(self.settings.model, exclude=list(UNUSED_COMPONENTS))
        except OSError as exc:  # model package not installed
            raise RuntimeError(
                f"spaCy model {self.settings.model!r} is not installed; install it with pip "
                "or set the setting model.spacy ($REALPOLITIK_MODEL__SPACY) to an installed "
                "model"
            ) from exc
        # the last ``settings.cache`` parses by text, least recently used dropped first
        self._parsed: OrderedDict[str, Doc] = OrderedDict()
        self.reused = 0  # parses served from that cache, for the benchmark
        self.splitter: Language = spacy.blank("en", vocab=self.parser.vocab)
        self.splitter.add_pipe("sentencizer")
        for pipeline in (self.parser, self.splitter):
            _split_dashes(pipeline)

    @property
    def vocab(self):
        return self.parser.vocab

    def tokenize(self, text: str) -> Doc:
        """Tokenize and sentence-split without any statistical model.

        The Doc's text is ``tokenizable(text)``: same length and offsets as ``text``.
        """
        return self.splitter(tokenizable(text))

    def sentences(self, doc: Doc) -> list[Sentence]:
        out = []
        for sent in doc.sents:
            text = sent.text.strip()
            if not text:
                continue
            start = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
            out.append(Sentence(start=start, end=start + len(text), text=text))
        return out

    def parse(self, texts: Iterable[str]) -> Iterator[Doc]:
        """Parse texts in batches (and processes, with workers > 1), preserving order.

        A text seen before (earlier in ``texts``, or among the last ``settings.cache``
        parses) is not parsed again: a syndicated copy under another outlet's name, or a
        stock sentence, gets a fresh copy of the stored parse (the parser reads a text
        on its own, so the parse would be the same; the copy lacks only the tok2vec
        tensor, which the coder never reads). Each Doc given out is its own object, free
        for the coder's annotations.
        """
        texts = list(texts)
        if self.settings.cache <= 0:
            yield from self._pipe(texts)
            return
        new = [t for t in dict.fromkeys(texts) if t not in self._parsed]
        parsed = self._pipe(new)  # streamed: the new texts in the order first met below
        pending = set(new)
        for text in texts:
            if text in pending:
                pending.discard(text)
                doc = next(parsed)
                self._remember(text, _kept(doc))
            elif text in self._parsed:
                self._parsed.move_to_end(text)
                doc = self._parsed[text].copy()
                self.reused += 1
            else:  # dropped since from a cache smaller than this call's texts
                doc = self.parser(text)  # in this process: one text needs no pool
            yield doc
        for _ in parsed:  # end the parser's generator (and its worker processes)
            pass

    def _pipe(self, texts: list[str]) -> Iterator[Doc]:
        n_process = max(1, self.settings.workers)
        yield from self.parser.pipe(texts, batch_size=self.settings.batch_size,
                                    n_process=n_process)

    def _remember(self, text: str, doc: Doc) -> None:
        self._parsed[text] = doc
        self._parsed.move_to_end(text)
        while len(self._parsed) > self.settings.cache:
            self._parsed.popitem(last=False)


def _kept(doc: Doc) -> Doc:
    """The copy the parse cache keeps: untouched by the coder, and without the tok2vec
    tensor (two thirds of a parsed sentence's memory, about 13 KB for 25 tokens)."""
    kept = doc.copy()
    kept.tensor = numpy.zeros((0,), dtype="float32")
    return kept


def tokenizable(text: str) -> str:
    """``text`` with every 4th character of symbol runs and every 100th of very long
    tokens made a space: the same length, and linear to tokenize."""
    def breakup(step: int) -> Callable[[re.Match[str]], str]:
        return lambda m: "".join(" " if i % step == step - 1 else c
                                 for i, c in enumerate(m.group()))

    return _LONG_TOKEN.sub(breakup(100), _SYMBOL_RUN.sub(breakup(4), text))


def text_chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, piece) of ``text`` in pieces of at most ``size`` characters, cut after a
    paragraph break, else after a sentence end, else at a space, else anywhere."""
    start = 0
    while len(text) - start > size:
        window = text[start:start + size]
        cut = max(window.rfind("\n") + 1, *(window.rfind(end) + 2 for end in (". ", "? ", "! ")))
        if cut < size // 2:
            cut = max(cut, window.rfind(" ") + 1)
        end = start + (cut if cut > 0 else size)
        yield start, text[start:end]
        start = end
    yield start, text[start:]


def _split_dashes(pipeline: Language) -> None:
    """Make em and en dashes separate tokens even when glued to words ("Suns'—and").

    News copy often drops the spaces around dashes; left glued, a dash hides a
    coordination or an apposition from the parser.
    """
    infixes = [*pipeline.Defaults.infixes, r"[—–]"]
    pipeline.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


def looks_like_headline(text: str) -> bool:
    """True for Title Case or ALL CAPS lines, which the tagger mistakes for proper nouns."""
    words = [w for w in text.split() if w[:1].isalpha()]
    if len(words) < 3:
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised / len(words) >= 0.7


def truecase(text: str, keep: Iterable[tuple[int, int]]) -> str:
    """Lower-case a headline except the character spans in ``keep`` (actor names).

    Length and offsets are preserved, so evidence offsets stay valid.
    """
    chars = list(text)
    protected = [False] * len(chars)
    for start, end in keep:
        for i in range(max(0, start), min(len(chars), end)):
            protected[i] = True
    for i, ch in enumerate(chars):
        if not protected[i]:
            low = ch.lower()
            if len(low) == 1:
                chars[i] = low
    return "".join(chars)
