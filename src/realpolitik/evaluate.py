"""Score coded events against a PLOVER gold standard (e.g. ../shared/eval/plover_gsr.jsonl).

Pure functions, no NLP: the caller runs the coder on each gold sentence and
passes the events it produced, keyed by gold id. Keeping the scorer free of the
pipeline means the same numbers can be computed for any coder (or a baseline).

Scoring is sentence-level: each gold row has one type; the coder's top-1 event
(highest confidence, first on ties) gives the predicted label, or "NONE" when it
produced nothing. Gold actor codes are CAMEO codes, so a few are mapped to ISO3
and the non-state codes (IGO, NGO, ...) match any non-country prediction.
"""

from __future__ import annotations

import functools
import json
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pycountry
from pydantic import BaseModel, Field
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from realpolitik.records import PLOVER_TYPES, Event

if TYPE_CHECKING:
    from realpolitik.events.context import EventDraft, SentenceInput
    from realpolitik.pipeline import Pipeline

NONE_LABEL = "NONE"

# CAMEO country codes in the gold data that differ from ISO 3166 alpha-3.
CAMEO_TO_ISO3: dict[str, str] = {
    "JAP": "JPN",
    "ITL": "ITA",
    "VTN": "VNM",
    "GMY": "DEU",
    "UKG": "GBR",
    "ROM": "ROU",
    "SER": "SRB",
    "TMP": "TLS",
    "ZAR": "COD",
    "BOS": "BIH",
    "MAC": "MKD",
}
# CAMEO codes for actors that are not states: any non-country prediction matches.
NON_STATE_CODES: frozenset[str] = frozenset({"IGO", "NGO", "IMG", "ISM", "MNC", "UIS", "REL"})


@functools.lru_cache(maxsize=4096)
def is_iso3_country(code: str) -> bool:
    """True if `code` is an ISO 3166 alpha-3 country code."""
    return pycountry.countries.get(alpha_3=code) is not None


def normalise_code(code: str | None) -> str | None:
    """Map a CAMEO/ISO actor code to ISO3 (or a non-state code); None if it is no code.

    The gold file has a stray non-code ("diplomatic") in a country slot; such
    values are treated as unknown rather than as a country nobody can match.
    """
    if code is None:
        return None
    code = code.strip()
    if not code:
        return None
    upper = code.upper()
    if upper in CAMEO_TO_ISO3:
        return CAMEO_TO_ISO3[upper]
    if upper in NON_STATE_CODES or is_iso3_country(upper):
        return upper
    if code.isupper() and code.isalpha() and len(code) == 3:
        return upper  # an unfamiliar but well-formed code (e.g. a CAMEO region)
    return None


def country_matches(pred: str | None, gold: str | None, is_igo: Callable[[str], bool]) -> bool:
    """Does a predicted country code match a gold one, allowing for CAMEO quirks?"""
    pred, gold = normalise_code(pred), normalise_code(gold)
    if pred is None or gold is None:
        return False
    if gold in NON_STATE_CODES:
        return is_igo(pred) or not is_iso3_country(pred)
    return pred == gold


# ------------------------------------------------------------------------ gold data
class GoldActor(BaseModel):
    """One gold actor: surface text plus CAMEO country and sector codes."""

    text: str | None = None
    country: str | None = None
    sector: str | None = None


class GoldRow(BaseModel):
    """One gold sentence with its single PLOVER event."""

    id: str
    text: str
    type: str
    original_label: str | None = None
    in_plover16: bool = True
    source: list[GoldActor] = Field(default_factory=list)
    target: list[GoldActor] = Field(default_factory=list)
    trigger: str | None = None
    context: str | None = None

    def source_countries(self) -> list[str]:
        return _codes(self.source)

    def target_countries(self) -> list[str]:
        return _codes(self.target)


def _codes(actors: Iterable[GoldActor]) -> list[str]:
    out: list[str] = []
    for a in actors:
        code = normalise_code(a.country)
        if code is not None and code not in out:
            out.append(code)
    return out


