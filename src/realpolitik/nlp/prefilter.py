"""Decide, before parsing, whether a sentence can hold a codable event.

A sentence is worth parsing when it has an actor-like word (a gazetteer match, or a
pronoun or anaphor that may refer to one) and a word that is some inflection of a
trigger in the event lexicon. Inflections are generated once from the base forms,
so the test per token is a set lookup.
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Span

from realpolitik.actors.coref import (
    GROUP_NOUNS,
    PERSON_PRONOUNS,
    PLURAL_PRONOUNS,
    RELATIVE_PRONOUNS,
    SINGULAR_PRONOUNS,
)
from realpolitik.events.lexicon import Lexicon
from realpolitik.events.typing_model import TypingModel

# Irregular past forms of trigger and governor verbs common in news English.
IRREGULAR = {
    "strike": ["struck", "stricken"], "hit": ["hit"], "fight": ["fought"], "meet": ["met"],
    "hold": ["held"], "give": ["gave", "given"], "send": ["sent"], "bring": ["brought"],
    "make": ["made"], "take": ["took", "taken"], "lead": ["led"], "withdraw": ["withdrew",
    "withdrawn"], "shoot": ["shot"], "seek": ["sought"], "tell": ["told"], "say": ["said"],
    "lend": ["lent"], "draw": ["drew", "drawn"], "freeze": ["froze", "frozen"],
    "begin": ["began", "begun"], "undertake": ["undertook", "undertaken"],
    "forgive": ["forgave", "forgiven"], "lose": ["lost"], "keep": ["kept"], "put": ["put"],
    "cut": ["cut"], "set": ["set"], "sell": ["sold"], "buy": ["bought"], "win": ["won"],
    "break": ["broke", "broken"], "stand": ["stood"], "sit": ["sat"], "throw": ["threw",
    "thrown"], "come": ["came"], "overthrow": ["overthrew", "overthrown"], "fly": ["flew",
    "flown"], "write": ["wrote", "written"], "mean": ["meant"], "rise": ["rose", "risen"],
    "shake": ["shook", "shaken"], "lay": ["laid"], "wage": ["waged"], "sink": ["sank", "sunk"],
    "steal": ["stole", "stolen"], "seize": ["seized"], "stick": ["stuck"], "forbid": ["forbade",
    "forbidden"], "slay": ["slew", "slain"], "find": ["found"], "leave": ["left"],
}
# Words that may refer to an actor named elsewhere: the coreference stage's own pronouns
# and group nouns ("the two neighbours"), in every form.
PRONOUNS = frozenset(
    {*PLURAL_PRONOUNS, *SINGULAR_PRONOUNS, *PERSON_PRONOUNS, *RELATIVE_PRONOUNS,
     *(form for noun in GROUP_NOUNS for form in (noun, noun + "s", noun + "es")),
     "both", "these", "those", "allies", "countries", "powers", "sides", "governments",
     "capitals"})


def inflections(base: str) -> set[str]:
    """Regular English inflections of a verb or noun base form (over-generating is harmless)."""
    forms = {base, base + "s", base + "es", base + "ed", base + "d", base + "ing"}
    if base.endswith("e"):
        forms |= {base[:-1] + "ing", base[:-1] + "ed"}
    if base.endswith("y") and len(base) > 2:
        forms |= {base[:-1] + "ies", base[:-1] + "ied"}
    if len(base) >= 3 and base[-1] not in "aeiouwxy" and base[-2] in "aeiou":
        forms |= {base + base[-1] + "ed", base + base[-1] + "ing"}
    forms.update(IRREGULAR.get(base, []))
    return forms


def trigger_vocabulary(lexicon: Lexicon, model: TypingModel | None) -> frozenset[str]:
    """Every base form the coder can start an event from: the lexicon's and the model's.

    Derived from the coder's own vocabularies, so the filter never drops a sentence the
    coder could code (tests/test_prefilter.py checks that they agree).
    """
    words = set(lexicon.trigger_words)
    words.update(lexicon.modality.hypothetical_governors)
    words.update(lexicon.modality.obligation_auxiliaries)  # "said Y must ..." obligations
    if model is not None:
        words.update(model.trigger_lemmas)
        words.update(model.nouns)
    return frozenset(words)


class TriggerFilter:
    """Set of every surface form that might start an event, built from lexicon base forms."""

    def __init__(self, bases: Iterable[str]) -> None:
        forms: set[str] = set()
        for base in bases:
            forms |= inflections(base)
        self.forms = frozenset(forms)

    def has_trigger(self, span: Span) -> bool:
        return any(tok.lower_ in self.forms for tok in span)

    def worth_parsing(self, span: Span, has_actor: bool) -> bool:
        if not self.has_trigger(span):
            return False
        return has_actor or any(tok.lower_ in PRONOUNS for tok in span)
