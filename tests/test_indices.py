"""Isolation and pressure indices, stance changes and dyad series on constructed histories."""

from __future__ import annotations

import datetime as dt

from realpolitik.events.lexicon import load_plover
from realpolitik.records import ActorRef, Article, Event, Happening
from realpolitik.relations.indices import country_indices, dyad_series
from realpolitik.stories.happenings import build_happenings

PLOVER = load_plover()
NAMES = {"ARM": "Armenia", "RUS": "Russia", "IRN": "Iran", "FRA": "France", "USA": "United States",
         "AZE": "Azerbaijan", "GEO": "Georgia"}


def actor(code: str) -> ActorRef:
    return ActorRef(country=code, name=NAMES[code], text=NAMES[code])


_counter = iter(range(10_000))


def hap(source: str, target: str, type_: str, day: dt.date, negated: bool = False,
        modality: str = "asserted", origins: tuple[str, ...] = ("Wire",),
        mentions: int = 1) -> Happening:
    n = next(_counter)
    info = PLOVER.types[type_]
    return Happening(id=f"h{n}", story_id="s1", source=actor(source), target=actor(target),
                     type=type_, quad_class=info.quad_class, cameo_root=info.cameo_root[0],
                     negated=negated, modality=modality, date=day, last_date=day,
                     mentions=mentions, outlets=list(origins), origins=list(origins),
                     event_ids=[f"e{n}"], sentence=f"{source} {type_} {target}")


D = dt.date(2026, 6, 1)


def history(refuse: bool) -> list[Happening]:
    """Russia and Iran backed Armenia last year; this month they either refuse or help."""
    past = [hap("RUS", "ARM", "AID", D - dt.timedelta(days=200)),
            hap("IRN", "ARM", "SUPPORT", D - dt.timedelta(days=150)),
            hap("RUS", "ARM", "SUPPORT", D - dt.timedelta(days=120))]
    if refuse:
        now = [hap("RUS", "ARM", "AID", D, negated=True),
               hap("IRN", "ARM", "SUPPORT", D, negated=True)]
    else:
        now = [hap("RUS", "ARM", "AID", D), hap("IRN", "ARM", "SUPPORT", D)]
    return past + now


def name_of(code: str) -> str | None:
    return NAMES.get(code)


def test_refusing_allies_raise_the_isolation_index() -> None:
    isolated = country_indices("ARM", history(refuse=True), PLOVER, name_of, as_of=D)
    backed = country_indices("ARM", history(refuse=False), PLOVER, name_of, as_of=D)
    assert isolated.isolation is not None and backed.isolation is not None
    assert isolated.isolation > backed.isolation
    assert isolated.isolation == 1.0 and backed.isolation == 0.0
    russia = next(c for c in isolated.isolation_components if c.country == "RUS")
    assert russia.loss == 1.0 and russia.evidence
    assert {e.column for e in russia.evidence} == {"supporting", "withdrawing"}


def test_silence_counts_as_lost_support() -> None:
    past = history(refuse=False)[:3]
    silent = country_indices("ARM", past, PLOVER, name_of, as_of=D)
    assert silent.isolation == 1.0


def test_new_supporter_lowers_isolation() -> None:
    with_france = [*history(refuse=True), hap("FRA", "ARM", "AID", D - dt.timedelta(days=3))]
    alone = country_indices("ARM", history(refuse=True), PLOVER, name_of, as_of=D)
    helped = country_indices("ARM", with_france, PLOVER, name_of, as_of=D)
    assert helped.isolation < alone.isolation


def test_stance_change_is_reported_on_the_right_date() -> None:
    report = country_indices("ARM", history(refuse=True), PLOVER, name_of, as_of=D)
    changes = {c.country: c for c in report.stance_changes}
    assert changes["RUS"].before == "supporting" and changes["RUS"].after == "withdrawing"
    assert changes["RUS"].date == D
    assert changes["RUS"].describe() == "RUS: supporting \u2192 withdrawing on 2026-06-01"
    assert all(e.negated for e in changes["RUS"].evidence)