class GoldSet(list[GoldRow]):
    """The scored gold rows; `excluded` counts rows outside PLOVER-16 that were skipped."""

    excluded: int = 0


def load_gold(path: str | Path) -> GoldSet:
    """Read a gold JSONL file, skipping (and counting) rows with in_plover16 false."""
    rows = GoldSet()
    with Path(path).open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = GoldRow.model_validate(json.loads(line))
            except ValueError as exc:
                raise ValueError(f"{path}:{lineno}: not a gold row: {exc}") from exc
            if row.in_plover16:
                rows.append(row)
            else:
                rows.excluded += 1
    return rows


# -------------------------------------------------------------------------- report
class PRF(BaseModel):
    precision: float
    recall: float
    f1: float


class TypeScore(BaseModel):
    type: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int
    correct: int


class ReliabilityBin(BaseModel):
    """Sentences whose top event's confidence falls in [low, high), and how many are right."""

    low: float
    high: float
    events: int
    precision: float


class RowResult(BaseModel):
    """Per-sentence outcome, kept for error analysis."""

    id: str
    gold_type: str
    predicted_type: str
    predicted_types: list[str]
    source_ok: bool | None
    target_ok: bool | None


class EvalReport(BaseModel):
    """All evaluation figures; `.to_text()` for people, `model_dump()` for JSON."""

    rows: int
    excluded: int
    covered: int
    coverage: float
    top1_accuracy: float
    any_match_accuracy: float
    source_country_accuracy: float
    target_country_accuracy: float
    type_and_actors_accuracy: float
    micro: PRF
    macro: PRF
    per_type: list[TypeScore]
    labels: list[str]
    confusion: dict[str, dict[str, int]]
    reliability: list[ReliabilityBin] = Field(default_factory=list)
    results: list[RowResult] = Field(default_factory=list)

    def to_text(self, errors: bool = False) -> str:
        """Plain-text report: summary, per-type table, confusion matrix (gold x predicted)."""
        pct = "{:6.1%}".format
        lines = [
            "PLOVER evaluation",
            f"  scored sentences        {self.rows:6d}   (excluded outside PLOVER-16: "
            f"{self.excluded})",
            f"  coverage (>=1 event)    {pct(self.coverage)}   ({self.covered}/{self.rows})",
            f"  top-1 type accuracy     {pct(self.top1_accuracy)}",
            f"  any-match accuracy      {pct(self.any_match_accuracy)}",
            f"  source country accuracy {pct(self.source_country_accuracy)}   "
            "(rows with a prediction)",
            f"  target country accuracy {pct(self.target_country_accuracy)}   "
            "(rows with a prediction)",
            f"  type + actors exact     {pct(self.type_and_actors_accuracy)}",
            f"  micro P/R/F1            {self.micro.precision:.3f} / {self.micro.recall:.3f}"
            f" / {self.micro.f1:.3f}",
            f"  macro P/R/F1            {self.macro.precision:.3f} / {self.macro.recall:.3f}"
            f" / {self.macro.f1:.3f}",
            "",
            f"{'type':<10} {'prec':>6} {'rec':>6} {'f1':>6} {'support':>8} {'pred':>6}",
        ]
        for t in self.per_type:
            lines.append(f"{t.type:<10} {t.precision:6.3f} {t.recall:6.3f} {t.f1:6.3f} "
                         f"{t.support:8d} {t.predicted:6d}")
        lines += ["", "confusion matrix (rows: gold, columns: predicted)"]
        abbrev = [lab[:4] for lab in self.labels]
        lines.append(f"{'':<10}" + "".join(f"{a:>5}" for a in abbrev))
        for gold in self.labels:
            if gold == NONE_LABEL:
                continue
            counts = self.confusion.get(gold, {})
            lines.append(f"{gold:<10}" + "".join(
                f"{counts.get(p, 0) or '.':>5}" for p in self.labels))
        lines += ["", "reliability (top event confidence vs share with the right type)"]
        for b in self.reliability:
            lines.append(f"  {b.low:.1f}-{b.high:.1f}  {b.events:5d} sentences  "
                         f"precision {b.precision:.3f}")
        if errors:
            lines += ["", "misclassified sentences"]
            for r in self.results:
                if r.predicted_type != r.gold_type:
                    lines.append(f"  {r.id}: gold {r.gold_type}, predicted {r.predicted_type}"
                                 f" {r.predicted_types}")
        return "\n".join(lines) + "\n"


