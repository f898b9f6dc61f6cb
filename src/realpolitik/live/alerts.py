"""Alert rules over what the watcher stored: stance changes, index thresholds and moves,
and new happenings with enough independent origins.

Figures come from ``workflow.country_index`` (``relations.indices``); nothing is
recomputed here. Every alert has a key naming the change it reports; the key is stored
with the alert, so a change fires once however often it is seen. Index rules are
edge-triggered: what a rule saw last is remembered in the store (``alert_state``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from realpolitik.events.lexicon import PloverTable
from realpolitik.live.config import AlertRule
from realpolitik.records import Happening
from realpolitik.relations.indices import IndexReport
from realpolitik.relations.scoring import Evidence, evidence
from realpolitik.store import Store
from realpolitik.store.live import LiveState
from realpolitik.workflow import country_index

CHECKED = "alerts:checked_through"
MAX_EVIDENCE = 10


class Alert(BaseModel):
    """One fired alert: what changed, the figures, and the evidence behind them."""

    key: str
    rule: str
    kind: str
    country: str | None
    counterpart: str | None = None
    title: str
    figures: dict[str, Any] = Field(default_factory=dict)
    evidence: list[dict[str, Any]] = Field(default_factory=list)
    fired_at: str = ""


@dataclass
class _Scope:
    """What the articles stored since the last check touched."""

    targets: set[str]
    countries: set[str]
    happenings: list[Happening]


class AlertEngine:
    """Checks the rules against the store; ``send`` gets each newly fired alert."""

    def __init__(self, rules: list[AlertRule], store: Store, plover: PloverTable,
                 name_of: Callable[[str], str | None], send: Callable[[Alert], None]) -> None:
        self.rules, self.store, self.plover = rules, store, plover
        self.name_of, self.send = name_of, send
        self.live = LiveState(store)

    def check(self) -> int:
        """Evaluate every rule on what is new since the last check; returns alerts fired."""
        if not self.rules:
            return 0
        memory = self.live.memory(CHECKED)
        new = self.live.live_articles_since(dt.datetime.fromisoformat(memory) if memory else None)
        if not new:
            return 0
        scope = self._scope([a for a, _ in new])
        fired = 0
        reports: dict[tuple[str, int, int], IndexReport] = {}
        for rule in self.rules:
            for alert in self._evaluate(rule, scope, reports):
                alert.fired_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
                if self.live.save_alert(alert.key, alert.rule, alert.kind, alert.country,
                                        alert.counterpart, alert.title, alert.model_dump()):
                    fired += 1
                    self.send(alert)
        self.live.remember(CHECKED, max(at for _, at in new).isoformat())
        return fired

    def _scope(self, article_ids: list[str]) -> _Scope:
        events = self.store.events_for_articles(article_ids)
        ids = {e.happening_id for e in events if e.happening_id}
        targets = {e.target.country for e in events if e.target and e.target.country}
        sources = {e.source.country for e in events if e.source.country}
        found = [h for h in map(self.store.happening, sorted(ids)) if h is not None]
        return _Scope(targets, targets | sources, found)

    def _evaluate(self, rule: AlertRule, scope: _Scope,
                  reports: dict[tuple[str, int, int], IndexReport]) -> Iterable[Alert]:
        if rule.when == "happening":
            yield from self._happenings(rule, scope)
            return
        countries = sorted(scope.targets) if rule.country == "*" else \
            [rule.country] if rule.country in scope.countries else []
        for country in countries:
            key = (country, rule.window_days, rule.baseline_days)
            if key not in reports:
                reports[key] = country_index(self.store, country, self.plover, self.name_of,
                                             window_days=rule.window_days,
                                             baseline_days=rule.baseline_days)
            if rule.when == "stance_change":
                yield from self._stances(rule, reports[key])
            else:
                yield from self._index(rule, reports[key])

    # ------------------------------------------------------------------ kinds
    def _stances(self, rule: AlertRule, report: IndexReport) -> Iterable[Alert]:
        for change in report.stance_changes:
            if change.date < report.window_start:
                continue
            if rule.counterparts and change.country not in rule.counterparts:
                continue
            origins = sorted({o for e in change.evidence for o in e.origins})
            yield Alert(
                key=f"{rule.name}|stance|{report.country}|{change.country}|{change.before}>"
                    f"{change.after}|{change.date}",
                rule=rule.name, kind="stance_change", country=report.country,
                counterpart=change.country,
                title=f"{change.country} toward {report.country}: {change.before} \u2192 "
                      f"{change.after} on {change.date}, {len(origins)} independent "
                      f"origin{'s' * (len(origins) != 1)}",
                figures={"before": change.before, "after": change.after,
                         "date": change.date.isoformat(), "origins": origins,
                         "isolation": report.isolation, "pressure": report.pressure,
                         "as_of": report.as_of.isoformat()},
                evidence=self._evidence(change.evidence))

    def _index(self, rule: AlertRule, report: IndexReport) -> Iterable[Alert]:
        name = rule.index or "isolation"
        value = report.isolation if name == "isolation" else report.pressure
        if value is None:
            return
        proof = self._evidence([e for c in (report.isolation_components if name == "isolation"
                                            else report.pressure_components)
                                for e in c.evidence])
        base = {"index": name, "value": value, "as_of": report.as_of.isoformat(),
                "isolation": report.isolation, "pressure": report.pressure}
        if rule.above is not None:
            side = "above" if value >= rule.above else "below"
            memo = f"{rule.name}|{report.country}|{name}|side"
            before = self.live.memory(memo)
            self.live.remember(memo, side)
            if side != (before or "below"):
                yield Alert(
                    key=f"{rule.name}|cross|{report.country}|{name}|{side}|{report.as_of}",
                    rule=rule.name, kind="index_threshold", country=report.country,
                    title=f"{report.country} {name} index {value:.2f} is now {side} "
                          f"{rule.above:g}",
                    figures={**base, "threshold": rule.above, "side": side,
                             "previous_side": before}, evidence=proof)
        if rule.move is not None:
            yield from self._move(rule, report, name, value, base, proof)

    def _move(self, rule: AlertRule, report: IndexReport, name: str, value: float,
              base: dict[str, Any], proof: list[dict[str, Any]]) -> Iterable[Alert]:
        within = rule.within_days or rule.window_days
        start = report.as_of - dt.timedelta(days=within)
        points = [p for p in report.timeline if p.get(name) is not None
                  and dt.date.fromisoformat(p["date"]) >= start]
        if not points:
            return
        ref = points[0]
        delta = round(value - ref[name], 3)
        moved = abs(delta) >= (rule.move or 0)
        memo = f"{rule.name}|{report.country}|{name}|moved"
        before = self.live.memory(memo)
        self.live.remember(memo, "yes" if moved else "no")
        if moved and before != "yes":
            yield Alert(
                key=f"{rule.name}|move|{report.country}|{name}|{report.as_of}|{delta:+.3f}",
                rule=rule.name, kind="index_move", country=report.country,
                title=f"{report.country} {name} index moved {delta:+.2f} in {within} days "
                      f"({ref[name]:.2f} on {ref['date']} \u2192 {value:.2f})",
                figures={**base, "delta": delta, "move": rule.move, "within_days": within,
                         "reference": ref}, evidence=proof)

    def _happenings(self, rule: AlertRule, scope: _Scope) -> Iterable[Alert]:
        for h in scope.happenings:
            if rule.types and h.type not in rule.types:
                continue
            if len(h.origins) < rule.min_origins:
                continue
            countries = {h.source.country, h.target.country if h.target else None}
            if rule.country != "*" and rule.country not in countries:
                continue
            target = h.target.country if h.target else None
            verb = f"{'not ' if h.negated else ''}{h.type}"
            yield Alert(
                key=f"{rule.name}|happening|{h.id}", rule=rule.name, kind="happening",
                country=target or h.source.country, counterpart=h.source.country,
                title=f"{h.source.country or h.source.name} \u2192 {target or '-'}: {verb} "
                      f"({h.modality}), {len(h.origins)} independent origins",
                figures={"type": h.type, "negated": h.negated, "modality": h.modality,
                         "mentions": h.mentions, "outlets": h.outlets, "origins": h.origins,
                         "date": h.date.isoformat() if h.date else None},
                evidence=self._evidence([evidence(h, self.plover)]))

    def _evidence(self, items: list[Evidence]) -> list[dict[str, Any]]:
        """The newest evidence, each with links to the articles it comes from."""
        chosen = sorted(items, key=lambda e: (e.date or dt.date.min, e.happening_id),
                        reverse=True)[:MAX_EVIDENCE]
        links = self.live.event_links(sorted({i for e in chosen for i in e.event_ids}))
        out = []
        for e in chosen:
            arts = {links[i]["article_id"]: links[i] for i in e.event_ids if i in links}
            out.append({**e.model_dump(mode="json", exclude={"event_ids"}),
                        "links": [{**a, "dashboard": f"/article/{a['article_id']}"}
                                  for a in arts.values()]})
        return out
