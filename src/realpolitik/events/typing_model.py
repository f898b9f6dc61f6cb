"""Event typing as a trained model: which PLOVER type (or none) a trigger candidate states.

The model types *trigger candidates*, not sentences, so one sentence can hold several
events of different types, each tied to its own word. A candidate is a verb, or a noun
that the lexicon or the training corpus knows as an event noun. Its features are read
from the parse around it (lemma, particle, object, prepositions, governor, negation,
auxiliaries), the lexicon's own reading of those words (``lexv=ASSAULT``), and the
sentence's content lemmas. A multinomial logistic regression over those features is
trained by ``make train`` from ``training/data`` and stored as plain arrays
(``events/models/typing.npz`` + ``typing.json``): no pickles, loadable without
scikit-learn, deterministic to rebuild.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np
from spacy.tokens import Doc, Token

from realpolitik.events.lexicon import Lexicon

NONE_LABEL = "NONE"
MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_NAME = "typing"
# Dependencies that attach an object-like argument to a trigger.
OBJECT_DEPS = frozenset({"dobj", "obj", "nsubjpass", "attr", "oprd", "dative"})
CONTENT_POS = frozenset({"NOUN", "VERB", "ADJ", "PROPN"})


def is_candidate(tok: Token, nouns: frozenset[str]) -> bool:
    """Can this token state an event? Verbs, and nouns known as event nouns."""
    if tok.pos_ == "VERB" or (tok.pos_ == "AUX" and tok.dep_ not in ("aux", "auxpass")):
        return tok.dep_ not in ("aux", "auxpass", "amod", "compound")
    if tok.pos_ in ("NOUN", "PROPN"):
        return tok.lemma_.lower() in nouns or tok.lower_ in nouns
    return False


def candidates(doc: Doc | Sequence[Token], nouns: frozenset[str]) -> list[Token]:
    return [t for t in doc if is_candidate(t, nouns)]


def sentence_context(tok: Token) -> list[str]:
    """The content lemmas of the candidate's sentence (shared by its candidates)."""
    sent = tok.sent if tok.doc.has_annotation("SENT_START") else tok.doc[:]
    return [f"s={t.lemma_.lower()}" for t in sent if t.pos_ in CONTENT_POS]


def features(tok: Token, lex: Lexicon, context: list[str] | None = None) -> list[str]:
    """Sparse feature names for one trigger candidate (the same in training and coding).

    ``context`` is ``sentence_context(tok)``, passed in when several candidates of one
    sentence are scored.
    """
    lemma = tok.lemma_.lower()
    verbs, nouns = lex.verb_types, lex.noun_types
    out = [f"l={lemma}", f"pos={tok.pos_}", f"dep={tok.dep_}", f"tag={tok.tag_}"]
    if lemma in verbs:
        out.append(f"lexv={verbs[lemma]}")
    if lemma in nouns or tok.lower_ in nouns:
        out.append(f"lexn={nouns.get(lemma) or nouns[tok.lower_]}")
    for child in tok.children:
        dep = child.dep_
        clemma = child.lemma_.lower()
        if dep == "prt":
            key = f"{lemma} {clemma}"
            out += [f"prt={key}"]
            if key in verbs:
                out.append(f"lexv={verbs[key]}")
        elif dep in OBJECT_DEPS:
            out += [f"obj={clemma}", f"l+obj={lemma}|{clemma}"]
            if clemma in nouns:
                out.append(f"objlex={nouns[clemma]}")
            for mod in child.children:
                if mod.dep_ in ("amod", "compound"):
                    out.append(f"objmod={mod.lemma_.lower()}")
                    if mod.lower_ in lex.modifier_types:
                        out.append(f"objmodlex={lex.modifier_types[mod.lower_]}")
                elif mod.dep_ == "prep" and mod.lower_ in ("of", "in"):
                    for sub in mod.children:
                        if sub.dep_ == "pobj" and sub.lemma_.lower() in nouns:
                            out.append(f"objlex={nouns[sub.lemma_.lower()]}")
        elif dep == "prep" or dep == "agent":
            prep = child.lower_
            out += [f"prep={prep}", f"l+prep={lemma}|{prep}"]
            for sub in child.children:
                if sub.dep_ == "pobj":
                    slemma = sub.lemma_.lower()
                    out.append(f"pobj={prep}|{slemma}")
                    if slemma in nouns:
                        out.append(f"pobjlex={nouns[slemma]}")
        elif dep == "neg":
            out.append("neg")
        elif dep in ("aux", "auxpass"):
            out.append(f"aux={child.lower_}")
        elif dep in ("xcomp", "ccomp"):
            out.append(f"{dep}={clemma}")
            if clemma in verbs:
                out.append(f"{dep}lex={verbs[clemma]}")
        elif dep in ("amod", "compound", "nmod"):
            out.append(f"mod={clemma}")
            if child.lower_ in lex.modifier_types:
                out.append(f"modlex={lex.modifier_types[child.lower_]}")
        elif dep == "nsubj" and child.pos_ == "NOUN":
            out.append(f"subj={clemma}")
    # the governor; a root is its own head in spaCy, so a root verb reads its own lemma
    # and lexicon type here too ("headdep=ROOT|attack", "headlex=ASSAULT"), a signal the
    # model has always been trained with
    hlemma = tok.head.lemma_.lower()
    out += [f"head={hlemma}", f"headdep={tok.dep_}|{hlemma}"]
    if hlemma in verbs:
        out.append(f"headlex={verbs[hlemma]}")
    if tok.pos_ in ("NOUN", "PROPN"):
        out.append(f"gov={hlemma}|{tok.dep_}")
    own = f"s={lemma}"
    out += [f for f in (context if context is not None else sentence_context(tok)) if f != own]
    return out


