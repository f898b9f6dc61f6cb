"""The event coder for Spanish, French, Portuguese, German, Russian and Arabic.

No language-specific code: each language is a data file
(``events/data/languages/<lang>.yaml``, schema ``EventLanguageFile``) of trigger stems
per PLOVER type, negation, refusal and modality cues, and role cues; actors come from
``actors.languages``. A sentence is read in four steps:

1. **Type** (``MultilingualCoder.choose``): the trigger stems found in the sentence
   propose types, and a multinomial logistic regression over the shared multilingual
   encoder's vector of the sentence (``SentenceTyper``, built by ``make train`` in
   ``events/train_multilingual.py`` from the English corpus and the multilingual training
   sentences; 16 PLOVER types and no event) picks the most probable of them; it drops the
   sentence when it reads no event with p >= ``VETO``, and with no stem in the sentence
   its own type stands only at p >= ``MODEL_ONLY_THRESHOLD``.
2. **Trigger**: the first word matching a stem of the chosen type (a stem of four letters
   or more matches as a prefix, a shorter one only whole); with none, the event has no
   trigger word and roles read the whole sentence.
3. **Roles** (rule ``roles:order``): actors in order around the trigger — the first
   actor before it is the source, the first after it the target; with none before (verb-
   first clauses) the first two after it; with none after (verb-final clauses) the first
   two before it. A passive auxiliary before the trigger and an agent preposition before
   an actor after it swap the two (``roles:order-passive``).
4. **Polarity**: a negation cue up to four words before the trigger (or ``negation_after``
   words after it) sets ``negated``; a refusal cue before another act makes a REJECT of
   it (``refused:TYPE``); planned and hypothetical cues before the trigger set modality.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from realpolitik.actors.languages import LocalSpan, MultilingualActors, normalise
from realpolitik.datafiles import load_yaml
from realpolitik.events.lexicon import PloverTable
from realpolitik.nlp.blank import token_spans
from realpolitik.records import PLOVER_TYPES, Event, Section, event_id

EVENT_LANGUAGE_DIR = Path(__file__).parent / "data" / "languages"
MODEL_DIR = Path(__file__).parent / "models"
MODEL_STEM = "multilingual"
NO_EVENT = "NONE"
MIN_PREFIX = 4  # trigger stems at least this long match as word prefixes
CUE_WINDOW = 4
MODES = ("combined", "lexicon", "model")
VETO = 0.8  # a lexicon trigger is dropped when the model reads no event this surely
MODEL_ONLY_THRESHOLD = 0.5  # the model's type without any trigger word needs this much


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RoleCues(_Strict):
    """How roles are read: ``order`` (actors around the trigger) with passive cues."""

    method: Literal["order"] = "order"
    passive_aux: list[str] = Field(default_factory=list)
    passive_agent: list[str] = Field(default_factory=list)


class PolarityCues(_Strict):
    """Words that negate, refuse or set the modality of the act after them."""

    negation: list[str]
    refusal: list[str]
    planned: list[str]
    hypothetical: list[str]
    negation_after: int = Field(default=0, ge=0, le=12)


class EventLanguageFile(_Strict):
    """``events/data/languages/<lang>.yaml``."""

    lang: str = Field(pattern=r"^[a-z]{2}$")
    roles: RoleCues
    cues: PolarityCues
    triggers: dict[str, list[str]]

    def model_post_init(self, _context: object) -> None:
        unknown = set(self.triggers) - set(PLOVER_TYPES)
        missing = set(PLOVER_TYPES) - set(self.triggers)
        if unknown or missing:
            raise ValueError(f"triggers: unknown types {sorted(unknown)}, "
                             f"missing types {sorted(missing)}")


class LanguageDataError(ValueError):
    """A language data file or the model artefact is missing or malformed."""


def load_event_language(lang: str, base: Path = EVENT_LANGUAGE_DIR) -> EventLanguageFile:
    path = base / f"{lang}.yaml"
    try:
        data = EventLanguageFile.model_validate(load_yaml(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError, ValueError) as exc:
        raise LanguageDataError(f"{path.name}: {exc}") from exc
    if data.lang != lang:
        raise LanguageDataError(f"{path.name}: lang is {data.lang!r}")
    return data


def event_languages(base: Path = EVENT_LANGUAGE_DIR) -> list[str]:
    return sorted(p.stem for p in base.glob("*.yaml"))


def files_digest(paths: list[Path]) -> str:
    """SHA-256 over files' bytes, in order (the model records what it was built from)."""
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


