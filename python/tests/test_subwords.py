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


def test_vectors_for_all_as_gensims(model, bin_file):
    theirs = load_facebook_vectors(str(bin_file))
    keys = ["god", "kingliness", "god", "begat", "zzyzx", "the"]
    for allow_inference in (True, False):
        ours = model.vectors_for_all(iter(keys), allow_inference=allow_inference)
        gensims = theirs.vectors_for_all(keys, allow_inference=allow_inference)
        assert ours.index_to_key == gensims.index_to_key
        assert not ours.has_subwords
        np.testing.assert_allclose(ours.vectors, gensims.vectors, rtol=1e-5, atol=1e-6)
        for key in ours.index_to_key:
            assert np.array_equal(ours[key], model[key])
        assert [ours.get_vecattr(k, "count") for k in ours.index_to_key] == [
            gensims.get_vecattr(k, "count") for k in gensims.index_to_key
        ]
    copied = model.vectors_for_all(keys, copy_vecattrs=True)
    assert copied.get_vecattr("god", "count") == model.get_vecattr("god", "count")
    # An inferred word keeps its row's falling count, as in gensim.
    assert copied.get_vecattr("zzyzx", "count") == len(copied) - copied.get_index("zzyzx")
    with pytest.raises(TypeError, match="not int"):
        model.vectors_for_all(["god", 7])
