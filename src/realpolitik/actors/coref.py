"""Resolve pronouns and anaphoric noun phrases to actors named earlier in the article.

Kept deliberately conservative: a reference is resolved only when one candidate fits
(number, kind) among the recent mentions; otherwise it stays unresolved and no event
is coded from it. History is built from gazetteer matches on every sentence, parsed
or not, so references can reach back past sentences the pre-filter skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from realpolitik.records import ActorRef

PLURAL_PRONOUNS = frozenset({"they", "them", "their", "theirs", "themselves", "both"})
SINGULAR_PRONOUNS = frozenset({"it", "its", "itself"})
PERSON_PRONOUNS = frozenset({"he", "him", "his", "she", "her"})
RELATIVE_PRONOUNS = frozenset({"which", "who", "that", "whom", "whose"})
# Head nouns of plural noun phrases that point back to a group of states.
GROUP_NOUNS = frozenset({"country", "nation", "power", "giant", "ally", "government", "capital",
                         "state", "side", "partner", "backer", "member", "regime", "neighbor",
                         "neighbour"})
NUMBER_WORDS = {"two": 2, "both": 2, "three": 3, "four": 4, "five": 5}
_SEPARATOR = re.compile(r"^(,|and|or|&|as well as|—|-)$", re.IGNORECASE)
_CONJUNCTION = frozenset({"and", "or", "&", "nor"})
# How many sentences back a reference may reach.
WINDOW = 3


@dataclass
class Mentioned:
    """One actor mention in reading order, with the coordination group it belongs to."""

    sentence: int
    order: int
    actor: ActorRef
    group: int
    is_subject: bool = False


@dataclass
class History:
    """Actors mentioned so far in one article section sequence."""

    items: list[Mentioned] = field(default_factory=list)
    _next_group: int = 0
    # groups whose members are joined by a conjunction somewhere ("Russia, China, and Iran"),
    # as opposed to a comma alone ("Caracas, Venezuela")
    _coordinated: set[int] = field(default_factory=set)
    # indexes over ``items``, so lookups cost the same in a long article as in a short one
    _by_sentence: dict[int, list[Mentioned]] = field(default_factory=dict)
    _by_group: dict[int, list[Mentioned]] = field(default_factory=dict)

    def add_sentence(self, sentence: int, spans: list[tuple[int, int, ActorRef]],
                     tokens: list[str], subjects: set[int] | None = None) -> None:
        """Record a sentence's mentions (token start, end, actor); coordinated runs share a group.

        ``tokens`` are the sentence's token texts, used to see whether only separators
        stand between two mentions ("Russia, China, and Iran").
        """
        previous_end: int | None = None
        for order, (start, end, actor) in enumerate(sorted(spans, key=lambda s: s[0])):
            between = tokens[previous_end:start] if previous_end is not None else None
            joined = between is not None and all(_SEPARATOR.match(t) for t in between)
            if not joined:
                self._next_group += 1
            elif any(t.lower() in _CONJUNCTION for t in between or []):
                self._coordinated.add(self._next_group)
            item = Mentioned(sentence, order, actor, self._next_group,
                             is_subject=bool(subjects and start in subjects))
            self.items.append(item)
            self._by_sentence.setdefault(sentence, []).append(item)
            self._by_group.setdefault(item.group, []).append(item)
            previous_end = end

    def coordinated_with(self, sentence: int, order: int) -> list[ActorRef]:
        """All actors coordinated on the surface with mention ``order`` of ``sentence``.

        Parsers often attach only the last conjunct of a list to the verb ("as Russia,
        China, and Iran refuse"); the surface list is the safer reading.
        """
        mine = [m for m in self._by_sentence.get(sentence, []) if m.order == order]
        if not mine or mine[0].group not in self._coordinated:
            return []
        return _distinct([m.actor for m in self._by_group[mine[0].group]])

    def _recent(self, sentence: int, include_current: bool) -> list[Mentioned]:
        last = sentence + 1 if include_current else sentence
        return [m for s in range(sentence - WINDOW, last) for m in self._by_sentence.get(s, [])]

    def groups(self, sentence: int, include_current: bool = False) -> list[list[Mentioned]]:
        by_group: dict[int, list[Mentioned]] = {}
        for m in self._recent(sentence, include_current):
            by_group.setdefault(m.group, []).append(m)
        return list(by_group.values())

    def plural(self, sentence: int, count: int | None = None,
               include_current: bool = True, before: int | None = None) -> list[ActorRef] | None:
        """The most recent coordinated group of two or more states (of ``count`` if given)."""
        for group in reversed(self.groups(sentence, include_current)):
            if group[0].group not in self._coordinated:
                continue
            if before is not None and group[0].sentence == sentence and group[0].order >= before:
                continue
            actors = _distinct([m.actor for m in group if _is_state_like(m.actor)])
            if len(actors) >= 2 and (count is None or len(actors) == count):
                return actors
        return None

    def singular(self, sentence: int, include_current: bool = True,
                 before: int | None = None) -> ActorRef | None:
        """The most recent single state-like actor (media outlets are not referents of 'it')."""
        candidates = [m for m in self._recent(sentence, include_current)
                      if _is_state_like(m.actor)
                      and not (before is not None and m.sentence == sentence and m.order >= before)]
        if not candidates:
            return None
        subjects = [m for m in candidates if m.is_subject]
        return (subjects or candidates)[-1].actor

    def person(self, sentence: int, before: int | None = None) -> ActorRef | None:
        candidates = [m for m in self._recent(sentence, True)
                      if m.actor.sector == "GOV" and " " in m.actor.name
                      and not (before is not None and m.sentence == sentence and m.order >= before)]
        return candidates[-1].actor if candidates else None


def _is_state_like(actor: ActorRef) -> bool:
    return actor.country is not None and actor.sector not in {"MED"}


def _distinct(actors: list[ActorRef]) -> list[ActorRef]:
    seen: set[tuple[str | None, str | None]] = set()
    out = []
    for actor in actors:
        if actor.key() not in seen:
            seen.add(actor.key())
            out.append(actor)
    return out


def as_reference(actor: ActorRef, text: str) -> ActorRef:
    """The resolved actor, keeping the referring expression as its surface text."""
    return actor.model_copy(update={"text": text})
