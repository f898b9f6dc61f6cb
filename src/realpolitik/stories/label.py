"""A readable label for a story: its main actors and its most reported event."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from realpolitik.records import Happening

VERBS = {
    "AGREE": ("agrees with", "does not agree with"),
    "CONSULT": ("meets", "does not meet"),
    "SUPPORT": ("backs", "does not back"),
    "CONCEDE": ("yields to", "does not yield to"),
    "COOPERATE": ("cooperates with", "does not cooperate with"),
    "AID": ("aids", "does not aid"),
    "RETREAT": ("withdraws from", "does not withdraw from"),
    "REQUEST": ("calls on", "does not call on"),
    "ACCUSE": ("accuses", "does not accuse"),
    "REJECT": ("rejects", "does not reject"),
    "THREATEN": ("threatens", "does not threaten"),
    "PROTEST": ("protests against", "does not protest against"),
    "SANCTION": ("sanctions", "does not sanction"),
    "MOBILIZE": ("mobilizes against", "does not mobilize against"),
    "COERCE": ("coerces", "does not coerce"),
    "ASSAULT": ("attacks", "does not attack"),
}
MODAL = {"planned": " (planned)", "hypothetical": " (considered)", "past_background": " (past)"}


def describe(h: Happening) -> str:
    if h.target is None:
        action = ("no " if h.negated else "") + h.type.lower()
        return f"{h.source.name}: {action}{MODAL.get(h.modality, '')}"
    verb = VERBS[h.type][1 if h.negated else 0]
    return f"{h.source.name} {verb} {h.target.name}{MODAL.get(h.modality, '')}"


def story_label(happenings: Sequence[Happening], titles: Sequence[str],
                name_of: Callable[[str], str | None]) -> str:
    """'Venezuela, United States, Russia: Russia does not back Venezuela'.

    Main actors are the countries in most happenings; the headline event is the one with
    most mentions (then most origins). Without events, the earliest title stands in.
    """
    if not happenings:
        return titles[0] if titles else "untitled story"
    involvement: Counter[str] = Counter()
    for h in happenings:
        for actor in (h.source, h.target):
            if actor is not None and actor.country:
                involvement[actor.country] += h.mentions
    actors = [name_of(code) or code for code, _ in involvement.most_common(3)]
    top = max(happenings, key=lambda h: (h.target is not None, h.mentions, len(h.origins),
                                         h.modality == "asserted", h.id))
    return f"{', '.join(actors)}: {describe(top)}" if actors else describe(top)
