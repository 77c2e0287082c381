"""Trains gensim's Word2Vec skip-gram in corpus_file mode, for the quality-parity study.

usage: gensim_corpusfile.py CORPUS OUTPUT WORKERS SEED [plain|worker-lr]
  plain      gensim as users call it: total_examples = corpus_count, so each worker's learning
             rate decays by its own sentences over the whole corpus's count
  worker-lr  total_examples = corpus_count / WORKERS: each worker's learning rate decays over
             its own part, reaching min_alpha at the end of the last epoch as with one worker
d100 w5 n5 sample 1e-3 min_count 5, 5 epochs, alpha 0.025 -> 0.0001. Writes OUTPUT in word2vec
binary and prints one JSON line (seconds, loss when asked).
"""
import json
import sys
import time

from gensim.models import Word2Vec

corpus, output, workers, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
mode = sys.argv[5] if len(sys.argv) > 5 else "plain"
w2v = Word2Vec(
    vector_size=100, window=5, negative=5, sample=1e-3, min_count=5, sg=1,
    alpha=0.025, min_alpha=0.0001, workers=workers, seed=seed,
)
w2v.build_vocab(corpus_file=corpus)
examples = w2v.corpus_count if mode == "plain" else w2v.corpus_count // workers
started = time.perf_counter()
w2v.train(corpus_file=corpus, total_examples=examples, total_words=w2v.corpus_total_words,
          epochs=5)
seconds = time.perf_counter() - started
w2v.wv.save_word2vec_format(output, binary=True)
print(json.dumps({"seconds": round(seconds, 1), "workers": workers, "seed": seed, "mode": mode}))
