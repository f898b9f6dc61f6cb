"""Actor names in the languages the multilingual coder reads, and a matcher over them.

Country short names come from CLDR through ``babel`` (``Locale(lang).territories``, no
download); ``actors/data/languages/<lang>.yaml`` adds other names, demonyms, capitals and
seats as metonyms, organisation and leader names and sector words. Every form resolves
to the same ``ActorRef`` codes and canonical English name as the English gazetteer gives.
Matching is case-insensitive over ``spacy.blank(lang)`` tokens, with the language's
inflection rule (clitic prefixes, declension suffixes).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from realpolitik.actors.gazetteer import DATA_DIR, Gazetteer, GazetteerError
from realpolitik.actors.schema import Inflection, LanguageFile, Leader
from realpolitik.datafiles import load_yaml
from realpolitik.records import ActorRef

LANGUAGE_DIR = DATA_DIR / "languages"
_FINAL_VOWELS = "aeiouyаяоеиыйьуюэё"
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي"})
_JOINERS = frozenset({"de", "del", "la", "el", "les", "des", "du", "da", "do", "der", "die",
                      "den", "d'", "l'", "of"})


def normalise(word: str) -> str:
    """Lower-case, strip Arabic diacritics and unify alef forms and apostrophes."""
    text = unicodedata.normalize("NFC", word).lower().replace("’", "'")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn" or ch.isascii())
    return text.translate(_ALEF)


@dataclass(frozen=True)
class _Form:
    words: tuple[str, ...]
    country: str | None
    sector: str | None
    name: str
    kind: str  # country | demonym | capital | seat | organisation | leader | sector
    weak: bool = False


@dataclass(frozen=True)
class LocalSpan:
    """One actor mention: token span, character span and the actor it names."""

    start: int
    end: int
    start_char: int
    end_char: int
    actor: ActorRef
    kind: str


def load_language_file(path: Path) -> LanguageFile:
    """Read and validate one language file (errors name the file)."""
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
        return LanguageFile.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise GazetteerError(f"{path.name}: {exc}") from exc


def available_languages(base: Path = LANGUAGE_DIR) -> list[str]:
    """The languages with a names file."""
    return sorted(p.stem for p in base.glob("*.yaml"))


def _leader_country(leader: Leader, on: dt.date | None) -> str:
    terms = [t for t in leader.terms if on is not None and t.covers(on)]
    return (terms or sorted(leader.terms, key=lambda t: t.start))[-1].country


@dataclass
class LanguageNames:
    """Every actor form of one language, indexed for matching."""

    lang: str
    inflection: Inflection
    forms: list[_Form]
    _index: dict[str, list[_Form]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, lang: str, gazetteer: Gazetteer, base: Path = LANGUAGE_DIR,
              on: dt.date | None = None) -> LanguageNames:
        """Forms of ``lang`` from CLDR and the data file, checked against the gazetteer."""
        import babel
        import pycountry
        import spacy

        data = load_language_file(base / f"{lang}.yaml")
        if data.lang != lang:
            raise GazetteerError(f"{lang}.yaml: lang is {data.lang!r}")
        tokenizer = spacy.blank(lang).tokenizer

        def words(text: str) -> tuple[str, ...]:
            return tuple(normalise(t.text) for t in tokenizer(text))

        forms: list[_Form] = []
        for alpha2, local in babel.Locale.parse(lang).territories.items():
            record = pycountry.countries.get(alpha_2=alpha2) if len(alpha2) == 2 else None
            country = gazetteer.country(record.alpha_3) if record else None
            if country is not None:
                forms.append(_Form(words(local), country.code, None, country.name, "country"))
        for c in data.countries:
            country = gazetteer.country(c.code)
            if country is None:
                raise GazetteerError(f"{lang}.yaml: unknown country code {c.code}")
            forms += [_Form(words(t), c.code, None, country.name, "country") for t in c.aliases]
            forms += [_Form(words(t), c.code, None, country.name, "demonym") for t in c.demonyms]
            forms += [_Form(words(t), c.code, "GOV", country.name, "capital") for t in c.capitals]
            forms += [_Form(words(s.text), c.code, s.sector, country.name, "seat")
                      for s in c.seats]
        for o in data.organisations:
            org = gazetteer.organisation(o.code)
            if org is None:
                raise GazetteerError(f"{lang}.yaml: unknown organisation code {o.code}")
            forms += [_Form(words(t), o.code, None, org.name, "organisation") for t in o.aliases]
        by_name = {person.name: person for person in gazetteer.leaders}
        for entry in data.leaders:
            person = by_name.get(entry.name)
            if person is None:
                raise GazetteerError(f"{lang}.yaml: leader {entry.name!r} not in leaders.yaml")
            country = _leader_country(person, on)
            forms += [_Form(words(t), country, "GOV", person.name, "leader")
                      for t in entry.aliases]
        forms += [_Form(words(w.text), None, w.sector, w.text, "sector", w.weak)
                  for w in data.sectors if w.sector is not None]
        names = cls(lang, data.inflection, [f for f in forms if f.words])
        names._build_index()
        return names

    def _key(self, word: str) -> str:
        return word[:3]

    def _build_index(self) -> None:
        for form in sorted(self.forms, key=lambda f: -len(f.words)):
            self._index.setdefault(self._key(form.words[0]), []).append(form)

    def _variants(self, word: str) -> list[str]:
        out = [word]
        for prefix in sorted(self.inflection.prefixes, key=len, reverse=True):
            p = normalise(prefix)
            if word.startswith(p) and len(word) - len(p) >= 2:
                out.append(word[len(p):])
        return out

    def _word_matches(self, token: str, form_word: str) -> bool:
        if token == form_word:
            return True
        extra = self.inflection.max_suffix
        if not extra or len(form_word) < 4:
            return False
        stem = form_word[:-1] if form_word[-1] in _FINAL_VOWELS else form_word
        return token.startswith(stem) and len(token) - len(stem) <= extra

    def find(self, tokens: list[str]) -> list[tuple[int, int, _Form]]:
        """Longest non-overlapping forms over normalised tokens: (start, end, form)."""
        out: list[tuple[int, int, _Form]] = []
        i = 0
        while i < len(tokens):
            best: tuple[int, _Form, str] | None = None
            for variant in self._variants(tokens[i]):
                for form in self._index.get(self._key(variant), []):
                    n = len(form.words)
                    if i + n > len(tokens) or (best is not None and n <= best[0]):
                        continue
                    cand = [variant, *tokens[i + 1:i + n]]
                    if all(self._word_matches(t, w) for t, w in zip(cand, form.words,
                                                                     strict=True)):
                        best = (n, form, variant)
            if best is None:
                i += 1
                continue
            out.append((i, i + best[0], best[1]))
            i += best[0]
        return out


def _merge(spans: list[LocalSpan], tokens: list[str]) -> list[LocalSpan]:
    """Join a sector word with the country beside it ("el ejército ruso", "армия России")."""
    out: list[LocalSpan] = []
    used: set[int] = set()
    for n, s in enumerate(spans):
        if n in used or s.kind != "sector":
            continue
        partner = None
        for m in (n + 1, n - 1):
            if not 0 <= m < len(spans) or m in used or spans[m].kind == "sector":
                continue
            other = spans[m]
            lo, hi = (s.end, other.start) if m > n else (other.end, s.start)
            gap = tokens[lo:hi]
            if len(gap) <= 2 and all(t in _JOINERS for t in gap):
                partner = m
                break
        if partner is not None:
            other = spans[partner]
            used.update({n, partner})
            first, last = (s, other) if s.start < other.start else (other, s)
            out.append(LocalSpan(first.start, last.end, first.start_char, last.end_char,
                                 ActorRef(country=other.actor.country,
                                          sector=s.actor.sector or other.actor.sector,
                                          name=other.actor.name,
                                          text=f"{first.actor.text} … {last.actor.text}"
                                          if last.start > first.end else ""),
                                 "merged"))
    out += [s for n, s in enumerate(spans) if n not in used]
    return sorted(out, key=lambda s: s.start)


class MultilingualActors:
    """Finds actors in sentences of any supported language (names built once per language)."""

    def __init__(self, gazetteer: Gazetteer, base: Path = LANGUAGE_DIR) -> None:
        self.gazetteer = gazetteer
        self.base = base
        self.languages = available_languages(base)
        self._names: dict[str, LanguageNames] = {}

    def names(self, lang: str) -> LanguageNames:
        if lang not in self._names:
            self._names[lang] = LanguageNames.build(lang, self.gazetteer, self.base)
        return self._names[lang]

    def find(self, lang: str, text: str, token_spans: list[tuple[int, int]]) -> list[LocalSpan]:
        """Actor spans in ``text``, given its tokens as (start_char, end_char) pairs."""
        names = self.names(lang)
        tokens = [normalise(text[a:b]) for a, b in token_spans]
        spans = []
        for start, end, form in names.find(tokens):
            a, b = token_spans[start][0], token_spans[end - 1][1]
            actor = ActorRef(country=form.country, sector=form.sector, name=form.name,
                             text=text[a:b])
            spans.append(LocalSpan(start, end, a, b, actor, form.kind))
        merged = _merge(spans, tokens)
        return [s if s.actor.text else LocalSpan(
            s.start, s.end, s.start_char, s.end_char,
            s.actor.model_copy(update={"text": text[s.start_char:s.end_char]}), s.kind)
            for s in merged]
