"""`Vectors`: files in and out, the table as numpy, and gensim's queries with gensim's
answers."""

import collections
import json

import numpy as np
import pytest
import vectrain
from conftest import SMALL, run_cli
from gensim.models import KeyedVectors

# Cosines are summed in another order than gensim's (f32 either way).
COSINE_TOLERANCE = 1e-5


def test_every_format_round_trips(trained, tmp_path):
    for name, fmt in [("a.txt", None), ("a.bin", None), ("a.glove", None), ("b", "w2v-bin")]:
        trained.save(tmp_path / name, format=fmt)
        again = vectrain.load(tmp_path / name)
        assert again.index_to_key == trained.index_to_key
        if name.endswith((".bin",)) or fmt == "w2v-bin":
            assert np.array_equal(again.vectors, trained.vectors)
        else:
            np.testing.assert_allclose(again.vectors, trained.vectors, rtol=1e-6, atol=1e-7)
    gensim_binary = KeyedVectors.load_word2vec_format(str(tmp_path / "a.bin"), binary=True)
    assert np.array_equal(gensim_binary.vectors, trained.vectors)
    with pytest.raises(ValueError, match="unknown format"):
        trained.save(tmp_path / "c", format="excel")
    with pytest.raises(ValueError, match="subword model"):
        trained.save(tmp_path / "c.bin", format="fasttext-bin")


def test_word2vec_format_calls_as_gensims(loaded, tmp_path):
    for binary, name in [(False, "v.txt"), (True, "v.w2v"), (True, "v.bin.gz")]:
        path = tmp_path / name
        loaded.save_word2vec_format(path, binary=binary)
        theirs = KeyedVectors.load_word2vec_format(str(path), binary=binary)
        assert theirs.index_to_key == loaded.index_to_key
        assert np.array_equal(theirs.vectors, loaded.vectors)
        # limit: the first rows only; 0 or None: all of them, as in gensim.
        for limit in (1, 50, 0, None, 10**9):
            ours = vectrain.Vectors.load_word2vec_format(path, binary=binary, limit=limit)
            theirs = KeyedVectors.load_word2vec_format(str(path), binary=binary, limit=limit)
            assert ours.index_to_key == theirs.index_to_key, (name, limit)
            assert np.array_equal(ours.vectors, theirs.vectors)
    # Rows past the header's count are never read, as in gensim.
    more = tmp_path / "more.txt"
    more.write_text("2 2\na 1 2\nb 3 4\nc 5 6\n")
    for limit in (None, 2, 5):
        ours = vectrain.Vectors.load_word2vec_format(more, limit=limit)
        assert ours.index_to_key == ["a", "b"]
        assert KeyedVectors.load_word2vec_format(str(more), limit=limit).index_to_key == ["a", "b"]
    # The first rows of a file cut short still read; the whole file does not.
    cut = tmp_path / "cut.bin"
    cut.write_bytes((tmp_path / "v.w2v").read_bytes()[:-10])
    assert len(vectrain.Vectors.load_word2vec_format(cut, binary=True, limit=20)) == 20
    with pytest.raises(ValueError, match="truncated"):
        vectrain.Vectors.load_word2vec_format(cut, binary=True)
    with pytest.raises(ValueError):
        vectrain.Vectors.load_word2vec_format(tmp_path / "v.txt", binary=True)


