"""The event coder: spaCy components, one job each, run in the order of ``coder.cfg``.

    realpolitik_triggers     trigger candidates (lexicon rules + model candidates)
    realpolitik_typing       the PLOVER type of each trigger (model and rules, one place)
    realpolitik_roles        source and target actors
    realpolitik_polarity     negation, modality and the event date
    realpolitik_attribution  on whose word it is reported
    realpolitik_type_rules   PLOVER conventions on the finished reading (lexicon type_rules)

Each component is a registered spaCy factory configured from
``events/data/coder.cfg``; the coder runs them as a spaCy pipeline over an already
parsed sentence (``nlp(doc)``) whose context (actors, coreference history, date) is set
on ``doc._.rp_sentence``. ``EventCoder.code`` then turns the finished drafts into
``Event`` records.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import Config

from realpolitik.events.attribution import Attribution
from realpolitik.events.context import EventDraft, SentenceInput
from realpolitik.events.lexicon import Lexicon, PloverTable, TypeRule, load_lexicon, load_plover
from realpolitik.events.polarity import PolarityModality
from realpolitik.events.role_scorer import RoleScorer
from realpolitik.events.roles import RoleFinder
from realpolitik.events.syntax import clause_role
from realpolitik.events.triggers import TriggerFinder
from realpolitik.events.typer import EventTyper
from realpolitik.events.typing_model import TypingModel
from realpolitik.records import Event, event_id

CONFIG_NAME = "coder.cfg"


@lru_cache(maxsize=4)
def _lexicon(data_dir: str) -> Lexicon:
    return load_lexicon(Path(data_dir) if data_dir else None)


@lru_cache(maxsize=4)
def _plover(data_dir: str) -> PloverTable:
    return load_plover(Path(data_dir) if data_dir else None)


@lru_cache(maxsize=4)
def _model(model_dir: str, use_model: bool) -> TypingModel | None:
    if not use_model:
        return None
    return TypingModel.load(Path(model_dir) if model_dir else None)


@Language.factory("realpolitik_triggers",
                  default_config={"data_dir": "", "model_dir": "", "use_model": True})
def make_triggers(nlp: Language, name: str, data_dir: str, model_dir: str,
                  use_model: bool) -> TriggerFinder:
    return TriggerFinder(nlp.vocab, _lexicon(data_dir), _plover(data_dir),
                         _model(model_dir, use_model))


@Language.factory("realpolitik_typing",
                  default_config={"data_dir": "", "model_dir": "", "use_model": True,
                                  "threshold": None, "override": 0.0, "veto": 0.95})
def make_typing(nlp: Language, name: str, data_dir: str, model_dir: str, use_model: bool,
                threshold: float | None, override: float, veto: float) -> EventTyper:
    return EventTyper(_lexicon(data_dir), _model(model_dir, use_model), threshold, override,
                      veto)


@Language.factory("realpolitik_roles", default_config={"data_dir": "", "model_dir": "",
                                                       "use_scorer": True})
def make_roles(nlp: Language, name: str, data_dir: str, model_dir: str,
               use_scorer: bool) -> RoleFinder:
    scorer = source = None
    if use_scorer:
        path = Path(model_dir) / "roles.json" if model_dir else None
        scorer = RoleScorer.load(path, "target")
        source = RoleScorer.load(path, "source")
    return RoleFinder(_lexicon(data_dir), _plover(data_dir), scorer, source)


@Language.factory("realpolitik_polarity", default_config={"data_dir": ""})
def make_polarity(nlp: Language, name: str, data_dir: str) -> PolarityModality:
    return PolarityModality(_lexicon(data_dir))


@Language.factory("realpolitik_attribution", default_config={"data_dir": ""})
def make_attribution(nlp: Language, name: str, data_dir: str) -> Attribution:
    return Attribution(_lexicon(data_dir))


@Language.factory("realpolitik_type_rules", default_config={"data_dir": ""})
def make_type_rules(nlp: Language, name: str, data_dir: str) -> TypeRules:
    lex = _lexicon(data_dir)
    return TypeRules(lex.type_rules, lex, frozenset(lex.roles.state_sectors))


class TypeRules:
    """Applies the lexicon's ``type_rules`` (PLOVER conventions), first match wins."""

    def __init__(self, rules: list[TypeRule], lexicon: Lexicon,
                 state_sectors: frozenset[str]) -> None:
        self.rules = rules
        self.lex = lexicon
        self.state_sectors = state_sectors

    def __call__(self, doc: Doc) -> Doc:
        for draft in doc._.rp_drafts:
            if draft.alive:
                self.apply(draft)
        return doc

    def apply(self, draft: EventDraft) -> None:
        for rule in self.rules:
            if self.matches(rule, draft):
                draft.type = rule.becomes
                draft.modality_rule = "+".join(
                    r for r in (draft.modality_rule, f"convention:{rule.name}") if r)
                return

    def matches(self, rule: TypeRule, draft: EventDraft) -> bool:
        tok = draft.trigger.token
        if not rule.fits_act(draft.type, draft.modality, draft.negated):
            return False
        if rule.verb_type is not None and (
                draft.trigger.noun is None
                or self.lex.verb_types.get(tok.lemma_.lower()) != rule.verb_type):
            return False
        if rule.lemma is not None and tok.lemma_.lower() != rule.lemma:
            return False
        if rule.sources == "state" and not all(
                s.sector is None or s.sector in self.state_sectors
                for s in draft.sources.actors):
            return False
        if rule.nouns and (draft.trigger.noun is None
                           or draft.trigger.noun.lemma_.lower() not in rule.nouns):
            return False
        return rule.target != "location" or draft.target_rule == "target:location"


