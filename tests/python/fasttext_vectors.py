"""Loads a fastText .bin with the `fasttext` package (fastText's own C++ code) and dumps the
vector of each line of QUERIES, for tests/cli_subwords.rs.

    fasttext_vectors.py MODEL QUERIES DUMP

DUMP gets the vectors as row-major little-endian float32, one row per query.
"""

import sys

import fasttext
import numpy as np


def main(model_path, queries_path, dump_path):
    model = fasttext.load_model(model_path)
    with open(queries_path, encoding="utf-8") as lines:
        words = [line.rstrip("\n") for line in lines if line.rstrip("\n")]
    rows = np.stack([model.get_word_vector(word) for word in words])
    with open(dump_path, "wb") as out:
        out.write(np.ascontiguousarray(rows, dtype="<f4").tobytes())


if __name__ == "__main__":
    main(*sys.argv[1:4])
