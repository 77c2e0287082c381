"""gensim's own per-epoch training loss (compute_loss=True), for the loss-rise study (issue 9).

usage: gensim_epoch_loss.py CORPUS SEED [MIN_ALPHA]
Skip-gram d100 w5 n5 sample 1e-3 min_count 5, 5 epochs, alpha 0.025, one worker, corpus_file
mode. gensim's running loss is a float32 sum over the run; the per-epoch figure printed is the
difference between epoch ends (gensim does not count the pairs, so it is a sum, not a mean).
"""
import sys

from gensim.models import Word2Vec
from gensim.models.callbacks import CallbackAny2Vec


class EpochLoss(CallbackAny2Vec):
    def __init__(self):
        self.last = 0.0
        self.epoch = 0

    def on_epoch_end(self, model):
        total = model.get_latest_training_loss()
        self.epoch += 1
        print(f"gensim epoch {self.epoch}: loss sum {total - self.last:.0f}")
        self.last = total


corpus, seed = sys.argv[1], int(sys.argv[2])
min_alpha = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0001
w2v = Word2Vec(vector_size=100, window=5, negative=5, sample=1e-3, min_count=5, sg=1,
               alpha=0.025, min_alpha=min_alpha, workers=1, seed=seed)
w2v.build_vocab(corpus_file=corpus)
w2v.train(corpus_file=corpus, total_examples=w2v.corpus_count,
          total_words=w2v.corpus_total_words, epochs=5, compute_loss=True, callbacks=[EpochLoss()])