class SentenceTyper:
    """The sentence-level type classifier: ``probabilities(vectors)`` per class."""

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, classes: list[str],
                 meta: dict[str, object]) -> None:
        self.coef = coef
        self.intercept = intercept
        self.classes = classes
        self.meta = meta

    @classmethod
    def load(cls, model_dir: Path = MODEL_DIR) -> SentenceTyper:
        try:
            arrays = np.load(model_dir / f"{MODEL_STEM}.npz")
            meta = json.loads((model_dir / f"{MODEL_STEM}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise LanguageDataError(f"multilingual typing model: {exc} (run `make train`)"
                                    ) from exc
        return cls(arrays["coef"], arrays["intercept"], list(meta["classes"]), meta)

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "ml-typing"))

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        logits = vectors @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        expd = np.exp(logits)
        return expd / expd.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class SentenceJob:
    """One sentence to code: where it is, its language and text."""

    article_id: str
    section: Section
    offset: int  # sentence start within the section
    lang: str
    text: str
    published: dt.date | None = None


def _phrases(lang: str, items: list[str]) -> list[tuple[str, ...]]:
    return [tuple(normalise(t) for t in _split(lang, item)) for item in items]


def _split(lang: str, text: str) -> list[str]:
    return [text[a:b] for a, b in token_spans(lang, text)]


def _word_hits(word: str, stem: str) -> bool:
    return word == stem or (len(stem) >= MIN_PREFIX and word.startswith(stem))


def find_phrase(tokens: list[str], phrase: tuple[str, ...], prefix: bool) -> list[int]:
    """Token positions where ``phrase`` starts (stems as prefixes when ``prefix``)."""
    n = len(phrase)
    out = []
    for i in range(len(tokens) - n + 1):
        window = tokens[i:i + n]
        if all((_word_hits(t, p) if prefix else t == p) for t, p in zip(window, phrase,
                                                                           strict=True)):
            out.append(i)
    return out


@dataclass
class _Language:
    data: EventLanguageFile

    @cached_property
    def triggers(self) -> dict[str, list[tuple[str, ...]]]:
        return {t: _phrases(self.data.lang, stems) for t, stems in self.data.triggers.items()}

    def cue(self, name: str) -> list[tuple[str, ...]]:
        return _phrases(self.data.lang, getattr(self.data.cues, name))

    @cached_property
    def negation(self) -> list[tuple[str, ...]]:
        return self.cue("negation")

    @cached_property
    def refusal(self) -> list[tuple[str, ...]]:
        return self.cue("refusal")

    @cached_property
    def planned(self) -> list[tuple[str, ...]]:
        return self.cue("planned")

    @cached_property
    def hypothetical(self) -> list[tuple[str, ...]]:
        return self.cue("hypothetical")

    @cached_property
    def passive_aux(self) -> list[tuple[str, ...]]:
        return _phrases(self.data.lang, self.data.roles.passive_aux)

    @cached_property
    def passive_agent(self) -> list[tuple[str, ...]]:
        return _phrases(self.data.lang, self.data.roles.passive_agent)


def _cue_before(tokens: list[str], cues: list[tuple[str, ...]], at: int,
                window: int = CUE_WINDOW) -> tuple[str, ...] | None:
    lo = max(0, at - window)
    for cue in cues:
        if any(lo <= i < at for i in find_phrase(tokens, cue, prefix=False)):
            return cue
    return None