def test_vocabulary_counts_as_gensims_fvocab(trained, corpus, tmp_path):
    # A trained model's counts are its corpus's (min-count 3 of SMALL).
    with open(corpus, encoding="utf-8") as text:
        counts = collections.Counter(text.read().split())
    assert [trained.get_vecattr(w, "count") for w in trained.index_to_key[:50]] == [
        counts[w] for w in trained.index_to_key[:50]
    ]
    vectors, vocab = tmp_path / "v.bin", tmp_path / "vocab.txt"
    trained.save_word2vec_format(vectors, fvocab=vocab, binary=True)
    lines = vocab.read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"{trained.index_to_key[0]} {counts[trained.index_to_key[0]]}"
    assert len(lines) == len(trained)
    # gensim reads our counts, and we read gensim's.
    theirs = KeyedVectors.load_word2vec_format(str(vectors), fvocab=str(vocab), binary=True)
    ours = vectrain.Vectors.load_word2vec_format(vectors, fvocab=vocab, binary=True)
    assert ours.index_to_key == theirs.index_to_key == trained.index_to_key
    for word in trained.index_to_key[::97]:
        assert ours.get_vecattr(word, "count") == theirs.get_vecattr(word, "count") == counts[word]
    theirs.set_vecattr(trained.index_to_key[0], "count", 123456)
    theirs.save_word2vec_format(str(tmp_path / "g.txt"), fvocab=str(tmp_path / "g.vocab"))
    again = vectrain.Vectors.load_word2vec_format(tmp_path / "g.txt", tmp_path / "g.vocab")
    assert again.get_vecattr(trained.index_to_key[0], "count") == 123456
    # Without counts, rows count down in file order, as gensim gives them.
    plain = vectrain.Vectors.load_word2vec_format(vectors, binary=True)
    no_counts = KeyedVectors.load_word2vec_format(str(vectors), binary=True)
    assert plain.get_vecattr(trained.index_to_key[3], "count") == no_counts.get_vecattr(
        trained.index_to_key[3], "count"
    )
    # A row missing from the vocabulary file, a bad line, an unknown word or attribute.
    short = tmp_path / "short.txt"
    short.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="has a vector but is not in this vocabulary file"):
        vectrain.Vectors.load_word2vec_format(vectors, fvocab=short, binary=True)
    bad = tmp_path / "bad.txt"
    bad.write_text("the 12\nand many\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.txt:2: the count of \"and\""):
        vectrain.Vectors.load_word2vec_format(vectors, fvocab=bad, binary=True)
    with pytest.raises(KeyError):
        trained.get_vecattr("no-such-word", "count")
    with pytest.raises(KeyError, match="only attribute"):
        trained.get_vecattr(trained.index_to_key[0], "colour")


def test_train_saves_the_vocabulary_when_asked(corpus, trained, tmp_path):
    vocab = tmp_path / "vocab.txt"
    again = vectrain.train(corpus, save_vocab=vocab, progress=False, **SMALL)
    pairs = [line.split() for line in vocab.read_text(encoding="utf-8").splitlines()]
    assert [word for word, _ in pairs] == again.index_to_key == trained.index_to_key
    assert [int(count) for _, count in pairs] == [
        trained.get_vecattr(word, "count") for word in trained.index_to_key
    ]


def test_train_reads_the_vocabulary_and_starts_from_vectors_when_asked(corpus, trained, tmp_path):
    vocab = tmp_path / "vocab.txt"
    vectrain.train(corpus, save_vocab=vocab, progress=False, **SMALL)
    # The counted vocabulary given back: a deterministic run trains the same bits.
    again = vectrain.train(corpus, read_vocab=vocab, progress=False, **SMALL)
    assert again.index_to_key == trained.index_to_key
    assert np.array_equal(again.vectors, trained.vectors)
    # So small a rate that the trained vectors stay where they started.
    start = tmp_path / "start.txt"
    trained.save_word2vec_format(start)
    settled = vectrain.train(
        corpus, pretrained_vectors=start, alpha=1e-9, min_alpha=1e-9, progress=False, **SMALL
    )
    np.testing.assert_allclose(settled.vectors, trained.vectors, atol=1e-5)


def test_a_callers_own_table_answers_as_gensims(gensim_vectors, tmp_path):
    keys, table = gensim_vectors.index_to_key, gensim_vectors.vectors
    # float64, as a caller's arrays often are: copied as float32.
    own = vectrain.Vectors(keys, table.astype(np.float64))
    assert own.index_to_key == keys and np.array_equal(own.vectors, table)
    theirs = KeyedVectors(table.shape[1])
    theirs.add_vectors(keys, table)
    for word in keys[:200:13]:
        ours, gensims = own.most_similar(word, topn=5), theirs.most_similar(word, topn=5)
        assert [w for w, _ in ours] == [w for w, _ in gensims]
        np.testing.assert_allclose([c for _, c in ours], [c for _, c in gensims],
                                   atol=COSINE_TOLERANCE)
    assert own.get_vecattr(keys[0], "count") == len(keys)
    counted = vectrain.Vectors(keys[:3], table[:3], counts=[30, 20, 10])
    assert counted.get_vecattr(keys[2], "count") == 10
    counted.save(tmp_path / "own.bin")
    assert np.array_equal(vectrain.load(tmp_path / "own.bin").vectors, table[:3])


