"""The event lexicon and PLOVER table are data files with a schema: check both."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from realpolitik.events.lexicon import LexiconError, load_lexicon, load_plover
from realpolitik.nlp.prefilter import TriggerFilter, inflections
from realpolitik.records import PLOVER_TYPES

DATA = Path(__file__).resolve().parents[1] / "src" / "realpolitik" / "events" / "data"


def test_plover_table_is_complete_and_consistent() -> None:
    table = load_plover()
    assert set(table.types) == set(PLOVER_TYPES)
    for name, info in table.types.items():
        conflict = info.quad_class.endswith("conflict")
        assert info.cooperative != conflict, name
        assert (info.intensity < 0) == conflict, name
        assert all(len(code) == 2 and code.isdigit() for code in info.cameo_root)


def test_lexicon_loads_without_duplicates_within_a_type() -> None:
    lex = load_lexicon()
    for group in (lex.verbs, lex.nouns):
        for type_, words in group.items():
            assert len(words) == len(set(words)), f"duplicate entry under {type_}"
    patterns = [p.pattern for p in lex.phrases]
    assert len(patterns) == len(set(patterns))
    assert lex.verb_types["deploy"] == "MOBILIZE"
    assert lex.noun_types["sanctions"] == "SANCTION"
    assert lex.reduction_types["presence"] == "RETREAT"


@pytest.mark.parametrize(("section", "bad"), [
    ("verbs", {"ATTACK": ["hit"]}),
    ("nouns", {"ASSAULT": ["Air_Strike"]}),
])
def test_schema_violation_names_the_file(tmp_path: Path, section: str, bad: dict) -> None:
    shutil.copy(DATA / "plover.yaml", tmp_path / "plover.yaml")
    raw = yaml.safe_load((DATA / "lexicon.yaml").read_text(encoding="utf-8"))
    raw[section] = bad
    (tmp_path / "lexicon.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(LexiconError, match=r"lexicon\.yaml"):
        load_lexicon(tmp_path)


def test_prefilter_inflections() -> None:
    assert {"deploys", "deployed", "deploying"} <= inflections("deploy")
    assert {"struck", "striking"} <= inflections("strike")
    assert {"stopped", "stopping"} <= inflections("stop")
    assert "supplied" in inflections("supply")
    assert TriggerFilter(load_lexicon().trigger_words).forms >= {"withdrew", "pumped",
                                                                  "sanctions"}


@pytest.mark.parametrize(("act", "modality", "negated", "reported"), [
    ("AID", "planned", False, "AGREE"),        # "will send aid": an intention (PLOVER AGREE)
    ("CONSULT", "planned", False, "AGREE"),    # "will travel to Beijing for talks"
    ("RETREAT", "planned", False, "CONCEDE"),  # a declared, not yet carried out, withdrawal
    ("AID", "asserted", False, "AID"),
    ("AID", "planned", True, "AID"),           # "will not send aid" stays the negated act
    ("SANCTION", "planned", False, "SANCTION"),
    ("PROTEST", "asserted", False, "PROTEST"),  # state-complaint needs the parse, not applied
])
def test_reported_type_applies_only_the_rules_an_annotation_can_decide(
        act: str, modality: str, negated: bool, reported: str) -> None:
    assert load_lexicon().reported_type(act, modality, negated) == reported
