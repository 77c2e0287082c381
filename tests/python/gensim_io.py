"""Reads and writes vector files with gensim, for tests/gensim_interop.rs.

    gensim_io.py JOB [-- JOB ...] [--]

Runs each JOB in turn (importing gensim once), where a JOB is one of:

    gensim_io.py load FORMAT VECTORS DUMP
        Load VECTORS (FORMAT: text, binary or glove) with gensim's
        KeyedVectors.load_word2vec_format and dump what gensim read.
    gensim_io.py save FORMAT VECTORS DUMP SEED ROWS DIM
        Make ROWS random vectors of DIM (seeded by SEED, with non-ASCII words and awkward
        floats), save them with gensim's save_word2vec_format (FORMAT: text or binary) and
        dump what was saved.

A dump is DUMP.words (UTF-8, one word per line, in row order) and DUMP.f32 (the matrix as
row-major little-endian float32).
"""

import sys

import numpy as np
from gensim.models import KeyedVectors

SPECIAL = [0.0, -0.0, 1e-45, -1.17549435e-38, 3.4028235e38, 1e-30, 0.1, -2.5, 1 / 3]
NON_ASCII = ["café", "naïve", "日本", "Ελληνικά", "Zürich", "straße", "😀", "ñandú"]


def dump(words, vectors, prefix):
    with open(prefix + ".words", "w", encoding="utf-8", newline="\n") as out:
        out.write("".join(word + "\n" for word in words))
    with open(prefix + ".f32", "wb") as out:
        out.write(np.ascontiguousarray(vectors, dtype="<f4").tobytes())


def load(fmt, path, prefix):
    kv = KeyedVectors.load_word2vec_format(
        path, binary=(fmt == "binary"), no_header=(fmt == "glove")
    )
    dump(kv.index_to_key, kv.vectors, prefix)


def save(fmt, path, prefix, seed, rows, dim):
    rng = np.random.default_rng(seed)
    words = (NON_ASCII + [f"g{i}" for i in range(rows)])[:rows]
    scale = 10.0 ** rng.integers(-6, 6, size=(rows, dim))
    vectors = (rng.standard_normal((rows, dim)) * scale).astype(np.float32)
    flat = vectors.reshape(-1)
    flat[: len(SPECIAL)] = np.array(SPECIAL, dtype=np.float32)[: flat.size]
    kv = KeyedVectors(dim)
    kv.add_vectors(words, vectors)
    kv.save_word2vec_format(path, binary=(fmt == "binary"))
    dump(kv.index_to_key, kv.vectors, prefix)


def run(job):
    if len(job) == 4 and job[0] == "load" and job[1] in ("text", "binary", "glove"):
        load(job[1], job[2], job[3])
    elif len(job) == 7 and job[0] == "save" and job[1] in ("text", "binary"):
        save(job[1], job[2], job[3], int(job[4]), int(job[5]), int(job[6]))
    else:
        sys.exit(f"bad job {job}\n{__doc__}")


def main(args):
    job = []
    for arg in args + ["--"]:
        if arg == "--":
            if job:
                run(job)
            job = []
        else:
            job.append(arg)


if __name__ == "__main__":
    main(sys.argv[1:])
