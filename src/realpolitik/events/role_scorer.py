"""Learned scorers of (trigger, candidate actor) pairs for the event's source and target.

Both are logistic regressions over the candidate's syntactic relation to the trigger: the
dependency path (alone and with the event type), the side and distance, the candidate's
sector, and whether the rules chose it (with the rule's kind). The target scorer also
knows whether the candidate shares the source's country, and scores a *null candidate*
("no target": the type, the rule's reading, how many candidates the sentence has) so it
can learn that a reading wants no target. Both are trained on the train split of our own
corpus (``python -m realpolitik.events.role_scorer``) over the drafts the rules type right
on the gold trigger, their thresholds are chosen on dev, and the weights are stored as
plain JSON (``models/roles.json``).

The roles component uses them so (see ``roles.RoleFinder``):

* source: where the rules find none (the draft would be dropped), the best candidate at
  or above ``threshold``; where the rules' reading is weak (coreference, another clause,
  an unknown name), a better candidate at or above ``replace``;
* target: where the rules find none, the best candidate at or above ``threshold`` that
  beats the null candidate; where their reading is weak (``weak_target_rules`` in the
  lexicon), the null candidate at or above ``drop`` removes the target and a better
  candidate at or above ``replace`` replaces it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc, Token

from realpolitik.events.context import ActorSpanLike, EventDraft

DEFAULT_PATH = Path(__file__).resolve().parent / "models" / "roles.json"
VERSION = "roles-2"
NEVER = 1.01  # a threshold no probability reaches
GRID = [round(0.1 + 0.05 * i, 2) for i in range(18)] + [NEVER]
# overriding a reading of the rules (replace, drop) needs a confident scorer: p >= 0.5
OVERRIDE_GRID = [g for g in GRID if g >= 0.5]


def dep_path(trigger: Token, target: Token) -> str:
    """Dependency path trigger -> target: '^dep' steps up, then dep labels down."""
    up = [trigger, *trigger.ancestors]
    down = [target, *target.ancestors]
    common = next((t for t in up if t in down), None)
    if common is None:
        return "?"
    ups = ["^" + t.dep_ for t in up[:up.index(common)]]
    downs = []
    for t in reversed(down[:down.index(common)]):
        label = t.dep_
        if t.dep_ in ("prep", "agent", "dative"):
            label += ":" + t.lower_
        downs.append(label)
    return "/".join(ups + downs) or "self"


def features(trigger: Token, candidate: Token, type_: str, sector: str | None,
             is_source: bool, pick: bool = False, rule: str = "") -> dict[str, str | float]:
    """A target candidate: its path from the trigger, and whether the rules chose it."""
    path = dep_path(trigger, candidate)
    feats: dict[str, str | float] = {
        "path": path, "type": type_, "tpath": f"{type_}|{path}",
        "side": "after" if candidate.i > trigger.i else "before",
        "dist": float(min(abs(candidate.i - trigger.i), 8)),
        "sector": sector or "-", "is_source": float(is_source)}
    if pick:
        feats["pick"] = 1.0
        feats["pick_rule"] = rule or "direct"
    return feats


def null_features(type_: str, rule: str, candidates: int) -> dict[str, str | float]:
    """The null target candidate ("no target") of a draft."""
    return {"null": 1.0, "null_type": type_, "null_rule": rule or "none",
            "null_trule": f"{type_}|{rule or 'none'}", "null_n": float(min(candidates, 4))}


def source_features(trigger: Token, candidate: Token, type_: str, sector: str | None,
                    pick: bool, rule: str, first: bool,
                    nominal: bool) -> dict[str, str | float]:
    """A source candidate: its path from the trigger, whether the rules chose it (and by
    which reading), whether it is the sentence's first actor, and how the trigger itself
    attaches (a trigger off the main line is often no event at all)."""
    path = dep_path(trigger, candidate)
    feats: dict[str, str | float] = {
        "s_path": path, "s_tpath": f"{type_}|{path}",
        "s_trigger": f"{'noun' if nominal else 'verb'}|{trigger.dep_}",
        "s_side": "after" if candidate.i > trigger.i else "before",
        "s_dist": float(min(abs(candidate.i - trigger.i), 8)),
        "s_sector": sector or "-", "s_first": float(first), "s_rule": rule or "none"}
    if pick:
        feats["s_pick"] = 1.0
        feats["s_pick_rule"] = rule or "direct"
    return feats


@dataclass(frozen=True)
class RoleScorer:
    """Logistic-regression weights over one-hot (name=value) and numeric features, with
    the thresholds the roles component applies (``NEVER`` turns a use off)."""

    weights: dict[str, float]
    intercept: float
    threshold: float = 0.5  # fill a role the rules left empty
    replace: float = NEVER  # replace a weak rule reading by a better candidate
    drop: float = NEVER     # the null candidate removes a weak rule target

    @classmethod
    def load(cls, path: Path | None = None, role: str = "target") -> RoleScorer | None:
        """The scorer for ``role`` ('target' or 'source') from a roles.json, if any."""
        path = path or DEFAULT_PATH
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        part = data.get(role)
        if part is None:
            return None
        return cls(part["weights"], part["intercept"], part.get("threshold", 0.5),
                   part.get("replace", NEVER), part.get("drop", NEVER))

    def probability(self, feats: dict[str, str | float]) -> float:
        z = self.intercept
        for name, value in feats.items():
            if isinstance(value, str):
                z += self.weights.get(f"{name}={value}", 0.0)
            else:
                z += self.weights.get(name, 0.0) * value
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> dict:
        return {"weights": self.weights, "intercept": self.intercept,
                "threshold": self.threshold, "replace": self.replace, "drop": self.drop}


# --------------------------------------------- candidates, the decision, and training
@dataclass
class Candidate:
    """One candidate actor of a role (or the null target candidate) and its label."""

    feats: dict[str, str | float]
    country: str | None  # None for the null candidate
    ok: bool


@dataclass
class RoleRow:
    """One draft on a gold trigger with the gold type, as the rules alone read it."""

    want: str | None
    rule: list[str]       # the countries the rules chose
    weak: bool            # the rules' reading is weak (their result may be replaced)
    cands: list[Candidate]
    null: Candidate | None = None


def _fit(rows: Iterable[RoleRow]) -> tuple[dict[str, float], float]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    cands = [c for r in rows for c in [*r.cands, *([r.null] if r.null else [])]]
    vec = DictVectorizer()
    x = vec.fit_transform([c.feats for c in cands])
    model = LogisticRegression(C=1.0, max_iter=3000).fit(x, [c.ok for c in cands])
    weights = {name: round(float(w), 6) for name, w in zip(vec.feature_names_, model.coef_[0],
                                                            strict=True) if abs(w) > 1e-6}
    return weights, round(float(model.intercept_[0]), 6)


def choose(row: RoleRow, scorer: RoleScorer) -> str | None:
    """The country the roles component ends with for ``row`` (mirrors ``RoleFinder``)."""
    probs = [(scorer.probability(c.feats), c) for c in row.cands]
    p_null = scorer.probability(row.null.feats) if row.null is not None else 0.0
    best_p, best = max(probs, key=lambda pc: pc[0], default=(0.0, None))
    rule = row.rule[0] if row.rule else None
    if not row.rule:
        if best is not None and best_p >= scorer.threshold and best_p > p_null:
            return best.country
        return None
    if not row.weak:
        return rule
    if row.null is not None and p_null >= scorer.drop and p_null > best_p:
        return None
    picked = max((p for p, c in probs if c.country in row.rule), default=0.0)
    if best is not None and best.country not in row.rule and best_p >= scorer.replace \
            and best_p > picked:
        return best.country
    return rule


def _accuracy(rows: list[RoleRow], scorer: RoleScorer) -> float:
    return sum(choose(r, scorer) == r.want for r in rows) / max(len(rows), 1)


def _tune(rows: list[RoleRow], scorer: RoleScorer, names: list[str]) -> RoleScorer:
    """Thresholds chosen on dev, one at a time, each by dev accuracy (ties: the higher);
    those that override the rules from 0.5 up."""
    for name in names:
        best, best_score = getattr(scorer, name), -1.0
        for value in GRID if name == "threshold" else OVERRIDE_GRID:
            score = _accuracy(rows, _replace(scorer, name, value))
            if score >= best_score:
                best, best_score = value, score
        scorer = _replace(scorer, name, best)
    return scorer


def _replace(scorer: RoleScorer, name: str, value: float) -> RoleScorer:
    fields = scorer.to_json()
    fields[name] = value
    return RoleScorer(**fields)


def _collect() -> dict[str, dict[str, list[RoleRow]]]:
    """Code the corpus with the rules alone and build the candidate rows per split."""
    from realpolitik.evaluate import code_rows, normalise_code
    from realpolitik.events.training import load_corpus
    from realpolitik.pipeline import Pipeline

    rows = load_corpus()
    pipe = Pipeline()
    roles = pipe.coder.nlp.get_pipe("realpolitik_roles")
    roles.scorer = roles.source_scorer = None  # learn from the rules' own readings
    weak_rules = roles.weak_target_rules
    seen: dict[str, list] = {}
    code_rows(pipe, ((s.id, s.text) for s in rows), seen)
    data: dict[str, dict[str, list[RoleRow]]] = {
        split: {"source": [], "target": []} for split in ("train", "dev")}
    for s in rows:
        for sent, drafts in seen.get(s.id, []):
            spans = distinct_spans(sent.actors)
            for d in drafts:
                if not d.type or (d.dropped and d.dropped != "roles: no source"):
                    continue
                gold = next((e for e in s.events if e.type == d.type and any(
                    w.lower() in {g.lower() for g in e.trigger.split() if len(g) > 2}
                    for w in d.trigger.text.split())), None)
                src = source_rows(d, spans, sent.doc)
                if gold is None:
                    if not d.sources.actors:  # no event here: every candidate is wrong
                        data[s.split]["source"].append(RoleRow(None, [], True, src))
                    continue
                want_src = normalise_code(gold.source.country)
                want_tgt = normalise_code(gold.target.country) if gold.target else None
                rule_src = [a.country for a in d.sources.actors if a.country]
                for c in src:
                    c.ok = c.country == want_src
                data[s.split]["source"].append(RoleRow(want_src, rule_src, source_is_weak(d),
                                                       src))
                if d.dropped:
                    continue
                cands, null = target_rows(d, spans, sent.doc)
                for c in cands:
                    c.ok = c.country == want_tgt
                null.ok = want_tgt is None
                rule_tgt = [a.country for a in d.targets if a.country]
                data[s.split]["target"].append(RoleRow(
                    want_tgt, rule_tgt, target_is_weak(d.target_rule, weak_rules), cands, null))
    return data


def distinct_spans(spans: list[ActorSpanLike]) -> list[ActorSpanLike]:
    """The actor mentions with a country, one per start token."""
    out, seen = [], set()
    for span in spans:
        if span.actor.country is not None and span.start not in seen:
            seen.add(span.start)
            out.append(span)
    return out


def target_rule_kind(rule: str) -> str:
    """'target:patient-domestic' -> 'patient-domestic'; '' (a direct reading) -> ''."""
    return rule.split(":", 1)[1] if ":" in rule else rule


def target_is_weak(rule: str, weak_rules: frozenset[str]) -> bool:
    """Is a rule target's reading one the scorer may drop or replace?"""
    return any(part in weak_rules for part in target_rule_kind(rule).split("+"))


