"""Reads and writes fastText .bin models with gensim, for tests/fasttext_bin_gensim.rs.

    gensim_fasttext_bin.py load MODEL QUERIES DUMP
        Load MODEL with gensim's load_facebook_model and load_facebook_vectors, check that
        both give the same vectors, and dump the vocabulary (DUMP.words, in gensim's order)
        and the vector of each line of QUERIES (DUMP.f32).
    gensim_fasttext_bin.py train MODEL QUERIES DUMP
        Train a small skip-gram FastText model on a fixed corpus with non-ASCII words, save
        it with save_facebook_model as MODEL, and dump its vocabulary with counts
        (DUMP.words: `word count` per line), its input table (vectors_vocab then
        vectors_ngrams, DUMP.input.f32), its output table (DUMP.output.f32) and the vector
        of each line of QUERIES (DUMP.f32).

Vectors are dumped as row-major little-endian float32; words as UTF-8, one per line.
"""

import sys

import numpy as np
from gensim.models.fasttext import (
    FastText,
    load_facebook_model,
    load_facebook_vectors,
    save_facebook_model,
)


def write_f32(path, matrix):
    with open(path, "wb") as out:
        out.write(np.ascontiguousarray(matrix, dtype="<f4").tobytes())


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write("".join(line + "\n" for line in lines))


def queries(path):
    with open(path, encoding="utf-8") as lines:
        return [line.rstrip("\n") for line in lines if line.rstrip("\n")]


def load(model_path, queries_path, prefix):
    model = load_facebook_model(model_path)
    vectors = load_facebook_vectors(model_path)
    words = queries(queries_path)
    from_model = np.stack([model.wv[w] for w in words])
    from_vectors = np.stack([vectors[w] for w in words])
    if not np.array_equal(from_model, from_vectors):
        sys.exit("load_facebook_model and load_facebook_vectors disagree")
    write_lines(prefix + ".words", model.wv.index_to_key)
    write_f32(prefix + ".f32", from_model)


CORPUS = [
    "the café serves naïve coffee to the people of the town",
    "日本 and the café of 日本 are far from the town",
    "people drink coffee in the café and talk of 日本",
    "the town has a café a school and naïve people",
    "straße and Zürich are words the town does not know",
]


def train(model_path, queries_path, prefix):
    sentences = [line.split() for line in CORPUS] * 20
    model = FastText(
        sentences,
        vector_size=8,
        window=3,
        min_count=1,
        sg=1,
        negative=5,
        min_n=3,
        max_n=5,
        bucket=500,
        epochs=3,
        seed=7,
        workers=1,
    )
    save_facebook_model(model, model_path)
    wv = model.wv
    counts = [f"{w} {wv.get_vecattr(w, 'count')}" for w in wv.index_to_key]
    write_lines(prefix + ".words", counts)
    write_f32(prefix + ".input.f32", np.concatenate([wv.vectors_vocab, wv.vectors_ngrams]))
    write_f32(prefix + ".output.f32", model.syn1neg)
    write_f32(prefix + ".f32", np.stack([wv[w] for w in queries(queries_path)]))


if __name__ == "__main__":
    job, model_path, queries_path, prefix = sys.argv[1:5]
    {"load": load, "train": train}[job](model_path, queries_path, prefix)
