"""Unit tests of the coder components on constructed parses.

Each sentence is built by hand as a spaCy Doc (words, heads, dependency labels, parts
of speech, lemmas), so a change of parser model does not move these tests; the actor
mentions are given directly. Sentences are written for these tests.
"""

from __future__ import annotations

import datetime as dt
import signal

import pytest
import spacy
from spacy.tokens import Doc

from realpolitik.actors.coref import History
from realpolitik.events.coder import EventCoder
from realpolitik.events.context import ActorSpanLike, SentenceInput
from realpolitik.events.lexicon import load_lexicon, load_plover
from realpolitik.events.polarity import event_date
from realpolitik.nlp.prefilter import TriggerFilter, inflections, trigger_vocabulary
from realpolitik.records import ActorRef, Event

TUESDAY = dt.date(2025, 12, 2)


@pytest.fixture(scope="module")
def vocab():
    return spacy.blank("en").vocab


@pytest.fixture(scope="module")
def coder(vocab) -> EventCoder:
    return EventCoder(vocab, load_plover())


@pytest.fixture(scope="module")
def rules_only(vocab) -> EventCoder:
    """The coder without the typing model and the role scorers: the lexicon rules alone."""
    off = {"use_model": False}
    return EventCoder(vocab, load_plover(), overrides={
        "realpolitik_triggers": off, "realpolitik_typing": off,
        "realpolitik_roles": {"use_scorer": False}})


def actor(country: str, sector: str | None = None, name: str | None = None) -> ActorRef:
    return ActorRef(country=country, sector=sector, name=name or country, text=name or country)


def parse(vocab, rows: list[tuple[str, int, str, str, str]]) -> Doc:
    """rows: (word, head index, dep, pos, lemma); the root is its own head."""
    words, heads, deps, pos, lemmas = zip(*rows, strict=True)
    tags = ["VBD" if p == "VERB" else "NNS" if p == "NOUN" and w.endswith("s") else
            "NN" if p == "NOUN" else "NNP" if p == "PROPN" else "" for w, p in zip(words, pos,
                                                                                    strict=True)]
    return Doc(vocab, words=list(words), heads=list(heads), deps=list(deps), pos=list(pos),
               lemmas=list(lemmas), tags=tags)


def code(coder: EventCoder, doc: Doc, actors: list[tuple[int, int, ActorRef]],
         published: dt.date | None = TUESDAY) -> list[Event]:
    spans = [ActorSpanLike(s, e, a) for s, e, a in actors]
    history = History()
    history.add_sentence(0, list(actors), [t.text for t in doc])
    sent = SentenceInput(doc=doc, article_id="a", section="body", offset=0, index=0,
                         actors=spans, history=history, published=published)
    return coder.code(sent)


# ------------------------------------------------------------------------ triggers
def test_lexicon_idiom_is_a_negated_trigger(rules_only, vocab) -> None:
    # "Russia remained on the sidelines ."
    doc = parse(vocab, [("Russia", 1, "nsubj", "PROPN", "Russia"),
                        ("remained", 1, "ROOT", "VERB", "remain"),
                        ("on", 1, "prep", "ADP", "on"),
                        ("the", 4, "det", "DET", "the"),
                        ("sidelines", 2, "pobj", "NOUN", "sideline"),
                        (".", 1, "punct", "PUNCT", ".")])
    [event] = code(rules_only, doc, [(0, 1, actor("RUS"))])
    assert event.type == "SUPPORT" and event.negated
    assert event.rule.startswith("phrase:remain on the sideline")


def test_light_verb_takes_the_type_of_its_noun_and_the_target_of_its_preposition(
        rules_only, vocab) -> None:
    # "Israel launched strikes on Lebanon ."
    doc = parse(vocab, [("Israel", 1, "nsubj", "PROPN", "Israel"),
                        ("launched", 1, "ROOT", "VERB", "launch"),
                        ("strikes", 1, "dobj", "NOUN", "strike"),
                        ("on", 2, "prep", "ADP", "on"),
                        ("Lebanon", 3, "pobj", "PROPN", "Lebanon"),
                        (".", 1, "punct", "PUNCT", ".")])
    [event] = code(rules_only, doc, [(0, 1, actor("ISR")), (4, 5, actor("LBN"))])
    assert (event.type, event.source.country, event.target.country) == ("ASSAULT", "ISR", "LBN")
    assert event.trigger == "launched strikes"


