"""Bucket the coder's role errors on the dev split of our own training corpus.

For each dev sentence whose top event has the gold type, the source and the target are
compared with the gold ones (by country, as ``realpolitik eval`` does) and each miss is
put in a bucket: what went wrong (no target, wrong target, target = source's country,
source missing, wrong source) and the syntactic configuration of the gold actor relative
to the gold trigger (dependency path, whether the actor matcher found a country there).
A sentence left with no event because the gold trigger's draft found no source is put in
the bucket "dropped: no source", by the gold source's configuration.

    .venv/bin/python bench/role_errors.py [--examples N] [--type-any]

Only the dev split is read (never the evaluation files under ../shared).
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict

from spacy.tokens import Doc, Span

from realpolitik.evaluate import _actor_ok, code_rows, normalise_code, top_event
from realpolitik.events.role_scorer import dep_path
from realpolitik.events.training import TrainActor, load_corpus
from realpolitik.pipeline import Pipeline


def _span(doc: Doc, text: str) -> Span | None:
    at = doc.text.find(text)
    if at < 0:
        return None
    return doc.char_span(at, at + len(text), alignment_mode="expand")


def _config(doc: Doc, sent_actors, trig_text: str, actor: TrainActor) -> str:
    trig = _span(doc, trig_text)
    span = _span(doc, actor.text)
    if trig is None or span is None:
        return "unaligned"
    covered = {i: s for s in sent_actors for i in range(s.start, s.end)}
    found = sorted({covered[i].actor.country or "-" for i in range(span.start, span.end)
                    if i in covered})
    ner = "matched" if found else "unmatched"
    if found and normalise_code(actor.country) not in found:
        ner = "matched-other"
    return f"{dep_path(trig.root, span.root)} [{ner}]"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=2)
    ap.add_argument("--type-any", action="store_true",
                    help="also score roles when the top type is wrong")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()

    rows = [s for s in load_corpus() if s.split == "dev" and s.events]
    pipe = Pipeline()
    seen: dict = {}
    predicted = code_rows(pipe, ((s.id, s.text) for s in rows), seen)
    captured: dict[str, tuple[Doc, list]] = {
        rid: (pairs[-1][0].doc, pairs[-1][0].actors) for rid, pairs in seen.items()}
    dropped: dict[str, list[str]] = defaultdict(list)
    for rid, pairs in seen.items():
        dropped[rid] = [d.trigger.text for _, drafts in pairs for d in drafts
                        if d.dropped == "roles: no source"]
    is_igo = pipe.gazetteer.is_igo
    buckets: Counter[str] = Counter()
    configs: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    n_typed = exact = 0
    for s in rows:
        gold = s.events[0]
        top = top_event(predicted.get(s.id, []))
        words = {w.lower() for w in gold.trigger.split() if len(w) > 2}
        if top is None and any(w.lower() in words for t in dropped[s.id] for w in t.split()):
            kind = "dropped: no source"  # the gold trigger's draft found no source
            doc, actors = captured.get(s.id, (None, []))
            conf = _config(doc, actors, gold.trigger, gold.source) if doc is not None else "-"
            buckets[kind] += 1
            configs[kind][conf] += 1
            if len(examples[(kind, conf)]) < args.examples:
                examples[(kind, conf)].append(f"{s.id}: {s.text}\n        gold {gold.type} "
                                              f"{gold.source.country} ({gold.source.text})")
            continue
        if top is None or (top.type != gold.type and not args.type_any):
            continue
        n_typed += 1
        doc, actors = captured.get(s.id, (None, []))
        g_src = [normalise_code(gold.source.country)] if gold.source.country else []
        g_tgt = [normalise_code(gold.target.country)] if gold.target and gold.target.country \
            else []
        s_ok = _actor_ok(top.source.country, [c for c in g_src if c], is_igo)
        t_pred = top.target.country if top.target else None
        t_ok = _actor_ok(t_pred, [c for c in g_tgt if c], is_igo)
        if s_ok and t_ok:
            exact += 1
            continue
        kinds = []
        if not s_ok:
            kinds.append("source missing" if top.source.country is None else "wrong source")
        if not t_ok:
            if not g_tgt:
                kinds.append("target where gold has none")
            elif t_pred is None:
                home = g_tgt == g_src
                kinds.append("no target found" + (" (gold: source's own country)" if home
                                                  else " (gold: another country)"))
            elif t_pred == top.source.country:
                kinds.append("target = source's country")
            else:
                kinds.append("wrong target")
        for kind in kinds:
            buckets[kind] += 1
            actor = gold.source if kind.endswith("source") or kind == "source missing" \
                else gold.target
            conf = _config(doc, actors, gold.trigger, actor) if doc is not None and actor \
                else "-"
            configs[kind][conf] += 1
            if len(examples[(kind, conf)]) < args.examples:
                examples[(kind, conf)].append(
                    f"{s.id}: {s.text}\n        gold {gold.type} {gold.source.country}->"
                    f"{gold.target.country if gold.target else None}; got {top.type} "
                    f"{top.source.country}->{t_pred} ({top.rule})")
    print(f"dev sentences with an event: {len(rows)}; top type right: {n_typed}; "
          f"roles right among those: {exact}")
    for kind, n in buckets.most_common():
        print(f"\n== {kind}: {n}")
        for conf, m in configs[kind].most_common(args.top):
            print(f"  {m:4d}  {conf}")
            for ex in examples[(kind, conf)]:
                print(f"        {ex}")


if __name__ == "__main__":
    main()
