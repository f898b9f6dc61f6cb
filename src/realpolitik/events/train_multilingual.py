"""Build the multilingual sentence typer (``events/models/multilingual.{npz,json}``).

``python -m realpolitik.events.train_multilingual`` (run by ``make train``) encodes every
sentence of the English corpus (``training/data``) and of the multilingual training file
(``training/multilingual/*.jsonl``: the English schema plus ``lang``) with the shared
multilingual encoder, and fits a multinomial logistic regression over the 512-dim vectors:
17 classes, the 16 PLOVER types (a REJECT of a refused act is REJECT) and ``NONE``.
Sentences follow the corpus split rule (SHA-1 of the id); the no-event threshold is chosen
on the dev split. Deterministic: same inputs, same arrays (lbfgs, fixed order).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from pydantic import Field

from realpolitik.events.multilingual import (
    MODEL_DIR,
    MODEL_STEM,
    NO_EVENT,
    files_digest,
)
from realpolitik.events.training import (
    TRAINING_DIR,
    CorpusError,
    TrainSentence,
    load_corpus,
    split_of,
)
from realpolitik.records import PLOVER_TYPES

MULTILINGUAL_DIR = TRAINING_DIR.parent / "multilingual"
VERSION = "ml-typing-1"
C = 4.0  # L2 strength (chosen on dev among 1, 4, 16)
LOCAL_WEIGHT = 4.0  # a written sentence in another language counts this many English ones
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


class LangSentence(TrainSentence):
    """A training (or test) sentence in another language: the English schema plus ``lang``."""

    lang: str = Field(pattern=r"^[a-z]{2}$")


def read_lang_file(path: Path) -> list[LangSentence]:
    """Every sentence of a multilingual JSONL file (errors name the file and line)."""
    out = []
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                out.append(LangSentence.model_validate(json.loads(line)))
            except ValueError as exc:
                raise CorpusError(f"{path}:{lineno}: {' '.join(str(exc).split())}") from exc
    return out


def sentence_label(sentence: TrainSentence) -> str:
    """The class a sentence trains: its first event's type, or NONE."""
    return sentence.events[0].type if sentence.events else NO_EVENT


def _inputs() -> list[Path]:
    return sorted(TRAINING_DIR.glob("*.jsonl")) + sorted(MULTILINGUAL_DIR.glob("*.jsonl"))


def inputs_digest() -> str:
    """What the shipped model must have been built from (checked by the tests)."""
    return files_digest(_inputs())


def train(out_dir: Path = MODEL_DIR) -> dict[str, object]:
    """Fit, choose the threshold on dev, write the artefact; return its metadata."""
    from sklearn.linear_model import LogisticRegression

    from realpolitik.nlp.encoder import ENCODER_NAME, shared_encoder

    english = load_corpus()
    local: list[LangSentence] = []
    for path in sorted(MULTILINGUAL_DIR.glob("*.jsonl")):
        local += read_lang_file(path)
    texts = [s.text for s in english] + [s.text for s in local]
    labels = np.array([sentence_label(s) for s in english] + [sentence_label(s) for s in local])
    langs = ["en"] * len(english) + [s.lang for s in local]
    dev = np.array([split_of(s.id) == "dev" for s in [*english, *local]])
    weights = np.array([1.0] * len(english) + [LOCAL_WEIGHT] * len(local))
    vectors = shared_encoder().encode(texts)
    classes = [*PLOVER_TYPES, NO_EVENT]

    def fit(mask: np.ndarray):
        model = LogisticRegression(C=C, max_iter=3000)
        model.fit(vectors[mask], labels[mask], sample_weight=weights[mask])
        return model

    model = fit(~dev)
    probs = model.predict_proba(vectors[dev])
    order = list(model.classes_)
    best = probs.argmax(axis=1)
    figures: dict[str, dict[str, float]] = {}
    threshold_scores = {}
    for threshold in THRESHOLDS:
        pred = [order[b] if probs[i, b] >= threshold else NO_EVENT for i, b in enumerate(best)]
        threshold_scores[threshold] = float(np.mean(np.array(pred) == labels[dev]))
    threshold = max(THRESHOLDS, key=lambda t: (threshold_scores[t], -t))
    pred = np.array([order[b] if probs[i, b] >= threshold else NO_EVENT
                     for i, b in enumerate(best)])
    dev_langs = np.array(langs)[dev]
    for lang in sorted(set(langs)):
        m = dev_langs == lang
        figures[lang] = {"dev_sentences": int(m.sum()),
                         "dev_accuracy": round(float(np.mean(pred[m] == labels[dev][m])), 3)
                         if m.any() else 0.0}
    final = fit(np.ones(len(texts), dtype=bool))
    index = [list(final.classes_).index(c) for c in classes]
    coef = final.coef_[index].astype(np.float32)
    intercept = final.intercept_[index].astype(np.float32)
    meta: dict[str, object] = {
        "version": VERSION, "encoder": ENCODER_NAME, "classes": classes, "C": C,
        "local_weight": LOCAL_WEIGHT, "threshold": threshold,
        "threshold_dev_accuracy": {str(k): round(v, 3) for k, v in threshold_scores.items()},
        "sentences": dict(sorted(Counter(langs).items())), "dev": figures,
        "inputs_sha256": inputs_digest(),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez(out_dir / f"{MODEL_STEM}.npz", coef=coef, intercept=intercept)
    (out_dir / f"{MODEL_STEM}.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False)
                                                + "\n", encoding="utf-8")
    return meta


def main(argv: Iterable[str] = ()) -> int:
    meta = train()
    sys.stdout.write(json.dumps({k: meta[k] for k in ("threshold", "sentences", "dev")},
                                indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
