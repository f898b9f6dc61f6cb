"""The typed records that flow between pipeline stages.

Every stage takes and returns these; nothing else crosses a stage boundary.
They are defined once here so the store, the CLI exports and the API agree on
one shape (the export schema in the README is generated from these models).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

Modality = Literal["asserted", "planned", "hypothetical", "past_background"]
Section = Literal["title", "summary", "body"]

PLOVER_TYPES: tuple[str, ...] = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
)


class Record(BaseModel):
    """Base for all records: strict about unknown fields, cheap to copy."""

    model_config = ConfigDict(extra="forbid")


def content_id(text: str, outlet: str | None = None) -> str:
    """Stable article id: a hash of the normalised body text and the outlet.

    Whitespace differences do not change the id, so the same article saved twice with
    different line wrapping is stored once; the same agency text republished by another
    outlet is a separate article (a syndicated copy the stories stage links to it).
    """
    normal = " ".join(text.split())
    if outlet:
        normal = f"{' '.join(outlet.lower().split())}\n{normal}"
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:16]


def http_url(value: str) -> str | None:
    """``value`` (trimmed) if it is an absolute http(s) URL, else None.

    Anything else (``javascript:``, ``data:``, relative paths, or a URL with spaces or
    control characters, which browsers drop before reading the scheme) is refused, so no
    stored URL can run script when it becomes a link.
    """
    url = value.strip()
    if not url or any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


class Article(Record):
    """One news article, its body text cleaned of boilerplate, with metadata."""

    id: str
    path: str | None = None
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    summary: str | None = None
    published: dt.date | None = None
    dateline: list[str] = Field(default_factory=list)
    cites: list[str] = Field(default_factory=list)
    language: str = "en"
    text: str
    # Filled by the stories stage (None/empty until the article is grouped):
    story_id: str | None = None
    duplicate_of: str | None = None  # earliest near-identical copy (syndication)
    origins: list[str] = Field(default_factory=list)  # original reports behind the article

    @field_validator("url", mode="before")
    @classmethod
    def _http_url_only(cls, value: object) -> object:
        """Keep only http(s) URLs, whether from a feed, a JSONL record, the API or the DB."""
        return http_url(value) if isinstance(value, str) else value

    def section_text(self, section: Section) -> str:
        if section == "title":
            return self.title or ""
        if section == "summary":
            return self.summary or ""
        return self.text


class IngestProblem(Record):
    """A file (or record inside a file) that could not be ingested, and why."""

    path: str
    problem: str


class ActorRef(Record):
    """An actor as coded in an event: who, by country (ISO3 or IGO code) and sector."""

    country: str | None = None
    sector: str | None = None
    name: str
    text: str

    def key(self) -> tuple[str | None, str | None]:
        return (self.country, self.sector)


class ActorMention(Record):
    """A span of article text that names an actor (after resolution): an *actor mention*.

    Not to be confused with an *event mention*, which is an ``Event`` (one article
    sentence telling a ``Happening``)."""

    actor: ActorRef
    section: Section = "body"
    start: int
    end: int
    rule: str = "gazetteer"


class Event(Record):
    """One coded PLOVER event as one article sentence tells it (an *event mention*):
    source did type to target, with its evidence."""

    id: str
    article_id: str
    source: ActorRef
    target: ActorRef | None = None
    type: str
    quad_class: str
    cameo_root: str
    negated: bool = False
    modality: Modality = "asserted"
    attributed_to: list[str] = Field(default_factory=list)
    date: dt.date | None = None
    sentence: str
    section: Section = "body"
    start: int
    end: int
    trigger: str = ""
    confidence: float = 0.5
    rule: str
    language: str = "en"  # ISO 639-1 code of the sentence the event was coded from
    # Filled by the stories stage: the happening this mention belongs to, and its totals.
    story_id: str | None = None
    happening_id: str | None = None
    mentions: int = 1
    outlets: list[str] = Field(default_factory=list)
    origins: list[str] = Field(default_factory=list)


def event_id(article_id: str, section: str, start: int, trigger: str, source: ActorRef,
             target: ActorRef | None, type_: str) -> str:
    """Deterministic event id, so re-coding the same article yields the same ids."""
    parts = [article_id, section, str(start), trigger, type_, source.country or "",
             source.sector or "", source.name,
             (target.country or "") if target else "", (target.name if target else "")]
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:16]


def confident(events: list[Event], min_confidence: float) -> list[Event]:
    """The events at least ``min_confidence`` sure (every `--min-confidence` filters here)."""
    return [e for e in events if e.confidence >= min_confidence]


class CodedArticle(Record):
    """An article with everything the pipeline found in it."""

    article: Article
    mentions: list[ActorMention] = Field(default_factory=list)  # actor mentions
    events: list[Event] = Field(default_factory=list)


class Story(Record):
    """Articles from any outlets about one happening in the world."""

    id: str
    label: str
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    article_count: int
    articles: list[str]
    outlets: list[str]
    origins: list[str]


class Happening(Record):
    """One event in the world, however many articles and sentences report it.

    Event records are its mentions (one per article sentence); ``origins`` counts the
    independent original sources behind them (two outlets retelling one report = 1).
    """

    id: str
    story_id: str
    source: ActorRef
    target: ActorRef | None = None
    type: str
    quad_class: str
    cameo_root: str
    negated: bool
    modality: Modality
    date: dt.date | None = None
    last_date: dt.date | None = None
    mentions: int
    outlets: list[str]
    origins: list[str]
    event_ids: list[str]
    sentence: str
