"""Trains gensim's Word2Vec with vectrain's default settings, for side-by-side benchmarks.

usage: gensim_train.py CORPUS OUTPUT sg|cbow THREADS [EPOCHS] [lines|file] [ns|hs]
  lines  (default) sentences streamed by LineSentence through gensim's job queue
  file   corpus_file mode: each worker reads its own contiguous part of the file (gensim's
         fastest mode, the one the CPU speed figures are measured against)
  ns     (default) negative sampling, 5 negatives
  hs     hierarchical softmax alone (hs=1, negative=0)
d100 w5 n5 sample 1e-3 min_count 5, alpha 0.025 (skip-gram) or 0.05 (CBOW) -> 0.0001; seed
$SEED (default 1). With WORKER_LR=1 in file mode, total_examples = corpus_count / THREADS, so
each worker's rate decays linearly over its own part (gensim as users call it passes the whole
count, and each worker's rate covers 1/THREADS of an epoch's decay).
Writes OUTPUT in word2vec binary format and prints one JSON line with the wall time of
training (not reading) and words/s over corpus words times epochs.
"""
import json
import os
import sys
import time

from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence

corpus, output, model, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
epochs = int(sys.argv[5]) if len(sys.argv) > 5 else 5
mode = sys.argv[6] if len(sys.argv) > 6 else "lines"
hs = len(sys.argv) > 7 and sys.argv[7] == "hs"
sg = 1 if model == "sg" else 0
w2v = Word2Vec(
    vector_size=100, window=5, negative=0 if hs else 5, hs=int(hs), sample=1e-3, min_count=5,
    sg=sg,
    alpha=0.025 if sg else 0.05, min_alpha=0.0001, workers=threads,
    seed=int(os.environ.get("SEED", "1")),
)
if mode == "file":
    w2v.build_vocab(corpus_file=corpus)
    started = time.perf_counter()
    per_worker = os.environ.get("WORKER_LR") == "1"
    examples = w2v.corpus_count // threads if per_worker else w2v.corpus_count
    w2v.train(corpus_file=corpus, total_examples=examples,
              total_words=w2v.corpus_total_words, epochs=epochs)
else:
    sentences = LineSentence(corpus)
    w2v.build_vocab(sentences)
    started = time.perf_counter()
    w2v.train(sentences, total_examples=w2v.corpus_count, epochs=epochs)
seconds = time.perf_counter() - started
words = w2v.corpus_total_words * epochs
w2v.wv.save_word2vec_format(output, binary=True)
print(json.dumps({"seconds": seconds, "words": words, "words_per_second": words / seconds}))
