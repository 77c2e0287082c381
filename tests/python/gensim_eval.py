"""Evaluates word2vec text vectors with gensim, for tests/eval_vs_gensim.rs.

Usage: gensim_eval.py VECTORS.txt QUESTIONS.txt PAIRS.tsv RESTRICT

Prints one JSON object: gensim 4.4's evaluate_word_analogies and evaluate_word_pairs with
restrict_vocab=RESTRICT, case_insensitive=True, dummy4unknown=False, plus the question and
pair counts that gensim only logs, counted the way gensim counts them.
"""

import json
import sys

from gensim.models import KeyedVectors


def count_questions(path):
    """Lines of four words after a section header, as evaluate_word_analogies counts them."""
    questions = 0
    with open(path, "rb") as f:
        for line in f:
            line = line.decode("utf8")
            if not line.startswith(": ") and len(line.split()) == 4:
                questions += 1
    return questions


def count_pairs(path):
    """Lines evaluate_word_pairs (tab-separated) accepts, known words or not."""
    pairs = 0
    with open(path, encoding="utf8") as f:
        for line in f:
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 3:
                continue
            try:
                float(fields[2])
            except ValueError:
                continue
            pairs += 1
    return pairs


def main():
    vectors, questions, pairs, restrict = sys.argv[1:5]
    restrict = int(restrict)
    kv = KeyedVectors.load_word2vec_format(vectors, binary=False)
    score, sections = kv.evaluate_word_analogies(
        questions, restrict_vocab=restrict, case_insensitive=True, dummy4unknown=False
    )
    total = sections.pop()
    pearson, spearman, oov_ratio = kv.evaluate_word_pairs(
        pairs, restrict_vocab=restrict, case_insensitive=True, dummy4unknown=False
    )
    pairs_total = count_pairs(pairs)
    out = {
        "vocab": len(kv.index_to_key),
        "analogy": {
            "score": score,
            "sections": [
                {"name": s["section"], "correct": len(s["correct"]), "incorrect": len(s["incorrect"])}
                for s in sections
            ],
            "correct": len(total["correct"]),
            "covered": len(total["correct"]) + len(total["incorrect"]),
            "questions": count_questions(questions),
        },
        "pairs": {
            "pearson": float(pearson[0]),
            "spearman": float(spearman[0]),
            "oov_ratio": float(oov_ratio),
            "oov_pairs": round(oov_ratio / 100.0 * pairs_total),
            "pairs_total": pairs_total,
        },
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
