"""Pydantic models for the gazetteer data files in ``actors/data/``.

Every YAML file is validated through these models when the gazetteer loads, so a
typo in the data fails loudly (naming the file and the entry) instead of silently
producing a wrong actor code at coding time.

File layouts (all top-level keys are lists of entries):

* ``countries.yaml`` -> ``countries: [Country]``
* ``leaders.yaml`` -> ``leaders: [Leader]``
* ``organisations.yaml`` -> ``organisations: [Organisation]``
* ``sectors.yaml`` -> ``codes: {SECTOR: description}``, ``words: [SectorWord]``
* ``groups.yaml`` -> ``groups: [Group]``
* ``media.yaml`` -> ``outlets: [Outlet]``

Surface forms (names, aliases, demonyms, capitals) are matched with their exact
capitalisation (plus an ALL-CAPS variant for headlines); sector words are matched
case-insensitively.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: CAMEO/PLOVER-style sector (agent) codes used by this project.
Sector = Literal[
    "GOV",  # government, executive, ruling administration
    "MIL",  # armed forces, defence ministry
    "COP",  # police, internal security forces
    "SPY",  # intelligence services
    "JUD",  # courts, judges, prosecutors
    "LEG",  # parliament, legislators
    "REB",  # rebels, insurgents, militants, armed non-state groups
    "CRM",  # criminal organisations, cartels, gangs
    "OPP",  # political opposition
    "PTY",  # political parties (not the ruling executive)
    "MED",  # media
    "BUS",  # business, companies, markets
    "CVL",  # civilians, residents, protesters
    "LAB",  # labour, unions, workers
    "EDU",  # students, universities
    "REF",  # refugees, migrants, displaced people
    "HRI",  # human-rights organisations and activists
    "HLH",  # health workers and hospitals
    "NGO",  # aid agencies and non-governmental organisations
    "REL",  # religious bodies and clergy
    "UAF",  # unidentified armed attackers (gunmen)
]

Role = Literal[
    "head_of_state",
    "head_of_government",
    "foreign_minister",
    "defence_minister",
    "vice_president",
    "senior_official",
    "igo_head",
]

CountryKind = Literal["state", "observer", "territory", "disputed"]


class Model(BaseModel):
    """Strict base: unknown keys in the data are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Seat(Model):
    """A place or building used as a metonym for a government body ("the Kremlin")."""

    text: str
    sector: Sector = "GOV"


class Country(Model):
    """A state or commonly reported territory.

    ``ambiguous`` lists surface forms (from aliases/capitals) that are also common
    person or place names ("Jordan", "Chad", "Washington"); the matcher accepts
    them only when they are not glued to another capitalised word.
    """

    code: str = Field(pattern=r"^[A-Z]{3}$")
    name: str
    kind: CountryKind = "state"
    aliases: list[str] = Field(default_factory=list)
    demonyms: list[str] = Field(default_factory=list)
    capitals: list[str] = Field(default_factory=list)
    seats: list[Seat] = Field(default_factory=list)
    ambiguous: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ambiguous_are_known(self) -> Country:
        known = {self.name, *self.aliases, *self.capitals, *self.demonyms}
        known |= {s.text for s in self.seats}
        missing = [a for a in self.ambiguous if a not in known]
        if missing:
            raise ValueError(f"ambiguous forms not listed elsewhere in the entry: {missing}")
        return self


class Term(Model):
    """One stint in one role; ``end`` is None while the holder is in office."""

    role: Role
    country: str
    start: dt.date
    end: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Term:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"term ends ({self.end}) before it starts ({self.start})")
        return self

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


class Leader(Model):
    """A person holding (or recently holding) a top office.

    ``aliases`` are extra surface forms (surname alone only when it is unambiguous);
    a surname counts only if one office holder carries it on the article date.
    """

    name: str
    aliases: list[str] = Field(default_factory=list)
    terms: list[Term] = Field(min_length=1)