def _div(a: float, b: float) -> float:
    return a / b if b else 0.0


def top_event(events: list[Event]) -> Event | None:
    """The highest-confidence event (first one on ties), or None."""
    return max(events, key=lambda e: e.confidence) if events else None


def _actor_ok(pred: str | None, gold: list[str], is_igo: Callable[[str], bool]) -> bool:
    """Predicted country among the gold ones; or both sides without a country."""
    if not gold:
        return normalise_code(pred) is None
    return any(country_matches(pred, c, is_igo) for c in gold)


def _label_order(labels: Iterable[str]) -> list[str]:
    known = [t for t in PLOVER_TYPES if t in labels]
    other = sorted(set(labels) - set(PLOVER_TYPES) - {NONE_LABEL})
    tail = [NONE_LABEL] if NONE_LABEL in labels else []
    return known + other + tail


def score(gold: list[GoldRow], predicted: dict[str, list[Event]],
          is_igo: Callable[[str], bool]) -> EvalReport:
    """Score predictions (gold id -> coded events) against gold rows.

    Precision for a type counts only sentences predicted as that type, so a
    sentence with no event (NONE) costs recall but not precision. Macro averages
    are over the types present in the gold data. Country accuracies are over
    sentences with at least one event; "type + actors" is over all sentences.
    """
    scored = [g for g in gold if g.in_plover16]
    excluded = getattr(gold, "excluded", 0) + (len(gold) - len(scored))
    results: list[RowResult] = []
    confidences: list[tuple[float, bool]] = []
    src_ok = tgt_ok = exact = covered = correct = any_ok = 0
    for g in scored:
        events = predicted.get(g.id, [])
        top = top_event(events)
        label = top.type if top else NONE_LABEL
        types = list(dict.fromkeys(e.type for e in events))
        s_ok: bool | None = None
        t_ok: bool | None = None
        if top is not None:
            covered += 1
            confidences.append((top.confidence, top.type == g.type))
            s_ok = _actor_ok(top.source.country, g.source_countries(), is_igo)
            t_ok = _actor_ok(top.target.country if top.target else None,
                             g.target_countries(), is_igo)
            src_ok += s_ok
            tgt_ok += t_ok
        correct += label == g.type
        any_ok += g.type in types
        exact += bool(label == g.type and s_ok and t_ok)
        results.append(RowResult(id=g.id, gold_type=g.type, predicted_type=label,
                                 predicted_types=types, source_ok=s_ok, target_ok=t_ok))

    n = len(scored)
    labels = _label_order({r.gold_type for r in results} | {r.predicted_type for r in results})
    per_type, micro, macro, confusion = _type_scores([r.gold_type for r in results],
                                                     [r.predicted_type for r in results],
                                                     labels)
    return EvalReport(
        rows=n, excluded=excluded, covered=covered, coverage=_div(covered, n),
        top1_accuracy=_div(correct, n), any_match_accuracy=_div(any_ok, n),
        source_country_accuracy=_div(src_ok, covered),
        target_country_accuracy=_div(tgt_ok, covered),
        type_and_actors_accuracy=_div(exact, n),
        micro=micro, macro=macro, per_type=per_type, labels=labels, confusion=confusion,
        reliability=reliability_bins(confidences), results=results,
    )


