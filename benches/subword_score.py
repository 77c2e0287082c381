"""Scores a fastText .bin the same way whoever trained it, for benches/subword_report.sh.

    subword_score.py MODEL QUESTIONS PAIRS

Loads MODEL with gensim's load_facebook_vectors and prints one line: analogy accuracy
(gensim's evaluate_word_analogies, restrict_vocab 300000: vocabulary words only, as gensim
does) and the Spearman correlation over *every* pair of PAIRS, unseen words included (their
vectors come from their n-grams; a word without any n-gram has a zero vector, cosine 0).
"""

import sys

import numpy as np
from gensim.models.fasttext import load_facebook_vectors
from scipy.stats import spearmanr


def cosine(a, b):
    norm = np.linalg.norm(a) * np.linalg.norm(b)
    return float(np.dot(a, b) / norm) if norm > 0 else 0.0


def main(model_path, questions, pairs_path):
    kv = load_facebook_vectors(model_path)
    accuracy, _ = kv.evaluate_word_analogies(questions, restrict_vocab=300000)
    human, ours, unseen = [], [], 0
    with open(pairs_path, encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            a, b, score = line.replace("\t", " ").split()[:3]
            a, b = a.lower(), b.lower()
            unseen += (a not in kv.key_to_index) + (b not in kv.key_to_index)
            human.append(float(score))
            ours.append(cosine(kv[a], kv[b]))
    rho = spearmanr(human, ours).correlation
    print(
        f"analogy {100 * accuracy:.2f}%  pairs spearman {rho:.4f} over all {len(human)} pairs"
        f" ({unseen} unseen words, from n-grams)  vocabulary {len(kv.key_to_index)}"
    )


if __name__ == "__main__":
    main(*sys.argv[1:4])