class Organisation(Model):
    """An international organisation whose code is used as ``ActorRef.country``."""

    code: str = Field(pattern=r"^[A-Z0-9]{2,7}$")
    name: str
    kind: Literal["igo", "ngo"] = "igo"
    aliases: list[str] = Field(default_factory=list)
    seats: list[Seat] = Field(default_factory=list)


class SectorWord(Model):
    """A common noun (or title) that names a sector.

    ``weak`` words (officials, spokesman) only set the sector when nothing more
    specific is present ("Pentagon officials" stays MIL). ``sector: null`` marks
    neutral head nouns (personnel, sources) that extend a mention without
    changing its sector.
    """

    text: str
    sector: Sector | None
    weak: bool = False


class SectorsFile(Model):
    codes: dict[Sector, str]
    words: list[SectorWord]


class Group(Model):
    """A named non-state or sub-state group, body or (non-leader) person."""

    name: str
    aliases: list[str] = Field(default_factory=list)
    country: str | None
    sector: Sector | None
    kind: Literal["group", "party", "movement", "body", "person"] = "group"


class Outlet(Model):
    """A news outlet; ``anaphoric_aliases`` ("the Journal") only count after the
    full name has appeared in the same document."""

    name: str
    aliases: list[str] = Field(default_factory=list)
    anaphoric_aliases: list[str] = Field(default_factory=list)
    country: str | None


class CountriesFile(Model):
    countries: list[Country]
    #: non-actor place names containing a country form ("Latin America"): block-only
    regions: list[str] = Field(default_factory=list)


class LeadersFile(Model):
    leaders: list[Leader]


class OrganisationsFile(Model):
    organisations: list[Organisation]


class GroupsFile(Model):
    groups: list[Group]


class MediaFile(Model):
    outlets: list[Outlet]


#: file name -> (top-level model, key holding the entry list or None)
FILES: dict[str, tuple[type[Model], str | None]] = {
    "countries.yaml": (CountriesFile, "countries"),
    "leaders.yaml": (LeadersFile, "leaders"),
    "organisations.yaml": (OrganisationsFile, "organisations"),
    "sectors.yaml": (SectorsFile, "words"),
    "groups.yaml": (GroupsFile, "groups"),
    "media.yaml": (MediaFile, "outlets"),
}


# ------------------------------------------------------------ per-language names
class Inflection(Model):
    """How declined or cliticised forms are matched in one language.

    ``prefixes``: clitics glued to the front of a word (Arabic و ب ل, French l'),
    stripped once before matching. ``max_suffix``: letters a declined form may add
    after the stem (a final vowel of the listed form is dropped first: Россия →
    России, Россией; Irans, Russlands).
    """

    prefixes: list[str] = Field(default_factory=list)
    max_suffix: int = Field(default=0, ge=0, le=4)


class LocalCountry(Model):
    """Names of one country in one language (CLDR supplies the short name)."""

    code: str = Field(pattern=r"^[A-Z]{3}$")
    aliases: list[str] = Field(default_factory=list)
    demonyms: list[str] = Field(default_factory=list)
    capitals: list[str] = Field(default_factory=list)
    seats: list[Seat] = Field(default_factory=list)


class LocalOrganisation(Model):
    """Names of an organisation (code from organisations.yaml) in one language."""

    code: str = Field(pattern=r"^[A-Z0-9]{2,7}$")
    aliases: list[str] = Field(min_length=1)


class LocalLeader(Model):
    """How a leader of leaders.yaml (by English ``name``) is written in one language."""

    name: str
    aliases: list[str] = Field(min_length=1)


class LanguageFile(Model):
    """``actors/data/languages/<lang>.yaml``: one language's actor names."""

    lang: str = Field(pattern=r"^[a-z]{2}$")
    inflection: Inflection = Field(default_factory=Inflection)
    countries: list[LocalCountry] = Field(default_factory=list)
    organisations: list[LocalOrganisation] = Field(default_factory=list)
    leaders: list[LocalLeader] = Field(default_factory=list)
    sectors: list[SectorWord] = Field(default_factory=list)
