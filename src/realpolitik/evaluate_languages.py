"""Per-language scores of the multilingual coder on a gold set in the training schema + ``lang``.

A gold event is *right* when one event coded from its sentence has the same type, a
source whose country matches and a target whose country matches (or neither has one);
``negated`` and ``modality`` are scored on the right events. The same sentences are
coded three ways (``MultilingualCoder`` modes): the combined lexicon + model reading the
pipeline uses, the per-language trigger lexicon alone, and the encoder model alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import BaseModel

from realpolitik.evaluate import country_matches
from realpolitik.events.multilingual import MODES, MultilingualCoder, SentenceJob
from realpolitik.events.train_multilingual import LangSentence, read_lang_file
from realpolitik.records import Event


class LanguageScore(BaseModel):
    """One language under one coding mode."""

    lang: str
    mode: str
    sentences: int
    gold_events: int
    predicted_events: int
    type_right: int
    all_right: int  # type + source + target
    negated_right: int
    modality_right: int
    false_alarms: int  # events coded from sentences with no gold event

    @property
    def accuracy(self) -> float:
        return self.all_right / self.gold_events if self.gold_events else 0.0

    @property
    def type_accuracy(self) -> float:
        return self.type_right / self.gold_events if self.gold_events else 0.0

    @property
    def role_accuracy(self) -> float:
        """Source and target right among the events whose type is right."""
        return self.all_right / self.type_right if self.type_right else 0.0


class LanguageReport(BaseModel):
    scores: list[LanguageScore]

    def to_text(self) -> str:
        lines = ["Multilingual coder, per language (type+source+target = all three right)",
                 f"{'lang':<5}{'mode':<10}{'sent':>5}{'gold':>6}{'pred':>6}{'type':>8}"
                 f"{'type+src+tgt':>14}{'roles|type':>12}{'negated':>9}{'modality':>10}"
                 f"{'false alarms':>14}"]
        for s in self.scores:
            lines.append(
                f"{s.lang:<5}{s.mode:<10}{s.sentences:>5}{s.gold_events:>6}"
                f"{s.predicted_events:>6}{s.type_accuracy:>8.1%}{s.accuracy:>14.1%}"
                f"{s.role_accuracy:>12.1%}"
                f"{(s.negated_right / s.all_right if s.all_right else 0):>9.1%}"
                f"{(s.modality_right / s.all_right if s.all_right else 0):>10.1%}"
                f"{s.false_alarms:>14}")
        return "\n".join(lines) + "\n"


def is_language_gold(path: Path) -> bool:
    """A directory of, or a JSONL file in, the multilingual gold schema (rows with ``lang``)."""
    if path.is_dir():
        return any(path.glob("*.jsonl"))
    with path.open(encoding="utf-8") as f:
        first = next((line for line in f if line.strip()), "")
    return '"lang"' in first and '"events"' in first


def load_language_gold(path: Path) -> list[LangSentence]:
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    return [s for f in files for s in read_lang_file(f)]


def _right(gold, event: Event, is_igo: Callable[[str], bool]) -> bool:
    if event.type != gold.type or not country_matches(event.source.country,
                                                       gold.source.country, is_igo):
        return False
    gold_target = gold.target.country if gold.target else None
    pred_target = event.target.country if event.target else None
    if gold_target is None:
        return True  # no gold target (a place, the sea): any target is accepted
    return country_matches(pred_target, gold_target, is_igo)


def score_languages(sentences: Iterable[LangSentence], coder: MultilingualCoder,
                    is_igo: Callable[[str], bool],
                    modes: tuple[str, ...] = MODES) -> LanguageReport:
    rows = list(sentences)
    jobs = [SentenceJob(s.id, "body", 0, s.lang, s.text) for s in rows]
    scores = []
    base_mode = coder.mode
    try:
        for mode in modes:
            coder.mode = mode
            _, events = coder.code(jobs)
            for lang in sorted({s.lang for s in rows}):
                idx = [n for n, s in enumerate(rows) if s.lang == lang]
                gold_n = type_n = all_n = neg_n = mod_n = alarms = pred_n = 0
                for n in idx:
                    predicted = events[n]
                    pred_n += len(predicted)
                    if not rows[n].events:
                        alarms += len(predicted)
                    for g in rows[n].events:
                        gold_n += 1
                        type_n += any(e.type == g.type for e in predicted)
                        hit = next((e for e in predicted if _right(g, e, is_igo)), None)
                        if hit is not None:
                            all_n += 1
                            neg_n += hit.negated == g.negated
                            mod_n += hit.modality == g.modality
                scores.append(LanguageScore(
                    lang=lang, mode=mode, sentences=len(idx), gold_events=gold_n,
                    predicted_events=pred_n, type_right=type_n, all_right=all_n,
                    negated_right=neg_n, modality_right=mod_n, false_alarms=alarms))
    finally:
        coder.mode = base_mode
    return LanguageReport(scores=scores)