def test_refusal_verb_is_reject_and_absorbs_its_negated_complement(rules_only, vocab) -> None:
    # "Hungary refused to send weapons to Ukraine ."
    doc = parse(vocab, [("Hungary", 1, "nsubj", "PROPN", "Hungary"),
                        ("refused", 1, "ROOT", "VERB", "refuse"),
                        ("to", 3, "aux", "PART", "to"),
                        ("send", 1, "xcomp", "VERB", "send"),
                        ("weapons", 3, "dobj", "NOUN", "weapon"),
                        ("to", 3, "prep", "ADP", "to"),
                        ("Ukraine", 5, "pobj", "PROPN", "Ukraine"),
                        (".", 1, "punct", "PUNCT", ".")])
    events = code(rules_only, doc, [(0, 1, actor("HUN")), (6, 7, actor("UKR"))])
    assert [(e.type, e.target.country if e.target else None) for e in events] == [
        ("REJECT", "UKR")]
    assert "refused:AID" in events[0].rule


# ---------------------------------------------------------------------- polarity
def test_two_negations_cancel(rules_only, vocab) -> None:
    # "Serbia will never turn its back on Russia ."
    doc = parse(vocab, [("Serbia", 3, "nsubj", "PROPN", "Serbia"),
                        ("will", 3, "aux", "AUX", "will"),
                        ("never", 3, "neg", "ADV", "never"),
                        ("turn", 3, "ROOT", "VERB", "turn"),
                        ("its", 5, "poss", "PRON", "its"),
                        ("back", 3, "dobj", "NOUN", "back"),
                        ("on", 3, "prep", "ADP", "on"),
                        ("Russia", 6, "pobj", "PROPN", "Russia"),
                        (".", 3, "punct", "PUNCT", ".")])
    [event] = code(rules_only, doc, [(0, 1, actor("SRB")), (7, 8, actor("RUS"))])
    assert not event.negated
    assert event.type in ("SUPPORT", "AGREE")  # a promise to keep backing
    assert "double-negation" in event.rule


def test_considered_sanctions_are_hypothetical(rules_only, vocab) -> None:
    # "Washington is weighing sanctions on Caracas ."
    doc = parse(vocab, [("Washington", 2, "nsubj", "PROPN", "Washington"),
                        ("is", 2, "aux", "AUX", "be"),
                        ("weighing", 2, "ROOT", "VERB", "weigh"),
                        ("sanctions", 2, "dobj", "NOUN", "sanction"),
                        ("on", 3, "prep", "ADP", "on"),
                        ("Caracas", 4, "pobj", "PROPN", "Caracas"),
                        (".", 2, "punct", "PUNCT", ".")])
    [event] = code(rules_only, doc, [(0, 1, actor("USA", "GOV")), (5, 6, actor("VEN", "GOV"))])
    assert (event.type, event.modality) == ("SANCTION", "hypothetical")


def test_weekday_follows_the_tense() -> None:
    # published on a Tuesday: a planned Friday is ahead, a reported Friday behind
    assert event_date("Venezuela will send oil on Friday.", TUESDAY, "planned") == \
        dt.date(2025, 12, 5)
    assert event_date("Venezuela sent oil on Friday.", TUESDAY, "asserted") == \
        dt.date(2025, 11, 28)
    assert event_date("The deal was signed on March 3, 2024.", TUESDAY, "asserted") == \
        dt.date(2024, 3, 3)


# ------------------------------------------------------------------------- roles
def test_show_of_force_off_a_coast_targets_that_country(rules_only, vocab) -> None:
    # "China held drills off the coast of Taiwan ."
    doc = parse(vocab, [("China", 1, "nsubj", "PROPN", "China"),
                        ("held", 1, "ROOT", "VERB", "hold"),
                        ("drills", 1, "dobj", "NOUN", "drill"),
                        ("off", 1, "prep", "ADP", "off"),
                        ("the", 5, "det", "DET", "the"),
                        ("coast", 3, "pobj", "NOUN", "coast"),
                        ("of", 5, "prep", "ADP", "of"),
                        ("Taiwan", 6, "pobj", "PROPN", "Taiwan"),
                        (".", 1, "punct", "PUNCT", ".")])
    [event] = code(rules_only, doc, [(0, 1, actor("CHN")), (7, 8, actor("TWN"))])
    assert (event.type, event.target.country) == ("MOBILIZE", "TWN")
    assert "convention:drills-near-a-rival" in event.rule