def default_config_path() -> Path:
    return Path(str(resources.files("realpolitik.events").joinpath("data", CONFIG_NAME)))


def build_coder_pipeline(vocab, config: Config | None = None,
                         overrides: dict | None = None) -> Language:
    """A spaCy pipeline of the coder components, in the configured order."""
    config = config or Config().from_disk(default_config_path())
    nlp = spacy.blank("en", vocab=vocab)
    settings = config.get("components", {})
    for name in config["coder"]["pipeline"]:
        component_config = dict(settings.get(name, {}))
        component_config.update((overrides or {}).get(name, {}))
        nlp.add_pipe(name, config=component_config)
    return nlp


class EventCoder:
    """Turns parsed sentences into Event records through the coder components."""

    def __init__(self, vocab, plover: PloverTable, config: Config | None = None,
                 overrides: dict | None = None) -> None:
        self.plover = plover
        self.nlp = build_coder_pipeline(vocab, config, overrides)
        self.symmetric = self.nlp.get_pipe("realpolitik_roles").symmetric
        triggers = self.nlp.get_pipe("realpolitik_triggers")
        self.one_way = frozenset(triggers.light_promise)
        self.reporting = triggers.reporting

    @property
    def model(self) -> TypingModel | None:
        return self.nlp.get_pipe("realpolitik_typing").model

    def drafts(self, sent: SentenceInput) -> list[EventDraft]:
        doc = sent.doc
        doc._.rp_sentence = sent
        for _name, component in self.nlp.pipeline:
            doc = component(doc)
        drafts = doc._.rp_drafts or []
        doc._.rp_sentence = None  # the history and actors belong to the caller
        return drafts

    def code(self, sent: SentenceInput) -> list[Event]:
        return self.events(self.drafts(sent), sent)

    def events(self, drafts: list[EventDraft], sent: SentenceInput) -> list[Event]:
        """The Event records of a sentence's finished drafts."""
        events: list[Event] = []
        for draft in drafts:
            if draft.alive:
                events.extend(self._events(draft, sent))
        return events

    def _events(self, draft: EventDraft, sent: SentenceInput) -> list[Event]:
        trig = draft.trigger
        verb = trig.token
        info = self.plover.types[draft.type]
        confidence = event_confidence(draft, sent.headline, clause_role(verb, self.reporting))
        rule = "+".join(r for r in (draft.type_rule, draft.negation_rule, draft.modality_rule,
                                    draft.sources.rule and f"source:{draft.sources.rule}",
                                    draft.target_rule) if r)
        span_start = verb.sent.start_char
        original = sent.text or sent.doc.text
        sent_text = original[span_start:verb.sent.end_char].strip()
        start = sent.offset + span_start
        pairs = [(s, t) for s in draft.sources.actors for t in (draft.targets or [None])]
        if self.mutual(draft):
            pairs += [(t, s) for s, t in pairs if t is not None]
            if not draft.targets and len(draft.sources.actors) > 1:
                # "Russia and China signed a pact": each party toward the other
                pairs = [(s, t) for s in draft.sources.actors for t in draft.sources.actors
                         if s.key() != t.key()]
        out = []
        seen: set[str] = set()
        for source, target in pairs:
            if target is not None and target.key() == source.key():
                continue
            eid = event_id(sent.article_id, sent.section, sent.offset + verb.idx, trig.text,
                           source, target, draft.type)
            if eid in seen:
                continue
            seen.add(eid)
            out.append(Event(
                id=eid, article_id=sent.article_id, source=source, target=target,
                type=draft.type, quad_class=info.quad_class, cameo_root=info.cameo_root[0],
                negated=draft.negated, modality=draft.modality,
                attributed_to=draft.attributed_to, date=draft.date, sentence=sent_text,
                section=sent.section, start=start, end=start + len(sent_text),
                trigger=trig.text, confidence=confidence, rule=rule,
            ))
        return out

    def mutual(self, draft: EventDraft) -> bool:
        """A symmetric act between two parties (met, agreed, traded) goes both ways; a
        promise or offer ("pledged aid to", "will send oil to") goes one way."""
        trig = draft.trigger
        return (draft.type in self.symmetric and draft.base_type in self.symmetric
                and not trig.promise and trig.token.lemma_.lower() not in self.one_way
                and draft.modality != "planned")


# Confidence added by where the trigger's clause sits (``syntax.clause_role``): the news of
# a sentence is its main clause or what its main reporting verb reports; an adverbial,
# relative or participial clause states circumstances ("after X shelled Y", "..., accusing
# Y of"). Chosen on the dev split (`realpolitik eval --dev`, top-1 74.8 -> 75.4 % with
# reported +0.05 and subordinate -0.1; of 0 / 0.05 / 0.1 / 0.15).
CLAUSE_ADJUSTMENT = {"main": 0.05, "reported": 0.05, "subordinate": -0.1, "embedded": 0.0}


def event_confidence(draft: EventDraft, headline: bool, clause: str) -> float:
    """How sure the coder is of an event: the type's confidence, adjusted by the reading.

    The typing model's calibrated probability (or the rule's prior) is raised for a main
    or reported clause, lowered for a subordinate one (``CLAUSE_ADJUSTMENT``), and
    lowered for a source found through coreference or another clause, a target found
    inside a noun phrase, and a headline (whose parse is less reliable).
    """
    confidence = draft.type_confidence
    confidence += CLAUSE_ADJUSTMENT[clause]
    confidence -= 0.1 if draft.sources.weak or draft.inherited_subject else 0.0
    confidence -= 0.1 if "inside" in draft.target_rule else 0.0
    confidence -= 0.05 if headline else 0.0
    return round(max(0.05, min(confidence, 0.99)), 2)
