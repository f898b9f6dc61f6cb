"""Loading and querying the actor gazetteer (the YAML files in ``actors/data``).

The gazetteer is plain data plus indexes; the spaCy matcher is built from it in
``matcher.py``. Loading validates every file so a bad entry fails at start-up
with the file and entry named, not as a wrong code deep inside a run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from realpolitik.actors.schema import (
    FILES,
    CountriesFile,
    Country,
    Group,
    GroupsFile,
    Leader,
    LeadersFile,
    MediaFile,
    Model,
    Organisation,
    OrganisationsFile,
    Outlet,
    SectorsFile,
    SectorWord,
    Term,
)
from realpolitik.datafiles import load_yaml

DATA_DIR = Path(__file__).parent / "data"


class GazetteerError(ValueError):
    """A data file is missing, malformed or inconsistent (message names file and entry)."""


@dataclass(frozen=True)
class Incumbent:
    """A leader together with the term that makes them relevant on a date."""

    leader: Leader
    term: Term


def _entry_label(raw: Any, key: str | None, loc: tuple[Any, ...]) -> str:
    """Describe the entry a pydantic error points at: '#12 (Venezuela)'."""
    if key is None or len(loc) < 2 or loc[0] != key or not isinstance(loc[1], int):
        return "top level"
    idx = loc[1]
    try:
        item = raw[key][idx]
    except (KeyError, IndexError, TypeError):
        return f"#{idx}"
    if not isinstance(item, dict):
        return f"#{idx}"
    name = item.get("name") or item.get("text") or item.get("code")
    return f"#{idx} ({name})" if name else f"#{idx}"


def _load_file(path: Path, model: type[Model], key: str | None) -> Any:
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise GazetteerError(f"{path.name}: file not found in {path.parent}") from exc
    except yaml.YAMLError as exc:
        raise GazetteerError(f"{path.name}: invalid YAML: {exc}") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        where = _entry_label(raw, key, loc)
        field_path = ".".join(str(p) for p in loc[2:]) or ".".join(str(p) for p in loc)
        raise GazetteerError(
            f"{path.name}: entry {where}: {field_path}: {first['msg']}"
            + (f" (and {exc.error_count() - 1} more errors)" if exc.error_count() > 1 else "")
        ) from exc


def _norm(text: str) -> str:
    """Case- and article-insensitive key for outlet lookup."""
    words = text.strip().split()
    if words and words[0].lower() == "the":
        words = words[1:]
    return " ".join(words).casefold()


@dataclass
class Gazetteer:
    """All actor reference data, validated and indexed."""

    countries: list[Country]
    regions: list[str]
    leaders: list[Leader]
    organisations: list[Organisation]
    sector_codes: dict[str, str]
    sector_words: list[SectorWord]
    groups: list[Group]
    outlets: list[Outlet]
    _by_code: dict[str, Country] = field(default_factory=dict, repr=False)
    _orgs: dict[str, Organisation] = field(default_factory=dict, repr=False)
    _outlet_names: dict[str, str] = field(default_factory=dict, repr=False)
    _outlet_anaphoric: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Gazetteer:
        """Read and validate every data file (default: the packaged ``actors/data``)."""
        base = Path(data_dir) if data_dir is not None else DATA_DIR
        parsed = {name: _load_file(base / name, model, key) for name, (model, key) in FILES.items()}
        countries: CountriesFile = parsed["countries.yaml"]
        leaders: LeadersFile = parsed["leaders.yaml"]
        orgs: OrganisationsFile = parsed["organisations.yaml"]
        sectors: SectorsFile = parsed["sectors.yaml"]
        groups: GroupsFile = parsed["groups.yaml"]
        media: MediaFile = parsed["media.yaml"]
        gaz = cls(
            countries=list(countries.countries),
            regions=list(countries.regions),
            leaders=list(leaders.leaders),
            organisations=list(orgs.organisations),
            sector_codes=dict(sectors.codes),
            sector_words=list(sectors.words),
            groups=list(groups.groups),
            outlets=list(media.outlets),
        )
        gaz._index()
        return gaz

    def _index(self) -> None:
        """Build lookup tables and check cross-file consistency."""
        for c in self.countries:
            if c.code in self._by_code:
                raise GazetteerError(f"countries.yaml: entry ({c.name}): duplicate code {c.code}")
            self._by_code[c.code] = c
        for o in self.organisations:
            if o.code in self._orgs or o.code in self._by_code:
                raise GazetteerError(
                    f"organisations.yaml: entry ({o.name}): code {o.code} is already used"
                )
            self._orgs[o.code] = o
        known = self._by_code.keys() | self._orgs.keys()
        for person in self.leaders:
            for t in person.terms:
                if t.country not in known:
                    raise GazetteerError(
                        f"leaders.yaml: entry ({person.name}): unknown country code {t.country}"
                    )
        for g in self.groups:
            if g.country is not None and g.country not in known:
                raise GazetteerError(
                    f"groups.yaml: entry ({g.name}): unknown country code {g.country}"
                )
        for o in self.outlets:
            if o.country is not None and o.country not in known:
                raise GazetteerError(
                    f"media.yaml: entry ({o.name}): unknown country code {o.country}"
                )
            for form in (o.name, *o.aliases):
                self._outlet_names.setdefault(_norm(form), o.name)
            for form in o.anaphoric_aliases:
                self._outlet_anaphoric.setdefault(_norm(form), o.name)
        for w in self.sector_words:
            if w.sector is not None and w.sector not in self.sector_codes:
                raise GazetteerError(
                    f"sectors.yaml: entry ({w.text}): sector {w.sector} missing from codes"
                )

    # -- lookups -----------------------------------------------------------------

    def country(self, code: str) -> Country | None:
        """The country (or territory) with this ISO3 code, or None."""
        return self._by_code.get(code)

    def organisation(self, code: str) -> Organisation | None:
        """The international organisation with this code, or None."""
        return self._orgs.get(code)

    def is_igo(self, code: str | None) -> bool:
        """True for international-organisation codes (UNO, EU, NATO, ICRC...)."""
        return code is not None and code in self._orgs

    def igo_codes(self) -> frozenset[str]:
        """Codes of every international organisation."""
        return frozenset(self._orgs)

    def country_name(self, code: str | None) -> str | None:
        """Readable name for a country or IGO code (None if unknown)."""
        if code is None:
            return None
        if code in self._by_code:
            return self._by_code[code].name
        if code in self._orgs:
            return self._orgs[code].name
        return None

    def leaders_on(self, day: dt.date | None = None) -> list[Incumbent]:
        """Everyone in office on ``day`` (None: everyone whose term is still open)."""
        out: list[Incumbent] = []
        for person in self.leaders:
            for t in person.terms:
                if (t.end is None) if day is None else t.covers(day):
                    out.append(Incumbent(person, t))
        return out

    def outlet(self, name: str, allow_anaphoric: bool = False) -> str | None:
        """Canonical outlet name for any of its spellings ("WSJ" -> "The Wall Street Journal").

        Anaphoric short forms ("the Journal") resolve only with ``allow_anaphoric``,
        because on their own they do not identify an outlet.
        """
        key = _norm(name)
        found = self._outlet_names.get(key)
        if found is None and allow_anaphoric:
            found = self._outlet_anaphoric.get(key)
        return found

    def outlet_record(self, canonical: str) -> Outlet | None:
        return next((o for o in self.outlets if o.name == canonical), None)

    def codes(self) -> Iterable[str]:
        """All actor codes: ISO3 countries then IGO codes."""
        yield from self._by_code
        yield from self._orgs
