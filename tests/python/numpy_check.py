"""numpy's view of vectrain's outputs, printed as JSON.

usage:
  numpy_check.py npy FILE
      shape, dtype, C-contiguity and the float32 bit patterns of numpy.load(FILE)
  numpy_check.py sequence VALUES MASK
      shape, dtype and float32 bit patterns of the per-token array VALUES, shape, dtype and
      values of its MASK, and whether every masked-out position of VALUES is zero
  numpy_check.py sif VECTORS SENTENCES A
      SIF sentence vectors (Arora et al. 2017) computed with numpy: Zipf probabilities by
      row rank, weighted mean over in-vocabulary tokens, first right singular vector of the
      uncentred batch removed
"""
import json
import sys

import numpy as np


def npy(path):
    a = np.load(path)
    print(json.dumps({
        "shape": list(a.shape),
        "dtype": str(a.dtype),
        "c_contiguous": bool(a.flags["C_CONTIGUOUS"]),
        "bits": a.reshape(-1).view(np.uint32).tolist(),
    }))


def sequence(values_path, mask_path):
    values = np.load(values_path)
    mask = np.load(mask_path)
    print(json.dumps({
        "shape": list(values.shape),
        "dtype": str(values.dtype),
        "bits": values.reshape(-1).view(np.uint32).tolist(),
        "mask_shape": list(mask.shape),
        "mask_dtype": str(mask.dtype),
        "mask": mask.reshape(-1).tolist(),
        "padding_is_zero": bool(np.all(values[mask == 0] == 0)),
    }))


def sif(vectors, sentences, a):
    with open(vectors, encoding="utf-8") as f:
        rows, dim = map(int, f.readline().split())
        words, vecs = [], []
        for line in f:
            parts = line.split()
            words.append(parts[0])
            vecs.append([float(x) for x in parts[1:]])
    vecs = np.array(vecs, dtype=np.float64)
    index = {w: i for i, w in enumerate(words)}
    ranks = np.arange(1, rows + 1, dtype=np.float64)
    p = 1.0 / (ranks * np.sum(1.0 / ranks))
    weight = a / (a + p)
    out = []
    with open(sentences, encoding="utf-8") as f:
        for line in f:
            ids = [index[t] for t in line.split() if t in index]
            if ids:
                out.append((weight[ids][:, None] * vecs[ids]).sum(axis=0) / len(ids))
            else:
                out.append(np.zeros(dim))
    x = np.array(out)
    u = np.linalg.svd(x, full_matrices=False)[2][0]
    x = x - np.outer(x @ u, u)
    print(json.dumps(x.tolist()))


if sys.argv[1] == "npy":
    npy(sys.argv[2])
elif sys.argv[1] == "sequence":
    sequence(sys.argv[2], sys.argv[3])
else:
    sif(sys.argv[2], sys.argv[3], float(sys.argv[4]))
