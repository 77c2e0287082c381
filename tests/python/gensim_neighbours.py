"""Trains gensim on a corpus and prints the nearest neighbours of some words as JSON.

usage: gensim_neighbours.py CORPUS SG(0|1) DIM EPOCHS [--hs] WORD...
  --hs  hierarchical softmax alone (hs=1, negative=0) instead of negative sampling
"""
import json
import sys

from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence

corpus, sg, dim, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
words = sys.argv[5:]
hs = bool(words) and words[0] == "--hs"
if hs:
    words = words[1:]
model = Word2Vec(
    LineSentence(corpus), sg=sg, vector_size=dim, window=5, sample=1e-3,
    hs=int(hs), negative=0 if hs else 5,
    min_count=5, epochs=epochs, workers=2, seed=1,
)
print(json.dumps({w: [n for n, _ in model.wv.most_similar(w, topn=10)] for w in words}))