def source_is_weak(draft: EventDraft) -> bool:
    """A rule source the scorer may replace: coreference, another clause, an unknown name,
    a place's government, an actor found inside a noun phrase."""
    return bool(draft.sources.actors) and (draft.sources.weak or draft.inherited_subject)


def source_rule_kind(draft: EventDraft) -> str:
    if not draft.sources.actors:
        return "none"
    rule = draft.sources.rule or "direct"
    return f"{rule}+inherited" if draft.inherited_subject else rule


def source_rows(draft: EventDraft, spans: list[ActorSpanLike], doc: Doc) -> list[Candidate]:
    """The source candidates of a draft: every actor mention with a country."""
    picked = {a.country for a in draft.sources.actors}
    rule = source_rule_kind(draft)
    type_ = draft.base_type or draft.type
    first = spans[0].start if spans else -1
    return [Candidate(source_features(draft.trigger.token, doc[s.start:s.end].root, type_,
                                      s.actor.sector, s.actor.country in picked, rule,
                                      s.start == first, draft.trigger.nominal),
                      s.actor.country, False)
            for s in spans]


def target_rows(draft: EventDraft, spans: list[ActorSpanLike],
                doc: Doc) -> tuple[list[Candidate], Candidate]:
    """The target candidates of a draft and its null candidate."""
    first = draft.sources.actors[0].country if draft.sources.actors else None
    picked = {a.country for a in draft.targets}
    rule = target_rule_kind(draft.target_rule) if draft.targets else "none"
    type_ = draft.base_type or draft.type
    cands = [Candidate(features(draft.trigger.token, doc[s.start:s.end].root, type_,
                                s.actor.sector, s.actor.country == first,
                                s.actor.country in picked, rule), s.actor.country, False)
             for s in spans]
    others = sum(1 for s in spans if s.actor.country != first)
    return cands, Candidate(null_features(type_, rule, others), None, False)


def train(out: Path = DEFAULT_PATH) -> dict[str, dict[str, float]]:
    """Code the corpus with the rules alone, fit on train, tune on dev; write the weights.

    Source rows include the drafts the rules drop that are no event of the corpus (every
    candidate wrong), so filling a source is weighed against making a false event."""
    data = _collect()
    report: dict[str, dict[str, float]] = {}
    parts = {}
    for role, names in (("source", ["threshold", "replace"]),
                        ("target", ["threshold", "drop", "replace"])):
        weights, intercept = _fit(data["train"][role])
        dev = data["dev"][role]
        rules_only = RoleScorer(weights, intercept, NEVER)
        scorer = _tune(dev, RoleScorer(weights, intercept), names)
        report[role] = {"dev_rows": len(dev), "rules": round(_accuracy(dev, rules_only), 4),
                        "scorer": round(_accuracy(dev, scorer), 4),
                        "threshold": scorer.threshold, "replace": scorer.replace,
                        "drop": scorer.drop}
        parts[role] = scorer.to_json()
    out.write_text(json.dumps({"version": VERSION, **parts, "dev": report}, indent=1,
                              sort_keys=True) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    print(json.dumps(train(), indent=1))