def test_domestic_agent_keeps_the_foreign_target(rules_only, vocab) -> None:
    # "Turkish police arrested a Greek journalist ."
    doc = parse(vocab, [("Turkish", 1, "amod", "ADJ", "turkish"),
                        ("police", 2, "nsubj", "NOUN", "police"),
                        ("arrested", 2, "ROOT", "VERB", "arrest"),
                        ("a", 5, "det", "DET", "a"),
                        ("Greek", 5, "amod", "ADJ", "greek"),
                        ("journalist", 2, "dobj", "NOUN", "journalist"),
                        (".", 2, "punct", "PUNCT", ".")])
    [event] = code(rules_only, doc, [(0, 2, actor("TUR", "COP")), (4, 6, actor("GRC", "MED"))])
    assert (event.source.country, event.type, event.target.country) == ("TUR", "COERCE", "GRC")


def test_target_of_the_governed_act(rules_only, vocab) -> None:
    # "Iran threatened to strike Israel ."
    doc = parse(vocab, [("Iran", 1, "nsubj", "PROPN", "Iran"),
                        ("threatened", 1, "ROOT", "VERB", "threaten"),
                        ("to", 3, "aux", "PART", "to"),
                        ("strike", 1, "xcomp", "VERB", "strike"),
                        ("Israel", 3, "dobj", "PROPN", "Israel"),
                        (".", 1, "punct", "PUNCT", ".")])
    events = code(rules_only, doc, [(0, 1, actor("IRN")), (4, 5, actor("ISR"))])
    threat = [e for e in events if e.type == "THREATEN"]
    assert threat and threat[0].target.country == "ISR"


def test_symmetric_meeting_goes_both_ways(rules_only, vocab) -> None:
    # "Egypt met Jordan ."
    doc = parse(vocab, [("Egypt", 1, "nsubj", "PROPN", "Egypt"),
                        ("met", 1, "ROOT", "VERB", "meet"),
                        ("Jordan", 1, "dobj", "PROPN", "Jordan"),
                        (".", 1, "punct", "PUNCT", ".")])
    events = code(rules_only, doc, [(0, 1, actor("EGY")), (2, 3, actor("JOR"))])
    assert {(e.source.country, e.target.country) for e in events} == {("EGY", "JOR"),
                                                                      ("JOR", "EGY")}


def test_relation_noun_names_its_counterpart_with_with(rules_only, vocab) -> None:
    # "Morocco severed relations with Iran ."
    doc = parse(vocab, [("Morocco", 1, "nsubj", "PROPN", "Morocco"),
                        ("severed", 1, "ROOT", "VERB", "sever"),
                        ("relations", 1, "dobj", "NOUN", "relation"),
                        ("with", 2, "prep", "ADP", "with"),
                        ("Iran", 3, "pobj", "PROPN", "Iran"),
                        (".", 1, "punct", "PUNCT", ".")])
    [event] = code(rules_only, doc, [(0, 1, actor("MAR")), (4, 5, actor("IRN"))])
    assert (event.source.country, event.target.country) == ("MAR", "IRN")


def test_unnamed_patient_of_a_domestic_act_is_the_source_country(rules_only, vocab) -> None:
    # "Belarus pardoned thirty prisoners ."
    doc = parse(vocab, [("Belarus", 1, "nsubj", "PROPN", "Belarus"),
                        ("pardoned", 1, "ROOT", "VERB", "pardon"),
                        ("thirty", 3, "nummod", "NUM", "thirty"),
                        ("prisoners", 1, "dobj", "NOUN", "prisoner"),
                        (".", 1, "punct", "PUNCT", ".")])
    [event] = code(rules_only, doc, [(0, 1, actor("BLR", "GOV"))])
    assert event.type == "CONCEDE"
    assert (event.target.country, event.target.sector) == ("BLR", "CVL")
    assert "target:patient-domestic" in event.rule


