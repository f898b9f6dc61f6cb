"""Component 2, event typing: the one place that decides each trigger's PLOVER type.

Two readings meet here: the lexicon rule that found the trigger (if any) and the
trained typing model. The decision, in order:

1. A construction rule whose meaning the model cannot see (a lexicon idiom, a
   reduction "cut its aid", a promise "offered support", "lose the support of", an
   obligation "said Y must") keeps its type.
2. The model vetoes a rule trigger it reads as no event with probability ``veto``.
3. Otherwise the model's type wins over a rule's when its probability exceeds that of
   the rule's type by ``override``; a bare model candidate needs probability
   ``threshold`` to become an event at all.
4. Otherwise the rule's type stands.

The event's type confidence is the model's calibrated probability of the chosen type
(or the rule's prior when the model has no say).
"""

from __future__ import annotations

from spacy.tokens import Doc

from realpolitik.events.context import EventDraft
from realpolitik.events.lexicon import Lexicon
from realpolitik.events.typing_model import TypingModel, sentence_context

# Rule kinds whose construction the model cannot see: their type stands.
FIXED_KINDS = frozenset({"phrase", "obligation"})
# Prior confidence of each kind of rule when the model does not read the trigger.
RULE_CONFIDENCE = {"phrase": 0.8, "light": 0.75, "verb": 0.7, "obligation": 0.6}


class EventTyper:
    def __init__(self, lexicon: Lexicon, model: TypingModel | None, threshold: float | None,
                 override: float, veto: float = 1.01) -> None:
        self.lex = lexicon
        self.veto = veto
        self.model = model
        # None: the threshold `make train` chose on the dev split, stored with the model
        if threshold is None:
            threshold = float(model.meta.get("threshold", 0.5)) if model is not None else 0.5
        self.threshold = threshold
        self.override = override

    def __call__(self, doc: Doc) -> Doc:
        contexts: dict[int, list[str]] = {}
        for draft in doc._.rp_drafts:
            tok = draft.trigger.token
            if tok.sent.start not in contexts:
                contexts[tok.sent.start] = sentence_context(tok)
            self.decide(draft, contexts[tok.sent.start])
            draft.base_type = draft.type
        return doc

    def decide(self, draft: EventDraft, context: list[str] | None = None) -> None:
        trig = draft.trigger
        kind = trig.rule.split(":")[0]
        fixed = kind in FIXED_KINDS or trig.reduced or trig.promise or trig.lose
        if self.model is not None and not fixed:
            scores = self.model.score(trig.token, self.lex, context)
            if trig.noun is not None and kind == "light":
                # "launched attacks": the event noun is read too, and the two readings
                # averaged (the verb alone is ambiguous: a missile test is also launched)
                scores = self.model.average(scores, self.model.score(trig.noun, self.lex,
                                                                      context))
            draft.model_type, draft.model_probability = scores.type, scores.probability
            if scores.none_probability >= self.veto:
                draft.dropped = "model: no event here"  # "fired the coach", "talks of the town"
                return
            if trig.type and (scores.type == trig.type
                              or scores.probability < scores.of(trig.type) + self.override):
                # the rule stands; the model's agreement (or doubt) sets the confidence
                draft.type, draft.type_rule = trig.type, trig.rule
                agree = scores.type == trig.type
                draft.type_confidence = max(scores.probability, 0.5) if agree else 0.5
                return
            if trig.type or scores.probability >= self.threshold:
                draft.type = scores.type
                draft.type_rule = f"{self.model.version}" + (
                    f"(over {trig.rule})" if trig.type else "")
                draft.type_confidence = scores.probability
                return
            if not trig.type:
                draft.dropped = "model: below threshold"
                return
        draft.type, draft.type_rule = trig.type, trig.rule
        draft.type_confidence = RULE_CONFIDENCE.get(kind, 0.6)

