"""gensim's other `KeyedVectors` comparisons (distances, ranks, means, the odd one out) against
gensim's own answers on the same file, and on a subword model against gensim's FastText
vectors of its `.bin`."""

import numpy as np
import pytest
import vectrain
from gensim.models.fasttext import load_facebook_vectors

# Cosines are f32 sums in another order than numpy's BLAS: they agree to about 1e-7 a term.
COSINE_TOLERANCE = 1e-5


def same_answers(ours, theirs):
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=COSINE_TOLERANCE)


def test_similar_by_word_key_and_vector(loaded, gensim_vectors):
    same_answers(loaded.similar_by_word("god", topn=6), gensim_vectors.similar_by_word("god", topn=6))
    same_answers(loaded.similar_by_key("lord", topn=4), gensim_vectors.similar_by_key("lord", topn=4))
    vector = gensim_vectors["king"]
    same_answers(
        loaded.similar_by_vector(vector, topn=5), gensim_vectors.similar_by_vector(vector, topn=5)
    )
    with pytest.raises(KeyError, match="no-such-word"):
        loaded.similar_by_word("no-such-word")


def test_distances(loaded, gensim_vectors):
    assert loaded.distance("god", "lord") == pytest.approx(
        float(gensim_vectors.distance("god", "lord")), abs=COSINE_TOLERANCE
    )
    ours, theirs = loaded.distances("god"), gensim_vectors.distances("god")
    assert ours.dtype == np.float32 and ours.shape == (len(loaded),)
    np.testing.assert_allclose(ours, theirs, atol=COSINE_TOLERANCE)
    vector = gensim_vectors["king"] * 3
    others = ["god", "lord", "the", "king"]
    np.testing.assert_allclose(
        loaded.distances(vector, others),
        gensim_vectors.distances(vector, others),
        atol=COSINE_TOLERANCE,
    )
    with pytest.raises(KeyError, match="no-such-word"):
        loaded.distances("god", ["no-such-word"])
    with pytest.raises(ValueError, match="3 values"):
        loaded.distances([1.0, 2.0, 3.0])


def test_closer_than_and_rank(loaded, gensim_vectors):
    distances = gensim_vectors.distances("god")
    by_distance = [gensim_vectors.index_to_key[i] for i in np.argsort(distances)]
    for key2 in (by_distance[12], by_distance[300], "the"):
        ours, theirs = loaded.closer_than("god", key2), gensim_vectors.closer_than("god", key2)
        # Only a word whose distance ties key2's within the rounding may fall either way.
        limit = distances[gensim_vectors.get_index(key2)]
        for word in set(ours) ^ set(theirs):
            assert abs(distances[gensim_vectors.get_index(word)] - limit) < COSINE_TOLERANCE, word
        assert ours == sorted(ours, key=loaded.get_index)
        assert abs(loaded.rank("god", key2) - gensim_vectors.rank("god", key2)) <= len(
            set(ours) ^ set(theirs)
        )
    assert loaded.rank("god", by_distance[1]) == 1
    with pytest.raises(KeyError, match="no-such-word"):
        loaded.rank("god", "no-such-word")


def test_sets_of_words(loaded, gensim_vectors):
    pairs = [
        (["god", "lord"], ["king", "queen"]),
        (["the", "and", "god"], ["lord"]),
        (["god", "no-such-word"], ["king"]),  # unknown words are left out, as gensim does
        (["no-such-word"], ["king"]),  # nothing left: the zero vector, cosine 0
    ]
    for a, b in pairs:
        assert loaded.n_similarity(a, b) == pytest.approx(
            float(gensim_vectors.n_similarity(a, b)), abs=COSINE_TOLERANCE
        )
    with pytest.raises(ZeroDivisionError):
        loaded.n_similarity([], ["god"])

    words = ["god", "lord", "king", "jesus", "bread", "no-such-word"]
    assert loaded.doesnt_match(words) == gensim_vectors.doesnt_match(words)
    ours, theirs = loaded.rank_by_centrality(words), gensim_vectors.rank_by_centrality(words)
    assert [w for _, w in ours] == [w for _, w in theirs]
    np.testing.assert_allclose([c for c, _ in ours], [c for c, _ in theirs], atol=COSINE_TOLERANCE)
    raw = gensim_vectors.rank_by_centrality(words, use_norm=False)
    assert [w for _, w in loaded.rank_by_centrality(words, use_norm=False)] == [w for _, w in raw]
    with pytest.raises(ValueError, match="empty list"):
        loaded.doesnt_match(["no-such-word"])

    candidates = ["bread", "king", "lord", "water"]
    assert loaded.most_similar_to_given("god", candidates) == gensim_vectors.most_similar_to_given(
        "god", candidates
    )


def test_mean_vectors(loaded, gensim_vectors):
    vector = np.linspace(-1, 1, loaded.vector_size, dtype=np.float32)
    cases = [
        dict(keys=["god", "lord", "king"]),
        dict(keys=["god", "lord"], weights=[2.0, -0.5]),
        dict(keys=["god", "lord"], pre_normalize=False, post_normalize=True),
        dict(keys=["god", vector, "no-such-word"], weights=[1.0, 0.25, 9.0]),
        dict(keys=["no-such-word"]),
    ]
    for case in cases:
        ours, theirs = loaded.get_mean_vector(**case), gensim_vectors.get_mean_vector(**case)
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7, err_msg=str(case))
    with pytest.raises(KeyError, match="no-such-word"):
        loaded.get_mean_vector(["god", "no-such-word"], ignore_missing=False)
    with pytest.raises(ValueError, match="no input"):
        loaded.get_mean_vector([])
    with pytest.raises(ValueError, match="same number"):
        loaded.get_mean_vector(["god", "lord"], weights=[1.0])


