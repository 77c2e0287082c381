"""Reads hierarchical-softmax .bin models the way fastText does and scores them on a corpus,
for tests/cli_subwords.rs.

    fasttext_hs_loss.py CORPUS MODEL...

For each MODEL (loaded with the `fasttext` package, fastText's own C++ code) prints one JSON
line: its loss code, and the mean CBOW loss -log P(centre | context) over the corpus's first
EXAMPLES positions (window 5, every context word, no subsampling), once with fastText's
reading of the output layer and once with the labels flipped. fastText's reading, as its
`HierarchicalSoftmaxLoss` describes it: the tree is built from the dictionary's counts in
file order (two least frequent joined, leaves from the rare end, a leaf losing ties, the
second of each pair marked), inner node `i` (the `i`-th made) is output row `i`, and a node
scores with label 1 where the path passes through its marked child. The hidden vector is the
mean of the input rows of every context word's subwords, as fastText's CBOW takes it.

A model trained with that reading scores far lower with it than flipped: "TRAIN" as a MODEL
first trains fastText's own CBOW hierarchical-softmax model on CORPUS, to show the reading
is fastText's.
"""

import json
import math
import sys
import tempfile

import fasttext
import numpy as np

EXAMPLES = 20000
WINDOW = 5


def fasttext_paths(counts):
    """Each word's inner nodes and labels, built as fastText builds its tree."""
    words = len(counts)
    inner = words - 1
    count = list(counts) + [float("inf")] * inner
    parent = [-1] * (words + inner)
    marked = [False] * (words + inner)
    leaf, node = words - 1, words
    for made in range(words, words + inner):
        pair = []
        for _ in range(2):
            if leaf >= 0 and count[leaf] < count[node]:
                pair.append(leaf)
                leaf -= 1
            else:
                pair.append(node)
                node += 1
        count[made] = count[pair[0]] + count[pair[1]]
        parent[pair[0]] = parent[pair[1]] = made
        marked[pair[1]] = True
    paths = []
    for word in range(words):
        nodes, labels, at = [], [], word
        while parent[at] != -1:
            nodes.append(parent[at] - words)
            labels.append(1.0 if marked[at] else 0.0)
            at = parent[at]
        paths.append((np.array(nodes, dtype=np.int64), np.array(labels)))
    return paths


def log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


def score(model, sentences):
    words, counts = model.get_words(include_freq=True)
    ids = {word: i for i, word in enumerate(words)}
    paths = fasttext_paths(counts)
    table = model.get_input_matrix()
    output = model.get_output_matrix()
    rows = [model.get_subwords(word)[1] for word in words]
    right = flipped = 0.0
    examples = 0
    for sentence in sentences:
        line = [ids[w] for w in sentence if w in ids]
        for at, centre in enumerate(line):
            context = line[max(0, at - WINDOW) : at] + line[at + 1 : at + 1 + WINDOW]
            if not context:
                continue
            hidden = table[np.concatenate([rows[w] for w in context])].mean(axis=0)
            nodes, labels = paths[centre]
            dots = output[nodes] @ hidden
            signs = 2.0 * labels - 1.0
            right -= log_sigmoid(signs * dots).sum()
            flipped -= log_sigmoid(-signs * dots).sum()
            examples += 1
            if examples == EXAMPLES:
                return right / examples, flipped / examples
    return right / examples, flipped / examples


def main(corpus, models):
    with open(corpus, encoding="utf-8") as lines:
        sentences = [line.split() for line in lines]
    for name in models:
        if name == "TRAIN":
            model = fasttext.train_unsupervised(
                corpus, model="cbow", loss="hs", dim=20, epoch=20, minCount=5,
                bucket=20000, thread=1, verbose=0,
            )
        else:
            model = fasttext.load_model(name)
        right, flipped = score(model, sentences)
        loss = str(model.f.getArgs().loss).rsplit(".", 1)[-1]
        print(json.dumps({"model": name, "loss": loss, "right": right, "flipped": flipped}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
