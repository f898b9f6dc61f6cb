"""Component 4, polarity and modality: did it happen, will it, might it, or is it history?

Negation: a negator on the trigger ("did not send"), a lexicon idiom that is negative
in itself ("stay on the sidelines"), or a refusal governor up the clause chain
("refused to back", "unwilling to send"). A negated governor negates its complement
clause ("will not hesitate to defend") only once: two negations cancel ("will never
turn its back on" is support, not support withdrawn).
Modality: past background ("since 2019", "in 2014"), hypothetical (considered,
conditional, could/might, "a potential deal"), planned (will, plans to, ready to,
promised). The event date comes from the sentence: an explicit date, else a weekday
read with the tense (past for what happened, future for what is planned), else the
article's date.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import dateparser
from spacy.tokens import Doc, Token

from realpolitik.events.context import SentenceInput, Trigger
from realpolitik.events.lexicon import Lexicon
from realpolitik.events.syntax import clause_tokens, governors, is_year, purpose_clause, since_past
from realpolitik.records import Modality

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
# Bounded, linear patterns: a month name and a day and a year, in either order.
_DATE = re.compile(rf"\b(?:{_MONTH}\.? \d{{1,2}},? \d{{4}}|\d{{1,2}} {_MONTH} \d{{4}})\b")
_WEEKDAY = re.compile(r"\bon (monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
                      re.IGNORECASE)


class PolarityModality:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon
        pol, mod = lexicon.polarity, lexicon.modality
        self.refusal_governors = frozenset(pol.refusal_governors)
        self.refusal_adjectives = frozenset(pol.refusal_adjectives)
        self.refusal_phrases = frozenset(pol.refusal_phrases)
        self.negators = frozenset(pol.negators)
        self.cessation = frozenset(pol.cessation_adverbs)
        self.hyp_mod = frozenset(mod.hypothetical_modifiers)
        self.hyp_gov = frozenset(mod.hypothetical_governors)
        self.plan_gov = frozenset(mod.planned_governors)
        self.plan_adj = frozenset(mod.planned_adjectives)
        self.hyp_aux = frozenset(mod.hypothetical_auxiliaries)
        self.plan_aux = frozenset(mod.planned_auxiliaries)
        self.conditionals = frozenset(mod.conditional_markers)
        self.background = tuple(sorted(mod.background_markers, key=len, reverse=True))
        self.reporting = frozenset(lexicon.attribution.reporting_verbs)
        self.light_do = frozenset(lexicon.light_verbs.do)

    def __call__(self, doc: Doc) -> Doc:
        sent: SentenceInput = doc._.rp_sentence
        drafts = [d for d in doc._.rp_drafts if d.alive]
        rejects = {d.trigger.token.i: d for d in drafts if d.type == "REJECT"}
        for draft in drafts:
            draft.negated, draft.negation_rule, governor = self.negated(draft.trigger)
            draft.modality, draft.modality_rule = self.modality(draft.trigger, sent)
            draft.date = event_date(_sentence_text(draft.trigger.token, sent), sent.published,
                                    draft.modality)
            reject = rejects.get(governor.i) if governor is not None else None
            if reject is not None and draft.negated and reject is not draft:
                # "refused to send troops": one event, REJECT, naming what was refused
                draft.dropped = "polarity: the refusal is coded as REJECT"
                reject.type_rule += f"+refused:{draft.trigger.type or draft.type}"
        return doc

    # --------------------------------------------------------------- polarity
    def negated(self, trig: Trigger) -> tuple[bool, str, Token | None]:
        """Negation of the trigger, counting negations up the clause chain (two cancel).

        Also returns the refusal governor, if a refusal negates the trigger.
        """
        flips: list[str] = []
        refuser: Token | None = None
        if trig.negated:
            flips.append("lexicon")
        verb = trig.token
        if self.has_negation(verb):
            flips.append("negation")
        below = verb
        for gov, link in governors(verb):
            if link not in ("xcomp", "advcl", "acomp", "pcomp", "prep", "conj"):
                break
            if link == "advcl" and not purpose_clause(below):
                break
            below = gov
            lemma = gov.lemma_.lower()
            if link != "conj" and (lemma in self.refusal_governors
                                   or lemma in self.refusal_adjectives):
                flips.append(f"refusal:{lemma}")
                refuser = gov
                if self.has_negation(gov):  # "will not hesitate to", "did not refuse to"
                    flips.append("negated-refusal")
                break
            key = _phrase_key(gov)
            if key in self.refusal_phrases:
                flips.append(f"refusal:{key}")
                break
            if link != "conj" and self.has_negation(gov):
                flips.append("negated-governor")
        negated = len(flips) % 2 == 1
        rule = "+".join(flips) if negated else ("double-negation" if flips else "")
        return negated, rule, refuser

    def has_negation(self, tok: Token) -> bool:
        for child in tok.children:
            if child.dep_ == "neg" or (child.dep_ == "advmod" and child.lower_ in self.negators):
                return True
            if child.lower_ in self.cessation and any(
                    g.lower_ in ("no", "not") for g in child.children):
                return True
        return False

    # --------------------------------------------------------------- modality
    def modality(self, trig: Trigger, sent: SentenceInput) -> tuple[Modality, str]:
        verb = trig.token
        clause = clause_tokens(verb)
        text = " ".join(t.lower_ for t in clause)
        for marker in self.background:
            if f" {marker} " in f" {text} " and (marker != "since" or since_past(clause)):
                return "past_background", f"background:{marker}"
        year = sent.published.year if sent.published else None
        for tok in clause:
            # "in 2019", "between 2005 and 2018", "from 2007 to 2016" - not "the 2019 deal"
            if year and is_year(tok.text) and int(tok.text) < year - 1 \
                    and tok.dep_ in ("pobj", "conj") and tok.head.lower_ != "of":
                return "past_background", f"background:{tok.text}"
        if trig.noun is not None:
            for mod in trig.noun.children:
                if mod.lower_ in self.hyp_mod:
                    return "hypothetical", f"hypothetical:{mod.lower_}"
        chain = [(verb, "self"), *list(governors(verb))]
        reported = any(g.lemma_.lower() in self.reporting for g, _ in chain[1:])
        planned_by = ""
        for tok, _link in chain:
            lemma = tok.lemma_.lower()
            if tok.i != verb.i and lemma in self.hyp_gov:
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
            if tok.i != verb.i and (lemma in self.plan_gov or lemma in self.plan_adj) \
                    and not planned_by:
                planned_by = f"planned:{lemma}"
            if tok.i != verb.i and lemma in self.reporting:
                break
        if trig.promise:
            return "planned", "planned:promise"
        if trig.considered:
            return "hypothetical", f"hypothetical:{verb.lemma_.lower()}"
        if planned_by:
            return "planned", planned_by
        return "asserted", ""


def _phrase_key(tok: Token) -> str:
    lemma = tok.lemma_.lower()
    for child in tok.children:
        if child.dep_ == "prt" or (child.dep_ == "prep" and child.i == tok.i + 1):
            return f"{lemma} {child.lower_}"
    return lemma


def _sentence_text(tok: Token, sent: SentenceInput) -> str:
    original = sent.text or sent.doc.text
    return original[tok.sent.start_char:tok.sent.end_char]


def event_date(text: str, published: dt.date | None, modality: Modality) -> dt.date | None:
    """The date a sentence gives its event, else the article's date.

    A weekday ("on Friday") is read relative to the article's date, forward for a
    planned event and backward otherwise, by dateparser.
    """
    match = _DATE.search(text[:2000])
    if match:
        parsed = written_date(match.group(0))
        if parsed is not None:
            return parsed
    if published is None:
        return None
    match = _WEEKDAY.search(text[:2000])
    if match:
        parsed = weekday_date(match.group(1), published,
                              "future" if modality == "planned" else "past")
        if parsed is not None:
            return parsed
    return published


# dateparser costs about half a millisecond a call; a news stream repeats its dates (the
# same few days, the same weekdays around each publication date), so its readings are
# kept per text.
@lru_cache(maxsize=4096)
def written_date(text: str) -> dt.date | None:
    """A written date ("March 3, 2025", "3 March 2025"), read by dateparser."""
    parsed = dateparser.parse(text, languages=["en"], settings={"PREFER_DAY_OF_MONTH": "first"})
    return parsed.date() if parsed is not None else None


@lru_cache(maxsize=4096)
def weekday_date(weekday: str, published: dt.date, prefer: str) -> dt.date | None:
    """The ``weekday`` nearest ``published`` in the direction ``prefer`` ("future" for a
    planned event, else "past"), by dateparser's ``RELATIVE_BASE`` and ``PREFER_DATES_FROM``."""
    base = dt.datetime.combine(published, dt.time(12))
    parsed = dateparser.parse(weekday, languages=["en"],
                              settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": prefer})
    return parsed.date() if parsed is not None else None