@pytest.mark.parametrize(
    "keys, table, counts, error, message",
    [
        (["a", "b"], np.ones((3, 2)), None, ValueError, "2 keys for 3 rows"),
        (["a", "a"], np.ones((2, 2)), None, ValueError, r"given twice \(keys\[0\] and keys\[1\]\)"),
        (["a", 7], np.ones((2, 2)), None, TypeError, "not int"),
        ("ab", np.ones((2, 2)), None, TypeError, "a list of words, not a str"),
        (["a", "b"], np.ones(2), None, ValueError, "2-D array"),
        (["a", "b"], [["x", "y"], ["z", "w"]], None, ValueError, "could not convert"),
        (["a", "b"], np.array([[1.0, np.nan], [0.0, 1.0]]), None, ValueError, r"vectors\[0, 1\] is NaN"),
        (["a", "b"], np.array([[1.0, 2.0], [1e300, 1.0]]), None, ValueError, r"vectors\[1, 0\] is inf"),
        (["a", "b"], np.ones((2, 0)), None, ValueError, "dimension of at least 1"),
        (["a", "b"], np.ones((2, 2)), [3], ValueError, "1 counts for 2 keys"),
    ],
)
@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
def test_a_table_no_query_could_use_is_refused(keys, table, counts, error, message):
    with pytest.raises(error, match=message):
        vectrain.Vectors(keys, table, counts=counts)


def test_vectors_for_all_as_gensims(loaded, gensim_vectors):
    keys = [loaded.index_to_key[5], "no-such-word", loaded.index_to_key[2],
            loaded.index_to_key[5], "the\ud800"]
    for copy_vecattrs in (False, True):
        ours = loaded.vectors_for_all(keys, copy_vecattrs=copy_vecattrs)
        theirs = gensim_vectors.vectors_for_all(keys, copy_vecattrs=copy_vecattrs)
        assert ours.index_to_key == theirs.index_to_key == [keys[0], keys[2]]
        assert np.array_equal(ours.vectors, theirs.vectors)
        assert [ours.get_vecattr(k, "count") for k in keys[::2][:2]] == [
            theirs.get_vecattr(k, "count") for k in keys[::2][:2]
        ]


def most_similar_in_a_child(vectors, word):
    return vectors.most_similar(word, topn=5)


def test_vectors_pickle_and_go_to_other_processes(trained, tmp_path):
    import copy
    import multiprocessing
    import pickle

    for again in (
        pickle.loads(pickle.dumps(trained)),
        pickle.loads(pickle.dumps(trained, protocol=2)),
        copy.deepcopy(trained),
    ):
        assert again.index_to_key == trained.index_to_key and not again.has_subwords
        assert np.array_equal(again.vectors, trained.vectors)
        assert again._counts() == trained._counts()
    # A fresh interpreter (spawn) gets them through pickle, as multiprocessing sends them.
    word = trained.index_to_key[10]
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        answer = pool.apply(most_similar_in_a_child, (trained, word))
    assert answer == trained.most_similar(word, topn=5)


def test_bad_files_raise(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        vectrain.load(tmp_path / "missing.txt")
    truncated = tmp_path / "truncated.txt"
    truncated.write_text("3 4\nthe 1 2 3 4\ncat 1 2\n")
    with pytest.raises(ValueError, match="truncated.txt"):
        vectrain.load(truncated)


def test_the_table_is_a_read_only_view(trained):
    table = trained.vectors
    assert table.dtype == np.float32 and table.shape == (len(trained), trained.vector_size)
    # Two reads share one memory: no copy is made.
    assert np.shares_memory(table, trained.vectors)
    with pytest.raises(ValueError):
        table[0, 0] = 1.0
    del trained  # the array keeps the vectors alive
    assert np.isfinite(table).all()


def test_words_and_lookups_equal_gensims(loaded, gensim_vectors):
    assert loaded.index_to_key == gensim_vectors.index_to_key
    assert loaded.key_to_index == gensim_vectors.key_to_index
    assert np.array_equal(loaded.vectors, gensim_vectors.vectors)
    word = loaded.index_to_key[7]
    assert word in loaded and "no-such-word" not in loaded
    assert np.array_equal(loaded[word], gensim_vectors[word])
    assert np.array_equal(loaded[[word, "the"]], gensim_vectors[[word, "the"]])
    np.testing.assert_allclose(
        loaded.get_vector(word, norm=True), gensim_vectors.get_vector(word, norm=True), rtol=1e-6
    )
    assert loaded.get_index(word) == gensim_vectors.get_index(word) == 7
    with pytest.raises(KeyError, match="no-such-word"):
        loaded["no-such-word"]


def same_answers(ours, theirs):
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=COSINE_TOLERANCE)


