"""The one scoring model (relations.scoring): its rules, its data, and that the report, the
indices, the dyad series (in Python and counted in SQL by the store) and the story view agree
on every type, polarity and modality."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
import yaml

from realpolitik.events.lexicon import MODALITIES, LexiconError, load_plover
from realpolitik.records import PLOVER_TYPES, ActorRef, Article, Event, Happening, Story
from realpolitik.relations.indices import DyadPoint, country_indices, dyad_point, dyad_series
from realpolitik.relations.report import build_report
from realpolitik.relations.scoring import (
    Tally,
    claim_of,
    column_of,
    signed_of,
    stance_of,
    weight_of,
)
from realpolitik.store import Store
from realpolitik.stories.coverage import compare

PLOVER = load_plover()
DATA = Path(__file__).resolve().parents[1] / "src" / "realpolitik" / "events" / "data"
D = dt.date(2026, 3, 2)
NAMES = {"RUS": "Russia", "VEN": "Venezuela", "USA": "United States"}
_ids = itertools.count()


def actor(code: str) -> ActorRef:
    return ActorRef(country=code, name=NAMES[code], text=NAMES[code])


def hap(type_: str, negated: bool = False, modality: str = "asserted", source: str = "RUS",
        origins: tuple[str, ...] = ("Wire",), day: dt.date = D) -> Happening:
    n = next(_ids)
    info = PLOVER.types[type_]
    return Happening(id=f"h{n}", story_id="s1", source=actor(source), target=actor("VEN"),
                     type=type_, quad_class=info.quad_class, cameo_root=info.cameo_root[0],
                     negated=negated, modality=modality, date=day, last_date=day, mentions=1,
                     outlets=list(origins), origins=list(origins), event_ids=[f"e{n}"],
                     sentence=f"{source} {type_} VEN")


def mention(h: Happening, article: str = "a1") -> Event:
    return Event(id=h.event_ids[0], article_id=article, source=h.source, target=h.target,
                 type=h.type, quad_class=h.quad_class, cameo_root=h.cameo_root,
                 negated=h.negated, modality=h.modality, date=h.date, sentence=h.sentence,
                 start=0, end=len(h.sentence), rule="test", happening_id=h.id,
                 story_id=h.story_id)


# ------------------------------------------------------------------------- the rules
@pytest.mark.parametrize(("type_", "negated", "expected"), [
    ("AID", False, "supporting"), ("AID", True, "withdrawing"),
    ("CONSULT", False, "supporting"), ("CONSULT", True, "withdrawing"),
    ("REJECT", False, "withdrawing"), ("REJECT", True, None),
    ("RETREAT", False, "withdrawing"), ("RETREAT", True, None),
    ("ASSAULT", False, "pressuring"), ("ASSAULT", True, None),
    ("REQUEST", False, "pressuring"), ("SANCTION", True, None),
])
def test_column_of(type_: str, negated: bool, expected: str | None) -> None:
    assert column_of(hap(type_, negated), PLOVER) == expected


def test_weight_is_intensity_times_modality_weight() -> None:
    assert weight_of(hap("ASSAULT"), PLOVER) == pytest.approx(0.93)
    assert weight_of(hap("ASSAULT", modality="planned"), PLOVER) == pytest.approx(0.558)
    assert weight_of(hap("AID", modality="hypothetical"), PLOVER) == pytest.approx(0.296)
    assert weight_of(hap("AID", modality="past_background"), PLOVER) == pytest.approx(0.148)


def test_signed_score_per_column() -> None:
    assert signed_of(hap("AID"), PLOVER) == pytest.approx(7.4)
    assert signed_of(hap("AID", negated=True), PLOVER) == pytest.approx(-3.7)
    assert signed_of(hap("ASSAULT", modality="planned"), PLOVER) == pytest.approx(-5.58)
    assert signed_of(hap("ASSAULT", negated=True), PLOVER) == 0.0


def test_claims_are_only_about_the_present() -> None:
    assert claim_of(hap("AID"), PLOVER) == "backing"
    assert claim_of(hap("AID", negated=True, modality="planned"), PLOVER) == "refusing"
    assert claim_of(hap("REJECT"), PLOVER) == "refusing"
    assert claim_of(hap("AID", modality="hypothetical"), PLOVER) is None
    assert claim_of(hap("AID", modality="past_background"), PLOVER) is None
    assert claim_of(hap("ASSAULT"), PLOVER) is None


def test_stance() -> None:
    assert stance_of({"supporting": 1.0, "withdrawing": 0.2}) == "supporting"
    assert stance_of({"supporting": 1.0, "withdrawing": 0.75}) == "mixed"
    assert stance_of({"pressuring": 0.3}) == "pressuring"
    assert stance_of({}) is None
    assert stance_of({"supporting": 0.0}) is None


def test_tally_counts_independent_origins_per_column() -> None:
    tally = Tally(PLOVER)
    for h in (hap("AID", origins=("The Wall Street Journal",)),
              hap("SUPPORT", origins=("The Wall Street Journal", "Wire")),
              hap("AID", negated=True, origins=("Wire",)),
              hap("ASSAULT", negated=True, origins=("Elsewhere",))):  # counts nowhere
        tally.add(h)
    assert tally.origins() == {"supporting": 2, "withdrawing": 1, "pressuring": 0}
    assert tally.scores() == {"supporting": 1.2, "withdrawing": 0.74, "pressuring": 0.0}
    assert tally.stance() == "supporting"


# -------------------------------------------------------------------------- the data
def test_plover_table_declares_every_column_and_modality() -> None:
    assert set(PLOVER.modalities) == set(MODALITIES)
    assert [PLOVER.modalities[m].weight for m in MODALITIES] == [1.0, 0.6, 0.4, 0.2]
    for name, info in PLOVER.types.items():
        if info.cooperative and name != "RETREAT":
            assert (info.column, info.negated_column) == ("supporting", "withdrawing"), name
        elif name in ("REJECT", "RETREAT"):
            assert (info.column, info.negated_column) == ("withdrawing", None), name
        else:
            assert (info.column, info.negated_column) == ("pressuring", None), name


@pytest.mark.parametrize(("edit", "words"), [
    (lambda d: d["modalities"].pop("planned"), "weight for each of"),
    (lambda d: d["modalities"]["asserted"].update(weight=1.5), "weight must lie"),
    (lambda d: d["types"]["AID"].update(column="helping"), "column"),
    (lambda d: d["columns"].pop("withdrawing"), "sign for each of"),
])
def test_bad_plover_table_is_refused(tmp_path: Path, edit, words: str) -> None:
    raw = yaml.safe_load((DATA / "plover.yaml").read_text(encoding="utf-8"))
    edit(raw)
    (tmp_path / "plover.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(LexiconError, match=words):
        load_plover(tmp_path)


# ---------------------------------------------- every consumer gives the same column
COMBINATIONS = list(itertools.product(PLOVER_TYPES, (False, True), MODALITIES))


@pytest.fixture(scope="module")
def sql_points(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, bool, str], DyadPoint]:
    """Every combination stored as one happening on a day of its own, and the dyad points
    the store counts in SQL (``Store.dyad_cells``) scored by ``dyad_point``."""
    days = {combo: D + dt.timedelta(days=i) for i, combo in enumerate(COMBINATIONS)}
    happenings = [hap(t, n, m, day=days[(t, n, m)]) for t, n, m in COMBINATIONS]
    story = Story(id="s1", label="x", article_count=0, articles=[], outlets=[], origins=[])
    with Store(tmp_path_factory.mktemp("scoring") / "sql.duckdb") as store:
        store.save_stories([], {}, {}, {}, [story], happenings, [], set())
        cells = store.dyad_cells(period="day")
    by_day = {c.start: dyad_point(c, PLOVER, "day") for c in cells}
    return {combo: by_day[day] for combo, day in days.items()}


@pytest.mark.parametrize(("type_", "negated", "modality"), COMBINATIONS,
                         ids=[f"{t}-{'neg' if n else 'pos'}-{m}" for t, n, m in COMBINATIONS])
def test_report_indices_and_story_view_agree(type_: str, negated: bool, modality: str,
                                             sql_points: dict[tuple[str, bool, str], DyadPoint]
                                             ) -> None:
    h = hap(type_, negated, modality)
    expected = column_of(h, PLOVER)

    report = build_report("VEN", [h], [mention(h)], {}, PLOVER, NAMES.get)
    in_report = {e.column for cp in report.counterparts for e in cp.events}

    index = country_indices("VEN", [h], PLOVER, NAMES.get, as_of=D)
    in_indices = {e.column for link in index.support_network for e in link.evidence}
    (point,) = dyad_series([h], PLOVER, "day")
    in_series = set(point.by_column)
    in_sql = sql_points[(type_, negated, modality)]
    assert in_sql.model_dump(exclude={"start", "evidence"}) == point.model_dump(
        exclude={"start", "evidence"})  # counted in SQL, scored the same

    story = Story(id="s1", label="x", article_count=1, articles=["a1"], outlets=["Wire"],
                  origins=["Wire"])
    article = Article(id="a1", text=h.sentence, outlet="Wire", published=D)
    in_story = {c.column for c in compare(story, [article], [h], PLOVER).happenings}

    if expected is None:
        assert in_report == in_indices == in_series == set() and in_story == {None}
    else:
        assert in_report == in_indices == in_series == in_story == {expected}
        assert report.counterparts[0].origins[expected] == 1
        assert report.counterparts[0].scores[expected] == round(weight_of(h, PLOVER), 3)


def test_report_counts_a_syndicated_happening_once() -> None:
    """Two outlets carrying one report: one happening, its weight once, one origin."""
    h = hap("RETREAT", origins=("The Wall Street Journal",)).model_copy(update={
        "mentions": 2, "outlets": ["Gulf Sentinel", "Caribbean Ledger"],
        "event_ids": ["m1", "m2"]})
    mentions = [mention(h).model_copy(update={"id": i, "article_id": a})
                for i, a in (("m1", "gulf"), ("m2", "carib"))]
    articles = {"gulf": Article(id="gulf", text="x", outlet="Gulf Sentinel"),
                "carib": Article(id="carib", text="x", outlet="Caribbean Ledger")}
    report = build_report("VEN", [h], mentions, articles, PLOVER, NAMES.get)
    (russia,) = report.counterparts
    assert russia.scores["withdrawing"] == 0.76  # not 1.52
    assert russia.origins["withdrawing"] == 1
    assert [s.outlet for s in russia.sentences] == ["Gulf Sentinel", "Caribbean Ledger"]
    assert "2 mentions, origins: The Wall Street Journal" in report.to_text()
    assert "withdrawing 0.76 (1 origin)" in report.to_text()


def test_report_since_keeps_happenings_that_go_on_after_it() -> None:
    old = hap("AID", day=D - dt.timedelta(days=30))
    running = old.model_copy(update={"id": "h-run", "last_date": D})
    report = build_report("VEN", [old, running], [], {}, PLOVER, NAMES.get,
                          since=D - dt.timedelta(days=1))
    assert [e.happening_id for cp in report.counterparts for e in cp.events] == ["h-run"]


def test_the_scoring_rules_live_in_one_module() -> None:
    """No other module reads intensities, modality weights, columns or the mixed ratio."""
    package = Path(__file__).resolve().parents[1] / "src" / "realpolitik"
    allowed = {package / "relations" / "scoring.py", package / "events" / "lexicon.py"}
    needles = (".intensity", ".modalities", ".negated_column", "].column", ".columns[",
               "MIXED_RATIO", "MODALITY_WEIGHT")
    offenders = [f"{path.relative_to(package)}: {needle}"
                 for path in package.rglob("*.py") if path not in allowed
                 for needle in needles if needle in path.read_text(encoding="utf-8")]
    assert offenders == []
