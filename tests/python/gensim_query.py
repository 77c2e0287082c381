"""Answers similarity queries with gensim 4.4 on a word2vec text file and prints JSON.

usage: gensim_query.py VECTORS QUERIES_JSON

QUERIES_JSON holds {"k": K, "words": [...], "vectors": [[...], ...],
"analogies": [[a, b, c], ...], "pairs": [[w1, w2], ...]}. The output has, per kind, lists of
[word, score] pairs in gensim's order.
"""
import json
import sys

import numpy as np
from gensim.models import KeyedVectors

kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=False)
with open(sys.argv[2], encoding="utf-8") as f:
    q = json.load(f)
k = q["k"]


def pairs(result):
    return [[w, float(s)] for w, s in result]


out = {
    "words": [pairs(kv.most_similar(w, topn=k)) for w in q["words"]],
    "vectors": [
        pairs(kv.most_similar(positive=[np.array(v, dtype=np.float32)], topn=k))
        for v in q["vectors"]
    ],
    "add": [pairs(kv.most_similar(positive=[b, c], negative=[a], topn=k)) for a, b, c in q["analogies"]],
    "mul": [
        pairs(kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=k))
        for a, b, c in q["analogies"]
    ],
    "similarity": [float(kv.similarity(a, b)) for a, b in q["pairs"]],
}
print(json.dumps(out))
