"""The shared multilingual encoder: unit vectors, one space across languages."""

import numpy as np

from realpolitik.nlp.encoder import DIMENSIONS, shared_encoder


def test_vectors_are_unit_length_and_cross_lingual():
    enc = shared_encoder()
    vecs = enc.encode([
        "Police arrested dozens of protesters in the capital on Sunday.",
        "La policía detuvo a decenas de manifestantes en la capital el domingo.",
        "The two countries signed a natural gas supply contract.",
    ])
    assert vecs.shape == (3, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    same, other = float(vecs[0] @ vecs[1]), float(vecs[0] @ vecs[2])
    assert same > 0.7 > other


def test_empty_input():
    assert shared_encoder().encode([]).shape == (0, DIMENSIONS)