def test_queries_equal_gensims(loaded, gensim_vectors):
    same_answers(loaded.most_similar("god", topn=8), gensim_vectors.most_similar("god", topn=8))
    same_answers(
        loaded.most_similar(positive=["king", "woman"], negative=["man"], topn=5),
        gensim_vectors.most_similar(positive=["king", "woman"], negative=["man"], topn=5),
    )
    same_answers(
        loaded.most_similar_cosmul(positive=["king", "woman"], negative=["man"], topn=5),
        gensim_vectors.most_similar_cosmul(positive=["king", "woman"], negative=["man"], topn=5),
    )
    vector = gensim_vectors["lord"]
    same_answers(
        loaded.most_similar([vector], topn=5), gensim_vectors.most_similar([vector], topn=5)
    )
    assert loaded.similarity("god", "lord") == pytest.approx(
        float(gensim_vectors.similarity("god", "lord")), abs=COSINE_TOLERANCE
    )
    same_answers(
        loaded.analogy("man", "king", "woman", topn=3),
        gensim_vectors.most_similar(positive=["king", "woman"], negative=["man"], topn=3),
    )
    with pytest.raises(KeyError, match="no-such-word"):
        loaded.most_similar("no-such-word")


def test_restricted_queries_and_every_score(loaded, gensim_vectors):
    # restrict_vocab: the first rows only (the most frequent words); 0 is every row and a
    # negative count all but the last rows, as gensim's slice takes them.
    for rows in (0, -30):
        same_answers(
            loaded.most_similar("god", topn=5, restrict_vocab=rows),
            gensim_vectors.most_similar("god", topn=5, restrict_vocab=rows),
        )
    for rows in (40, 500):
        same_answers(
            loaded.most_similar("god", topn=5, restrict_vocab=rows),
            gensim_vectors.most_similar("god", topn=5, restrict_vocab=rows),
        )
        # gensim 4.4's most_similar_cosmul takes restrict_vocab but searches every row: its
        # answer among the first rows is its scores of those rows, best first.
        scores = gensim_vectors.most_similar_cosmul(["king", "woman"], ["man"], topn=None)[:rows]
        query = {gensim_vectors.get_index(w) for w in ("king", "woman", "man")}
        best = [i for i in np.argsort(-scores, kind="stable") if i not in query][:5]
        same_answers(
            loaded.most_similar_cosmul(["king", "woman"], ["man"], topn=5, restrict_vocab=rows),
            [(gensim_vectors.index_to_key[i], float(scores[i])) for i in best],
        )
    vector = gensim_vectors["lord"]
    same_answers(
        loaded.similar_by_vector(vector, topn=4, restrict_vocab=100),
        gensim_vectors.similar_by_vector(vector, topn=4, restrict_vocab=100),
    )
    # topn=None: every row's score, as a float32 array.
    for ours, theirs in [
        (loaded.most_similar("god", topn=None), gensim_vectors.most_similar("god", topn=None)),
        (
            loaded.most_similar(["king", "woman"], ["man"], topn=None, restrict_vocab=300),
            gensim_vectors.most_similar(["king", "woman"], ["man"], topn=None, restrict_vocab=300),
        ),
        (
            loaded.most_similar_cosmul(["king"], ["man"], topn=None),
            gensim_vectors.most_similar_cosmul(["king"], ["man"], topn=None),
        ),
        (loaded.similar_by_word("god", topn=None), gensim_vectors.similar_by_word("god", topn=None)),
    ]:
        assert ours.dtype == np.float32 and ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, atol=COSINE_TOLERANCE)


def test_matrix_equals_the_command_lines(loaded, text_file, tmp_path):
    word2idx = {"<pad>": 0, "god": 1, "lord": 2, "no-such-word": 3, "king": 5}
    index_file = tmp_path / "index.json"
    index_file.write_text(json.dumps(word2idx))
    for oov, seed in [("zeros", 0), ("random", 7), ("mean", 0)]:
        ours = loaded.matrix(word2idx, oov=oov, seed=seed)
        npy = tmp_path / f"{oov}.npy"
        run_cli("matrix", text_file, "--vocab", index_file, "--output", npy, "--oov", oov,
                "--seed", seed)
        assert ours.shape == (6, loaded.vector_size)
        assert np.array_equal(ours, np.load(npy)), oov
    assert np.array_equal(loaded.matrix(word2idx)[1], loaded["god"])
    assert not loaded.matrix(word2idx)[[0, 3, 4]].any()
    from_list = loaded.matrix(["god", "lord"])
    assert np.array_equal(from_list, loaded[["god", "lord"]])
    with pytest.raises(ValueError, match="subword"):
        loaded.matrix(word2idx, oov="subword")
    with pytest.raises(ValueError, match="both have index 1"):
        loaded.matrix({"god": 1, "lord": 1})


