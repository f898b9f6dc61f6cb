"""Load and validate the event lexicon and the PLOVER type table (data files, not code)."""

from __future__ import annotations

from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from realpolitik.datafiles import load_yaml
from realpolitik.records import PLOVER_TYPES, Modality

QUAD_CLASSES = ("verbal_cooperation", "material_cooperation", "verbal_conflict",
                "material_conflict")
Column = Literal["supporting", "withdrawing", "pressuring"]
COLUMNS: tuple[Column, ...] = ("supporting", "withdrawing", "pressuring")
MODALITIES: tuple[Modality, ...] = ("asserted", "planned", "hypothetical", "past_background")


class LexiconError(ValueError):
    """A data file broke its schema; the message names the file and the entry."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PloverType(_Strict):
    quad_class: str
    cameo_root: list[str]
    intensity: float
    cooperative: bool
    column: Column
    negated_column: Column | None
    definition: str

    @field_validator("quad_class")
    @classmethod
    def _known_quad(cls, value: str) -> str:
        if value not in QUAD_CLASSES:
            raise ValueError(f"unknown quad class {value!r}")
        return value

    @field_validator("intensity")
    @classmethod
    def _scale(cls, value: float) -> float:
        if not -10 <= value <= 10:
            raise ValueError("intensity must lie in -10..10")
        return value


class ModalityWeight(_Strict):
    """How much a reading of one modality counts (see relations.scoring)."""

    weight: float
    claim: bool  # a claim about the present, compared when outlets disagree

    @field_validator("weight")
    @classmethod
    def _unit(cls, value: float) -> float:
        if not 0 < value <= 1:
            raise ValueError("weight must lie in (0, 1]")
        return value


class ColumnSign(_Strict):
    """The sign (and scale) of one report column in the dyad score."""

    sign: float

    @field_validator("sign")
    @classmethod
    def _scale(cls, value: float) -> float:
        if not -1 <= value <= 1:
            raise ValueError("sign must lie in -1..1")
        return value


class PloverTable(_Strict):
    types: dict[str, PloverType]
    modalities: dict[Modality, ModalityWeight]
    columns: dict[Column, ColumnSign]

    @field_validator("types")
    @classmethod
    def _all_sixteen(cls, value: dict[str, PloverType]) -> dict[str, PloverType]:
        if set(value) != set(PLOVER_TYPES):
            raise ValueError(f"expected exactly the 16 PLOVER types, got {sorted(value)}")
        return value

    @field_validator("modalities")
    @classmethod
    def _every_modality(cls, value: dict[str, ModalityWeight]) -> dict[str, ModalityWeight]:
        if set(value) != set(MODALITIES):
            raise ValueError(f"expected a weight for each of {list(MODALITIES)}, got "
                             f"{sorted(value)}")
        return value

    @field_validator("columns")
    @classmethod
    def _every_column(cls, value: dict[str, ColumnSign]) -> dict[str, ColumnSign]:
        if set(value) != set(COLUMNS):
            raise ValueError(f"expected a sign for each of {list(COLUMNS)}, got {sorted(value)}")
        return value


def known_types(values: list[str]) -> list[str]:
    """The values, if all are PLOVER types (a schema check)."""
    unknown = set(values) - set(PLOVER_TYPES)
    if unknown:
        raise ValueError(f"unknown PLOVER types {sorted(unknown)}")
    return values


def known_type(value: str | None) -> str | None:
    """The value, if it is a PLOVER type or None (a schema check)."""
    if value is not None and value not in PLOVER_TYPES:
        raise ValueError(f"unknown PLOVER type {value!r}")
    return value


def _check_words(words: list[str]) -> list[str]:
    for word in words:
        if not word or word != word.strip() or "_" in word or word.lower() != word:
            raise ValueError(f"bad lexicon entry {word!r}: lower-case words separated by spaces")
    return words


def _typed(value: dict[str, list[str]]) -> dict[str, list[str]]:
    unknown = set(value) - set(PLOVER_TYPES)
    if unknown:
        raise ValueError(f"unknown PLOVER types {sorted(unknown)}")
    for words in value.values():
        _check_words(words)
    return value


class Phrase(_Strict):
    pattern: str
    type: str
    negated: bool = False

    _v_type = field_validator("type")(classmethod(lambda cls, v: known_type(v)))


class LightVerbs(_Strict):
    do: list[str]
    promise: list[str]
    lose: list[str]
    reduce: list[str]


class Polarity(_Strict):
    refusal_governors: list[str]
    refusal_adjectives: list[str]
    refusal_phrases: list[str]
    negators: list[str]
    cessation_adverbs: list[str]


class ModalityWords(_Strict):
    hypothetical_governors: list[str]
    planned_adjectives: list[str]
    planned_governors: list[str]
    hypothetical_auxiliaries: list[str]
    obligation_auxiliaries: list[str]
    planned_auxiliaries: list[str]
    conditional_markers: list[str]
    hypothetical_modifiers: list[str]
    background_markers: list[str]


class AttributionWords(_Strict):
    reporting_verbs: list[str]
    according_to: list[str]
    anaphors: list[str]
    data_nouns: list[str]


class RoleWords(_Strict):
    object_control: list[str]
    tough_adjectives: list[str]
    ally_nouns: list[str]
    communication_verbs: list[str]
    location_types: list[str]
    location_preps: list[str]
    domestic_sectors: list[str]
    state_sectors: list[str]
    recipient_verbs: list[str]
    dissent_types: list[str]
    symmetric_types: list[str]
    object_preps: list[str]
    joint_verbs: list[str]
    domestic_target_types: list[str]
    occasion_markers: list[str]
    passive_state_types: list[str]
    weak_target_rules: list[str]
    first_person_pronouns: list[str]
    allegiance_words: list[str]

    _v_types = field_validator("location_types", "symmetric_types", "dissent_types",
                               "domestic_target_types", "passive_state_types")(
        classmethod(lambda cls, v: known_types(v)))


class TypeRule(_Strict):
    """A PLOVER convention applied to a finished reading (see type_rules in lexicon.yaml)."""

    name: str
    types: list[str]
    becomes: str
    verb_type: str | None = None
    lemma: str | None = None
    sources: Literal["state"] | None = None
    nouns: list[str] = []
    target: Literal["location"] | None = None
    modality: Modality | None = None
    negated: bool | None = None

    _v_types = field_validator("types")(classmethod(lambda cls, v: known_types(v)))
    _v_type = field_validator("becomes", "verb_type")(classmethod(lambda cls, v: known_type(v)))

    @property
    def reads_parse(self) -> bool:
        """Whether the rule has a condition on the parse (verb, lemma, noun, sources,
        target), not only on the act's type, modality and negation."""
        return bool(self.verb_type or self.lemma or self.sources or self.nouns or self.target)

    def fits_act(self, type_: str, modality: str, negated: bool) -> bool:
        """The rule's conditions on the act itself: its type, modality and negation."""
        return (type_ in self.types
                and (self.modality is None or self.modality == modality)
                and (self.negated is None or self.negated == negated))


