"""The coding pipeline: Article records in, CodedArticle records (mentions + events) out.

The coding stages are wired here: the NLP stage splits and (selectively) parses the
Articles that ingest produced; the actors stage finds mentions; the events stage codes
events. Each stage only sees the records and objects it is handed. Batching, the
confidence threshold, storing and story grouping are the ingest service's
(``realpolitik.workflow.IngestService``).
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from realpolitik.actors.coref import History
from realpolitik.actors.gazetteer import Gazetteer
from realpolitik.actors.matcher import ActorMatcher, ActorSpan
from realpolitik.events.coder import EventCoder
from realpolitik.events.context import ActorSpanLike, EventDraft, SentenceInput
from realpolitik.events.lexicon import load_lexicon, load_plover
from realpolitik.events.multilingual import MultilingualCoder, SentenceJob
from realpolitik.ingest.language import sentence_language
from realpolitik.nlp import NlpEngine, NlpSettings, looks_like_headline, text_chunks, truecase
from realpolitik.nlp.prefilter import TriggerFilter, trigger_vocabulary
from realpolitik.records import ActorMention, Article, CodedArticle, Event, Section

SECTIONS: tuple[Section, ...] = ("title", "summary", "body")
MAX_SENTENCE_CHARS = 3_000  # longer "sentences" (lists, junk) are not parsed for events


@dataclass
class PipelineStats:
    """Counts a run reports (and the benchmark prints)."""

    articles: int = 0
    sentences: int = 0
    parsed: int = 0
    events: int = 0


@dataclass
class _Pending:
    """A sentence chosen for parsing, and where its events belong."""

    article: int
    section: Section
    index: int
    offset: int
    text: str
    headline: bool
    history: History
    original: str


@dataclass
class _ArticleWork:
    article: Article
    mentions: list[ActorMention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


class Pipeline:
    """Loads every model and data file once; call ``code`` on batches of articles."""

    def __init__(self, settings: NlpSettings | None = None) -> None:
        self.nlp = NlpEngine(settings)
        self.gazetteer = Gazetteer.load()
        self.matcher = ActorMatcher(self.nlp.vocab, self.gazetteer)
        lexicon = load_lexicon()
        self.plover = load_plover()
        self.coder = EventCoder(self.nlp.vocab, self.plover)
        self.filter = TriggerFilter(trigger_vocabulary(lexicon, self.coder.model))
        self.stats = PipelineStats()
        self._multilingual: MultilingualCoder | None = None  # built on the first such article

    @property
    def multilingual(self) -> MultilingualCoder:
        """The coder for the other languages (its encoder and names load on first use)."""
        if self._multilingual is None:
            from realpolitik.actors.languages import MultilingualActors

            self._multilingual = MultilingualCoder(self.plover, MultilingualActors(self.gazetteer))
        return self._multilingual

    def reads_language(self, lang: str) -> bool:
        """True for a language the multilingual coder has data for (not English)."""
        from realpolitik.events.multilingual import event_languages

        return lang != "en" and lang in event_languages()

    def normalise_outlet(self, name: str) -> str | None:
        """Canonical outlet name for cites ('WSJ' -> 'The Wall Street Journal')."""
        return self.gazetteer.outlet(name)

    def code_one(self, article: Article) -> CodedArticle:
        return self.code([article])[0]

    def code(self, articles: Sequence[Article],
             drafts: dict[str, list[tuple[SentenceInput, list[EventDraft]]]] | None = None
             ) -> list[CodedArticle]:
        """Code a batch; parsing is batched across all articles of the call.

        ``drafts``, when given, receives per article id each English sentence the coder
        read with its drafts (dropped ones and why included), for error analysis and for
        training the role scorers.
        """
        work = [_ArticleWork(a) for a in articles]
        pending: list[_Pending] = []
        foreign = [item for item in work if self.reads_language(item.article.language)]
        if foreign:
            self._code_other_languages(foreign)
        for n, item in enumerate(work):
            if not self.reads_language(item.article.language):
                pending.extend(self._prepare(n, item))
        parsed_docs = self.nlp.parse(p.text for p in pending)
        for job, doc in zip(pending, parsed_docs, strict=True):
            item = work[job.article]
            sent = SentenceInput(
                doc=doc, article_id=item.article.id, section=job.section, offset=job.offset,
                index=job.index, actors=self._actor_spans(doc, item.article),
                history=job.history, cites=item.article.cites,
                published=item.article.published, headline=job.headline, text=job.original,
            )
            if drafts is None:
                item.events.extend(self.coder.code(sent))
                continue
            found = self.coder.drafts(sent)
            drafts.setdefault(sent.article_id, []).append((sent, found))
            item.events.extend(self.coder.events(found, sent))
        out = []
        for item in work:
            events = _dedupe(item.events)
            self.stats.events += len(events)
            out.append(CodedArticle(article=item.article, mentions=item.mentions, events=events))
        self.stats.articles += len(work)
        self.stats.parsed += len(pending)
        return out

    def _code_other_languages(self, work: list[_ArticleWork]) -> None:
        """Code articles in the multilingual coder's languages, sentence by sentence.

        Each sentence is coded in its own language when it is clearly not the article's
        (``sentence_language``); a sentence in a language without data (English inside a
        Spanish article, say) is counted but not coded.
        """
        from realpolitik.nlp.blank import sentences

        coder = self.multilingual
        jobs: list[tuple[_ArticleWork, SentenceJob]] = []
        for item in work:
            article = item.article
            for section in SECTIONS:
                text = article.section_text(section)
                if not text.strip():
                    continue
                for offset, sent in sentences(article.language, text):
                    self.stats.sentences += 1
                    lang = sentence_language(sent, article.language)
                    if lang not in coder.languages or len(sent) > MAX_SENTENCE_CHARS:
                        continue
                    jobs.append((item, SentenceJob(article.id, section, offset, lang, sent,
                                                   article.published)))
        spans, events = coder.code([job for _, job in jobs])
        for (item, job), found, coded in zip(jobs, spans, events, strict=True):
            item.mentions.extend(ActorMention(actor=s.actor, section=job.section,
                                         start=job.offset + s.start_char,
                                         end=job.offset + s.end_char, rule=f"names:{job.lang}")
                                 for s in found)
            item.events.extend(coded)
        self.stats.parsed += len(jobs)

    def _actor_spans(self, doc: Doc, article: Article) -> list[ActorSpanLike]:
        return [ActorSpanLike(s.start, s.end, s.actor, s.kind)
                for s in self.matcher(doc, on=article.published)]

    def _prepare(self, n: int, item: _ArticleWork) -> Iterator[_Pending]:
        """Split each section, record mentions and coreference history, pick sentences.

        A long section is tokenized in sentence-aligned chunks (``text_chunks``, under
        spaCy's max_length); offsets are kept relative to the whole section.
        """
        article = item.article
        for section in SECTIONS:
            text = article.section_text(section)
            if not text.strip():
                continue
            history = History()
            index = 0
            for base, piece in text_chunks(text):
                doc = self.nlp.tokenize(piece)
                spans = self.matcher(doc, on=article.published)
                for sent in doc.sents:
                    job = self._sentence(n, item, section, piece, base, sent, index, spans,
                                         history)
                    index += 1
                    if job is not None:
                        yield job

    def _sentence(self, n: int, item: _ArticleWork, section: Section, piece: str, base: int,
                  sent: Span, index: int, spans: list[ActorSpan], history: History
                  ) -> _Pending | None:
        """Record one sentence's mentions and history; the sentence to parse, if worth it.

        ``piece`` is the chunk as written (the Doc holds its tokenizable copy, same length)
        and ``base`` its offset in the section.
        """
        doc = sent.doc
        self.stats.sentences += 1
        inside = [s for s in spans if sent.start <= s.start and s.end <= sent.end]
        for s in inside:
            item.mentions.append(ActorMention(
                actor=s.actor, section=section, start=base + doc[s.start].idx,
                end=base + doc[s.end - 1].idx + len(doc[s.end - 1].text), rule=s.rule))
        history.add_sentence(
            index, [(s.start - sent.start, s.end - sent.start, s.actor) for s in inside],
            [t.text for t in sent])
        sent_text = sent.text
        stripped = sent_text.strip()
        if not stripped or len(stripped) > MAX_SENTENCE_CHARS \
                or not self.filter.worth_parsing(sent, bool(inside)):
            return None
        local = sent.start_char + (len(sent_text) - len(sent_text.lstrip()))
        original = piece[local:local + len(stripped)]
        headline = section == "title" and looks_like_headline(stripped)
        if headline:
            keep = [(doc[s.start].idx - local,
                     doc[s.end - 1].idx + len(doc[s.end - 1].text) - local) for s in inside]
            stripped = truecase(stripped, keep)
        return _Pending(n, section, index, base + local, stripped, headline, history, original)


def keep_loaded() -> None:
    """Leave everything allocated so far (the loaded models, vocabularies and word lists)
    out of the cyclic garbage collector's scans, for the rest of the process.

    Called by the process that owns a pipeline once it is loaded (the CLI, a Ray worker,
    the benchmarks): each full collection otherwise walks every object of the models,
    which cost about a fifth of ingest's own CPU (bench/scale.py). The price: an object
    allocated before the call that later becomes cyclic garbage waits for the exit; the
    loaded models live as long as the process anyway. At exit everything is handed back,
    so the interpreter's last collection frees it as before (nanobind, under DuckDB,
    reports objects still alive then as leaks).
    """
    gc.freeze()
    atexit.unregister(gc.unfreeze)
    atexit.register(gc.unfreeze)


def _dedupe(events: Iterable[Event]) -> list[Event]:
    """One event per id (the same trigger reached by two rules keeps the surer reading)."""
    best: dict[str, Event] = {}
    for event in events:
        old = best.get(event.id)
        if old is None or event.confidence > old.confidence:
            best[event.id] = event
    return list(best.values())