def test_sentences_equal_the_command_lines(loaded, text_file, tmp_path):
    batch = [["in", "the", "beginning", "god"], ["and", "no-such-word", "said"], ["no-such-word"]]
    lines = tmp_path / "sentences.txt"
    lines.write_text("\n".join(" ".join(s) for s in batch) + "\n")
    for pool in ["mean", "max", "sif"]:
        ours = loaded.sentences(batch, pool=pool)
        npy = tmp_path / f"{pool}.npy"
        run_cli("sentences", text_file, "--input", lines, "--pool", pool, "--output", npy)
        assert np.array_equal(ours, np.load(npy)), pool
    values, mask = loaded.sentences(batch, sequence=True)
    npy = tmp_path / "sequence.npy"
    run_cli("sentences", text_file, "--input", lines, "--sequence", "--output", npy)
    assert np.array_equal(values, np.load(npy))
    assert np.array_equal(mask, np.load(tmp_path / "sequence.mask.npy").astype(bool))
    assert mask.tolist() == [[1, 1, 1, 1], [1, 0, 1, 0], [0, 0, 0, 0]]
    with pytest.raises(KeyError, match="no-such-word"):
        loaded.sentences(batch, oov="error")


@pytest.fixture(scope="module")
def recased(loaded):
    """The trained vectors with every third word capitalised (where that makes no repeat),
    as vectrain and as gensim vectors: words that only a case-insensitive lookup finds."""
    keys, seen = [], set(loaded.index_to_key)
    for index, word in enumerate(loaded.index_to_key):
        capital = word.capitalize()
        if index % 3 == 0 and capital not in seen:
            seen.add(capital)
            word = capital
        keys.append(word)
    vectors = np.array(loaded.vectors)
    theirs = KeyedVectors(vectors.shape[1])
    theirs.add_vectors(keys, vectors)
    return vectrain.Vectors(keys, vectors), theirs


@pytest.mark.parametrize("case_insensitive, dummy4unknown",
                         [(True, False), (False, False), (True, True), (False, True)])
def test_evaluation_options_equal_gensims(recased, data, case_insensitive, dummy4unknown):
    ours, theirs = recased
    options = dict(case_insensitive=case_insensitive, dummy4unknown=dummy4unknown)
    questions = data / "questions-words.txt"
    score, sections = ours.evaluate_word_analogies(questions, **options)
    their_score, their_sections = theirs.evaluate_word_analogies(str(questions), **options)
    assert score == pytest.approx(their_score)
    assert [s["correct"] for s in sections] == [len(s["correct"]) for s in their_sections]
    assert [s["incorrect"] for s in sections] == [len(s["incorrect"]) for s in their_sections]
    pairs = data / "wordsim353.tsv"
    pearson, spearman, oov_ratio = ours.evaluate_word_pairs(pairs, **options)
    their_pearson, their_spearman, their_oov = theirs.evaluate_word_pairs(str(pairs), **options)
    assert pearson == pytest.approx(their_pearson[0], abs=1e-6)
    assert spearman == pytest.approx(their_spearman[0], abs=1e-6)
    assert oov_ratio == pytest.approx(their_oov)
    # Each option changes what is scored here.
    other = dict(case_insensitive=not case_insensitive, dummy4unknown=dummy4unknown)
    assert ours.evaluate_word_analogies(questions, **other)[1] != sections
    other = dict(case_insensitive=case_insensitive, dummy4unknown=not dummy4unknown)
    assert ours.evaluate_word_analogies(questions, **other)[0] != score


def test_evaluations_equal_gensims(loaded, gensim_vectors, data):
    questions = data / "questions-words.txt"
    score, sections = loaded.evaluate_word_analogies(questions)
    their_score, their_sections = gensim_vectors.evaluate_word_analogies(str(questions))
    assert score == pytest.approx(their_score)
    assert [s["section"] for s in sections] == [s["section"] for s in their_sections]
    assert [s["correct"] for s in sections] == [len(s["correct"]) for s in their_sections]
    assert [s["incorrect"] for s in sections] == [len(s["incorrect"]) for s in their_sections]
    pairs = data / "wordsim353.tsv"
    pearson, spearman, oov_ratio = loaded.evaluate_word_pairs(pairs)
    their_pearson, their_spearman, their_oov = gensim_vectors.evaluate_word_pairs(str(pairs))
    assert pearson == pytest.approx(their_pearson[0], abs=1e-6)
    assert spearman == pytest.approx(their_spearman[0], abs=1e-6)
    assert oov_ratio == pytest.approx(their_oov)
