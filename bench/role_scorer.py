"""Experiment: a learned scorer of (trigger, candidate actor) pairs against the role rules.

Codes the corpus with the shipped coder, then, for each sentence whose top event has the
gold type, takes every actor mention with a country as a target candidate. A logistic
regression over the candidate's syntactic relation to the gold trigger (dependency path,
side, distance, sector, same country as the source) is trained on the train split only;
on the dev split its best candidate (or none, under 0.5; or, "learned else rules", the
rules' target when it has none) is compared with the rules' target, by country as
`realpolitik eval` compares them. The candidates are read from the coder's own trigger.

    .venv/bin/python bench/role_scorer.py
"""

from __future__ import annotations

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from realpolitik.evaluate import normalize_code, top_event
from realpolitik.events.training import load_corpus
from realpolitik.pipeline import Pipeline
from realpolitik.records import Article
from role_errors import _path, _span


def main() -> None:
    rows = [s for s in load_corpus() if s.events]
    pipe = Pipeline()
    captured: dict[str, tuple] = {}
    code = pipe.coder.code

    def spy(sent):
        captured[sent.article_id] = (sent.doc, sent.actors)
        return code(sent)

    pipe.coder.code = spy  # type: ignore[method-assign]
    predicted = {}
    for start in range(0, len(rows), 64):
        chunk = [Article(id=s.id, text=s.text) for s in rows[start:start + 64]]
        for coded in pipe.code(chunk):
            predicted[coded.article.id] = coded.events
    data = {"train": [], "dev": []}
    for s in rows:
        gold = s.events[0]
        top = top_event(predicted.get(s.id, []))
        if top is None or top.type != gold.type or s.id not in captured:
            continue
        doc, actors = captured[s.id]
        trig = _span(doc, top.trigger)  # the coder's own trigger, not the gold one
        if trig is None:
            continue
        want = normalize_code(gold.target.country) if gold.target else None
        cands = []
        for a in actors:
            if a.actor.country is None:
                continue
            root = doc[a.start:a.end].root
            feats = {"path": _path(trig.root, root), "type": top.type,
                     "tpath": top.type + "|" + _path(trig.root, root),
                     "side": "after" if a.start > trig.root.i else "before",
                     "dist": min(abs(a.start - trig.root.i), 8),
                     "sector": a.actor.sector or "-",
                     "is_source": a.actor.country == top.source.country}
            cands.append((feats, a.actor.country == want, a.actor.country))
        rule = top.target.country if top.target else None
        data[s.split].append((cands, want, rule))
    x = [f for cands, _, _ in data["train"] for f, _, _ in cands]
    y = [ok for cands, _, _ in data["train"] for _, ok, _ in cands]
    vec = DictVectorizer()
    model = LogisticRegression(C=1.0, max_iter=2000).fit(vec.fit_transform(x), y)
    learned = rules = hybrid = 0
    for cands, want, rule in data["dev"]:
        rules += rule == want
        choice = None
        if cands:
            probs = model.predict_proba(vec.transform([f for f, _, _ in cands]))[:, 1]
            best = int(probs.argmax())
            choice = cands[best][2] if probs[best] >= 0.5 else None
        learned += choice == want
        hybrid += (choice if choice is not None else rule) == want
    n = len(data["dev"])
    print(f"dev rows with the right top type: {n} (train rows {len(data['train'])})")
    print(f"target country right, rules:   {rules / n:.3f}")
    print(f"target country right, learned: {learned / n:.3f}")
    print(f"target country right, learned else rules: {hybrid / n:.3f}")


if __name__ == "__main__":
    main()
