"""Component 1, trigger candidates: every word or construction that may state an event.

Rules come from the lexicon (phrases such as "remain on the sidelines", light-verb
constructions such as "launched attacks on", lexicon verbs, "X said Y must ..."
obligations); the typing model adds every other verb or event noun as a bare
candidate. Each candidate becomes an ``EventDraft`` on ``doc._.rp_drafts``; the typing
component decides its type.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Token

from realpolitik.events.context import EventDraft, Trigger
from realpolitik.events.lexicon import Lexicon, Phrase, PloverTable
from realpolitik.events.syntax import lemma_variants
from realpolitik.events.typing_model import TypingModel, is_candidate

ARTICLES = ["the", "a", "its", "their", "his", "her"]


class TriggerFinder:
    """Finds rule triggers and model candidates in a parsed sentence."""

    def __init__(self, vocab, lexicon: Lexicon, plover: PloverTable,
                 model: TypingModel | None) -> None:
        self.lex = lexicon
        self.plover = plover
        self.model = model
        # Phrases indexed by the lemma variants of their first word: a sentence only tries
        # the phrases whose first word it contains.
        self.phrases: dict[str, list[tuple[list[frozenset[str]], Phrase]]] = {}
        for phrase in lexicon.phrases:
            words = [frozenset(lemma_variants(w)) for w in phrase.pattern.split()]
            for first in words[0]:
                self.phrases.setdefault(first, []).append((words, phrase))
        pol, mod = lexicon.polarity, lexicon.modality
        self.refusal_governors = frozenset(pol.refusal_governors)
        self.hyp_gov = frozenset(mod.hypothetical_governors)
        self.obligation = frozenset(mod.obligation_auxiliaries)
        self.reporting = frozenset(lexicon.attribution.reporting_verbs)
        lv = lexicon.light_verbs
        self.light_do, self.light_promise = frozenset(lv.do), frozenset(lv.promise)
        self.light_lose, self.light_reduce = frozenset(lv.lose), frozenset(lv.reduce)
        self.nouns = model.nouns if model is not None else frozenset(lexicon.noun_types)

    def __call__(self, doc: Doc) -> Doc:
        drafts = [EventDraft(trig) for trig in self.triggers(doc)]
        doc._.rp_drafts = drafts
        return doc

    # ------------------------------------------------------------------ rules
    def triggers(self, doc: Doc) -> list[Trigger]:
        found: list[Trigger] = []
        used: set[int] = set()
        tokens = list(doc)
        for start, end, phrase in self._phrase_matches(tokens):
            if any(i in used for i in range(start, end)):
                continue
            span = doc[start:end]
            prep = span[-1] if span[-1].pos_ == "ADP" else None
            found.append(Trigger(span[0], phrase.type, f"phrase:{phrase.pattern}", span.text,
                                 phrase.negated, target_prep=prep))
            used.update(range(start, end))
        for tok in tokens:
            if tok.i in used or not _verbal(tok):
                continue
            trig = self._light_verb(tok) or self._verb(tok)
            if trig is not None:
                found.append(trig)
                used.add(tok.i)
                if trig.noun is not None:
                    used.add(trig.noun.i)
        found.extend(self._obligations(doc))
        found.extend(self._model_candidates(doc, used))
        return found

    def _phrase_matches(self, tokens: list[Token]) -> list[tuple[int, int, Phrase]]:
        """Lexicon idioms on lemmas, an article allowed between words; longest first."""
        lemmas = [t.lemma_ for t in tokens]
        lowers = [t.lower_ for t in tokens]
        found = []
        for i, lemma in enumerate(lemmas):
            for words, phrase in self.phrases.get(lemma, ()):
                j = i + 1
                for word in words[1:]:
                    if j < len(lemmas) and lowers[j] in ARTICLES and lemmas[j] not in word:
                        j += 1
                    if j >= len(lemmas) or lemmas[j] not in word:
                        break
                    j += 1
                else:
                    found.append((i, j, phrase))
        return sorted(found, key=lambda m: (m[0], -m[1]))

    def verb_key(self, tok: Token) -> str:
        """The verb's lexicon key: lemma, or 'lemma particle' when the lexicon has it."""
        lemma = tok.lemma_.lower()
        for child in tok.children:
            if child.dep_ == "prt" or (child.dep_ == "prep" and child.i == tok.i + 1):
                key = f"{lemma} {child.lower_}"
                if key in self.lex.verb_types or key in self.light_do:
                    return key
        return lemma

    def _light_verb(self, tok: Token) -> Trigger | None:
        key = self.verb_key(tok)
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
            rule = f"light:{key}+{noun.lemma_}"
            if kind == "reduce":
                reduced = self.lex.reduction_types.get(noun.lower_)
                if reduced is not None:
                    return Trigger(tok, reduced, rule, text, noun=noun, reduced=True)
            noun_type = self.noun_type(noun) or self._quantity_type(noun)
            if noun_type is None:
                continue
            if kind == "reduce":
                if not self.plover.types[noun_type].cooperative:
                    continue
                # PLOVER: curtailing aid, trade or cooperation is SANCTION ('discontinue')
                return Trigger(tok, "SANCTION", f"{rule}:{noun_type}", text, noun=noun,
                               reduced=True)
            if kind == "promise":
                coop = self.plover.types[noun_type].cooperative
                return Trigger(tok, "AGREE" if coop else "THREATEN", rule, text, noun=noun,
                               promise=True)
            if kind == "lose":
                return Trigger(tok, noun_type, rule, text, negated=True, noun=noun, lose=True)
            negated = any(c.lower_ == "no" and c.dep_ == "det" for c in noun.children)
            return Trigger(tok, noun_type, rule, text, negated=negated, noun=noun,
                           considered=kind == "consider")
        return None

    def _quantity_type(self, noun: Token) -> str | None:
        """'25,000 tons of food aid', 'billions of dollars in loans': the inner noun's type."""
        for prep in noun.children:
            if prep.dep_ == "prep" and prep.lower_ in ("of", "in"):
                for obj in prep.children:
                    if obj.dep_ == "pobj" and self.noun_type(obj):
                        return self.noun_type(obj)
        return None

    def noun_type(self, noun: Token) -> str | None:
        """The lexicon type of an event noun, with its modifiers ('military support' is AID)."""
        base = self.lex.noun_types.get(noun.lower_) or self.lex.noun_types.get(
            noun.lemma_.lower())
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
        if base in ("SUPPORT", "COOPERATE"):
            for mod in noun.children:
                if mod.dep_ not in ("amod", "compound", "conj"):
                    continue
                for word in (mod, *mod.conjuncts):
                    override = self.lex.modifier_types.get(word.lower_)
                    if override:
                        return override
        return base

    def _verb(self, tok: Token) -> Trigger | None:
        key = self.verb_key(tok)
        type_ = self.lex.verb_types.get(key)
        if type_ is None:
            return None
        if type_ != "REJECT" and key.split()[0] in self.refusal_governors \
                and _event_complement(tok):
            return None  # "stopped attacking": the complement is the event, negated
        # ("refused to back" is REJECT; the polarity component folds the negated
        # complement into it)
        return Trigger(tok, type_, f"verb:{key}", tok.text)

    def _obligations(self, doc: Doc) -> Iterator[Trigger]:
        """'Russia said Sudan must return the helicopter': a demand by the speaker.

        The demand's target is the subject of the obligation clause (``obliged``).
        """
        if not any(t.lower_ in self.obligation for t in doc):
            return
        for tok in doc:
            if tok.lemma_.lower() not in self.reporting:
                continue
            for comp in tok.children:
                if comp.dep_ != "ccomp":
                    continue
                subjects = [c.i for c in comp.children if c.dep_ in ("nsubj", "nsubjpass")]
                if any(c.dep_ == "aux" and c.lower_ in self.obligation
                       and not (subjects and c.i < min(subjects))  # "should X escalate": if
                       for c in comp.children):
                    yield Trigger(tok, "REQUEST", f"obligation:{tok.lemma_.lower()}",
                                  f"{tok.text} ... {comp.text}", obliged=comp)

    # ------------------------------------------------------------------ model
    def _model_candidates(self, doc: Doc, used: set[int]) -> Iterator[Trigger]:
        """Every other verb or event noun, for the typing model to read."""
        if self.model is None:
            return
        for tok in doc:
            if tok.i in used or not is_candidate(tok, self.nouns):
                continue
            if tok.lemma_.lower() in self.reporting:
                continue  # "revealed", "said": they report an event (lexicon verbs aside)
            if tok.pos_ in ("NOUN", "PROPN"):
                if tok.dep_ in ("dobj", "obj", "nsubjpass", "attr") and _verbal(tok.head):
                    continue  # an object noun is read through its verb's features
                yield Trigger(tok, "", "model", tok.text, nominal=True)
            else:
                yield Trigger(tok, "", "model", tok.text)


def _verbal(tok: Token) -> bool:
    return tok.pos_ in ("VERB", "AUX") or tok.tag_ in ("VB", "VBD", "VBZ", "VBP", "VBN", "VBG")


def _event_complement(tok: Token) -> bool:
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
