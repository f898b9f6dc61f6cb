"""Stories stage: near-duplicates, story grouping, source chains, happenings, coverage.

Pure functions and small classes over records; ``stories.assembly.update_stories``
runs them against the store after new articles are coded.
"""

from realpolitik.stories.coverage import Coverage, compare, find_conflicts
from realpolitik.stories.embed import Embedder
from realpolitik.stories.features import ArticleProfile, embedding_text, signature
from realpolitik.stories.grouping import Grouping, StoryGrouper, StorySettings, bcubed
from realpolitik.stories.happenings import article_origins, build_happenings
from realpolitik.stories.label import story_label

__all__ = [
    "ArticleProfile",
    "Coverage",
    "Embedder",
    "Grouping",
    "StoryGrouper",
    "StorySettings",
    "article_origins",
    "bcubed",
    "build_happenings",
    "compare",
    "embedding_text",
    "find_conflicts",
    "signature",
    "story_label",
]
