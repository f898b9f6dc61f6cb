"""Code PLOVER events from a dependency-parsed sentence.

One pass per sentence:
1. find triggers - lexicon phrases ("remain on the sidelines"), light-verb constructions
   ("launched attacks on", "pumped billions into"), then plain verbs ("deployed");
2. for each trigger find the source (subject, passive agent, controller of an
   infinitive, antecedent of a relative clause, coordinated or appositive actors) and
   the target (object, dative, prepositional object, or a documented fallback);
3. read polarity (negation, refusal governors, "no longer"), modality (planned,
   hypothetical, past background) and attribution (reporting verbs, "according to");
4. emit one event per source-target pair, naming the rule that produced it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from spacy.matcher import Matcher
from spacy.tokens import Doc, Token

from realpolitik.actors.coref import (
    GROUP_NOUNS,
    NUMBER_WORDS,
    PERSON_PRONOUNS,
    PLURAL_PRONOUNS,
    RELATIVE_PRONOUNS,
    SINGULAR_PRONOUNS,
    History,
    as_reference,
)
from realpolitik.events.lexicon import Lexicon, PloverTable
from realpolitik.records import ActorRef, Event, Section, event_id

# Verbs whose object is the understood subject of their infinitive ("urged Iran to stop").
OBJECT_CONTROL = frozenset({"urge", "ask", "call", "press", "advise", "force", "order", "tell",
                            "persuade", "encourage", "allow", "invite", "warn", "push",
                            "pressure", "request", "implore", "compel", "help"})
# Adjectives whose subject is the object of their complement ("X is worth defending").
TOUGH_ADJECTIVES = frozenset({"worth", "easy", "hard", "difficult", "impossible", "tough",
                              "costly", "risky", "safe"})
# Nouns that name the allies of someone: "its allies", "Venezuela's backers".
ALLY_NOUNS = frozenset({"ally", "backer", "partner", "friend", "supporter", "patron", "sponsor"})
# Verbs of telling whose object is the party an embedded commitment is addressed to.
COMMUNICATION = frozenset({"inform", "tell", "notify", "assure", "warn", "advise", "signal",
                           "message", "brief", "promise"})
CONFLICT_TYPES = frozenset({"REQUEST", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION",
                            "MOBILIZE", "COERCE", "ASSAULT"})
LOCATION_TYPES = frozenset({"MOBILIZE", "RETREAT", "ASSAULT", "AID", "COOPERATE", "PROTEST",
                            "COERCE"})
# Sectors that are domestic by nature: with no country named, they belong to the country
# where the event happens (or to the source's country).
DOMESTIC_SECTORS = frozenset({"CVL", "OPP", "REB", "CRM", "COP", "LAB", "EDU", "PTY", "REF",
                              "MED", "BUS", "UAF", "HRI", "REL", "JUD", "LEG", "GOV", "MIL"})
# Prior confidence of each kind of rule (phrases are the most specific).
RULE_CONFIDENCE = {"phrase": 0.8, "light": 0.75, "verb": 0.7, "obligation": 0.6}
FUTURE_TYPES = {"CONSULT": "AGREE", "SUPPORT": "AGREE", "COOPERATE": "AGREE", "AID": "AGREE",
                "RETREAT": "CONCEDE"}
STATE_SECTORS = frozenset({None, "GOV", "MIL", "COP", "JUD", "LEG", "SPY"})
MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
MONTHS.update({k[:3]: v for k, v in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_DATE_MDY = re.compile(r"\b([A-Z][a-z]{2,8})\.? (\d{1,2}),? (\d{4})\b")
_DATE_DMY = re.compile(r"\b(\d{1,2}) ([A-Z][a-z]{2,8}) (\d{4})\b")
_YEAR = re.compile(r"^(19|20)\d\d$")


@dataclass(frozen=True)
class ActorSpanLike:
    """What the coder needs of an actor mention: token span and resolved actor."""

    start: int
    end: int
    actor: ActorRef
    kind: str = ""


@dataclass
class SentenceInput:
    """A parsed sentence and its place in the article."""

    doc: Doc
    article_id: str
    section: Section
    offset: int
    index: int
    actors: list[ActorSpanLike]
    history: History
    cites: list[str] = field(default_factory=list)
    published: dt.date | None = None
    headline: bool = False
    text: str = ""  # the sentence as written (the parsed doc may be true-cased)


@dataclass(frozen=True)
class Trigger:
    token: Token          # the verb (or head word) the event hangs on
    type: str
    rule: str
    text: str
    negated: bool = False
    noun: Token | None = None          # the event noun in a light-verb construction
    target_prep: Token | None = None   # a phrase's own preposition ("turn its back on")
    lose: bool = False                 # "lose the support of X": X is the source
    promise: bool = False
    considered: bool = False           # "weighing sanctions": the act is only considered
    obliged: Token | None = None       # "said Y must ...": the clause whose subject is the target


@dataclass
class Resolved:
    actors: list[ActorRef]
    rule: str = ""
    weak: bool = False


class EventCoder:
    """Turns parsed sentences into Event records using the lexicon data files."""

    def __init__(self, lexicon: Lexicon, plover: PloverTable, vocab) -> None:
        self.lex = lexicon
        self.plover = plover
        # One small Matcher per first lemma: a sentence only runs the phrase patterns whose
        # first word it contains (matching every pattern on every token was a fifth of
        # the coding time).
        self.phrases: dict[str, Matcher] = {}
        self.phrase_info: dict[str, tuple[str, bool, str]] = {}
        for n, phrase in enumerate(lexicon.phrases):
            key = f"P{n}"
            words = phrase.pattern.split()
            pattern = [{"LEMMA": {"IN": _lemma_variants(words[0])}}]
            for word in words[1:]:
                pattern.append({"LOWER": {"IN": ["the", "a", "its", "their", "his", "her"]},
                                "OP": "?"})
                pattern.append({"LEMMA": {"IN": _lemma_variants(word)}})
            for first in _lemma_variants(words[0]):
                self.phrases.setdefault(first, Matcher(vocab)).add(key, [pattern])
            self.phrase_info[key] = (phrase.type, phrase.negated, phrase.pattern)
        self.refusal_governors = frozenset(lexicon.polarity.refusal_governors)
        self.refusal_adjectives = frozenset(lexicon.polarity.refusal_adjectives)
        self.refusal_phrases = frozenset(lexicon.polarity.refusal_phrases)
        self.negators = frozenset(lexicon.polarity.negators)
        self.hyp_mod = frozenset(lexicon.modality.hypothetical_modifiers)
        self.according = [tuple(p.split()) for p in lexicon.attribution.according_to]
        self.hyp_gov = frozenset(lexicon.modality.hypothetical_governors)
        self.plan_gov = frozenset(lexicon.modality.planned_governors)
        self.plan_adj = frozenset(lexicon.modality.planned_adjectives)
        self.obligation = frozenset(lexicon.modality.obligation_auxiliaries)
        self.hyp_aux = frozenset(lexicon.modality.hypothetical_auxiliaries)
        self.plan_aux = frozenset(lexicon.modality.planned_auxiliaries)
        self.conditionals = frozenset(lexicon.modality.conditional_markers)
        self.background = tuple(sorted(lexicon.modality.background_markers, key=len,
                                       reverse=True))
        self.reporting = frozenset(lexicon.attribution.reporting_verbs)
        self.anaphors = frozenset(lexicon.attribution.anaphors)
        self.target_preps = frozenset(lexicon.target_preps)
        self.light_do = frozenset(lexicon.light_verbs.do)
        self.light_promise = frozenset(lexicon.light_verbs.promise)
        self.light_lose = frozenset(lexicon.light_verbs.lose)
        self.light_reduce = frozenset(lexicon.light_verbs.reduce)

    # ------------------------------------------------------------------ triggers
    def triggers(self, doc: Doc) -> list[Trigger]:
        found: list[Trigger] = []
        used: set[int] = set()
        matches = {m for lemma in {t.lemma_ for t in doc} & self.phrases.keys()
                   for m in self.phrases[lemma](doc)}
        for match_id, start, end in sorted(matches, key=lambda m: (m[1], -m[2])):
            if any(i in used for i in range(start, end)):
                continue
            type_, negated, pattern = self.phrase_info[doc.vocab.strings[match_id]]
            span = doc[start:end]
            head = span[0]
            last = span[-1]
            prep = last if last.pos_ == "ADP" else None
            found.append(Trigger(head, type_, f"phrase:{pattern}", span.text, negated,
                                 target_prep=prep))
            used.update(range(start, end))
        for tok in doc:
            if tok.i in used or (tok.pos_ not in ("VERB", "AUX") and tok.tag_ not in ("VB", "VBD",
                                                                                    "VBZ", "VBP",
                                                                                    "VBN", "VBG")):
                continue
            trig = self._light_verb(tok) or self._verb(tok)
            if trig is not None:
                found.append(trig)
                used.add(tok.i)
                if trig.noun is not None:
                    used.add(trig.noun.i)
        return found

    def _verb_key(self, tok: Token) -> str:
        lemma = tok.lemma_.lower()
        for child in tok.children:
            if child.dep_ == "prt" or (child.dep_ == "prep" and child.i == tok.i + 1):
                key = f"{lemma} {child.lower_}"
                if key in self.lex.verb_types or key in self.light_do:
                    return key
        return lemma

    def _light_verb(self, tok: Token) -> Trigger | None:
        key = self._verb_key(tok)
        kind = ("reduce" if key in self.light_reduce else "do" if key in self.light_do
                else "promise" if key in self.light_promise
                else "lose" if key in self.light_lose
                else "consider" if key in self.hyp_gov else None)
        if kind is None:
            return None
        for noun in tok.children:
            if noun.dep_ not in ("dobj", "nsubjpass", "obj", "attr"):
                continue
            text = f"{tok.text} {noun.text}"
            if kind == "reduce":
                reduced = self.lex.reduction_types.get(noun.lower_)
                if reduced is not None:
                    return Trigger(tok, reduced, f"light:{key}+{noun.lemma_}", text, noun=noun)
            noun_type = self._noun_type(noun)
            if noun_type is None:
                # "25,000 tons of food aid", "billions of dollars in loans"
                for prep in noun.children:
                    if prep.dep_ == "prep" and prep.lower_ in ("of", "in"):
                        for obj in prep.children:
                            if obj.dep_ == "pobj" and self._noun_type(obj):
                                noun_type = self._noun_type(obj)
            if noun_type is None:
                continue
            if kind == "reduce":
                if not self.plover.types[noun_type].cooperative:
                    continue
                return Trigger(tok, noun_type, f"light:{key}+{noun.lemma_}", text, negated=True,
                               noun=noun)
            if kind == "promise":
                coop = self.plover.types[noun_type].cooperative
                return Trigger(tok, "AGREE" if coop else "THREATEN", f"light:{key}+{noun.lemma_}",
                               text, noun=noun, promise=True)
            if kind == "lose":
                return Trigger(tok, noun_type, f"light:{key}+{noun.lemma_}", text, negated=True,
                               noun=noun, lose=True)
            if self.lex.verb_types.get(key) == "MOBILIZE" and noun_type == "AID":
                noun_type = "MOBILIZE"  # "deployed drones": a show of force, not a delivery
            negated = any(c.lower_ == "no" and c.dep_ == "det" for c in noun.children)
            return Trigger(tok, noun_type, f"light:{key}+{noun.lemma_}", text, negated=negated,
                           noun=noun, considered=kind == "consider")
        return None

    def _noun_type(self, noun: Token) -> str | None:
        lemma = noun.lemma_.lower()
        base = self.lex.noun_types.get(noun.lower_) or self.lex.noun_types.get(lemma)
        modifiers = [c for c in noun.children if c.dep_ in ("compound", "nmod", "amod")]
        for c in modifiers:
            joined = f"{c.lower_} {noun.lower_}"
            if joined in self.lex.noun_types:
                base = self.lex.noun_types[joined]
        if base is None:
            # "the maximum pressure policy", "a sanctions regime": the modifier names the act
            for c in modifiers:
                if c.dep_ in ("compound", "nmod") and c.lower_ in self.lex.noun_types:
                    return self.lex.noun_types[c.lower_]
            return None
        for mod in noun.children:
            if mod.dep_ in ("amod", "compound", "conj") or mod.dep_ == "conj":
                override = self.lex.modifier_types.get(mod.lower_)
                if override and base in ("SUPPORT", "COOPERATE"):
                    return override
                for sub in mod.conjuncts:
                    override = self.lex.modifier_types.get(sub.lower_)
                    if override and base in ("SUPPORT", "COOPERATE"):
                        return override
        return base

    def _verb(self, tok: Token) -> Trigger | None:
        key = self._verb_key(tok)
        type_ = self.lex.verb_types.get(key)
        if type_ is None:
            return None
        if key.split()[0] in self.refusal_governors and self._event_complement(tok):
            return None  # "refuse to back": the complement is the event, negated
        return Trigger(tok, type_, f"verb:{key}", tok.text)

    def _event_complement(self, tok: Token) -> bool:
        """Does a refusal verb govern a verbal action ("refused to back", "avoid sending")?"""
        for child in tok.children:
            verbal = child.tag_.startswith("VB")
            if child.dep_ in ("xcomp", "ccomp", "pcomp") and verbal:
                return True
            if child.dep_ in ("dobj", "prep") and (
                    verbal or any(g.dep_ == "pcomp" and g.tag_.startswith("VB")
                                  for g in child.children)):
                return True
        return False

    # ------------------------------------------------------------------- actors
    def _actor_index(self, sent: SentenceInput) -> dict[int, ActorSpanLike]:
        index: dict[int, ActorSpanLike] = {}
        for span in sent.actors:
            for i in range(span.start, span.end):
                index[i] = span
        return index

    def _np_actors(self, tok: Token, sent: SentenceInput, index: dict[int, ActorSpanLike],
                   deep: bool = False) -> Resolved:
        """Actors named by the noun phrase headed by ``tok`` (with its conjuncts)."""
        heads = [tok, *[c for c in tok.conjuncts if c.i > tok.i]]
        actors: list[ActorRef] = []
        rules: list[str] = []
        weak = False
        for head in heads:
            res = self._single_np(head, sent, index, deep)
            actors.extend(res.actors)
            if res.rule:
                rules.append(res.rule)
            weak = weak or res.weak
        return Resolved(_distinct(actors), "+".join(sorted(set(rules))), weak)

    def _single_np(self, tok: Token, sent: SentenceInput, index: dict[int, ActorSpanLike],
                   deep: bool) -> Resolved:
        span = index.get(tok.i)
        if span is not None:
            actor = span.actor
            if actor.country is None:
                actor = self._fill_country(tok, actor, index)
            order = sum(1 for s in sent.actors if s.start < span.start)
            listed = sent.history.coordinated_with(sent.index, order)
            if len(listed) > 1 and actor in listed:
                return Resolved(listed, "coordination")
            return Resolved([actor])
        before = sum(1 for s in sent.actors if s.start < tok.i)
        low = tok.lower_
        # appositions name the actors: "its allies - Russia, China, and Iran"
        for child in tok.children:
            if child.dep_ == "appos":
                res = self._np_actors(child, sent, index)
                if res.actors:
                    return res
        if low in RELATIVE_PRONOUNS and tok.head.dep_ == "relcl":
            return self._np_actors(tok.head.head, sent, index)
        if low in PLURAL_PRONOUNS:
            found = sent.history.plural(sent.index, before=before)
            return Resolved(found or [], "coref", True)
        if low in SINGULAR_PRONOUNS:
            found = sent.history.singular(sent.index, before=before)
            return Resolved([as_reference(found, tok.text)] if found else [], "coref", True)
        if low in PERSON_PRONOUNS:
            found = sent.history.person(sent.index, before=before)
            return Resolved([as_reference(found, tok.text)] if found else [], "coref", True)
        lemma = tok.lemma_.lower()
        if lemma in GROUP_NOUNS and tok.tag_ in ("NNS", "NNPS"):
            count = None
            anaphoric = False
            for child in tok.children:
                if child.lower_ in NUMBER_WORDS:
                    count = NUMBER_WORDS[child.lower_]
                    anaphoric = True
                if child.lower_ in ("these", "those", "both", "the", "its", "their"):
                    anaphoric = True
            if anaphoric:
                found = sent.history.plural(sent.index, count=count, before=before)
                if found:
                    return Resolved([as_reference(a, a.text) for a in found], "coref", True)
        if deep:
            # "Russian aircraft", "a member of the Syrian parliament": the NP's owner
            for sub in _np_interior(tok):
                span = index.get(sub.i)
                if span is not None:
                    return Resolved([self._fill_country(sub, span.actor, index)],
                                    "inside-np", True)
        return Resolved([])

    def _fill_country(self, tok: Token, actor: ActorRef,
                      index: dict[int, ActorSpanLike]) -> ActorRef:
        """'the regime of Nicolas Maduro', 'Venezuela's government': take the owner's country."""
        owners = [c for c in tok.children if c.dep_ == "poss"]
        owners += [g for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
                   for g in c.children if g.dep_ == "pobj"]
        for owner in owners:
            span = index.get(owner.i)
            if span is not None and span.actor.country is not None:
                return actor.model_copy(update={"country": span.actor.country})
        return actor

    # --------------------------------------------------------- roles in the parse
    def _subjects(self, verb: Token) -> tuple[list[Token], bool]:
        """Subject tokens of ``verb`` and whether they came from another clause."""
        subj = [c for c in verb.children if c.dep_ in ("nsubj", "csubj")]
        if subj:
            return subj, False
        agent = [g for c in verb.children if c.dep_ == "agent" for g in c.children
                 if g.dep_ == "pobj"]
        if agent:
            return agent, False
        head = verb.head
        if verb.dep_ in ("xcomp", "pcomp") and head.lemma_.lower() in TOUGH_ADJECTIVES:
            return [], False  # "Venezuela is worth mobilizing for": not the doer
        if verb.dep_ == "xcomp" and head is not verb:
            if head.lemma_.lower() in OBJECT_CONTROL:
                objs = [c for c in head.children if c.dep_ in ("dobj", "obj")]
                if objs:
                    return objs, True
            return self._subjects(head)[0], True
        if verb.dep_ in ("conj", "advcl") and head is not verb and head.pos_ in ("VERB", "AUX"):
            return self._subjects(head)[0], True
        if verb.dep_ == "acomp" and head is not verb:  # "are (not) willing to ..."
            return self._subjects(head)[0], True
        if verb.dep_ == "acl" and head.lower_ == "order" and head.head.lower_ == "in":
            return self._subjects(head.head.head)[0], True
        if verb.dep_ == "relcl":
            return [head], True
        if verb.dep_ == "acl" and verb.tag_ == "VBG":
            return [head], True
        return [], False

    def _targets(self, trig: Trigger, passive_patients: list[Token]) -> list[Token]:
        verb = trig.token
        out: list[Token] = list(passive_patients)
        # "back Maduro against US pressure": for cooperation, 'against' names the opponent
        preps = self.target_preps - ({"against"} if self.plover.types[trig.type].cooperative
                                     else {"for"})
        skip: set[int] = set()
        if trig.noun is not None:
            skip = {trig.noun.i, *[c.i for c in trig.noun.conjuncts]}
        if trig.target_prep is not None:
            out += [c for c in trig.target_prep.children if c.dep_ == "pobj"]
        if trig.obliged is not None:
            return [c for c in trig.obliged.children if c.dep_ in ("nsubj", "nsubjpass")]
        holders = [trig.noun, verb] if trig.noun is not None else [verb]
        for obj in (c for c in verb.children if c.dep_ in ("dobj", "obj") and trig.noun is None):
            # "supply spare parts for Venezuela's jets": the recipient hangs on the object
            for prep in obj.children:
                if prep.dep_ == "prep" and prep.lower_ in ("to", "for") and prep.lower_ in preps:
                    out += [g for g in prep.children if g.dep_ == "pobj"]
        for holder in holders:
            if holder is None:
                continue
            for child in holder.children:
                if child.dep_ in ("dobj", "dative", "obj") and child.i not in skip:
                    out.append(child)
                elif child.dep_ in ("prep", "dative") and child.lower_ in preps:
                    out += [g for g in child.children if g.dep_ == "pobj"]
        return out

    def _fallback_targets(self, trig: Trigger, subjects: list[Token], sent: SentenceInput,
                          index: dict[int, ActorSpanLike]) -> tuple[list[ActorRef], str]:
        # 1. "its allies ... remain on the sidelines": the allies' owner is the target
        for subj in subjects:
            for head in [subj, *[c for c in subj.children if c.dep_ == "appos"]]:
                if head.lemma_.lower() not in ALLY_NOUNS:
                    continue
                owners = [c for c in head.children if c.dep_ == "poss"]
                owners += [g for c in head.children if c.dep_ == "prep" and c.lower_ == "of"
                           for g in c.children if g.dep_ == "pobj"]
                for owner in owners:
                    res = self._single_np(owner, sent, index, deep=False)
                    if res.actors:
                        return res.actors, "target:ally-of"
        # 2. "informed Maduro's government that they will not provide support"
        for gov, link in _governors(trig.token):
            if link == "ccomp" and gov.lemma_.lower() in COMMUNICATION:
                for obj in gov.children:
                    if obj.dep_ in ("dobj", "dative"):
                        res = self._np_actors(obj, sent, index)
                        if res.actors:
                            return res.actors, "target:addressee"
        # 3. "reduced its presence ... in Venezuela": a country where the action takes place
        if trig.type in LOCATION_TYPES:
            for tok in _clause_tokens(trig.token):
                if tok.dep_ == "pobj" and tok.head.lower_ in ("in", "off", "near", "to", "into"):
                    span = index.get(tok.i)
                    if span is not None and span.actor.country is not None:
                        return [span.actor], "target:location"
        return [], ""

    def _domestic_country(self, actor: ActorRef, trig: Trigger, sources: list[ActorRef],
                          index: dict[int, ActorSpanLike]) -> tuple[ActorRef, str]:
        """'police dispersed demonstrators in Monrovia': the demonstrators are Liberian.

        A country-less domestic sector takes the country of the place named in the
        event's clause, else that of a single-country source.
        """
        for tok in _clause_tokens(trig.token):
            if tok.dep_ == "pobj" and tok.head.lower_ in ("in", "at", "near"):
                span = index.get(tok.i)
                if span is not None and span.actor.country is not None:
                    return actor.model_copy(update={"country": span.actor.country}), "place"
        countries = {s.country for s in sources if s.country}
        if len(countries) == 1:
            return actor.model_copy(update={"country": countries.pop()}), "domestic"
        return actor, ""

    # ---------------------------------------------------- polarity and modality
    def _negated(self, trig: Trigger) -> tuple[bool, str]:
        if trig.negated:
            return True, "lexicon"
        verb = trig.token
        if self._has_negation(verb):
            return True, "negation"
        below = verb
        for gov, link in _governors(verb):
            if link not in ("xcomp", "advcl", "acomp", "pcomp", "prep", "conj"):
                break
            if link == "advcl" and not _purpose_clause(below):
                break
            below = gov
            lemma = gov.lemma_.lower()
            if link != "conj" and (lemma in self.refusal_governors
                                   or lemma in self.refusal_adjectives):
                return True, f"refusal:{lemma}"
            key = self._verb_key(gov)
            if key in self.refusal_phrases:
                return True, f"refusal:{key}"
            if link != "conj" and self._has_negation(gov):
                return True, "negated-governor"
        return False, ""

    def _has_negation(self, tok: Token) -> bool:
        for child in tok.children:
            if child.dep_ == "neg" or (child.dep_ == "advmod" and child.lower_ in self.negators):
                return True
            if child.lower_ in self.lex.polarity.cessation_adverbs and any(
                    g.lower_ in ("no", "not") for g in child.children):
                return True
        return False

    def _modality(self, trig: Trigger, sent: SentenceInput) -> tuple[str, str]:
        verb = trig.token
        clause = _clause_tokens(verb)
        text = " ".join(t.lower_ for t in clause)
        for marker in self.background:
            if f" {marker} " in f" {text} " and (marker != "since" or _since_past(clause)):
                return "past_background", f"background:{marker}"
        year = sent.published.year if sent.published else None
        for tok in clause:
            # "in 2019", "between 2005 and 2018", "from 2007 to 2016" - not "the 2019 deal"
            if year and _YEAR.match(tok.text) and int(tok.text) < year - 1 \
                    and tok.dep_ in ("pobj", "conj") and tok.head.lower_ != "of":
                return "past_background", f"background:{tok.text}"
        if trig.noun is not None:
            for mod in trig.noun.children:
                if mod.lower_ in self.hyp_mod:
                    return "hypothetical", f"hypothetical:{mod.lower_}"
        chain = [(verb, "self"), *list(_governors(verb))]
        reported = any(g.lemma_.lower() in self.reporting for g, _ in chain[1:])
        planned_by = ""
        for tok, _link in chain:
            lemma = tok.lemma_.lower()
            if tok is not verb and lemma in self.hyp_gov:
                return "hypothetical", f"hypothetical:{lemma}"
            for child in tok.children:
                low = child.lower_
                if child.dep_ == "aux" and low in self.hyp_aux:
                    if low == "would" and reported:
                        planned_by = planned_by or "planned:would"
                    else:
                        return "hypothetical", f"hypothetical:{low}"
                if child.dep_ == "aux" and low in self.plan_aux:
                    planned_by = planned_by or f"planned:{low}"
                if child.dep_ == "mark" and low in self.conditionals:
                    return "hypothetical", f"hypothetical:{low}"
            if tok is not verb and (lemma in self.plan_gov or lemma in self.plan_adj) \
                    and not planned_by:
                planned_by = f"planned:{lemma}"
            if tok is not verb and lemma in self.reporting:
                break
        if trig.promise:
            return "planned", "planned:promise"
        if trig.considered:
            return "hypothetical", f"hypothetical:{verb.lemma_.lower()}"
        if planned_by:
            return "planned", planned_by
        return "asserted", ""

    # --------------------------------------------------------------- attribution
    def _attribution(self, trig: Trigger, sent: SentenceInput,
                     index: dict[int, ActorSpanLike],
                     own: set[tuple[str | None, str | None]]) -> list[str]:
        names: list[str] = []
        doc = sent.doc
        words = [t.lower_ for t in doc]
        for phrase in self.according:  # "according to X", "citing X": X's word
            for i in range(len(words) - len(phrase) + 1):
                if tuple(words[i:i + len(phrase)]) != phrase:
                    continue
                last = doc[i + len(phrase) - 1]
                heads = [last, *[c for c in last.children if c.dep_ in ("agent", "prep")]]
                for head in heads:
                    for obj in head.children:
                        if obj.dep_ in ("pobj", "dobj"):
                            names += self._source_names(obj, sent, index)
        for gov, _link in _governors(trig.token):
            if gov.lemma_.lower() not in self.reporting:
                continue
            for child in gov.children:
                if child.dep_ in ("nsubj", "nsubjpass"):
                    speaker = self._np_actors(child, sent, index).actors
                    if not any(a.key() in own for a in speaker):  # actors reporting themselves
                        names += self._source_names(child, sent, index)
                elif child.dep_ in ("dative", "prep") and child.lower_ in ("to", "by"):
                    for obj in child.children:
                        if obj.dep_ == "pobj":
                            names += self._relay_names(obj, sent, index)
                elif child.dep_ in ("dobj", "dative"):
                    names += self._relay_names(child, sent, index)
        return list(dict.fromkeys(n for n in names if n))

    def _relay_names(self, head: Token, sent: SentenceInput,
                     index: dict[int, ActorSpanLike]) -> list[str]:
        """A listener counts as a source only if it is an outlet ("sources told Reuters")."""
        if head.lemma_.lower() in self.anaphors or any(
                index.get(t.i) is not None and index[t.i].kind == "media" for t in head.subtree):
            return self._source_names(head, sent, index)
        return []

    def _source_names(self, head: Token, sent: SentenceInput,
                      index: dict[int, ActorSpanLike]) -> list[str]:
        """Name(s) of whoever a claim is attributed to, canonical for known outlets."""
        media = []
        for tok in head.subtree:
            span = index.get(tok.i)
            if span is not None and span.kind == "media" and span.actor.name not in media:
                media.append(span.actor.name)
        if media:
            return media
        lemma = head.lemma_.lower()
        if lemma in self.anaphors:
            return list(sent.cites)  # "the newspaper", "the report": the report retold
        if lemma in ("information", "data", "word", "sources") and any(
                c.dep_ == "prep" and c.lower_ in ("from", "by") for c in head.children):
            for c in head.children:
                if c.dep_ == "prep" and c.lower_ in ("from", "by"):
                    for obj in c.children:
                        if obj.dep_ == "pobj":
                            return self._source_names(obj, sent, index)
        if head.pos_ == "PRON":
            return []
        words = [t for t in head.subtree if t.dep_ not in ("relcl", "punct")
                 and not any(a.dep_ == "relcl" for a in t.ancestors if a in head.subtree)]
        text = " ".join(t.text for t in words).strip()
        return [text] if text else []

    # ------------------------------------------------------------------- events
    def code(self, sent: SentenceInput) -> list[Event]:
        index = self._actor_index(sent)
        events: list[Event] = []
        for trig in self.triggers(sent.doc):
            events.extend(self._events_for(trig, sent, index))
        for trig in self._obligations(sent.doc):
            events.extend(self._events_for(trig, sent, index))
        return events

    def _obligations(self, doc: Doc) -> Iterator[Trigger]:
        """'Russia said Sudan must return the helicopter': a demand by the speaker.

        The demand's target is the subject of the obligation clause, which _targets
        finds as the complement clause's subject (see ``obliged``).
        """
        for tok in doc:
            if tok.lemma_.lower() not in self.reporting:
                continue
            for comp in tok.children:
                if comp.dep_ != "ccomp":
                    continue
                if any(c.dep_ == "aux" and c.lower_ in self.obligation for c in comp.children):
                    yield Trigger(tok, "REQUEST", f"obligation:{tok.lemma_.lower()}",
                                  f"{tok.text} ... {comp.text}", obliged=comp)

    def _events_for(self, trig: Trigger, sent: SentenceInput,
                    index: dict[int, ActorSpanLike]) -> Iterator[Event]:
        verb = trig.token
        subj_tokens, inherited = self._subjects(verb)
        patients = [c for c in verb.children if c.dep_ == "nsubjpass"]
        has_agent = any(c.dep_ == "agent" for c in verb.children)
        if patients and not has_agent:
            subj_tokens, inherited = [], False  # passive without agent: no known source
        if trig.noun is not None and trig.noun.dep_ == "nsubjpass":
            patients = []
        sources = Resolved([])
        for tok in subj_tokens:
            res = self._np_actors(tok, sent, index, deep=True)
            sources.actors.extend(res.actors)
            sources.rule = sources.rule or res.rule
            sources.weak = sources.weak or res.weak
        target_tokens = self._targets(trig, patients)
        if trig.lose and trig.noun is not None:
            # "Caracas lost the support of Moscow": Moscow withdrew support from Caracas
            owners = [g for c in trig.noun.children if c.dep_ == "prep" and c.lower_ == "of"
                      for g in c.children if g.dep_ == "pobj"]
            target_tokens = subj_tokens
            sources = Resolved([], "lose")
            for tok in owners:
                sources.actors.extend(self._np_actors(tok, sent, index).actors)
        if not sources.actors:
            return
        targets: list[ActorRef] = []
        target_rule = ""
        for tok in target_tokens:
            res = self._np_actors(tok, sent, index, deep=True)
            for actor in res.actors:
                if actor.country is None and actor.sector in DOMESTIC_SECTORS:
                    actor, where = self._domestic_country(actor, trig, sources.actors, index)
                    target_rule = target_rule or f"target:{where}"
                if actor.country is not None:
                    targets.append(actor)
            if res.rule:
                target_rule = f"target:{res.rule}"
        src_keys = {a.key() for a in sources.actors}
        targets = [t for t in _distinct(targets) if t.key() not in src_keys]
        if not targets:
            fallback, target_rule = self._fallback_targets(trig, subj_tokens, sent, index)
            targets = [t for t in fallback if t.key() not in src_keys]
        negated, neg_rule = self._negated(trig)
        modality, mod_rule = self._modality(trig, sent)
        type_ = trig.type
        if (type_ == "PROTEST" and trig.token.lemma_.lower() == "protest"
                and all(s.sector in STATE_SECTORS for s in sources.actors)):
            type_ = "ACCUSE"  # PLOVER PROTEST is collective civil action; states complain
        if modality == "planned" and not negated and type_ in FUTURE_TYPES:
            # PLOVER: promised cooperation is AGREE, an announced withdrawal is CONCEDE
            type_ = FUTURE_TYPES[type_]
            mod_rule = f"{mod_rule}+future:{type_}"
        info = self.plover.types[type_]
        attribution = self._attribution(trig, sent, index, src_keys)
        confidence = RULE_CONFIDENCE[trig.rule.split(":")[0]]
        confidence += 0.05 if _main_clause(verb) else 0.0
        confidence -= 0.1 if sources.weak or inherited else 0.0
        confidence -= 0.1 if target_rule.startswith("target:") and "inside" in target_rule else 0
        confidence -= 0.05 if sent.headline else 0.0
        rule = "+".join(r for r in (trig.rule, neg_rule, mod_rule, sources.rule and
                                    f"source:{sources.rule}", target_rule) if r)
        span_start = verb.sent.start_char
        original = sent.text or sent.doc.text
        sent_text = original[span_start:verb.sent.end_char].strip()
        start = sent.offset + span_start
        when = _explicit_date(sent_text, sent.published) or sent.published
        for source in sources.actors:
            for target in targets or [None]:
                if target is not None and target.key() == source.key():
                    continue
                yield Event(
                    id=event_id(sent.article_id, sent.section, sent.offset + verb.idx,
                                trig.text, source, target, type_),
                    article_id=sent.article_id, source=source, target=target, type=type_,
                    quad_class=info.quad_class, cameo_root=info.cameo_root[0], negated=negated,
                    modality=modality, attributed_to=attribution, date=when,
                    sentence=sent_text, section=sent.section, start=start,
                    end=start + len(sent_text), trigger=trig.text,
                    confidence=round(max(0.05, min(confidence, 0.99)), 2), rule=rule,
                )


def _lemma_variants(word: str) -> list[str]:
    return sorted({word, word.lower(), word.rstrip("s")})


def _distinct(actors: list[ActorRef]) -> list[ActorRef]:
    seen: set[tuple[str | None, str | None, str]] = set()
    out = []
    for actor in actors:
        key = (actor.country, actor.sector, actor.name)
        if key not in seen:
            seen.add(key)
            out.append(actor)
    return out


INTERIOR_DEPS = frozenset({"compound", "amod", "nmod", "poss", "pobj", "acl", "npadvmod", "appos"})


def _np_interior(head: Token) -> Iterator[Token]:
    """Tokens inside a noun phrase that can name whom it belongs to.

    Follows modifiers and 'of'/'from' phrases ("boats from Venezuelan ports") but not
    other prepositions, which introduce third parties ("escalation with Washington").
    """
    stack = list(head.children)
    while stack:
        tok = stack.pop()
        if tok.dep_ == "prep" and tok.lower_ in ("of", "from"):
            stack.extend(tok.children)
            continue
        if tok.dep_ in INTERIOR_DEPS:
            yield tok
            stack.extend(tok.children)


def _governors(tok: Token) -> Iterator[tuple[Token, str]]:
    """Walk up the clause chain: (governor, how the clause below attaches to it)."""
    cur = tok
    for _ in range(12):
        if cur.dep_ == "acl" and cur.head.lower_ == "order" and cur.head.head.lower_ == "in":
            # "in order to support": a purpose clause of the verb that 'in' attaches to
            yield cur.head.head.head, "advcl"
            cur = cur.head.head.head
            continue
        if cur.dep_ not in ("xcomp", "ccomp", "advcl", "acomp", "conj", "pcomp", "pobj", "prep",
                            "dobj", "acl") or cur.head is cur:
            return
        if cur.dep_ in ("dobj", "pobj", "prep") and cur.tag_ not in ("VBG", "VB", "IN", "TO"):
            return
        yield cur.head, cur.dep_
        cur = cur.head


def _purpose_clause(tok: Token) -> bool:
    """'(in order) to support': a purpose infinitive shares the negation of its governor."""
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)


def _main_clause(tok: Token) -> bool:
    cur = tok
    while cur.dep_ == "conj":
        cur = cur.head
    return cur.dep_ == "ROOT"


def _clause_tokens(verb: Token) -> list[Token]:
    """The verb's own clause: its subtree without embedded clausal complements."""
    skip: set[int] = set()
    for child in verb.children:
        if child.dep_ in ("ccomp", "relcl", "advcl", "conj"):
            skip.update(t.i for t in child.subtree)
    return [t for t in verb.subtree if t.i not in skip]


def _since_past(clause: list[Token]) -> bool:
    """'since 2022' is background; 'since Tuesday' or 'ever since' is not."""
    return any(t.lower_ == "since" and t.i + 1 < len(t.doc) and _YEAR.match(t.doc[t.i + 1].text)
               for t in clause)


def _explicit_date(text: str, published: dt.date | None) -> dt.date | None:
    # (pattern, group of the month name, group of the day); the year is always group 3
    for pattern, month_group, day_group in ((_DATE_MDY, 1, 2), (_DATE_DMY, 2, 1)):
        for match in pattern.finditer(text):
            month = MONTHS.get(match.group(month_group).lower())
            if month:
                try:
                    return dt.date(int(match.group(3)), month, int(match.group(day_group)))
                except ValueError:
                    continue
    if published is not None:
        low = text.lower()
        for n, day in enumerate(WEEKDAYS):
            if re.search(rf"\bon {day}\b", low):
                delta = (published.weekday() - n) % 7
                return published - dt.timedelta(days=delta)
    return None

