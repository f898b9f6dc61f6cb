"""Component 3, roles: who did it (source) and to whom (target), read off the parse.

Sources: the subject, the passive agent, the controller of an infinitive ("urged Iran
to stop"), the antecedent of a relative clause, coordinated and appositive actors,
pronouns through the article's coreference history, and for a bare event noun its
possessor, agent or demonym ("Russia's invasion", "the Russian invasion").
Targets, in order: objects, datives, the prepositional objects the lexicon lists,
the trigger's own preposition, the subject of an obligation clause; then fallbacks:
the owner of the allies ("its allies stayed out"), the addressee of a telling verb,
and for location types the place of the act ("drills off the coast of Guyana",
"protesters outside the French embassy"). A domestic sector with no country takes
the country of the place named, else the source's. Symmetric types between two
parties give both directions.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from realpolitik.actors.coref import (
    GROUP_NOUNS,
    NUMBER_WORDS,
    PERSON_PRONOUNS,
    PLURAL_PRONOUNS,
    RELATIVE_PRONOUNS,
    SINGULAR_PRONOUNS,
    WINDOW,
    as_reference,
)
from realpolitik.events.context import (
    ActorSpanLike,
    EventDraft,
    Resolved,
    SentenceInput,
    Trigger,
)
from realpolitik.events.lexicon import Lexicon, PloverTable
from realpolitik.events.role_scorer import (
    Candidate,
    RoleRow,
    RoleScorer,
    choose,
    distinct_spans,
    source_is_weak,
    source_rows,
    target_is_weak,
    target_rows,
)
from realpolitik.events.syntax import clause_tokens, distinct, governors, np_interior
from realpolitik.records import ActorRef


class ActorResolver:
    """Actors named by a noun phrase, for roles and for attribution alike."""

    def __init__(self, sent: SentenceInput, allegiance: frozenset[str] = frozenset()) -> None:
        self.sent = sent
        self.index: dict[int, ActorSpanLike] = sent.actor_index()
        self.allegiance = allegiance  # "forces loyal to X": adjectives naming the master

    def np_actors(self, tok: Token, deep: bool = False) -> Resolved:
        """Actors named by the noun phrase headed by ``tok`` (with its conjuncts)."""
        heads = [tok, *[c for c in tok.conjuncts if c.i > tok.i]]
        actors: list[ActorRef] = []
        rules: list[str] = []
        weak = False
        for head in heads:
            res = self.single_np(head, deep)
            actors.extend(res.actors)
            if res.rule:
                rules.append(res.rule)
            weak = weak or res.weak
        return Resolved(distinct(actors), "+".join(sorted(set(rules))), weak)

    def single_np(self, tok: Token, deep: bool) -> Resolved:
        sent, index = self.sent, self.index
        span = index.get(tok.i)
        if span is not None:
            actor = span.actor
            if actor.country is None:
                actor = self.fill_country(tok, actor)
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
                res = self.np_actors(child)
                if res.actors:
                    return res
        if low in RELATIVE_PRONOUNS and tok.head.dep_ == "relcl":
            return self.np_actors(tok.head.head)
        if low in PLURAL_PRONOUNS:
            found = sent.history.plural(sent.index, before=before)
            return Resolved(found or [], "coref", True)
        if low in SINGULAR_PRONOUNS:
            found = sent.history.singular(sent.index, before=before)
            return Resolved([as_reference(found, tok.text)] if found else [], "coref", True)
        if low in PERSON_PRONOUNS:
            found = sent.history.person(sent.index, before=before)
            return Resolved([as_reference(found, tok.text)] if found else [], "coref", True)
        if tok.lemma_.lower() in GROUP_NOUNS and tok.tag_ in ("NNS", "NNPS"):
            res = self._group(tok, before)
            if res is not None:
                return res
        if deep:
            # "Russian aircraft", "a member of the Syrian parliament": the NP's owner
            for sub in np_interior(tok):
                span = index.get(sub.i)
                if span is not None:
                    return Resolved([self.fill_country(sub, span.actor)], "inside-np", True)
        return Resolved([])

    def _group(self, tok: Token, before: int) -> Resolved | None:
        """'the two neighbours', 'both countries': the actors named before."""
        count = None
        anaphoric = False
        for child in tok.children:
            if child.lower_ in NUMBER_WORDS:
                count = NUMBER_WORDS[child.lower_]
                anaphoric = True
            if child.lower_ in ("these", "those", "both", "the", "its", "their"):
                anaphoric = True
        if anaphoric:
            found = self.sent.history.plural(self.sent.index, count=count, before=before)
            if found:
                return Resolved([as_reference(a, a.text) for a in found], "coref", True)
        return None

    def fill_country(self, tok: Token, actor: ActorRef) -> ActorRef:
        """'the regime of Nicolas Maduro', 'Venezuela's government', 'Greek special
        forces': take the owner's (or the modifier's) country; 'the diplomats' after
        'two Belarusian diplomats': that of the last earlier mention of the same sector."""
        owners = [c for c in tok.children if c.dep_ in ("poss", "amod", "compound", "nmod")]
        owners += [g for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
                   for g in c.children if g.dep_ == "pobj"]
        # "forces loyal to Khalifa Haftar", "lawmakers allied with Morales"
        owners += [g for c in tok.children if c.dep_ in ("amod", "acl")
                   and c.lemma_.lower() in self.allegiance
                   for p in c.children if p.dep_ == "prep" and p.lower_ in ("to", "with")
                   for g in p.children if g.dep_ == "pobj"]
        mine = self.index.get(tok.i)
        for owner in owners:
            span = self.index.get(owner.i)
            if span is not None and span is not mine and span.actor.country is not None:
                return actor.model_copy(update={"country": span.actor.country})
        if actor.sector is not None and any(c.lower_ in ("the", "these", "those")
                                            for c in tok.children if c.dep_ == "det"):
            earlier = self.earlier_of_sector(actor.sector, mine.start if mine else tok.i)
            if earlier is not None:
                return actor.model_copy(update={"country": earlier})
        return actor

    def earlier_of_sector(self, sector: str, before: int) -> str | None:
        """The country of the latest earlier mention (this sentence or the history's
        window) of the same sector, if one names a country."""
        sent = self.sent
        for span in sorted(sent.actors, key=lambda s: -s.start):
            if span.start < before and span.actor.sector == sector and span.actor.country:
                return span.actor.country
        for item in reversed(sent.history.items):
            if sent.index - WINDOW <= item.sentence < sent.index \
                    and item.actor.sector == sector and item.actor.country:
                return item.actor.country
        return None


class RoleFinder:
    """Fills each draft's sources and targets."""

    def __init__(self, lexicon: Lexicon, plover: PloverTable,
                 scorer: RoleScorer | None = None,
                 source_scorer: RoleScorer | None = None) -> None:
        self.lex = lexicon
        self.scorer = scorer
        self.source_scorer = source_scorer
        self.plover = plover
        roles = lexicon.roles
        self.object_control = frozenset(roles.object_control)
        self.tough = frozenset(roles.tough_adjectives)
        self.ally_nouns = frozenset(roles.ally_nouns)
        self.communication = frozenset(roles.communication_verbs)
        self.location_types = frozenset(roles.location_types)
        self.location_preps = frozenset(roles.location_preps)
        self.domestic = frozenset(roles.domestic_sectors)
        self.symmetric = frozenset(roles.symmetric_types)
        self.recipient = frozenset(roles.recipient_verbs)
        self.dissent_types = frozenset(roles.dissent_types)
        self.state_sectors = frozenset(roles.state_sectors)
        self.target_preps = frozenset(lexicon.target_preps)
        self.object_preps = frozenset(roles.object_preps)
        self.joint = frozenset(roles.joint_verbs)
        self.domestic_targets = frozenset(roles.domestic_target_types)
        self.occasion_markers = frozenset(roles.occasion_markers)
        self.passive_state_types = frozenset(roles.passive_state_types)
        self.weak_target_rules = frozenset(roles.weak_target_rules)
        self.first_person = frozenset(roles.first_person_pronouns)
        self.allegiance = frozenset(roles.allegiance_words)
        self.reporting = frozenset(lexicon.attribution.reporting_verbs)

    def __call__(self, doc: Doc) -> Doc:
        drafts = [d for d in doc._.rp_drafts if d.alive]
        if drafts:
            resolver = ActorResolver(doc._.rp_sentence, self.allegiance)
            for draft in drafts:
                self.fill(draft, resolver)
        return doc

    def fill(self, draft: EventDraft, res: ActorResolver) -> None:
        trig = draft.trigger
        verb = trig.token
        if trig.nominal:
            subj_tokens, target_tokens = self._nominal(verb)
            inherited = False
            patients: list[Token] = []
        else:
            subj_tokens, inherited = self.subjects(verb)
            if subj_tokens and all(t.lower_ in self.first_person for t in subj_tokens):
                speaker = self.speaker(verb)
                if speaker:
                    subj_tokens, inherited = speaker, True
            patients = [c for c in verb.children if c.dep_ == "nsubjpass"]
            if patients and not any(c.dep_ == "agent" for c in verb.children):
                subj_tokens, inherited = [], False  # passive without agent: no known source
            if trig.noun is not None and trig.noun.dep_ == "nsubjpass":
                patients = []
            target_tokens = self.targets(draft, patients)
        swapped = False
        if not trig.nominal and verb.lemma_.lower() in self.recipient and draft.type != "CONSULT":
            # "Kyiv received weapons from Berlin": the giver is the source
            givers = [g for c in verb.children if c.dep_ == "prep" and c.lower_ == "from"
                      for g in c.children if g.dep_ == "pobj"]
            if givers:
                subj_tokens, target_tokens = givers, subj_tokens
                inherited, swapped = False, True
        sources = Resolved([], "recipient" if swapped else "")
        for tok in subj_tokens:
            found = res.np_actors(tok, deep=True)
            if found.rule == "inside-np" and tok.lemma_.lower() in self.ally_nouns:
                continue  # "Venezuela's allies": the owner is whom they back, not the doer
            sources.actors.extend(found.actors)
            sources.rule = sources.rule or found.rule
            sources.weak = sources.weak or found.weak
        if trig.lose and trig.noun is not None:
            # "Caracas lost the support of Moscow": Moscow withdrew support from Caracas
            owners = [g for c in trig.noun.children if c.dep_ == "prep" and c.lower_ == "of"
                      for g in c.children if g.dep_ == "pobj"]
            target_tokens = subj_tokens
            sources = Resolved([], "lose")
            for tok in owners:
                sources.actors.extend(res.np_actors(tok).actors)
        draft.sources = self._domestic_sources(
            Resolved(distinct(sources.actors), sources.rule, sources.weak), draft, res)
        draft.inherited_subject = inherited
        if not draft.sources.actors and patients and not subj_tokens:
            draft.sources = self.passive_state(draft, res)
        if not draft.sources.actors:
            named = self._unresolved(subj_tokens)
            if named is not None:
                draft.sources = Resolved([named], "unresolved", True)
        if self.source_scorer is not None:
            self.rescore_source(draft, res)
        if not draft.sources.actors:
            draft.dropped = "roles: no source"
            return
        targets, rule = self._resolve_targets(draft, target_tokens, res)
        src_keys = {a.key() for a in draft.sources.actors}
        targets = [t for t in distinct(targets) if t.key() not in src_keys]
        if draft.sources.rule == "place-government":  # the place is the source, not a target
            targets = [t for t in targets if t.country not in {k[0] for k in src_keys}]
        if not targets:
            fallback, rule = self.fallback_targets(draft, subj_tokens, res)
            targets = [t for t in fallback if t.key() not in src_keys]
        if not targets:
            targets, rule = self.each_other(draft)
        if not targets:
            targets, rule = self.patient_country(draft, target_tokens, res)
            targets = [t for t in targets if t.key() not in src_keys]
            rule = rule if targets else ""
        draft.targets, draft.target_rule = targets, rule
        if self.scorer is not None:
            self.rescore_target(draft, res)

    def rescore_source(self, draft: EventDraft, res: ActorResolver) -> None:
        """The learned source scorer fills a source the rules did not find (or found only
        by an unknown name) and may replace a weak rule source (see ``role_scorer``)."""
        assert self.source_scorer is not None
        spans = distinct_spans(res.sent.actors)
        if not spans:
            return
        rule = [a.country for a in draft.sources.actors if a.country]
        if rule and not source_is_weak(draft):
            return
        cands = source_rows(draft, spans, res.sent.doc)
        country = choose(RoleRow(None, rule, True, cands), self.source_scorer)
        if country is None or country in rule:
            return
        span = self._best_span(spans, cands, country, self.source_scorer)
        draft.sources = Resolved([span.actor], "scorer", True)

    def rescore_target(self, draft: EventDraft, res: ActorResolver) -> None:
        """The learned target scorer fills a target the rules did not find and, where
        their reading is weak (``weak_target_rules``), may drop or replace it."""
        assert self.scorer is not None
        spans = distinct_spans(res.sent.actors)
        rule = [a.country for a in draft.targets if a.country]
        weak = target_is_weak(draft.target_rule, self.weak_target_rules)
        if rule and not weak:
            return
        cands, null = target_rows(draft, spans, res.sent.doc)
        country = choose(RoleRow(None, rule, weak, cands, null), self.scorer)
        if country in rule or (country is None and not rule):
            return
        if country is None:
            draft.targets, draft.target_rule = [], "target:scorer-none"
            return
        span = self._best_span(spans, cands, country, self.scorer)
        if span.actor.key() in {a.key() for a in draft.sources.actors}:
            return
        draft.targets, draft.target_rule = [span.actor], "target:scorer"

    @staticmethod
    def _best_span(spans: list[ActorSpanLike], cands: list[Candidate], country: str,
                   scorer: RoleScorer) -> ActorSpanLike:
        """The mention of ``country`` the scorer likes best."""
        pairs = [(s, c) for s, c in zip(spans, cands, strict=True) if c.country == country]
        return max(pairs, key=lambda sc: scorer.probability(sc[1].feats))[0]

    def each_other(self, draft: EventDraft) -> tuple[list[ActorRef], str]:
        """'Japan and the Philippines signed a pact': coordinated parties of a joint act
        are each other's targets (the coder pairs each source with every other party)."""
        lemmas = {draft.trigger.token.lemma_.lower()}
        if draft.trigger.noun is not None:
            lemmas.add(draft.trigger.noun.lemma_.lower())
        parties = draft.sources.actors
        if len(parties) < 2 or not lemmas & self.joint \
                or len({a.key() for a in parties}) < 2:
            return [], ""
        return list(parties), "target:each-other"

    def patient_country(self, draft: EventDraft, tokens: list[Token],
                        res: ActorResolver) -> tuple[list[ActorRef], str]:
        """A patient the gazetteer does not know ("pardoned 30 political prisoners",
        "killed 11 miners in Baghlan province"): its country is that of a place inside
        the phrase or in the clause, else, for domestic types, the source's. An unnamed
        patient is coded as that country's civilians (CVL), never as the source itself."""
        skip = set()
        if draft.trigger.noun is not None:
            skip.add(draft.trigger.noun.i)
        patients = [t for t in tokens if t.pos_ in ("NOUN", "PROPN") and t.i not in skip
                    and t.i not in res.index]
        if not patients:
            return [], ""
        head = patients[0]
        words = [t for t in head.subtree if t.i <= head.i]
        text = " ".join(t.text for t in words)[:80]
        for tok in head.subtree:
            if tok.dep_ == "pobj" and tok.head.lower_ in self.location_preps:
                span = res.index.get(tok.i)
                if span is not None and span.actor.country is not None:
                    return [ActorRef(country=span.actor.country, sector="CVL", name=text,
                                     text=text)], "target:patient-place"
        if draft.type not in self.domestic_targets:
            return [], ""
        placed = self._place_country(draft, res)
        where = "patient-place"
        if placed is None:
            countries = {a.country for a in draft.sources.actors if a.country}
            placed = countries.pop() if len(countries) == 1 else None
            where = "patient-domestic"
        if placed is None:
            return [], ""
        return [ActorRef(country=placed, sector="CVL", name=text, text=text)], f"target:{where}"

    def _resolve_targets(self, draft: EventDraft, tokens: list[Token],
                         res: ActorResolver) -> tuple[list[ActorRef], str]:
        targets: list[ActorRef] = []
        rule = ""
        for tok in tokens:
            found = res.np_actors(tok, deep=True)
            for actor in found.actors:
                if actor.country is None and actor.sector in self.domestic:
                    actor, where = self.domestic_country(actor, draft, res)
                    rule = rule or f"target:{where}"
                if actor.country is not None:
                    targets.append(actor)
            if found.rule:
                rule = f"target:{found.rule}"
        return targets, rule

    # --------------------------------------------------------------- sources
    def _unresolved(self, subjects: list[Token]) -> ActorRef | None:
        """A named subject the gazetteer does not know ("Ansar Dine", "John Garang"):
        kept by name with no country, as event data keeps unknown actors."""
        for tok in subjects:
            if tok.pos_ not in ("PROPN", "NOUN") or tok.lower_ in self.lex.noun_types \
                    or tok.lemma_.lower() in self.lex.noun_types:
                continue  # "the withdrawal demonstrates ...": an event, not an actor
            words = [t for t in tok.subtree if (t.i <= tok.i and t.dep_ in (
                "compound", "amod", "det", "poss", "nummod")) or t is tok]
            text = " ".join(t.text for t in words)[:80]
            return ActorRef(country=None, sector=None, name=text, text=text)
        return None

    def passive_state(self, draft: EventDraft, res: ActorResolver) -> Resolved:
        """'Two Russian diplomats were expelled from Warsaw': an agentless passive act
        of the state (`passive_state_types`) is the government's where it happens."""
        if draft.type not in self.passive_state_types:
            return Resolved([])
        for tok in clause_tokens(draft.trigger.token):
            if tok.dep_ == "pobj" and tok.head.lower_ in ("in", "from", "at"):
                span = res.index.get(tok.i)
                if span is not None and span.actor.country is not None \
                        and span.actor.sector is None:
                    country = span.actor.country
                    return Resolved([ActorRef(country=country, sector="GOV", name=country,
                                              text=tok.text)], "place-government", True)
        return Resolved([])

    def subjects(self, verb: Token) -> tuple[list[Token], bool]:
        """Subject tokens of ``verb`` and whether they came from another clause."""
        subj = [c for c in verb.children if c.dep_ in ("nsubj", "csubj")]
        if subj:
            # headlines: "Kabul, Islamabad agree to truce" (the first party parsed as a
            # modifier of the verb, a comma before the subject)
            listed = [c for c in verb.children if c.dep_ == "npadvmod" and c.pos_ == "PROPN"
                      and c.i + 2 == subj[0].i and verb.doc[c.i + 1].text == ","]
            return listed + subj, False
        agent = [g for c in verb.children if c.dep_ == "agent" for g in c.children
                 if g.dep_ == "pobj"]
        if agent:
            return agent, False
        head = verb.head
        if verb.dep_ in ("xcomp", "pcomp") and head.lemma_.lower() in self.tough:
            return [], False  # "Venezuela is worth mobilizing for": not the doer
        if verb.dep_ == "xcomp" and head.i != verb.i:
            if head.lemma_.lower() in self.object_control:
                objs = [c for c in head.children if c.dep_ in ("dobj", "obj")]
                if objs:
                    return objs, True
            above = self.subjects(head)[0]
            if not above and not any(c.dep_ == "agent" for c in head.children):
                # "Abiy is set to visit Nairobi", "Iran was urged to stop": the passive
                # subject of the raising (or control) verb does the act
                above = [c for c in head.children if c.dep_ == "nsubjpass"]
            return above, True
        if verb.dep_ == "pcomp" and head.i != verb.i:
            # "Washington stopped short of blaming Iran", "had no intention of threatening"
            gov = head
            while gov.head.i != gov.i and gov.pos_ not in ("VERB", "AUX"):
                gov = gov.head
            if gov.pos_ in ("VERB", "AUX"):
                return self.subjects(gov)[0], True
        if verb.dep_ == "advcl" and verb.tag_ in ("VBP", "VBZ", "VBD"):
            # a finite adverbial clause has a subject of its own; one parsed as the object
            # of the word before ("... as Venezuela's allies keep their distance") is it
            before = verb.doc[verb.i - 1] if verb.i > verb.sent.start else None
            if before is not None and before.dep_ in ("pobj", "dobj") \
                    and before.pos_ in ("NOUN", "PROPN"):
                return [before], False
        if verb.dep_ in ("conj", "advcl") and head.i != verb.i and head.pos_ in ("VERB", "AUX"):
            return self.subjects(head)[0], True
        if verb.dep_ == "acomp" and head.i != verb.i:  # "are (not) willing to ..."
            return self.subjects(head)[0], True
        if verb.dep_ == "acl" and head.lower_ == "order" and head.head.lower_ == "in":
            return self.subjects(head.head.head)[0], True
        if verb.dep_ == "relcl":
            return [head], True
        if verb.dep_ == "acl" and verb.tag_ in ("VBG", "VBN"):
            if verb.tag_ == "VBN":  # "troops sent by Moscow": the agent is the doer
                return [g for c in verb.children if c.dep_ == "agent"
                        for g in c.children if g.dep_ == "pobj"], False
            return [head], True
        # headlines: "Sweden Freezes Aid to Rwanda", "India Cuts Aid" (the subject parsed
        # as a modifier of the verb)
        fronted = [c for c in verb.children if c.dep_ in ("npadvmod", "compound")
                   and c.i < verb.i and c.pos_ == "PROPN"]
        return fronted[:1], False

    def speaker(self, verb: Token) -> list[Token]:
        """"'We will respond with full force,' the army chief told troops": the subject of
        the reporting verb the quoted clause hangs on."""
        for gov, link in governors(verb):
            if link == "ccomp" and gov.lemma_.lower() in self.reporting:
                return [c for c in gov.children if c.dep_ == "nsubj"]
            if link not in ("conj", "xcomp"):
                return []
        return []

    def _nominal(self, noun: Token) -> tuple[list[Token], list[Token]]:
        """'Russia's invasion of Ukraine', 'the expulsion of two diplomats by Paris'."""
        sources: list[Token] = []
        targets: list[Token] = []
        for child in noun.children:
            if child.dep_ == "poss" or (child.dep_ in ("amod", "compound")
                                        and child.pos_ in ("PROPN", "ADJ")):
                sources.append(child)
            elif child.dep_ in ("prep", "agent"):
                objs = [g for g in child.children if g.dep_ == "pobj"]
                if child.lower_ == "by":
                    sources += objs
                elif child.lower_ in self.target_preps or child.lower_ == "of":
                    targets += objs
        return sources, targets

    # --------------------------------------------------------------- targets
    def targets(self, draft: EventDraft, passive_patients: list[Token]) -> list[Token]:
        trig = draft.trigger
        verb = trig.token
        out: list[Token] = list(passive_patients)
        # "back Maduro against US pressure": for cooperation, 'against' names the opponent
        cooperative = self.plover.types[draft.type].cooperative
        preps = self.target_preps - ({"against"} if cooperative else {"for"})
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
                if prep.dep_ == "prep" and prep.lower_ in self.object_preps \
                        and not (cooperative and prep.lower_ == "against"):
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

    def fallback_targets(self, draft: EventDraft, subjects: list[Token],
                         res: ActorResolver) -> tuple[list[ActorRef], str]:
        trig = draft.trigger
        # 1. "its allies ... remain on the sidelines": the allies' owner is the target
        for subj in subjects:
            for head in [subj, *[c for c in subj.children if c.dep_ == "appos"]]:
                if head.lemma_.lower() not in self.ally_nouns:
                    continue
                owners = [c for c in head.children if c.dep_ == "poss"]
                owners += [g for c in head.children if c.dep_ == "prep" and c.lower_ == "of"
                           for g in c.children if g.dep_ == "pobj"]
                for owner in owners:
                    found = res.single_np(owner, deep=False)
                    if found.actors:
                        return found.actors, "target:ally-of"
        # 2. "informed Maduro's government that they will not provide support"
        for gov, link in governors(trig.token):
            if link == "ccomp" and gov.lemma_.lower() in self.communication:
                for obj in gov.children:
                    if obj.dep_ in ("dobj", "dative"):
                        found = res.np_actors(obj)
                        if found.actors:
                            return found.actors, "target:addressee"
        # 3. "pledged to send troops to Mali", "threatened to strike Iran": the target of
        #    the act the trigger governs; "warned that Iran would pay": whom it is about
        if not trig.nominal:
            for child in trig.token.children:
                if child.dep_ not in ("xcomp", "ccomp") or child.pos_ not in ("VERB", "AUX"):
                    continue
                theme = next((c for c in child.children if c.dep_ in ("dobj", "obj")
                              and (c.lower_ in self.lex.noun_types
                                   or c.lemma_.lower() in self.lex.noun_types)), None)
                inner = EventDraft(Trigger(child, draft.type, "complement", child.text,
                                           noun=theme), type=draft.type)
                tokens = self.targets(inner, [c for c in child.children
                                              if c.dep_ == "nsubjpass"])
                if child.dep_ == "ccomp":
                    tokens = [c for c in child.children if c.dep_ == "nsubj"] + tokens
                # "refused to let UN inspectors board": whom the act lets (or makes) do it
                tokens += [g for c in child.children if c.dep_ == "ccomp"
                           for g in c.children if g.dep_ == "nsubj"]
                inner.sources = draft.sources
                found, _rule = self._resolve_targets(inner, tokens, res)
                if found:
                    return found, f"target:{child.dep_}"
        # 4. "reduced its presence in Venezuela", "drills off the coast of Guyana",
        #    "protesters outside the French embassy": where the act takes place
        if draft.type in self.location_types:
            sources = {a.country for a in draft.sources.actors}
            for tok in clause_tokens(trig.token):
                if tok.dep_ == "pobj" and tok.head.lower_ in self.location_preps:
                    found = res.np_actors(tok, deep=True)
                    for actor in found.actors:
                        if actor.country is not None and actor.country not in sources:
                            return [actor], "target:location"
        # 5. "would refuse if Washington asks", "deployed destroyers after Chinese ships
        #    entered": the party of the condition or occasion the act answers
        if not trig.nominal:
            sources = {a.country for a in draft.sources.actors}
            for clause in trig.token.children:
                if clause.dep_ != "advcl" or not any(
                        m.dep_ == "mark" and m.lower_ in self.occasion_markers
                        for m in clause.children):
                    continue
                for subj in (c for c in clause.children if c.dep_ == "nsubj"):
                    found = res.np_actors(subj, deep=True)
                    named = [a for a in found.actors
                             if a.country is not None and a.country not in sources]
                    if named:
                        return named, "target:occasion"
        # 6. PLOVER: dissent with no named target is directed at the state it happens in
        if draft.type in self.dissent_types:
            countries = {a.country for a in draft.sources.actors
                         if a.country is not None and a.sector not in self.state_sectors}
            if len(countries) == 1:
                country = countries.pop()
                return [ActorRef(country=country, sector="GOV", name=country,
                                 text=trig.token.text)], "target:the-state"
        return [], ""

    def _domestic_sources(self, sources: Resolved, draft: EventDraft,
                          res: ActorResolver) -> Resolved:
        """'The government banned the party', 'rebels attacked an army post in Goma':
        a country-less domestic source belongs to the place of the act, else to the one
        country the sentence names."""
        if all(a.country is not None or a.sector not in self.domestic for a in sources.actors):
            return sources
        named = {s.actor.country for s in res.sent.actors if s.actor.country is not None}
        actors = []
        rule = sources.rule
        for actor in sources.actors:
            if actor.country is None and actor.sector in self.domestic:
                placed = self._place_country(draft, res)
                country = placed or (next(iter(named)) if len(named) == 1 else None)
                if country is not None:
                    actor = actor.model_copy(update={"country": country})
                    rule = "+".join(r for r in (rule, "domestic") if r)
            actors.append(actor)
        return Resolved(actors, rule, sources.weak)

    @staticmethod
    def _place_country(draft: EventDraft, res: ActorResolver) -> str | None:
        """The country of the place named in the trigger's clause ("in Monrovia")."""
        index = res.index
        for tok in clause_tokens(draft.trigger.token):
            if tok.dep_ == "pobj" and tok.head.lower_ in ("in", "at", "near"):
                span = index.get(tok.i)
                if span is not None and span.actor.country is not None:
                    return span.actor.country
        return None

    def domestic_country(self, actor: ActorRef, draft: EventDraft,
                         res: ActorResolver) -> tuple[ActorRef, str]:
        """'police dispersed demonstrators in Monrovia': the demonstrators are Liberian.

        A country-less domestic sector takes the country of the place named in the
        event's clause, else that of a single-country source.
        """
        placed = self._place_country(draft, res)
        if placed is not None:
            return actor.model_copy(update={"country": placed}), "place"
        countries = {s.country for s in draft.sources.actors if s.country}
        if len(countries) == 1:
            return actor.model_copy(update={"country": countries.pop()}), "domestic"
        return actor, ""