def test_unnamed_patient_takes_the_country_of_its_place(rules_only, vocab) -> None:
    # "Washington lifted curbs on traders in Havana ." (a concession, not a location type)
    doc = parse(vocab, [("Washington", 1, "nsubj", "PROPN", "Washington"),
                        ("lifted", 1, "ROOT", "VERB", "lift"),
                        ("curbs", 1, "dobj", "NOUN", "curb"),
                        ("on", 2, "prep", "ADP", "on"),
                        ("traders", 3, "pobj", "NOUN", "trader"),
                        ("in", 4, "prep", "ADP", "in"),
                        ("Havana", 5, "pobj", "PROPN", "Havana"),
                        (".", 1, "punct", "PUNCT", ".")])
    events = code(rules_only, doc, [(0, 1, actor("USA", "GOV")), (6, 7, actor("CUB"))])
    assert [(e.type, e.target.country) for e in events] == [("CONCEDE", "CUB")]
    assert "target:patient-place" in events[0].rule


def test_coordinated_parties_of_a_joint_act_target_each_other(rules_only, vocab) -> None:
    # "Kenya and Uganda signed a treaty ."
    doc = parse(vocab, [("Kenya", 3, "nsubj", "PROPN", "Kenya"),
                        ("and", 0, "cc", "CCONJ", "and"),
                        ("Uganda", 0, "conj", "PROPN", "Uganda"),
                        ("signed", 3, "ROOT", "VERB", "sign"),
                        ("a", 5, "det", "DET", "a"),
                        ("treaty", 3, "dobj", "NOUN", "treaty"),
                        (".", 3, "punct", "PUNCT", ".")])
    events = code(rules_only, doc, [(0, 1, actor("KEN")), (2, 3, actor("UGA"))])
    assert {(e.source.country, e.target.country) for e in events} == {("KEN", "UGA"),
                                                                      ("UGA", "KEN")}


def test_refusing_to_let_someone_act_targets_them(rules_only, vocab) -> None:
    # "Niger refused to let French inspectors enter ."
    doc = parse(vocab, [("Niger", 1, "nsubj", "PROPN", "Niger"),
                        ("refused", 1, "ROOT", "VERB", "refuse"),
                        ("to", 3, "aux", "PART", "to"),
                        ("let", 1, "xcomp", "VERB", "let"),
                        ("French", 5, "amod", "ADJ", "french"),
                        ("inspectors", 6, "nsubj", "NOUN", "inspector"),
                        ("enter", 3, "ccomp", "VERB", "enter"),
                        (".", 1, "punct", "PUNCT", ".")])
    events = code(rules_only, doc, [(0, 1, actor("NER")), (4, 6, actor("FRA"))])
    assert [(e.type, e.target.country) for e in events] == [("REJECT", "FRA")]


def test_condition_clause_names_the_target(rules_only, vocab) -> None:
    # "Australia would refuse if Washington persists ."
    doc = parse(vocab, [("Australia", 2, "nsubj", "PROPN", "Australia"),
                        ("would", 2, "aux", "AUX", "would"),
                        ("refuse", 2, "ROOT", "VERB", "refuse"),
                        ("if", 5, "mark", "SCONJ", "if"),
                        ("Washington", 5, "nsubj", "PROPN", "Washington"),
                        ("persists", 2, "advcl", "VERB", "persist"),
                        (".", 2, "punct", "PUNCT", ".")])
    events = code(rules_only, doc, [(0, 1, actor("AUS")), (4, 5, actor("USA", "GOV"))])
    assert [(e.type, e.target.country) for e in events] == [("REJECT", "USA")]
    assert "target:occasion" in events[0].rule


