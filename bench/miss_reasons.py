"""Why the coder misses: counts of the reasons, never the sentences.

For every gold sentence the coder gets wrong, the stage that lost it is counted:

* no event at all: the pre-parse filter skipped every sentence (no actor-like word, or no
  trigger word), the sentence had no actor, no trigger candidate was found, or every
  candidate was dropped (and by which component: the model's veto or threshold, no
  source, a refusal folded into REJECT);
* a wrong type: whether the gold trigger word was a candidate at all, and whether the top
  event hangs on it or on another word;
* a right type with a wrong target: no target, the source's own country, or another
  country, and whether the actor matcher found the gold target's country anywhere in the
  sentence.

Only aggregate counts are printed, so the tool may be run on an evaluation file that must
not be read (``../shared/eval``) as well as on the dev split of our own corpus:

    .venv/bin/python bench/miss_reasons.py ../shared/eval/plover_gsr.jsonl
    .venv/bin/python bench/miss_reasons.py --dev
"""

from __future__ import annotations

import argparse
from collections import Counter

from realpolitik.evaluate import GoldRow, _actor_ok, code_rows, dev_gold, load_gold, top_event
from realpolitik.pipeline import Pipeline


def _trigger_words(row: GoldRow) -> set[str]:
    return {w.lower() for w in (row.trigger or "").split() if len(w) > 2}


def _on_gold_trigger(text: str, row: GoldRow) -> bool:
    words = _trigger_words(row)
    return bool(words) and any(w.lower() in words for w in text.split())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", nargs="?", help="gold JSONL in the PLOVER GSR shape")
    ap.add_argument("--dev", action="store_true", help="the dev split of training/data")
    args = ap.parse_args()
    rows = dev_gold() if args.dev or not args.gold else load_gold(args.gold)

    pipe = Pipeline()
    seen: dict = {}
    predicted = code_rows(pipe, ((r.id, r.text) for r in rows), seen)
    is_igo = pipe.gazetteer.is_igo

    reasons: Counter[str] = Counter()
    for row in rows:
        events = predicted.get(row.id, [])
        top = top_event(events)
        parsed = seen.get(row.id, [])
        found = {s.actor.country for sent, _ in parsed for s in sent.actors}
        if top is None:
            if not parsed:
                doc = pipe.nlp.tokenize(row.text)
                has_actor = bool(pipe.matcher(doc))
                reasons["no event: not parsed (" + (
                    "no trigger word" if has_actor else "no actor found") + ")"] += 1
                continue
            if not any(s.actors for s, _ in parsed):
                reasons["no event: parsed, no actor in the sentence"] += 1
                continue
            drafts = [d for _, ds in parsed for d in ds]
            if not drafts:
                reasons["no event: no trigger candidate"] += 1
                continue
            on_gold = [d for d in drafts if _on_gold_trigger(d.trigger.text, row)]
            why = Counter(d.dropped.replace(": ", ":") or "untyped" for d in on_gold)
            if not on_gold:
                reasons["no event: gold trigger not a candidate (others dropped)"] += 1
                continue
            cause = why.most_common(1)[0][0]
            if cause == "roles:no source":
                cause += (" (gold source's country found in the sentence)"
                          if set(row.source_countries()) & found
                          else " (gold source's country not found by the matcher)")
            elif cause.startswith("model"):
                cause += f" (its best type {on_gold[0].model_type})"
            reasons["no event: gold trigger dropped by " + cause] += 1
            continue
        if top.type != row.type:
            drafts = [d for _, ds in parsed for d in ds]
            candidate = any(_on_gold_trigger(d.trigger.text, row) for d in drafts)
            on_it = _on_gold_trigger(top.trigger, row)
            alive_on_gold = [d for d in drafts if d.alive and _on_gold_trigger(d.trigger.text,
                                                                               row)]
            if on_it:
                reasons["wrong type: top event on the gold trigger, typed wrong"] += 1
            elif alive_on_gold:
                reasons["wrong type: gold trigger coded too, another event ranked first"] += 1
            elif candidate:
                reasons["wrong type: gold trigger dropped, another word coded"] += 1
            else:
                reasons["wrong type: gold trigger never a candidate"] += 1
            continue
        gold_targets = row.target_countries()
        t_pred = top.target.country if top.target else None
        if not _actor_ok(top.source.country, row.source_countries(), is_igo):
            where = ("gold source's country found in the sentence"
                     if set(row.source_countries()) & found
                     else "gold source's country not found by the matcher")
            if not row.source_countries():
                where = "gold source has no country"
            reasons[f"right type: wrong source ({where})"] += 1
        if _actor_ok(t_pred, gold_targets, is_igo):
            continue
        matched = "gold target's country found in the sentence" if set(gold_targets) & found \
            else "gold target's country not found by the matcher"
        if not gold_targets:
            reasons["right type: a target where gold has none"] += 1
        elif t_pred is None:
            reasons[f"right type: no target ({matched})"] += 1
        elif t_pred == top.source.country:
            reasons[f"right type: target = source's country ({matched})"] += 1
        else:
            reasons[f"right type: wrong target ({matched})"] += 1
    print(f"{len(rows)} gold sentences")
    for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        if n:
            print(f"  {n:4d}  {reason}")


if __name__ == "__main__":
    main()
