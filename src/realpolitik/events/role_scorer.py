"""A learned scorer of (trigger, candidate actor) pairs for the event's target.

Features are the candidate's syntactic relation to the trigger: the dependency path
(alone and with the event type), the side and distance, the candidate's sector and
whether it shares the source's country. A logistic regression is trained on the train
split of our own corpus (``python -m realpolitik.events.role_scorer``), over the
candidates of sentences the rule coder types right, and stored as plain JSON weights.
Where the rules name no target (none, or only an unnamed patient), the roles component
takes the scorer's best candidate when its probability is at least 0.5.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Token

DEFAULT_PATH = Path(__file__).resolve().parent / "models" / "roles.json"
VERSION = "roles-1"


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
             is_source: bool) -> dict[str, str | float]:
    path = dep_path(trigger, candidate)
    return {"path": path, "type": type_, "tpath": f"{type_}|{path}",
            "side": "after" if candidate.i > trigger.i else "before",
            "dist": float(min(abs(candidate.i - trigger.i), 8)),
            "sector": sector or "-", "is_source": float(is_source)}


@dataclass(frozen=True)
class RoleScorer:
    """Logistic-regression weights over one-hot (name=value) and numeric features."""

    weights: dict[str, float]
    intercept: float
    threshold: float = 0.5

    @classmethod
    def load(cls, path: Path | None = None) -> RoleScorer | None:
        path = path or DEFAULT_PATH
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["weights"], data["intercept"], data.get("threshold", 0.5))

    def probability(self, feats: dict[str, str | float]) -> float:
        z = self.intercept
        for name, value in feats.items():
            if isinstance(value, str):
                z += self.weights.get(f"{name}={value}", 0.0)
            else:
                z += self.weights.get(name, 0.0) * value
        return 1.0 / (1.0 + math.exp(-z))


def train(out: Path = DEFAULT_PATH) -> dict[str, float]:
    """Code the corpus with the rules alone, fit on train, report dev; write the weights."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    from realpolitik.evaluate import normalise_code, top_event
    from realpolitik.events.training import load_corpus
    from realpolitik.pipeline import Pipeline
    from realpolitik.records import Article

    rows = [s for s in load_corpus() if s.events]
    pipe = Pipeline()
    roles = pipe.coder.nlp.get_pipe("realpolitik_roles")
    roles.scorer = None  # learn from the rules' own readings
    captured: dict[str, tuple] = {}
    code = pipe.coder.code

    def spy(sent):
        captured[sent.article_id] = (sent.doc, sent.actors)
        return code(sent)

    pipe.coder.code = spy  # type: ignore[method-assign]
    predicted = {}
    for start in range(0, len(rows), 64):
        for coded in pipe.code([Article(id=s.id, text=s.text) for s in rows[start:start + 64]]):
            predicted[coded.article.id] = coded.events
    data: dict[str, list] = {"train": [], "dev": []}
    for s in rows:
        gold = s.events[0]
        top = top_event(predicted.get(s.id, []))
        if top is None or top.type != gold.type or s.id not in captured:
            continue
        doc, actors = captured[s.id]
        at = doc.text.find(top.trigger)
        trig = doc.char_span(at, at + len(top.trigger), alignment_mode="expand") \
            if at >= 0 else None
        if trig is None:
            continue
        want = normalise_code(gold.target.country) if gold.target else None
        cands = [(features(trig.root, doc[a.start:a.end].root, top.type, a.actor.sector,
                           a.actor.country == top.source.country),
                  a.actor.country == want, a.actor.country)
                 for a in actors if a.actor.country is not None]
        data[s.split].append((cands, want, top.target.country if top.target else None))
    vec = DictVectorizer()
    x = vec.fit_transform([f for c, _, _ in data["train"] for f, _, _ in c])
    y = [ok for c, _, _ in data["train"] for _, ok, _ in c]
    model = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
    weights = {name: round(float(w), 6) for name, w in zip(vec.feature_names_, model.coef_[0],
                                                            strict=True) if abs(w) > 1e-6}
    scorer = RoleScorer(weights, round(float(model.intercept_[0]), 6))
    rules_ok = hybrid_ok = 0
    for cands, want, rule in data["dev"]:
        rules_ok += rule == want
        choice = rule
        if cands and rule is None:  # as the roles component uses it: where rules find none
            probs = [scorer.probability(f) for f, _, _ in cands]
            best = max(range(len(cands)), key=probs.__getitem__)
            if probs[best] >= scorer.threshold:
                choice = cands[best][2]
        hybrid_ok += choice == want
    n = max(len(data["dev"]), 1)
    report = {"dev_rows": len(data["dev"]), "rules": rules_ok / n, "scorer": hybrid_ok / n}
    out.write_text(json.dumps({"version": VERSION, "weights": weights,
                               "intercept": scorer.intercept, "threshold": scorer.threshold,
                               "dev": report}, indent=1, sort_keys=True) + "\n",
                   encoding="utf-8")
    return report


if __name__ == "__main__":
    print(train())
