"""Actor stage: gazetteer data, loader, and the spaCy-based actor matcher."""

from realpolitik.actors.gazetteer import Gazetteer, GazetteerError, Incumbent
from realpolitik.actors.matcher import ActorMatcher, ActorSpan

__all__ = ["ActorMatcher", "ActorSpan", "Gazetteer", "GazetteerError", "Incumbent"]