@dataclass(frozen=True)
class TypeScores:
    """The model's reading of one candidate: best type, its probability, P(no event)."""

    token: Token
    type: str
    probability: float
    none_probability: float
    distribution: dict[str, float]

    def of(self, type_: str) -> float:
        return self.distribution.get(type_, 0.0)


class TypingModel:
    """A trained multinomial logistic regression over candidate features."""

    def __init__(self, labels: list[str], vocabulary: dict[str, int], coef: np.ndarray,
                 intercept: np.ndarray, nouns: Iterable[str], meta: dict) -> None:
        self.labels = labels
        self.vocabulary = vocabulary
        self.coef = coef            # (n_features, n_labels): one row per feature
        self.intercept = intercept  # (n_labels,)
        self.nouns = frozenset(nouns)
        self.meta = meta
        self._none = labels.index(NONE_LABEL)

    @property
    def version(self) -> str:
        return f"{MODEL_NAME}-{self.meta.get('version', '0')}"

    @cached_property
    def trigger_lemmas(self) -> frozenset[str]:
        """Lemmas the model has seen stating an event (for the pre-parse filter)."""
        return frozenset(self.meta.get("trigger_lemmas", []))

    # ---------------------------------------------------------------- scoring
    def probabilities(self, feats: Iterable[str]) -> np.ndarray:
        index = self.vocabulary
        rows = [index[f] for f in feats if f in index]
        logits = self.intercept + (self.coef[rows].sum(axis=0) if rows else 0.0)
        logits = logits - logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()

    def score(self, tok: Token, lex: Lexicon, context: list[str] | None = None) -> TypeScores:
        probs = self.probabilities(features(tok, lex, context))
        events = probs.copy()
        events[self._none] = -1.0
        best = int(events.argmax())  # the likeliest type other than "no event"
        return TypeScores(tok, self.labels[best], float(probs[best]),
                          float(probs[self._none]),
                          dict(zip(self.labels, probs.tolist(), strict=True)))

    def average(self, a: TypeScores, b: TypeScores) -> TypeScores:
        """One reading of a construction from two words' readings (the verb's token)."""
        dist = {k: (a.distribution[k] + b.distribution[k]) / 2 for k in a.distribution}
        best = max((k for k in dist if k != NONE_LABEL), key=dist.__getitem__)
        return TypeScores(a.token, best, dist[best], dist[NONE_LABEL], dist)

    # ------------------------------------------------------------ persistence
    def save(self, directory: Path = MODEL_DIR) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(directory / f"{MODEL_NAME}.npz", coef=self.coef.astype(np.float32),
                            intercept=self.intercept.astype(np.float32))
        features_ = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        doc = {"labels": self.labels, "features": features_, "nouns": sorted(self.nouns),
               "meta": self.meta}
        (directory / f"{MODEL_NAME}.json").write_text(
            json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
            encoding="utf-8")

    @classmethod
    def load(cls, directory: Path | None = None) -> TypingModel:
        base = directory or Path(str(resources.files("realpolitik.events").joinpath("models")))
        json_path, npz_path = base / f"{MODEL_NAME}.json", base / f"{MODEL_NAME}.npz"
        if not json_path.exists() or not npz_path.exists():
            raise FileNotFoundError(
                f"no trained typing model in {base}: run `make train` to build it")
        doc = json.loads(json_path.read_text(encoding="utf-8"))
        arrays = np.load(npz_path)
        vocabulary = {f: i for i, f in enumerate(doc["features"])}
        return cls(doc["labels"], vocabulary, arrays["coef"].astype(np.float64),
                   arrays["intercept"].astype(np.float64), doc["nouns"], doc["meta"])