def test_normed_vectors_and_cosine_similarities(loaded, gensim_vectors):
    normed = loaded.get_normed_vectors()
    assert normed.shape == loaded.vectors.shape and normed.flags.writeable
    np.testing.assert_allclose(normed, gensim_vectors.get_normed_vectors(), rtol=1e-6, atol=1e-7)
    rows = loaded.vectors[:50]
    np.testing.assert_allclose(
        vectrain.Vectors.cosine_similarities(loaded["god"], rows),
        gensim_vectors.cosine_similarities(gensim_vectors["god"], rows),
        atol=COSINE_TOLERANCE,
    )
    # Lists and float64 arrays as numpy takes them (the answers float32).
    lists = vectrain.Vectors.cosine_similarities([1.0, 0.0], np.array([[1.0, 1.0], [0.0, 2.0]]))
    np.testing.assert_allclose(lists, [0.5**0.5, 0.0], atol=1e-7)
    assert lists.dtype == np.float32
    with pytest.raises(ValueError, match="rows of 2 values against a vector of 3"):
        vectrain.Vectors.cosine_similarities([1.0, 0.0, 0.0], [[1.0, 2.0]])
    with pytest.raises(ValueError, match="2-D"):
        vectrain.Vectors.cosine_similarities([1.0, 0.0], [1.0, 2.0])


def test_unseen_words_take_their_ngram_vectors(corpus, tmp_path):
    model = vectrain.train(
        corpus, subwords=True, bucket=20000, dim=16, epochs=1, backend="cpu", progress=False
    )
    path = tmp_path / "model.bin"
    model.save(path, format="fasttext-bin")
    theirs = load_facebook_vectors(str(path))
    unseen = "godliness-unseen"
    np.testing.assert_allclose(
        model.distances(unseen, ["god", "lord"]),
        theirs.distances(unseen, ["god", "lord"]),
        atol=COSINE_TOLERANCE,
    )
    assert model.n_similarity([unseen, "god"], ["lord"]) == pytest.approx(
        float(theirs.n_similarity([unseen, "god"], ["lord"])), abs=COSINE_TOLERANCE
    )
    words = ["god", "lord", unseen, "bread"]
    assert model.doesnt_match(words) == theirs.doesnt_match(words)
    np.testing.assert_allclose(
        model.get_mean_vector([unseen, "god"]),
        theirs.get_mean_vector([unseen, "god"]),
        rtol=1e-5,
        atol=1e-6,
    )
    # A word without any n-gram ("" here) is the origin, as fastText and gensim give it: it
    # counts in a mean, and it is the odd one out.
    assert "" in model and not model[""].any()
    np.testing.assert_allclose(
        model.get_mean_vector(["", "god"], ignore_missing=False),
        theirs.get_mean_vector(["", "god"], ignore_missing=False),
        rtol=1e-5,
        atol=1e-6,
    )
    assert model.doesnt_match(["god", "", "lord"]) == theirs.doesnt_match(["god", "", "lord"]) == ""


def test_words_that_cannot_be_words(loaded, gensim_vectors):
    # A str with a lone surrogate is a word no vocabulary holds: a KeyError where gensim raises
    # one, left out where gensim leaves unknown words out.
    lone = "\ud800"
    for call in (
        lambda: loaded.distance("god", lone),
        lambda: loaded.closer_than("god", lone),
        lambda: loaded.rank(lone, "god"),
        lambda: loaded.distances("god", [lone]),
        lambda: loaded.most_similar_to_given("god", ["lord", lone]),
        lambda: loaded.similarity(lone, "god"),
        lambda: loaded.get_vector(lone),
        lambda: loaded.get_index(lone),
        lambda: loaded.get_mean_vector(["god", lone], ignore_missing=False),
    ):
        with pytest.raises(KeyError, match="not in the vocabulary|not present"):
            call()
    assert loaded.n_similarity(["god", lone], ["lord"]) == pytest.approx(
        float(gensim_vectors.n_similarity(["god"], ["lord"])), abs=COSINE_TOLERANCE
    )
    words = ["god", "lord", lone, "bread"]
    assert loaded.doesnt_match(words) == gensim_vectors.doesnt_match(["god", "lord", "bread"])
    assert len(loaded.rank_by_centrality(words)) == 3
    for call in (
        lambda: loaded.n_similarity("god", ["lord"]),
        lambda: loaded.doesnt_match("god lord"),
        lambda: loaded.distances("god", "lord"),
        lambda: loaded.rank("god", 3),
    ):
        with pytest.raises(TypeError):
            call()
    # None or nothing: distances to every word, as gensim.
    np.testing.assert_allclose(
        loaded.distances("god", None), gensim_vectors.distances("god", None), atol=COSINE_TOLERANCE
    )
