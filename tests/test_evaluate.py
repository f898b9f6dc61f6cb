"""Evaluation scorer: hand-computed metrics on a tiny gold set, and the real gold file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from realpolitik.evaluate import (
    NON_STATE_CODES,
    GoldActor,
    GoldRow,
    country_matches,
    is_iso3_country,
    load_gold,
    normalise_code,
    score,
)
from realpolitik.records import ActorRef, Event

GSR = Path(__file__).parents[1].parent / "shared" / "eval" / "plover_gsr.jsonl"

IGOS = {"NAT", "UNO", "EUR"}


def is_igo(code: str) -> bool:
    return code in IGOS


def gold(id_: str, type_: str, src: list[str], tgt: list[str], in16: bool = True) -> GoldRow:
    return GoldRow(id=id_, text=f"sentence {id_}", type=type_, in_plover16=in16,
                   source=[GoldActor(text=c, country=c) for c in src],
                   target=[GoldActor(text=c, country=c) for c in tgt])


def ev(n: int, type_: str, src: str | None, tgt: str | None, conf: float) -> Event:
    return Event(
        id=f"e{n}", article_id="a", type=type_, quad_class="q", cameo_root="00",
        source=ActorRef(country=src, name=src or "?", text=src or "?"),
        target=ActorRef(country=tgt, name=tgt, text=tgt) if tgt else None,
        sentence="s", start=0, end=1, confidence=conf, rule="t",
    )


GOLD = [
    gold("g1", "ACCUSE", ["USA"], ["RUS"]),
    gold("g2", "ACCUSE", ["FRA"], []),
    gold("g3", "ASSAULT", ["JAP"], ["IGO"]),
    gold("g4", "ASSAULT", ["RUS"], ["UKR"]),
    gold("g5", "THREATEN", ["IRN"], ["USA"]),
    gold("g6", "INVESTIGATE", ["ITL"], ["USA"], in16=False),
]
PRED = {
    "g1": [ev(1, "ACCUSE", "USA", "RUS", 0.9)],
    # top-1 is THREATEN (higher confidence) but ACCUSE is among the predictions
    "g2": [ev(2, "THREATEN", "FRA", None, 0.8), ev(3, "ACCUSE", "FRA", None, 0.5)],
    # CAMEO JAP == ISO JPN; gold IGO matches an IGO code
    "g3": [ev(4, "ASSAULT", "JPN", "NAT", 0.7)],
    # g4: no events -> NONE
    "g5": [ev(5, "THREATEN", "ISR", "USA", 0.6)],
    "g6": [ev(6, "ACCUSE", "ITA", "USA", 0.6)],
}


def test_score_hand_computed() -> None:
    rep = score(GOLD, PRED, is_igo)
    assert rep.rows == 5 and rep.excluded == 1
    assert rep.covered == 4 and rep.coverage == pytest.approx(0.8)
    assert rep.top1_accuracy == pytest.approx(0.6)
    assert rep.any_match_accuracy == pytest.approx(0.8)
    assert rep.source_country_accuracy == pytest.approx(0.75)
    assert rep.target_country_accuracy == pytest.approx(1.0)
    assert rep.type_and_actors_accuracy == pytest.approx(0.4)

    per = {t.type: t for t in rep.per_type}
    assert set(per) == {"ACCUSE", "THREATEN", "ASSAULT"}
    assert (per["ACCUSE"].precision, per["ACCUSE"].recall) == (1.0, 0.5)
    assert (per["THREATEN"].precision, per["THREATEN"].recall) == (0.5, 1.0)
    assert (per["ASSAULT"].precision, per["ASSAULT"].recall) == (1.0, 0.5)
    for t in per.values():
        assert t.f1 == pytest.approx(2 / 3)
    assert (per["ACCUSE"].support, per["ASSAULT"].support, per["THREATEN"].support) == (2, 2, 1)

    assert rep.micro.precision == pytest.approx(0.75)
    assert rep.micro.recall == pytest.approx(0.6)
    assert rep.micro.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert rep.macro.precision == pytest.approx(2.5 / 3)
    assert rep.macro.recall == pytest.approx(2 / 3)
    assert rep.macro.f1 == pytest.approx(2 / 3)

    assert rep.confusion == {
        "ACCUSE": {"ACCUSE": 1, "THREATEN": 1},
        "ASSAULT": {"ASSAULT": 1, "NONE": 1},
        "THREATEN": {"THREATEN": 1},
    }
    assert rep.labels == ["ACCUSE", "THREATEN", "ASSAULT", "NONE"]


def test_report_text_and_json() -> None:
    rep = score(GOLD, PRED, is_igo)
    text = rep.to_text(errors=True)
    assert "top-1 type accuracy" in text and "confusion matrix" in text
    assert "g2: gold ACCUSE, predicted THREATEN" in text
    data = json.loads(rep.model_dump_json())
    assert data["per_type"][0]["type"] == "ACCUSE"


def test_tie_takes_first_event() -> None:
    g = [gold("t", "AGREE", ["USA"], [])]
    pred = {"t": [ev(1, "AGREE", "USA", None, 0.5), ev(2, "REJECT", "USA", None, 0.5)]}
    assert score(g, pred, is_igo).top1_accuracy == 1.0


def test_country_code_quirks() -> None:
    assert normalise_code("JAP") == "JPN"
    assert normalise_code("ITL") == "ITA"
    assert normalise_code("diplomatic") is None
    assert country_matches("JPN", "JAP", is_igo)
    assert country_matches("UNO", "IGO", is_igo)
    assert country_matches("XYZ", "NGO", lambda c: False)  # not an ISO3 country
    assert not country_matches("FRA", "IGO", is_igo)
    assert not country_matches(None, "USA", is_igo)


def test_load_gold_skips_outside_plover16(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    lines = [r.model_dump_json() for r in GOLD]
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    rows = load_gold(path)
    assert len(rows) == 5 and rows.excluded == 1
    rep = score(rows, PRED, is_igo)
    assert rep.excluded == 1 and rep.rows == 5


@pytest.mark.skipif(not GSR.exists(), reason=f"gold file not present at {GSR} (../shared absent)")
def test_real_gold_file_parses() -> None:
    rows = load_gold(GSR)
    assert len(rows) + rows.excluded == 322
    assert len(rows) == 313 and rows.excluded == 9
    assert all(r.type != "INVESTIGATE" for r in rows)
    # every country code left after normalisation is ISO3 or a known non-state code
    codes = {c for r in rows for c in r.source_countries() + r.target_countries()}
    assert all(is_iso3_country(c) or c in NON_STATE_CODES for c in codes), codes
    rep = score(rows, {}, is_igo)
    assert rep.rows == 313 and rep.coverage == 0.0


def test_type_scores_match_counting_by_hand() -> None:
    """The scikit-learn figures equal plain counting on a larger constructed case, with a
    type that is only predicted (not in the macro average) and sentences with no event."""
    import random

    rng = random.Random(7)
    kinds = ["AGREE", "ACCUSE", "AID", "SANCTION"]
    rows, pred = [], {}
    for i in range(200):
        gold_type = rng.choice(kinds)
        rows.append(gold(f"r{i}", gold_type, ["USA"], []))
        guess = rng.choice([gold_type, gold_type, *kinds, "REJECT", None])
        pred[f"r{i}"] = [ev(i, guess, "USA", None, 0.5)] if guess else []
    rep = score(rows, pred, is_igo)
    labels = [r.predicted_type for r in rep.results]
    truth = [r.gold_type for r in rep.results]
    per = {t.type: t for t in rep.per_type}
    assert set(per) == {*kinds, "REJECT"}
    for t, s in per.items():
        tp = sum(g == p == t for g, p in zip(truth, labels, strict=True))
        n_pred, support = labels.count(t), truth.count(t)
        p = tp / n_pred if n_pred else 0.0
        r = tp / support if support else 0.0
        assert (s.correct, s.predicted, s.support) == (tp, n_pred, support)
        assert s.precision == pytest.approx(p) and s.recall == pytest.approx(r)
        assert s.f1 == pytest.approx(2 * p * r / (p + r) if p + r else 0.0)
    correct = sum(g == p for g, p in zip(truth, labels, strict=True))
    emitted = sum(p != "NONE" for p in labels)
    assert rep.micro.precision == pytest.approx(correct / emitted)
    assert rep.micro.recall == pytest.approx(correct / len(rows))
    assert rep.macro.f1 == pytest.approx(sum(per[k].f1 for k in kinds) / len(kinds))
    assert rep.macro.precision == pytest.approx(sum(per[k].precision for k in kinds) / 4)
    assert per["REJECT"].support == 0 and per["REJECT"].precision == 0.0
    for g in set(truth):
        row = rep.confusion[g]
        assert sum(row.values()) == truth.count(g)
        assert all(row[p] == sum(t == g and q == p for t, q in zip(truth, labels, strict=True))
                   for p in row)


def test_empty_gold_scores_zero() -> None:
    rep = score([], {}, is_igo)
    assert rep.rows == 0 and rep.per_type == [] and rep.confusion == {}
    assert rep.micro.f1 == rep.macro.f1 == 0.0