def test_sector_mention_takes_its_modifiers_country(rules_only, vocab) -> None:
    # "Greek special forces attacked Turkish positions ." (Greek and forces: two mentions)
    doc = parse(vocab, [("Greek", 2, "amod", "ADJ", "greek"),
                        ("special", 2, "amod", "ADJ", "special"),
                        ("forces", 3, "nsubj", "NOUN", "force"),
                        ("attacked", 3, "ROOT", "VERB", "attack"),
                        ("Turkish", 5, "amod", "ADJ", "turkish"),
                        ("positions", 3, "dobj", "NOUN", "position"),
                        (".", 3, "punct", "PUNCT", ".")])
    forces = ActorRef(country=None, sector="MIL", name="forces", text="forces")
    events = code(rules_only, doc, [(0, 1, actor("GRC")), (1, 3, forces),
                                    (4, 5, actor("TUR"))])
    assert [(e.source.country, e.type, e.target.country) for e in events] == [
        ("GRC", "ASSAULT", "TUR")]


def test_agentless_passive_act_of_state_is_the_places_government(rules_only, vocab) -> None:
    # "Two Russian diplomats were expelled from Warsaw ."
    doc = parse(vocab, [("Two", 2, "nummod", "NUM", "two"),
                        ("Russian", 2, "amod", "ADJ", "russian"),
                        ("diplomats", 4, "nsubjpass", "NOUN", "diplomat"),
                        ("were", 4, "auxpass", "AUX", "be"),
                        ("expelled", 4, "ROOT", "VERB", "expel"),
                        ("from", 4, "prep", "ADP", "from"),
                        ("Warsaw", 5, "pobj", "PROPN", "Warsaw"),
                        (".", 4, "punct", "PUNCT", ".")])
    events = code(rules_only, doc, [(1, 3, actor("RUS", "GOV")), (6, 7, actor("POL"))])
    assert [(e.source.country, e.source.sector, e.type, e.target.country)
            for e in events] == [("POL", "GOV", "SANCTION", "RUS")]
    assert "source:place-government" in events[0].rule


def test_learned_scorer_overrides_the_rules_only_when_sure(vocab) -> None:
    # "Russia deployed troops beside Estonia ." ('beside' is no location preposition)
    from realpolitik.events.role_scorer import RoleScorer, dep_path

    doc = parse(vocab, [("Russia", 1, "nsubj", "PROPN", "Russia"),
                        ("deployed", 1, "ROOT", "VERB", "deploy"),
                        ("troops", 1, "dobj", "NOUN", "troop"),
                        ("beside", 1, "prep", "ADP", "beside"),
                        ("Estonia", 3, "pobj", "PROPN", "Estonia"),
                        (".", 1, "punct", "PUNCT", ".")])
    assert dep_path(doc[1], doc[4]) == "prep:beside/pobj"
    off = {"use_model": False}
    coder = EventCoder(vocab, load_plover(), overrides={
        "realpolitik_triggers": off, "realpolitik_typing": off,
        "realpolitik_roles": {"use_scorer": False}})
    actors = [(0, 1, actor("RUS")), (4, 5, actor("EST"))]
    [plain] = code(coder, doc, actors)
    assert plain.target is None
    roles = coder.nlp.get_pipe("realpolitik_roles")
    roles.scorer = RoleScorer({"path=prep:beside/pobj": 6.0}, -3.0)
    [scored] = code(coder, doc, actors)
    assert (scored.target.country, "target:scorer" in scored.rule) == ("EST", True)
    roles.scorer = RoleScorer({"path=prep:beside/pobj": 6.0}, -9.0)  # p < 0.5: rules stand
    [unsure] = code(coder, doc, actors)
    assert unsure.target is None


# --------------------------------------------------------------------- the model
def test_model_types_a_verb_the_lexicon_lacks(coder, vocab) -> None:
    # the typing model reads a trigger no lexicon entry lists; its rule names the model
    doc = parse(vocab, [("Rebels", 1, "nsubj", "NOUN", "rebel"),
                        ("ambushed", 1, "ROOT", "VERB", "ambush"),
                        ("a", 3, "det", "DET", "a"),
                        ("convoy", 1, "dobj", "NOUN", "convoy"),
                        (".", 1, "punct", "PUNCT", ".")])
    events = code(coder, doc, [(0, 1, actor("MLI", "REB"))])
    assert [e.type for e in events] == ["ASSAULT"]
    assert events[0].rule.startswith(("typing-", "verb:"))


def test_prefilter_passes_every_trigger_the_coder_knows(coder) -> None:
    lexicon = load_lexicon()
    words = trigger_vocabulary(lexicon, coder.model)
    forms = TriggerFilter(words).forms
    assert coder.model is not None
    for lemma in [*lexicon.verb_types, *coder.model.trigger_lemmas]:
        first = lemma.split()[0]
        assert inflections(first) <= forms, first


