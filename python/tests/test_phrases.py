"""vectrain.Phrases against gensim's Phrases on real text, and its calls and errors."""

import gzip
import pickle

import pytest
from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS
from gensim.models.phrases import Phrases as GensimPhrases

import vectrain


def word2phrase_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count,
                       corpus_word_count):
    # word2phrase's score; gensim's own default multiplies by its vocabulary's size instead.
    denom = worda_count * wordb_count
    if denom == 0:
        return float("-inf")
    return (bigram_count - min_count) / float(denom) * corpus_word_count


@pytest.fixture(scope="module")
def mix_sentences(data):
    """The first 8,000 lines of mix8m, as lists of words."""
    with gzip.open(data / "mix8m.txt.gz", "rt", encoding="utf-8") as text:
        return [next(text).split() for _ in range(8000)]


@pytest.mark.parametrize("scoring, threshold, connectors", [
    ("default", 20.0, frozenset()),
    ("npmi", 0.4, frozenset()),
    ("default", 10.0, ENGLISH_CONNECTOR_WORDS),
])
def test_phrases_are_gensims(mix_sentences, scoring, threshold, connectors):
    ours = vectrain.Phrases(sentences=mix_sentences, min_count=3, threshold=threshold,
                            scoring=scoring, connector_words=connectors)
    scorer = word2phrase_scorer if scoring == "default" else "npmi"
    theirs = GensimPhrases(mix_sentences, min_count=3, threshold=threshold, scoring=scorer,
                           connector_words=connectors)
    exported = ours.export_phrases()
    assert len(exported) > 100
    assert exported == theirs.export_phrases()
    assert len(ours) == len(exported)
    assert ours.corpus_word_count == theirs.corpus_word_count
    joined = list(ours[mix_sentences])
    assert joined == [theirs[s] for s in mix_sentences]
    assert sum(len(a) < len(b) for a, b in zip(joined, mix_sentences)) > 100
    assert ours.connector_words == connectors
    if connectors:
        assert vectrain.ENGLISH_CONNECTOR_WORDS == ENGLISH_CONNECTOR_WORDS
        assert sum(key.count("_") > 1 for key in exported) > 20
        again = pickle.loads(pickle.dumps(ours))
        assert again.connector_words == connectors
        assert list(again[mix_sentences[:500]]) == joined[:500]


def test_a_corpus_file_and_rewrite(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("machine learning is fun\n" * 10 + "deep machine learning\n" * 2)
    phrases = vectrain.Phrases(corpus_file=corpus, min_count=5, threshold=1.0, threads=1)
    assert (phrases.min_count, phrases.threshold, phrases.scoring, phrases.delimiter) == (
        5, 1.0, "default", "_")
    # (12 - 5) / (12 * 12) * 46 for machine learning.
    assert phrases.score("machine", "learning") == 7 / float(12 * 12) * 46
    assert phrases.score("deep", "machine") is None
    assert phrases["machine learning is fun".split()] == ["machine_learning", "is_fun"]
    out = tmp_path / "out.txt"
    summary = phrases.rewrite(corpus, out)
    assert summary == {"lines": 12, "tokens": 46, "joined": 22}
    assert out.read_text().splitlines()[-1] == "deep machine_learning"
    saved = tmp_path / "phrases.txt"
    phrases.save(saved)
    assert saved.read_text().splitlines()[0] == f"is fun {5 / float(10 * 10) * 46!r} 10"
    for again in (vectrain.Phrases.load(saved), pickle.loads(pickle.dumps(phrases)),
                  phrases.freeze()):
        assert isinstance(again, vectrain.Phrases)
        assert again.export_phrases() == phrases.export_phrases()
        assert again["machine learning is fun".split()] == ["machine_learning", "is_fun"]
        assert again.score("machine", "learning") == phrases.score("machine", "learning")
        assert again.score("deep", "machine") is None
        assert (again.min_count, again.threshold, again.corpus_word_count) == (None,) * 3
        assert again.rewrite(corpus, tmp_path / "again.txt") == summary
    assert vectrain.Phrases.load(saved, delimiter="+")[["machine", "learning"]] == [
        "machine+learning"]
    assert vectrain.Phrases(corpus_file=str(corpus)).threshold == 100.0
    assert vectrain.Phrases(corpus_file=corpus, scoring="npmi").threshold == 0.5
    assert "Phrases: 3 phrases from 46 tokens" in repr(phrases)


def test_bad_calls_are_refused(tmp_path):
    sentences = [["a", "b"]] * 6
    with pytest.raises(TypeError, match="sentences or corpus_file"):
        vectrain.Phrases()
    with pytest.raises(TypeError, match="sentences or corpus_file"):
        vectrain.Phrases(sentences, corpus_file="x.txt")
    with pytest.raises(TypeError, match="corpus_file is a path"):
        vectrain.Phrases(corpus_file=sentences)
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        vectrain.Phrases(corpus_file=tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="nothing to find phrases in"):
        vectrain.Phrases([[], []])
    with pytest.raises(TypeError, match="not a list of words"):
        vectrain.Phrases(["a b", "c d"])
    with pytest.raises(ValueError, match="scoring"):
        vectrain.Phrases(sentences, scoring="pmi")
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        vectrain.Phrases(sentences, scoring="npmi", threshold=5)
    with pytest.raises(ValueError, match="--delimiter"):
        vectrain.Phrases(sentences, delimiter=" ")
    with pytest.raises(ValueError, match="--min-count"):
        vectrain.Phrases(sentences, min_count=0)
    with pytest.raises(TypeError, match="not a str"):
        vectrain.Phrases(sentences, connector_words="of")
    with pytest.raises(ValueError, match="--connector-words"):
        vectrain.Phrases(sentences, connector_words={"of the"})
    phrases = vectrain.Phrases(sentences, min_count=1, threshold=0)
    with pytest.raises(TypeError, match="not a str"):
        phrases["a b"]
    with pytest.raises(TypeError, match="not int"):
        phrases[3]
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        phrases.rewrite(tmp_path / "missing.txt", tmp_path / "out.txt")
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        vectrain.Phrases.load(tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("a b c\n")
    expected = r"bad.txt:1: expected `first \[connector words\] second score count`"
    with pytest.raises(ValueError, match=expected):
        vectrain.Phrases.load(bad)
    assert not (tmp_path / "out.txt").exists()
