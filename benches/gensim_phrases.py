"""gensim's Phrases as benches/phrases_report.sh times it: learn the phrases of CORPUS,
freeze them (gensim's fast way to apply them) and write the corpus with them joined.

Usage: gensim_phrases.py CORPUS OUTPUT THRESHOLD

Scores with word2phrase's formula (gensim's own default multiplies by the number of its
vocabulary entries, not by the corpus's tokens), min_count 5, so that its output is
vectrain's.
"""

import sys

from gensim.models.phrases import Phrases
from gensim.models.word2vec import LineSentence


def word2phrase_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count,
                       corpus_word_count):
    denom = worda_count * wordb_count
    if denom == 0:
        return float("-inf")
    return (bigram_count - min_count) / float(denom) * corpus_word_count


corpus, output, threshold = sys.argv[1], sys.argv[2], float(sys.argv[3])
frozen = Phrases(LineSentence(corpus), min_count=5, threshold=threshold,
                 scoring=word2phrase_scorer).freeze()
with open(output, "w", encoding="utf-8") as out:
    for sentence in LineSentence(corpus):
        out.write(" ".join(frozen[sentence]) + "\n")