def test_main_event_outranks_the_one_in_its_after_clause(rules_only, vocab) -> None:
    # "Ghana expelled the envoy after Togo shelled the border ." The news is the
    # expulsion; the shelling is the circumstance, so it must not be the top event.
    doc = parse(vocab, [("Ghana", 1, "nsubj", "PROPN", "Ghana"),
                        ("expelled", 1, "ROOT", "VERB", "expel"),
                        ("the", 3, "det", "DET", "the"),
                        ("envoy", 1, "dobj", "NOUN", "envoy"),
                        ("after", 6, "mark", "SCONJ", "after"),
                        ("Togo", 6, "nsubj", "PROPN", "Togo"),
                        ("shelled", 1, "advcl", "VERB", "shell"),
                        ("the", 8, "det", "DET", "the"),
                        ("border", 6, "dobj", "NOUN", "border"),
                        (".", 1, "punct", "PUNCT", ".")])
    events = code(rules_only, doc, [(0, 1, actor("GHA")), (5, 6, actor("TGO"))])
    by_trigger = {e.trigger: e for e in events}
    assert {"expelled", "shelled"} <= set(by_trigger)
    # both are lexicon verbs of one prior: the clause alone sets them apart
    assert by_trigger["expelled"].confidence - by_trigger["shelled"].confidence >= 0.1
    assert max(events, key=lambda e: e.confidence).trigger == "expelled"


def test_clause_role_reads_reported_and_subordinate_clauses(vocab) -> None:
    from realpolitik.events.syntax import clause_role

    # "Kenya said Uganda closed the road , which angered traders ."
    doc = parse(vocab, [("Kenya", 1, "nsubj", "PROPN", "Kenya"),
                        ("said", 1, "ROOT", "VERB", "say"),
                        ("Uganda", 3, "nsubj", "PROPN", "Uganda"),
                        ("closed", 1, "ccomp", "VERB", "close"),
                        ("the", 5, "det", "DET", "the"),
                        ("road", 3, "dobj", "NOUN", "road"),
                        (",", 5, "punct", "PUNCT", ","),
                        ("which", 8, "nsubj", "PRON", "which"),
                        ("angered", 5, "relcl", "VERB", "anger"),
                        ("traders", 8, "dobj", "NOUN", "trader"),
                        (".", 1, "punct", "PUNCT", ".")])
    reporting = frozenset({"say"})
    assert [clause_role(doc[i], reporting) for i in (1, 3, 8)] == [
        "main", "reported", "subordinate"]


# ------------------------------------------------------------- source rules, scorers
def test_passive_subject_of_a_raising_verb_does_the_act(rules_only, vocab) -> None:
    # "Abiy is set to visit Nairobi ."
    doc = parse(vocab, [("Abiy", 2, "nsubjpass", "PROPN", "Abiy"),
                        ("is", 2, "auxpass", "AUX", "be"),
                        ("set", 2, "ROOT", "VERB", "set"),
                        ("to", 4, "aux", "PART", "to"),
                        ("visit", 2, "xcomp", "VERB", "visit"),
                        ("Nairobi", 4, "dobj", "PROPN", "Nairobi"),
                        (".", 2, "punct", "PUNCT", ".")])
    events = code(rules_only, doc, [(0, 1, actor("ETH", "GOV")), (5, 6, actor("KEN"))])
    # planned ("is set to"): CONSULT becomes AGREE by the PLOVER convention
    assert {(e.source.country, e.target.country) for e in events
            if e.trigger == "visit"} == {("ETH", "KEN")}


def test_gerund_after_a_preposition_takes_the_governing_subject(rules_only, vocab) -> None:
    # "Washington stopped short of blaming Iran ."
    doc = parse(vocab, [("Washington", 1, "nsubj", "PROPN", "Washington"),
                        ("stopped", 1, "ROOT", "VERB", "stop"),
                        ("short", 1, "advmod", "ADV", "short"),
                        ("of", 2, "prep", "ADP", "of"),
                        ("blaming", 3, "pcomp", "VERB", "blame"),
                        ("Iran", 4, "dobj", "PROPN", "Iran"),
                        (".", 1, "punct", "PUNCT", ".")])
    events = code(rules_only, doc, [(0, 1, actor("USA")), (5, 6, actor("IRN"))])
    accuse = [e for e in events if e.type == "ACCUSE"]
    assert [(e.source.country, e.target.country) for e in accuse] == [("USA", "IRN")]


