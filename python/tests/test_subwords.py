"""Subword vectors from Python: unseen words get n-gram vectors, fastText's `.bin` in and out,
the same vectors as gensim's FastText loader gives."""

import numpy as np
import pytest
import vectrain
from gensim.models.fasttext import load_facebook_vectors


@pytest.fixture(scope="module")
def model(corpus):
    return vectrain.train(
        corpus, subwords=True, bucket=20000, dim=16, epochs=1, backend="cpu", progress=False
    )


@pytest.fixture(scope="module")
def bin_file(model, tmp_path_factory):
    path = tmp_path_factory.mktemp("subwords") / "model.bin"
    model.save(path, format="fasttext-bin")
    return path


def test_unseen_words_get_their_ngram_vectors(model, bin_file):
    assert model.has_subwords
    unseen = "godliness-unseen"
    assert unseen not in model.key_to_index and unseen in model
    theirs = load_facebook_vectors(str(bin_file))
    np.testing.assert_allclose(model[unseen], theirs[unseen], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model["god"], theirs["god"], rtol=1e-5, atol=1e-6)
    loaded = vectrain.load(bin_file)
    assert loaded.has_subwords and np.array_equal(loaded[unseen], model[unseen])
    assert model.similarity("god", unseen) == pytest.approx(
        float(theirs.similarity("god", unseen)), abs=1e-5
    )
    # Matrices and sentences take n-gram vectors for unseen words by default.
    matrix = model.matrix({"god": 0, unseen: 1})
    assert np.array_equal(matrix[1], model[unseen])
    pooled = model.sentences([[unseen]])
    np.testing.assert_allclose(pooled[0], model[unseen], rtol=1e-6)


def test_a_subword_model_pickles_whole(model):
    import pickle

    again = pickle.loads(pickle.dumps(model))
    assert again.has_subwords and again.index_to_key == model.index_to_key
    assert np.array_equal(again.vectors, model.vectors)
    # Unseen words still get their n-gram vectors, bit for bit.
    for word in ("kingliness", "begat", "zzyzx"):
        assert np.array_equal(again[word], model[word])