class MultilingualCoder:
    """Codes sentences of the data-file languages into Event records."""

    def __init__(self, plover: PloverTable, actors: MultilingualActors,
                 typer: SentenceTyper | None = None, encoder=None,
                 base: Path = EVENT_LANGUAGE_DIR, mode: str = "combined") -> None:
        from realpolitik.nlp.encoder import shared_encoder

        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.mode = mode
        self.plover = plover
        self.actors = actors
        self.typer = typer or SentenceTyper.load()
        self.encoder = encoder or shared_encoder()
        self.base = base
        self.languages = [lang for lang in event_languages(base) if lang in actors.languages]
        self._langs: dict[str, _Language] = {}
        self.threshold = max(MODEL_ONLY_THRESHOLD, float(self.typer.meta.get("threshold", 0.5)))
        self.veto = VETO

    def language(self, lang: str) -> _Language:
        if lang not in self._langs:
            self._langs[lang] = _Language(load_event_language(lang, self.base))
        return self._langs[lang]

    def code(self, jobs: list[SentenceJob]) -> tuple[list[list[LocalSpan]], list[list[Event]]]:
        """Actor spans and events of each sentence (sentences encoded in one batch)."""
        spans_all = []
        for job in jobs:
            if job.lang not in self.languages:
                raise LanguageDataError(f"no multilingual coder data for language {job.lang!r}")
            spans_all.append(self.actors.find(job.lang, job.text, token_spans(job.lang, job.text)))
        worth = [n for n, spans in enumerate(spans_all) if spans]
        probs = self.typer.probabilities(self.encoder.encode([jobs[n].text for n in worth])) \
            if worth else np.zeros((0, len(self.typer.classes)))
        events: list[list[Event]] = [[] for _ in jobs]
        for row, n in enumerate(worth):
            events[n] = self._events(jobs[n], spans_all[n], probs[row])
        return spans_all, events

    def choose(self, lang: _Language, tokens: list[str], spans: list[LocalSpan],
               probs: np.ndarray) -> tuple[str, int | None, str] | None:
        """(type, trigger token, how) for a sentence, or None for no event.

        ``combined``: the lexicon's trigger words propose types and the model picks the
        most probable of them (a sentence the model reads as no event with probability ≥
        ``veto`` is dropped); with no trigger word the model's own type is kept when it
        reaches ``threshold``. ``lexicon``: the first trigger word's type. ``model``: the
        model's type, located at the first trigger word of that type if any.
        """
        classes = self.typer.classes
        inside = {i for s in spans for i in range(s.start, s.end)}
        hits: dict[str, int] = {}
        for type_, stems in lang.triggers.items():
            found = [i for stem in stems for i in find_phrase(tokens, stem, True)
                     if i not in inside]
            if found:
                hits[type_] = min(found)
        p = {c: float(probs[n]) for n, c in enumerate(classes)}
        best = max(classes, key=lambda c: p[c])
        if self.mode == "lexicon":
            if not hits:
                return None
            type_ = min(hits, key=lambda t: hits[t])
            return type_, hits[type_], "lexicon"
        if self.mode == "model" or not hits:
            if best == NO_EVENT or p[best] < self.threshold:
                return None
            return best, hits.get(best), "model"
        if p[NO_EVENT] >= self.veto:
            return None
        type_ = max(hits, key=lambda t: (p[t], -hits[t]))
        return type_, hits[type_], "lexicon+model"

    def _events(self, job: SentenceJob, spans: list[LocalSpan], probs: np.ndarray) -> list[Event]:
        classes = self.typer.classes
        lang = self.language(job.lang)
        offsets = token_spans(job.lang, job.text)
        tokens = [normalise(job.text[a:b]) for a, b in offsets]
        chosen = self.choose(lang, tokens, spans, probs)
        if chosen is None:
            return []
        type_, at, how = chosen
        source, target, role_rule = self._roles(tokens, spans, at, lang)
        if source is None:
            return []
        negated = modality_rule = refused = None
        where = at if at is not None else len(tokens)
        if at is not None:
            neg = _cue_before(tokens, lang.negation, at)
            after = lang.data.cues.negation_after
            if neg is None and after:
                tail = tokens[at + 1:at + 1 + after]
                neg = next((c for c in lang.negation if c[0] in tail and len(c) == 1), None)
            negated = neg
        refusal = _cue_before(tokens, lang.refusal, where, window=len(tokens))
        if refusal is not None and type_ != "REJECT":
            refused, type_ = type_, "REJECT"
        modality = "asserted"
        if _cue_before(tokens, lang.hypothetical, where, window=6):
            modality, modality_rule = "hypothetical", "modality:hypothetical"
        elif _cue_before(tokens, lang.planned, where, window=6):
            modality, modality_rule = "planned", "modality:planned"
        info = self.plover.types[type_]
        trigger = job.text[offsets[at][0]:offsets[at][1]] if at is not None else ""
        rule = "+".join(r for r in (
            f"{self.typer.version}:{job.lang}", f"type:{how}",
            f"refused:{refused}" if refused else "", "negated" if negated else "",
            modality_rule or "", role_rule) if r)
        trigger_start = offsets[at][0] if at is not None else 0
        eid = event_id(job.article_id, job.section, job.offset + trigger_start,
                       trigger or type_, source, target, type_)
        confidence = float(probs[classes.index(refused)] if refused in classes
                           else probs[classes.index(type_)])
        return [Event(
            id=eid, article_id=job.article_id, source=source, target=target, type=type_,
            quad_class=info.quad_class, cameo_root=info.cameo_root[0], negated=bool(negated),
            modality=modality, date=job.published, sentence=job.text, section=job.section,
            start=job.offset, end=job.offset + len(job.text), trigger=trigger,
            confidence=round(max(0.05, min(confidence, 0.99)), 2), rule=rule,
            language=job.lang)]

    def _roles(self, tokens: list[str], spans: list[LocalSpan], at: int | None,
               lang: _Language):
        if at is None:
            before, after = spans, []
        else:
            before = [s for s in spans if s.end <= at]
            after = [s for s in spans if s.start > at]
        rule = "roles:order"
        if before:
            source = before[0]
            rest = [s for s in after + before[1:] if s.actor.key() != source.actor.key()]
            target = rest[0] if rest else None
        elif after:
            source = after[0]
            rest = [s for s in after[1:] if s.actor.key() != source.actor.key()]
            target = rest[0] if rest else None
        else:
            return None, None, rule
        if at is not None and target is not None and target.start > at \
                and _cue_before(tokens, lang.passive_aux, at, window=3) \
                and _cue_before(tokens, lang.passive_agent, target.start, window=3):
            source, target = target, source
            rule = "roles:order-passive"
        return source.actor, target.actor if target else None, rule