def test_gerund_under_a_noun_headline_terminates_with_no_source(rules_only, vocab) -> None:
    # "No intention of threatening Iran": the gerund's governors end at a noun root. The
    # search for a governing verb once compared spaCy Token objects by identity (a new
    # object on each access), never saw the root as its own head and looped forever.
    doc = parse(vocab, [("No", 1, "det", "DET", "no"),
                        ("intention", 1, "ROOT", "NOUN", "intention"),
                        ("of", 1, "prep", "ADP", "of"),
                        ("threatening", 2, "pcomp", "VERB", "threaten"),
                        ("Iran", 3, "dobj", "PROPN", "Iran")])
    signal.signal(signal.SIGALRM, _too_slow)
    signal.alarm(20)
    try:
        events = code(rules_only, doc, [(4, 5, actor("IRN"))])
    finally:
        signal.alarm(0)
    assert events == []  # no one threatens: the draft has no source


def _too_slow(signum, frame) -> None:
    raise TimeoutError("coding one five-word sentence did not finish")


def test_headline_subject_parsed_as_a_modifier(rules_only, vocab) -> None:
    # "Sweden Freezes Aid to Rwanda"
    doc = parse(vocab, [("Sweden", 1, "npadvmod", "PROPN", "Sweden"),
                        ("Freezes", 1, "ROOT", "VERB", "freeze"),
                        ("Aid", 1, "dobj", "NOUN", "aid"),
                        ("to", 1, "prep", "ADP", "to"),
                        ("Rwanda", 3, "pobj", "PROPN", "Rwanda")])
    events = code(rules_only, doc, [(0, 1, actor("SWE")), (4, 5, actor("RWA"))])
    assert {(e.source.country, e.target.country) for e in events} == {("SWE", "RWA")}


def test_quoted_we_is_the_speaker(rules_only, vocab) -> None:
    # "We will attack Iran , Israel said ."
    doc = parse(vocab, [("We", 2, "nsubj", "PRON", "we"),
                        ("will", 2, "aux", "AUX", "will"),
                        ("attack", 6, "ccomp", "VERB", "attack"),
                        ("Iran", 2, "dobj", "PROPN", "Iran"),
                        (",", 6, "punct", "PUNCT", ","),
                        ("Israel", 6, "nsubj", "PROPN", "Israel"),
                        ("said", 6, "ROOT", "VERB", "say"),
                        (".", 6, "punct", "PUNCT", ".")])
    events = code(rules_only, doc, [(3, 4, actor("IRN")), (5, 6, actor("ISR"))])
    attacks = [e for e in events if e.trigger == "attack"]
    assert [(e.source.country, e.target.country) for e in attacks] == [("ISR", "IRN")]


def _subjectless(vocab) -> Doc:
    # "Sweden - froze aid to Rwanda": a subject the parse leaves unattached ('dep')
    return parse(vocab, [("Sweden", 2, "dep", "PROPN", "Sweden"),
                         ("-", 2, "punct", "PUNCT", "-"),
                         ("froze", 2, "ROOT", "VERB", "freeze"),
                         ("aid", 2, "dobj", "NOUN", "aid"),
                         ("to", 2, "prep", "ADP", "to"),
                         ("Rwanda", 4, "pobj", "PROPN", "Rwanda")])


def test_source_scorer_fills_a_missing_source_only_when_sure(rules_only, vocab) -> None:
    from realpolitik.events.role_scorer import RoleScorer

    actors = [(0, 1, actor("SWE")), (5, 6, actor("RWA"))]
    roles = rules_only.nlp.get_pipe("realpolitik_roles")
    assert code(rules_only, _subjectless(vocab), actors) == []  # rules: no source
    try:
        roles.source_scorer = RoleScorer({"s_path=dep": 6.0}, -3.0)
        [event] = code(rules_only, _subjectless(vocab), actors)
        assert (event.source.country, event.target.country) == ("SWE", "RWA")
        assert "source:scorer" in event.rule
        roles.source_scorer = RoleScorer({"s_path=dep": 6.0}, -9.0)  # p < 0.5: dropped
        assert code(rules_only, _subjectless(vocab), actors) == []
    finally:
        roles.source_scorer = None