def _type_scores(gold: list[str], predicted: list[str], labels: list[str]
                 ) -> tuple[list[TypeScore], PRF, PRF, dict[str, dict[str, int]]]:
    """Per-type, micro and macro P/R/F1 and the confusion counts (scikit-learn).

    NONE (no event) is a column of the confusion matrix but not a type: it is left out
    of the per-type scores and of the micro average, so it costs recall only. The macro
    average is over the types that occur in the gold labels.
    """
    if not gold:
        return [], _zero(), _zero(), {}
    types = [t for t in labels if t != NONE_LABEL]
    with warnings.catch_warnings():  # one label in all: 1x1 is right, as `labels` says
        warnings.filterwarnings("ignore", message="A single label was found")
        matrix = confusion_matrix(gold, predicted, labels=labels)
    confusion = {g: {p: int(c) for p, c in zip(labels, row, strict=True) if c}
                 for g, row in zip(labels, matrix, strict=True) if row.any()}
    if not types:
        return [], _zero(), _zero(), confusion
    p, r, f, support = precision_recall_fscore_support(gold, predicted, labels=types,
                                                       zero_division=0)
    index = {t: i for i, t in enumerate(labels)}
    per_type = [TypeScore(type=t, precision=float(p[i]), recall=float(r[i]), f1=float(f[i]),
                          support=int(support[i]),
                          predicted=int(matrix[:, index[t]].sum()),
                          correct=int(matrix[index[t], index[t]]))
                for i, t in enumerate(types)]
    micro = _average(gold, predicted, types, "micro")
    macro = _average(gold, predicted, [t for t in types if t in set(gold)], "macro")
    return per_type, micro, macro, confusion


def _zero() -> PRF:
    return PRF(precision=0.0, recall=0.0, f1=0.0)


def _average(gold: list[str], predicted: list[str], labels: list[str],
             average: Literal["micro", "macro"]) -> PRF:
    if not labels:
        return _zero()
    p, r, f, _ = precision_recall_fscore_support(gold, predicted, labels=labels,
                                                 average=average, zero_division=0)
    return PRF(precision=float(p), recall=float(r), f1=float(f))


def reliability_bins(scored: list[tuple[float, bool]], bins: int = 5) -> list[ReliabilityBin]:
    """Predicted confidence against observed precision, in equal-width bins."""
    out = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [ok for conf, ok in scored
                  if low <= conf < high or (b == bins - 1 and conf >= high)]
        if inside:
            out.append(ReliabilityBin(low=low, high=high, events=len(inside),
                                      precision=sum(inside) / len(inside)))
    return out


def code_rows(pipe: Pipeline, rows: Iterable[tuple[str, str]],
              drafts: dict[str, list[tuple[SentenceInput, list[EventDraft]]]] | None = None,
              batch: int = 64) -> dict[str, list[Event]]:
    """Code (id, text) rows as articles in batches: the events per id (and, into
    ``drafts``, what the coder read and decided, as ``Pipeline.code`` gives it)."""
    from realpolitik.records import Article

    items = list(rows)
    predicted: dict[str, list[Event]] = {}
    for start in range(0, len(items), batch):
        chunk = [Article(id=i, text=t) for i, t in items[start:start + batch]]
        for coded in pipe.code(chunk, drafts):
            predicted[coded.article.id] = coded.events
    return predicted


def dev_gold() -> GoldSet:
    """The dev split of our own training corpus as gold rows (its first event each),
    typed as PLOVER reports the annotated act (``Lexicon.reported_type``)."""
    from realpolitik.events.lexicon import load_lexicon
    from realpolitik.events.training import load_corpus

    lexicon = load_lexicon()
    rows = GoldSet()
    for s in load_corpus():
        if s.split != "dev" or not s.events:
            continue
        e = s.events[0]
        target = [GoldActor(text=e.target.text, country=e.target.country,
                            sector=e.target.sector)] if e.target else []
        rows.append(GoldRow(id=s.id, text=s.text,
                            type=lexicon.reported_type(e.type, e.modality, e.negated),
                            trigger=e.trigger,
                            source=[GoldActor(text=e.source.text, country=e.source.country,
                                              sector=e.source.sector)],
                            target=target))
    return rows
