"""gensim's Phrases on a corpus file, for tests/phrases.rs and benches/phrases_report.sh.

Usage: gensim_phrases.py CORPUS SCORING THRESHOLD MIN_COUNT OUT_LINES [CONNECTORS]

SCORING is "default", which gives gensim the word2phrase score (gensim's own default
multiplies by the number of vocabulary entries where word2phrase multiplies by the corpus's
tokens), or "npmi", gensim's own. Learns the phrases, freezes them (gensim's fast way to
apply them), writes the corpus with them joined to OUT_LINES, one line per line, and prints
{phrase: score} as JSON (scores as repr, so that they round-trip exactly). CONNECTORS
"english" gives gensim's ENGLISH_CONNECTOR_WORDS as connector_words (none otherwise).
"""

import json
import sys

from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases
from gensim.models.word2vec import LineSentence


def word2phrase_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count,
                       corpus_word_count):
    denom = worda_count * wordb_count
    if denom == 0:
        return float("-inf")
    return (bigram_count - min_count) / float(denom) * corpus_word_count


corpus, scoring, threshold, min_count, out_lines = sys.argv[1:6]
connectors = ENGLISH_CONNECTOR_WORDS if sys.argv[6:] == ["english"] else frozenset()
scorer = word2phrase_scorer if scoring == "default" else scoring
frozen = Phrases(LineSentence(corpus), min_count=int(min_count), threshold=float(threshold),
                 scoring=scorer, connector_words=connectors).freeze()
with open(out_lines, "w", encoding="utf-8") as out:
    for sentence in LineSentence(corpus):
        out.write(" ".join(frozen[sentence]) + "\n")
print(json.dumps({phrase: repr(score) for phrase, score in frozen.phrasegrams.items()}))