class Lexicon(_Strict):
    """The event lexicon; see the comments at the top of lexicon.yaml for each part."""

    verbs: dict[str, list[str]]
    nouns: dict[str, list[str]]
    light_verbs: LightVerbs
    reduction_nouns: dict[str, list[str]]
    noun_modifiers: dict[str, list[str]]
    phrases: list[Phrase]
    polarity: Polarity
    modality: ModalityWords
    attribution: AttributionWords
    target_preps: list[str]
    roles: RoleWords
    type_rules: list[TypeRule]

    _v_verbs = field_validator("verbs")(classmethod(lambda cls, v: _typed(v)))
    _v_nouns = field_validator("nouns")(classmethod(lambda cls, v: _typed(v)))
    _v_mods = field_validator("noun_modifiers")(classmethod(lambda cls, v: _typed(v)))
    _v_reduce = field_validator("reduction_nouns")(classmethod(lambda cls, v: _typed(v)))

    def reported_type(self, type_: str, modality: str, negated: bool) -> str:
        """The PLOVER type under which an annotated act is reported: the first type rule
        that depends on nothing but the act's type, modality and negation ("will send
        aid" is AID annotated as planned, reported as AGREE). The coder applies the same
        rules to its readings, so our annotated corpus is scored in the coder's terms."""
        for rule in self.type_rules:
            if not rule.reads_parse and rule.fits_act(type_, modality, negated):
                return rule.becomes
        return type_

    @cached_property
    def reduction_types(self) -> dict[str, str]:
        return {w: t for t, words in self.reduction_nouns.items() for w in words}

    @cached_property
    def verb_types(self) -> dict[str, str]:
        """Verb lemma (or 'verb particle') -> PLOVER type; the first listing wins."""
        table: dict[str, str] = {}
        for type_, words in self.verbs.items():
            for word in words:
                table.setdefault(word, type_)
        return table

    @cached_property
    def noun_types(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for type_, words in self.nouns.items():
            for word in words:
                table.setdefault(word, type_)
        return table

    @cached_property
    def modifier_types(self) -> dict[str, str]:
        return {w: t for t, words in self.noun_modifiers.items() for w in words}

    @cached_property
    def trigger_words(self) -> frozenset[str]:
        """Lower-case word forms (first word of each entry) that can signal an event.

        Used by the pre-parse filter; inflections are covered by matching on a crude
        stem (see realpolitik.nlp.prefilter), so this holds base forms only.
        """
        words: set[str] = set()
        for group in (self.verbs, self.nouns):
            for entries in group.values():
                words.update(entry.split()[0] for entry in entries)
        lvs = self.light_verbs
        for lv in (lvs.do, lvs.promise, lvs.lose, lvs.reduce):
            words.update(entry.split()[0] for entry in lv)
        words.update(p.pattern.split()[0] for p in self.phrases)
        words.update(w.split()[0] for w in self.polarity.refusal_governors)
        return frozenset(words)


def _read_yaml(name: str, data_dir: Path | None) -> tuple[dict, str]:
    if data_dir is not None:
        path = data_dir / name
        return load_yaml(path.read_text(encoding="utf-8")), str(path)
    ref = resources.files("realpolitik.events").joinpath("data", name)
    return load_yaml(ref.read_text(encoding="utf-8")), f"realpolitik/events/data/{name}"


def load_lexicon(data_dir: Path | None = None) -> Lexicon:
    raw, where = _read_yaml("lexicon.yaml", data_dir)
    try:
        return Lexicon.model_validate(raw)
    except ValidationError as exc:
        raise LexiconError(f"{where}: {exc}") from exc


def load_plover(data_dir: Path | None = None) -> PloverTable:
    raw, where = _read_yaml("plover.yaml", data_dir)
    try:
        return PloverTable.model_validate(raw)
    except ValidationError as exc:
        raise LexiconError(f"{where}: {exc}") from exc
