"""What the coder's components hand each other: the sentence, its triggers, the drafts.

A parsed sentence enters the coder as a ``SentenceInput`` set on ``doc._.rp_sentence``.
The trigger component adds one ``EventDraft`` per trigger to ``doc._.rp_drafts``; each
later component fills its own fields of the drafts (type, roles, polarity and
modality, attribution) and the coder turns finished drafts into ``Event`` records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from realpolitik.actors.coref import History
from realpolitik.records import ActorRef, Modality, Section

if not Doc.has_extension("rp_sentence"):
    Doc.set_extension("rp_sentence", default=None)
    Doc.set_extension("rp_drafts", default=None)


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

    def actor_index(self) -> dict[int, ActorSpanLike]:
        """Token index -> the actor mention covering it."""
        index: dict[int, ActorSpanLike] = {}
        for span in self.actors:
            for i in range(span.start, span.end):
                index[i] = span
        return index


@dataclass(frozen=True)
class Trigger:
    """The word an event hangs on, with what the lexicon or the model says of it."""

    token: Token          # the verb (or head word) the event hangs on
    type: str             # the rule's type ("" when only the model proposes it)
    rule: str
    text: str
    negated: bool = False
    noun: Token | None = None          # the event noun in a light-verb construction
    target_prep: Token | None = None   # a phrase's own preposition ("turn its back on")
    lose: bool = False                 # "lose the support of X": X is the source
    promise: bool = False
    considered: bool = False           # "weighing sanctions": the act is only considered
    obliged: Token | None = None       # "said Y must ...": the clause whose subject is the target
    reduced: bool = False              # "cut its aid": a reduction of the noun's act
    nominal: bool = False              # a bare event noun ("the expulsion of ...")


@dataclass
class Resolved:
    """Actors found for one role, how they were found, and whether the reading is weak."""

    actors: list[ActorRef]
    rule: str = ""
    weak: bool = False


@dataclass
class EventDraft:
    """One trigger on its way to becoming events; each component fills its part."""

    trigger: Trigger
    # typing
    type: str = ""
    base_type: str = ""  # the type as typed, before the PLOVER conventions
    type_rule: str = ""
    type_confidence: float = 0.0
    model_type: str = ""
    model_probability: float = 0.0
    # roles
    sources: Resolved = field(default_factory=lambda: Resolved([]))
    targets: list[ActorRef] = field(default_factory=list)
    target_rule: str = ""
    inherited_subject: bool = False
    # polarity and modality
    negated: bool = False
    negation_rule: str = ""
    modality: Modality = "asserted"
    modality_rule: str = ""
    date: dt.date | None = None
    # attribution
    attributed_to: list[str] = field(default_factory=list)
    dropped: str = ""  # why a component dropped the draft (kept for debugging)

    @property
    def alive(self) -> bool:
        return not self.dropped and bool(self.type)
