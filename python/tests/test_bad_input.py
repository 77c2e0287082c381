"""Bad input through the package: each a Python exception of the kind gensim users expect,
naming the problem; never a panic, an abort or an empty answer that hides it."""

import sys

import numpy as np
import pytest
import vectrain


def test_topn_beyond_the_vocabulary_or_below_one(trained):
    everyone = len(trained) - 1
    for topn in (10**10, 2**62):
        assert len(trained.most_similar("god", topn=topn)) == everyone
        assert len(trained.most_similar_cosmul("god", topn=topn)) == everyone
    assert len(trained.analogy("man", "king", "woman", topn=2**62)) == len(trained) - 3
    # gensim gives [] for a topn below 1.
    assert trained.most_similar("god", topn=0) == []
    assert trained.most_similar("god", topn=-1) == []


def test_a_query_vector_not_finite(trained):
    for value in (np.nan, np.inf):
        with pytest.raises(ValueError, match="only finite values are accepted"):
            trained.most_similar([np.full(trained.vector_size, value, np.float32)])


def test_what_cannot_be_a_word_is_not_in_the_vectors(trained):
    assert "god" in trained
    assert 1 not in trained and None not in trained and "\ud800" not in trained


def test_word_indices_with_bad_entries_are_named(trained):
    with pytest.raises(ValueError, match='the index of "god" is -1, not an int from 0'):
        trained.matrix({"god": -1})
    with pytest.raises(ValueError, match='the index of "god" is 18446744073709551616'):
        trained.matrix({"god": 2**64})
    with pytest.raises(TypeError, match="the index of \"god\" is 'x', not an int"):
        trained.matrix({"god": "x"})
    with pytest.raises(TypeError, match="1 is not a str"):
        trained.matrix({1: 1})
    # The largest index there can be: 412 GB of rows, more than any test machine has.
    with pytest.raises(MemoryError, match="makes a matrix of 4294967295 rows"):
        trained.matrix({"god": 4294967294})


def test_sentences_that_are_not_lists_of_words(trained):
    with pytest.raises(TypeError, match="sentences is a list of sentences, each a list of words"):
        trained.sentences("in the beginning")


def test_a_malformed_first_row_is_named(tmp_path):
    path = tmp_path / "vectors.txt"
    path.write_text("2 3\na 1 2\nb 1 2 3\n")
    with pytest.raises(ValueError, match='vectors.txt:2: "a" has 2 values, expected 3'):
        vectrain.load(path)


def test_paths_beginning_with_a_dash(tmp_path, corpus, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-corpus.txt").write_text(corpus.read_text(encoding="utf-8")[:20000])
    vectors = vectrain.train("-corpus.txt", dim=8, epochs=1, progress=False, output="-v.txt")
    assert len(vectors) > 0 and (tmp_path / "-v.txt").is_file()


def test_option_problems_are_value_errors(tmp_path, corpus):
    two = tmp_path / "two.txt"
    two.write_text("x y\nx y\n")
    with pytest.raises(ValueError, match="training saw no example"):
        vectrain.train(two, min_count=1, progress=False)
    with pytest.raises(ValueError, match="invalid option --format: fasttext-bin writes a subword"):
        vectrain.train(corpus, format="fasttext-bin", output=tmp_path / "x.bin", progress=False)
    with pytest.raises(ValueError, match="invalid option --checkpoint-every"):
        vectrain.train(corpus, checkpoint_every="1s", progress=False)


def test_training_without_a_stderr(tmp_path, corpus, monkeypatch):
    # pythonw, or a closed stream: the progress line is dropped, the run goes on.
    monkeypatch.setattr(sys, "stderr", None)
    assert len(vectrain.train(corpus, dim=8, epochs=1, min_count=3, backend="cpu")) > 0


def test_keys_that_cannot_be_words(trained):
    # A lone surrogate is a str no vocabulary holds: an unknown word, as any other.
    with pytest.raises(KeyError, match="not in the vocabulary"):
        trained["\ud800"]
    with pytest.raises(KeyError, match="not in the vocabulary"):
        trained.most_similar("\ud800")
    with pytest.raises(TypeError, match="takes a word \\(str\\) or a list of words, not int"):
        trained[0]
