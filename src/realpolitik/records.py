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

    id: str = Field(description="Hash of the outlet and the whitespace-normalised body: "
                    "the same article is stored once.")
    path: str | None = Field(None, description="The file it was read from, if any.")
    url: str | None = Field(None, description="Its http(s) URL; any other scheme is dropped.")
    outlet: str | None = Field(None, description="The outlet that published it.")
    title: str | None = Field(None, description="Headline.")
    summary: str | None = Field(None, description="Standfirst or feed summary.")
    published: dt.date | None = Field(None, description="Publication date.")
    dateline: list[str] = Field(default_factory=list, description="Places in the dateline.")
    cites: list[str] = Field(default_factory=list, description=(
        "The reports it retells, normalised through the media gazetteer (\"WSJ\" becomes "
        "\"The Wall Street Journal\")."))
    language: str = Field("en", description="ISO 639-1 language code.")
    text: str = Field(description="The body without header lines, boilerplate, trailer, "
                      "title, summary or dateline prefix.")
    # Filled by the stories stage (None/empty until the article is grouped):
    story_id: str | None = Field(None, description="Its story; null until grouped.")
    duplicate_of: str | None = Field(None, description=(
        "The earliest near-identical copy (syndication), if any."))
    origins: list[str] = Field(default_factory=list, description=(
        "The independent original reports behind the article."))

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

    country: str | None = Field(None, description=(
        "ISO 3166 alpha-3 code, or an IGO/NGO code (UNO, NATO, EU, ...); null when unknown."))
    sector: str | None = Field(None, description=(
        "Sector code (GOV, MIL, COP, REB, CRM, MED, OPP, BUS, CVL, ...); null when unknown."))
    name: str = Field(description="Canonical actor name after resolution.")
    text: str = Field(description="The actor as written in the article.")

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

    id: str = Field(description=(
        "Deterministic event id (hash of article, position, trigger, actors, type)."))
    article_id: str = Field(description="Id of the article the event was coded from.")
    source: ActorRef = Field(description="Actor doing the action (see actor fields below).")
    target: ActorRef | None = Field(None, description=(
        "Actor the action is directed at; null when the event has no target."))
    type: str = Field(description=(
        "PLOVER event type, one of the 16 PLOVER categories (e.g. ACCUSE, ASSAULT)."))
    quad_class: str = Field(description=(
        "PLOVER quad class: verbal/material cooperation/conflict."))
    cameo_root: str = Field(description=(
        "Nearest CAMEO root code (two digits) for crosswalks to older data."))
    negated: bool = Field(False, description=(
        "True when the text says the event did not happen (\"did not threaten\")."))
    modality: Modality = Field("asserted", description=(
        "Asserted, planned, hypothetical, or past background (\"in recent years ...\")."))
    attributed_to: list[str] = Field(default_factory=list, description=(
        "Who the article says reported the event (agencies, officials)."))
    date: dt.date | None = Field(None, description=(
        "Date of the event: an explicit date in the sentence (\"on Tuesday\" is resolved "
        "against the publication date), else the article's."))
    sentence: str = Field(description=(
        "The sentence the event was coded from, as written (never translated)."))
    section: Section = Field("body", description=(
        "Where the sentence is: title, summary or body."))
    start: int = Field(description=(
        "Character offset where the sentence starts within that section of the article."))
    end: int = Field(description=(
        "Character offset where the sentence ends within that section of the article."))
    trigger: str = Field("", description="The words that triggered the event.")
    confidence: float = Field(0.5, description="Coder confidence between 0 and 1.")
    rule: str = Field(description=(
        "The rules that produced the event, joined with `+` (trigger, polarity, modality, "
        "source and target resolution)."))
    language: str = Field("en", description=(
        "ISO 639-1 code of that sentence's language (en, es, fr, pt, de, ru, ar)."))
    # Filled by the stories stage: the happening this mention belongs to, and its totals.
    story_id: str | None = Field(None, description=(
        "The story of the event's article; null until grouped."))
    happening_id: str | None = Field(None, description=(
        "The happening (event in the world) this mention was merged into; null until "
        "grouped."))
    mentions: int = Field(1, description=(
        "How many mentions (article sentences) its happening has."))
    outlets: list[str] = Field(default_factory=list, description=(
        "The outlets that reported its happening."))
    origins: list[str] = Field(default_factory=list, description=(
        "The independent original reports behind its happening (two outlets retelling one "
        "report are one origin)."))


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

    id: str = Field(description="Happening id (derived from its story's id).")
    story_id: str = Field(description="The story it belongs to.")
    source: ActorRef = Field(description="Actor doing the action.")
    target: ActorRef | None = Field(None, description=(
        "Actor the action is directed at; null when there is none."))
    type: str = Field(description="PLOVER event type.")
    quad_class: str = Field(description="PLOVER quad class.")
    cameo_root: str = Field(description="Nearest CAMEO root code.")
    negated: bool = Field(description="True when the reports say it did not happen.")
    modality: Modality = Field(description="As for event mentions.")
    date: dt.date | None = Field(None, description="Date of its earliest mention.")
    last_date: dt.date | None = Field(None, description="Date of its latest mention.")
    mentions: int = Field(description="How many article sentences report it.")
    outlets: list[str] = Field(description="The outlets that reported it.")
    origins: list[str] = Field(description="The independent original reports behind it.")
    event_ids: list[str] = Field(description="Its mentions' event ids.")
    sentence: str = Field(description="The sentence of its first mention.")


class ScoredGroup(Record):
    """Happenings of one dyad cell that scoring cannot tell apart (same type, negation
    and modality), counted: ``relations.scoring`` scores the group once."""

    type: str
    negated: bool
    modality: Modality
    happenings: int


class DyadCell(Record):
    """The happenings of one (source, target, period start) cell, counted (in SQL by the
    store, or in Python from records): what a dyad series point is scored from."""

    source: str
    target: str
    start: dt.date
    groups: list[ScoredGroup]  # in order of first appearance (happenings by date, id)
    origins: int  # distinct independent origins behind the cell's happenings
    evidence: list[str]  # happening ids, by date, id