def test_pressure_index_compares_with_the_baseline() -> None:
    baseline = [hap("AZE", "ARM", "ACCUSE", D - dt.timedelta(days=d)) for d in (150, 250)]
    surge = [hap("AZE", "ARM", t, D - dt.timedelta(days=d))
             for t, d in (("ASSAULT", 2), ("MOBILIZE", 5), ("THREATEN", 9), ("ACCUSE", 12))]
    calm = country_indices("ARM", baseline, PLOVER, name_of, as_of=D)
    tense = country_indices("ARM", baseline + surge, PLOVER, name_of, as_of=D)
    assert calm.pressure == 0.0
    assert tense.pressure > 1.0
    [part] = tense.pressure_components
    assert part.country == "AZE" and len(part.evidence) == 6


def _mention(n: int, article: str, day: dt.date) -> Event:
    return Event(id=f"m{n}", article_id=article, source=actor("RUS"), target=actor("ARM"),
                 type="AID", quad_class="material_cooperation", cameo_root="07", negated=True,
                 modality="asserted", attributed_to=[], date=day, sentence="Russia will not "
                 "send aid to Armenia.", start=0, end=10, rule="test")


def test_mentions_of_one_origin_do_not_count_twice() -> None:
    """Three outlets retelling one report: one happening, one origin, one unit of weight."""
    articles = {f"a{i}": Article(id=f"a{i}", text="x", outlet=f"Outlet {i}",
                                 cites=["The Report"]) for i in range(3)}
    mentions = [_mention(i, f"a{i}", D) for i in range(3)]
    happenings, updated = build_happenings("s1", mentions, articles, PLOVER, lambda _: None)
    assert len(happenings) == 1
    [merged] = happenings
    assert merged.mentions == 3 and merged.origins == ["The Report"]
    assert {e.happening_id for e in updated} == {merged.id}
    single, _ = build_happenings("s1", mentions[:1], articles, PLOVER, lambda _: None)
    past = [hap("RUS", "ARM", "AID", D - dt.timedelta(days=200))]
    many = country_indices("ARM", past + happenings, PLOVER, name_of, as_of=D)
    one = country_indices("ARM", past + single, PLOVER, name_of, as_of=D)
    assert many.isolation_components[0].withdrawing == one.isolation_components[0].withdrawing


def test_independent_origins_are_counted() -> None:
    articles = {"a0": Article(id="a0", text="x", outlet="Tbilisi Post"),
                "a1": Article(id="a1", text="x", outlet="Baku Wire")}
    mentions = [_mention(0, "a0", D), _mention(1, "a1", D)]
    [merged], _ = build_happenings("s1", mentions, articles, PLOVER, lambda _: None)
    assert merged.origins == ["Baku Wire", "Tbilisi Post"]


def test_dyad_series_by_week() -> None:
    hs = [hap("AZE", "ARM", "ASSAULT", dt.date(2026, 6, 1)),
          hap("AZE", "ARM", "ACCUSE", dt.date(2026, 6, 3), modality="planned"),
          hap("AZE", "ARM", "SUPPORT", dt.date(2026, 6, 10), negated=True),
          hap("GEO", "ARM", "CONSULT", dt.date(2026, 6, 2))]
    points = dyad_series(hs, PLOVER, "week", source="AZE", target="ARM")
    assert [p.start for p in points] == [dt.date(2026, 6, 1), dt.date(2026, 6, 8)]
    first = points[0]
    assert first.happenings == 2 and first.by_type == {"ASSAULT": 1, "ACCUSE": 1}
    assert first.by_quad_class == {"material_conflict": 1, "verbal_conflict": 1}
    assert first.by_polarity == {"asserted": 1, "intended": 1}
    assert first.score < 0
    assert points[1].by_polarity == {"negated": 1} and points[1].by_column["withdrawing"] > 0