def test_null_target_drops_a_weak_rule_target(rules_only, vocab) -> None:
    from realpolitik.events.role_scorer import RoleScorer

    # "Russia deployed troops in Belarus ." (the place of the act: a weak target reading)
    doc = parse(vocab, [("Russia", 1, "nsubj", "PROPN", "Russia"),
                        ("deployed", 1, "ROOT", "VERB", "deploy"),
                        ("troops", 1, "dobj", "NOUN", "troop"),
                        ("in", 1, "prep", "ADP", "in"),
                        ("Belarus", 3, "pobj", "PROPN", "Belarus"),
                        (".", 1, "punct", "PUNCT", ".")])
    actors = [(0, 1, actor("RUS")), (4, 5, actor("BLR"))]
    [plain] = code(rules_only, doc, actors)
    assert plain.target.country == "BLR" and "target:location" in plain.rule
    roles = rules_only.nlp.get_pipe("realpolitik_roles")
    try:
        roles.scorer = RoleScorer({"null_rule=location": 6.0}, -3.0, drop=0.9)
        [kept] = code(rules_only, doc, actors)  # p(no target) 0.95 >= 0.9
        assert kept.target is None and "target:scorer-none" in kept.rule
        roles.scorer = RoleScorer({"null_rule=location": 6.0}, -3.0, drop=0.99)
        [unsure] = code(rules_only, doc, actors)
        assert unsure.target.country == "BLR"
    finally:
        roles.scorer = None


def test_headline_comma_pair_are_both_parties(rules_only, vocab) -> None:
    # "Kabul , Islamabad agree truce" (the first party parsed as a modifier of the verb)
    doc = parse(vocab, [("Kabul", 3, "npadvmod", "PROPN", "Kabul"),
                        (",", 3, "punct", "PUNCT", ","),
                        ("Islamabad", 3, "nsubj", "PROPN", "Islamabad"),
                        ("agree", 3, "ROOT", "VERB", "agree"),
                        ("truce", 3, "dobj", "NOUN", "truce")])
    events = code(rules_only, doc, [(0, 1, actor("AFG")), (2, 3, actor("PAK"))])
    assert {(e.source.country, e.target.country) for e in events if e.target} == {
        ("AFG", "PAK"), ("PAK", "AFG")}


def test_forces_loyal_to_someone_are_of_his_country(rules_only, vocab) -> None:
    # "Forces loyal to Haftar shelled Egypt ."
    doc = parse(vocab, [("Forces", 4, "nsubj", "NOUN", "force"),
                        ("loyal", 0, "amod", "ADJ", "loyal"),
                        ("to", 1, "prep", "ADP", "to"),
                        ("Haftar", 2, "pobj", "PROPN", "Haftar"),
                        ("shelled", 4, "ROOT", "VERB", "shell"),
                        ("Egypt", 4, "dobj", "PROPN", "Egypt"),
                        (".", 4, "punct", "PUNCT", ".")])
    actors = [(0, 1, ActorRef(country=None, sector="MIL", name="forces", text="Forces")),
              (3, 4, actor("LBY", "MIL", "Haftar")), (5, 6, actor("EGY"))]
    [event] = code(rules_only, doc, actors)
    assert (event.source.country, event.source.sector, event.target.country) == (
        "LBY", "MIL", "EGY")


def test_shipped_role_scorers_override_rules_only_when_confident() -> None:
    import json

    from realpolitik.events.role_scorer import DEFAULT_PATH, RoleScorer

    source, target = RoleScorer.load(role="source"), RoleScorer.load(role="target")
    assert source is not None and target is not None
    assert min(source.replace, target.replace, target.drop) >= 0.5
    dev = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))["dev"]
    for role in ("source", "target"):  # chosen on dev: never worse than the rules there
        assert dev[role]["scorer"] >= dev[role]["rules"]
