"""Dyad time series, the isolation and pressure indices, support network and stance changes.

Everything here counts **happenings** (one per event in the world, see the stories
stage), never mentions, and carries each happening's independent origins as evidence
strength. Definitions (also in the README):

weight, column, signed score and stance are those of ``relations.scoring`` (the one
scoring model, with its numbers in events/data/plover.yaml).

For country X, a window W (default 90 days to ``as_of``) and a baseline B (default the
365 days before W); past-background happenings ("in recent years Moscow lent ...") count
in the baseline whatever their report date, since they describe the past:

support network  each counterpart c with its supporting weight in W and in B.
isolation(X)     = sum_c B_c * L_c / sum_c B_c, where
                   B_c = max(baseline support of c, supporting and withdrawing
                         weights of c in W) (a refusal reveals that support was expected;
                         a new supporter counts as a supporter),
                   L_c = 1 if c gave X no support in W (silent or only withdrawing),
                         else R_c / (R_c + S_c) with R_c, S_c the withdrawing and
                         supporting weights of c in W.
                   0 = every baseline supporter still supports, 1 = all gone.
                   None when X had no supporters at all.
pressure(X)      = (C_W / |W|) / max(C_B / |B|, floor), C = pressuring weight toward X
                   from other countries, floor = 0.01 per day (about one mid-intensity
                   conflictual event every 2.5 months), so a country with no
                   baseline gets a finite value. 1 = as much pressure as in the baseline.
stance changes   a counterpart's weekly stance (heaviest column, ``mixed`` within 75%)
                   over B and W; each change of stance is reported with its date (the
                   first day of the week it happened, or the first event of that week)
                   and the happenings of that week.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from realpolitik.events.lexicon import PloverTable
from realpolitik.records import DyadCell, Happening, ScoredGroup
from realpolitik.relations.scoring import (
    Evidence,
    Tally,
    column_of,
    evidence,
    signed_of,
    toward_country,
    weight_of,
)
from realpolitik.settings import DEFAULTS

Period = Literal["day", "week"]
PRESSURE_FLOOR = 0.01
POLARITY = {"asserted": "asserted", "past_background": "asserted", "planned": "intended",
            "hypothetical": "intended"}


# --------------------------------------------------------------------------- series
class DyadPoint(BaseModel):
    """One dyad in one period: counts by type, quad class and polarity, and scores."""

    source: str
    target: str
    period: Period
    start: dt.date
    happenings: int
    origins: int
    by_type: dict[str, int]
    by_quad_class: dict[str, int]
    by_polarity: dict[str, int]  # asserted / negated / intended (planned or hypothetical)
    by_column: dict[str, float]
    score: float  # sum of signed weights: a Goldstein-like -10..+10 per happening
    evidence: list[str]  # happening ids


def period_start(day: dt.date, period: Period) -> dt.date:
    return day if period == "day" else day - dt.timedelta(days=day.weekday())


def dyad_cells(happenings: Iterable[Happening], period: Period = "week",
               source: str | None = None, target: str | None = None) -> list[DyadCell]:
    """The dyad cells of ``happenings``, counted in Python as the store counts them in SQL
    (``Store.dyad_cells``): dated, both sides a country, ordered by source, target, start."""
    cells: dict[tuple[str, str, dt.date], list[Happening]] = defaultdict(list)
    for h in happenings:
        if h.date is None or h.target is None or not h.source.country or not h.target.country:
            continue
        if (source and h.source.country != source) or (target and h.target.country != target):
            continue
        cells[(h.source.country, h.target.country, period_start(h.date, period))].append(h)
    out = []
    for (src, tgt, start), hs in sorted(cells.items()):
        groups: dict[tuple[str, bool, str], int] = defaultdict(int)
        for h in hs:
            groups[(h.type, h.negated, h.modality)] += 1
        out.append(DyadCell(
            source=src, target=tgt, start=start,
            groups=[ScoredGroup(type=t, negated=n, modality=m, happenings=k)  # type: ignore[arg-type]
                    for (t, n, m), k in groups.items()],
            origins=len({o for h in hs for o in h.origins}), evidence=[h.id for h in hs]))
    return out


def dyad_point(cell: DyadCell, plover: PloverTable, period: Period) -> DyadPoint:
    """Score one counted cell: its groups weigh through ``relations.scoring``."""
    by_type: dict[str, int] = defaultdict(int)
    by_quad: dict[str, int] = defaultdict(int)
    by_pol: dict[str, int] = defaultdict(int)
    tally, score = Tally(plover), 0.0
    for g in cell.groups:
        by_type[g.type] += g.happenings
        by_quad[plover.types[g.type].quad_class] += g.happenings
        by_pol["negated" if g.negated else POLARITY[g.modality]] += g.happenings
        tally.weigh(g, g.happenings)
        score += g.happenings * signed_of(g, plover)
    return DyadPoint(
        source=cell.source, target=cell.target, period=period, start=cell.start,
        happenings=sum(g.happenings for g in cell.groups), origins=cell.origins,
        by_type=dict(by_type), by_quad_class=dict(by_quad), by_polarity=dict(by_pol),
        by_column={k: v for k, v in tally.scores().items() if v}, score=round(score, 3),
        evidence=cell.evidence)


def dyad_series(happenings: Iterable[Happening], plover: PloverTable, period: Period = "week",
                source: str | None = None, target: str | None = None) -> list[DyadPoint]:
    """Time series per ordered pair of countries (dyad) and period."""
    return [dyad_point(c, plover, period) for c in dyad_cells(happenings, period, source, target)]


# -------------------------------------------------------------------------- indices
class SupportLink(BaseModel):
    country: str
    name: str
    baseline_support: float
    window_support: float
    window_withdrawing: float
    window_pressuring: float
    evidence: list[Evidence]


class IsolationComponent(BaseModel):
    country: str
    name: str
    baseline_weight: float
    support: float
    withdrawing: float
    loss: float
    evidence: list[Evidence]


class PressureComponent(BaseModel):
    country: str
    name: str
    window: float
    baseline: float
    evidence: list[Evidence]


class StanceChange(BaseModel):
    country: str
    name: str
    before: str
    after: str
    date: dt.date
    evidence: list[Evidence]

    def describe(self) -> str:
        return f"{self.country}: {self.before} \u2192 {self.after} on {self.date}"


class IndexReport(BaseModel):
    country: str
    name: str
    as_of: dt.date
    window_start: dt.date
    baseline_start: dt.date
    isolation: float | None
    isolation_components: list[IsolationComponent]
    pressure: float
    pressure_window_per_day: float
    pressure_baseline_per_day: float
    pressure_components: list[PressureComponent]
    support_network: list[SupportLink]
    stance_changes: list[StanceChange]
    timeline: list[dict] = Field(default_factory=list)

    def to_text(self) -> str:
        iso = "n/a (no supporters on record)" if self.isolation is None else f"{self.isolation:.2f}"
        lines = [f"{self.name} ({self.country}) as of {self.as_of}: window from "
                 f"{self.window_start}, baseline from {self.baseline_start}",
                 f"  isolation index {iso}   (0 = supporters still support, 1 = all gone)",
                 f"  pressure index  {self.pressure:.2f}   ({self.pressure_window_per_day:.3f}"
                 f"/day now vs {self.pressure_baseline_per_day:.3f}/day in the baseline)", "",
                 "Isolation components (baseline weight, support, withdrawing -> loss):"]
        lines += [f"  {c.name}: {c.baseline_weight:.2f}, {c.support:.2f}, {c.withdrawing:.2f}"
                  f" -> {c.loss:.2f}  [{len(c.evidence)} events]"
                  for c in self.isolation_components] or ["  none"]
        lines += ["", "Pressure components (window, baseline):"]
        lines += [f"  {c.name}: {c.window:.2f}, {c.baseline:.2f}  [{len(c.evidence)} events]"
                  for c in self.pressure_components] or ["  none"]
        lines += ["", "Stance changes:"]
        lines += [f"  {c.describe()}  [{len(c.evidence)} events]"
                  for c in self.stance_changes] or ["  none"]
        return "\n".join(lines) + "\n"


Sums = dict[str, dict[tuple[str, str], float]]


def _phase(h: Happening, as_of: dt.date, window_start: dt.date, baseline_start: dt.date
           ) -> str | None:
    """'window', 'baseline' or None; past background always belongs to the baseline."""
    if h.modality == "past_background":
        return "baseline" if h.date is None or h.date <= as_of else None
    if h.date is None or h.date > as_of:
        return None
    if h.date >= window_start:
        return "window"
    return "baseline" if h.date >= baseline_start else None


def _accumulate(toward: Sequence[Happening], plover: PloverTable, as_of: dt.date,
                window_days: int, baseline_days: int,
                proof: dict[str, list[Evidence]] | None = None) -> Sums:
    """Weight per counterpart, phase and column (and, if asked, the evidence)."""
    window_start = as_of - dt.timedelta(days=window_days - 1)
    baseline_start = window_start - dt.timedelta(days=baseline_days)
    sums: Sums = defaultdict(lambda: defaultdict(float))
    for h in toward:
        where, column = _phase(h, as_of, window_start, baseline_start), column_of(h, plover)
        if where is None or column is None:
            continue
        src = h.source.country or ""
        sums[src][(where, column)] += weight_of(h, plover)
        if proof is not None:
            proof[src].append(evidence(h, plover))
    return sums


def _loss(s: dict[tuple[str, str], float]) -> tuple[float, float] | None:
    """(baseline weight B_c, loss L_c) of one counterpart, or None if it never supported."""
    support, refused = s[("window", "supporting")], s[("window", "withdrawing")]
    base = max(s[("baseline", "supporting")], refused, support)
    if base <= 0:
        return None
    return base, (1.0 if support == 0 else refused / (refused + support))


def _indices(sums: Sums, window_days: int, baseline_days: int
             ) -> tuple[float | None, float, float, float]:
    """isolation, pressure, pressure per day in the window and in the baseline."""
    num = den = c_w = c_b = 0.0
    for s in sums.values():
        loss = _loss(s)
        if loss is not None:
            num += loss[0] * loss[1]
            den += loss[0]
        c_w += s[("window", "pressuring")]
        c_b += s[("baseline", "pressuring")]
    per_day_w, per_day_b = c_w / window_days, c_b / baseline_days
    isolation = round(num / den, 3) if den else None
    return isolation, round(per_day_w / max(per_day_b, PRESSURE_FLOOR), 3), per_day_w, per_day_b


TIMELINE_POINTS, TIMELINE_STEP_DAYS = 12, 7


class DateRangeError(ValueError):
    """The requested dates fall off the calendar the indices can compute over."""


def check_history(as_of: dt.date, window_days: int, baseline_days: int) -> None:
    """Raise DateRangeError when the window, baseline and timeline before ``as_of`` would
    start before the first day of the calendar (0001-01-01)."""
    span = (TIMELINE_POINTS - 1) * TIMELINE_STEP_DAYS + window_days - 1 + baseline_days
    if as_of.toordinal() - span < dt.date.min.toordinal():
        earliest = dt.date.fromordinal(min(dt.date.min.toordinal() + span,
                                           dt.date.max.toordinal()))
        raise DateRangeError(f"as_of {as_of} is too early: a {window_days}-day window, a "
                         f"{baseline_days}-day baseline and the timeline need {span} days "
                         f"before it (use {earliest} or later)")


def country_indices(country: str, happenings: Sequence[Happening], plover: PloverTable,
                    name_of: Callable[[str], str | None], as_of: dt.date | None = None,
                    window_days: int = DEFAULTS.analysis.window_days,
                    baseline_days: int = DEFAULTS.analysis.baseline_days) -> IndexReport:
    """Indices for ``country`` from happenings (any, filtered here to those toward it)."""
    toward = toward_country(country, happenings)
    dated = [h.date for h in toward if h.date]
    as_of = as_of or (max(dated) if dated else dt.date.today())
    check_history(as_of, window_days, baseline_days)
    window_start = as_of - dt.timedelta(days=window_days - 1)
    baseline_start = window_start - dt.timedelta(days=baseline_days)
    proof: dict[str, list[Evidence]] = defaultdict(list)
    sums = _accumulate(toward, plover, as_of, window_days, baseline_days, proof)

    def name(code: str) -> str:
        return name_of(code) or code

    network, components, pressure_parts = [], [], []
    for src, s in sorted(sums.items()):
        ev = sorted(proof[src], key=lambda e: (e.date or dt.date.min, e.happening_id))
        network.append(SupportLink(
            country=src, name=name(src), baseline_support=round(s[("baseline", "supporting")], 3),
            window_support=round(s[("window", "supporting")], 3),
            window_withdrawing=round(s[("window", "withdrawing")], 3),
            window_pressuring=round(s[("window", "pressuring")], 3), evidence=ev))
        loss = _loss(s)
        if loss is not None:
            components.append(IsolationComponent(
                country=src, name=name(src), baseline_weight=round(loss[0], 3),
                support=round(s[("window", "supporting")], 3),
                withdrawing=round(s[("window", "withdrawing")], 3), loss=round(loss[1], 3),
                evidence=[e for e in ev if e.column in ("supporting", "withdrawing")]))
        if s[("window", "pressuring")] or s[("baseline", "pressuring")]:
            pressure_parts.append(PressureComponent(
                country=src, name=name(src), window=round(s[("window", "pressuring")], 3),
                baseline=round(s[("baseline", "pressuring")], 3),
                evidence=[e for e in ev if e.column == "pressuring"]))
    isolation, pressure, per_day_w, per_day_b = _indices(sums, window_days, baseline_days)
    network.sort(key=lambda link: -(link.window_support + link.baseline_support))
    return IndexReport(
        country=country, name=name(country), as_of=as_of, window_start=window_start,
        baseline_start=baseline_start, isolation=isolation, isolation_components=components,
        pressure=pressure, pressure_window_per_day=round(per_day_w, 4),
        pressure_baseline_per_day=round(per_day_b, 4), pressure_components=pressure_parts,
        support_network=network,
        stance_changes=stance_changes(toward, plover, name, baseline_start, as_of),
        timeline=index_timeline(toward, plover, as_of, window_days, baseline_days),
    )


def stance_changes(toward: Sequence[Happening], plover: PloverTable,
                   name: Callable[[str], str], start: dt.date, end: dt.date
                   ) -> list[StanceChange]:
    """Weekly stance of each counterpart; a change is reported on the week it happened."""
    weekly: dict[str, dict[dt.date, list[Happening]]] = defaultdict(lambda: defaultdict(list))
    for h in toward:
        column = column_of(h, plover)
        if column is None or h.date is None:
            continue
        # past background is the state before the report: put it at the start of history
        day = start if h.modality == "past_background" else h.date
        if not start <= day <= end:
            continue
        weekly[h.source.country or ""][period_start(day, "week")].append(h)
    changes = []
    for src, weeks in sorted(weekly.items()):
        previous: str | None = None
        for week in sorted(weeks):
            hs = weeks[week]
            tally = Tally(plover)
            for h in hs:
                tally.add(h)
            now = tally.stance()
            if now is not None and previous is not None and now != previous:
                movers = [h for h in hs if now == "mixed" or column_of(h, plover) == now]
                first = min((h.date for h in movers if h.date and h.modality !=
                             "past_background"), default=week)
                changes.append(StanceChange(
                    country=src, name=name(src), before=previous, after=now, date=first,
                    evidence=[evidence(h, plover) for h in movers]))
            previous = now or previous
    return changes


def index_timeline(toward: Sequence[Happening], plover: PloverTable, as_of: dt.date,
                   window_days: int, baseline_days: int, points: int = TIMELINE_POINTS,
                   step_days: int = TIMELINE_STEP_DAYS) -> list[dict]:
    """Isolation and pressure recomputed at weekly steps back from ``as_of`` (for charts)."""
    out = []
    for k in range(points - 1, -1, -1):
        day = as_of - dt.timedelta(days=k * step_days)
        sums = _accumulate(toward, plover, day, window_days, baseline_days)
        isolation, pressure, _, _ = _indices(sums, window_days, baseline_days)
        out.append({"date": day.isoformat(), "isolation": isolation, "pressure": pressure})
    return out
