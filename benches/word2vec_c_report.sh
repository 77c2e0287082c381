#!/usr/bin/env bash
# vectrain against word2vec.c (Mikolov's original C trainer) on mix8m, in one run: skip-gram
# and CBOW with the same settings on both sides (d100, window 5, 5 negatives, sample 1e-3,
# min-count 5, 5 epochs, 2 threads; alpha 0.025 skip-gram and 0.05 CBOW, word2vec.c's
# defaults), each side at its own defaults otherwise (vectrain: --parts 2). Each pair
# alternates which side goes first (and the two models start with different sides), so drift
# of a shared machine falls on both. Speed is
# corpus words x epochs over the whole process's wall time (vocabulary counting and writing
# the text vectors included: vectrain runs with --no-cache); quality is both text files
# scored by `vectrain eval` (analogy accuracy on questions-words.txt, WS353 Spearman).
#
# word2vec.c is not part of this project and not fetched by it: pass its word2vec.c (from
# https://github.com/tmikolov/word2vec) as W2V_SRC, and the script compiles it with that
# repository's makefile flags and one fix: its last thread trains one epoch only, because the
# end-of-file flag is not cleared when the thread goes back to its start for the next epoch
# (tmikolov/word2vec issue #47; the fix is the one line the issue gives, `eof = 0`). Unfixed,
# one thread of two idles from the second epoch on, and the vectors score 5 to 6 analogy
# points lower on mix8m. W2V instead of W2V_SRC runs a binary you built yourself, as it is.
#
# usage: W2V=path/to/word2vec benches/word2vec_c_report.sh [PAIRS] [MODELS]
#   PAIRS   alternated pairs per model, default 1
#   MODELS  default "skipgram cbow"
#   CORPUS (environment) plain or gzip text, default ../shared/data/mix8m.txt.gz
#   EPOCHS (environment) default 5
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-1}
models=${2:-skipgram cbow}
epochs=${EPOCHS:-5}
. benches/support/report.sh
report_setup
report_word2vec_c
[ -x "${W2V:-}" ] || { echo "set W2V to a built word2vec.c binary, or W2V_SRC to its word2vec.c" >&2; exit 2; }
report_header "vectrain against word2vec.c" "$epochs epochs, 2 threads, d100 w5 n5, sample 1e-3, min-count 5"
tokens=$(wc -w < "$corpus")

run_word2vec_c() { # model alpha output
    local cbow=0
    [ "$1" = cbow ] && cbow=1
    "$W2V" -train "$corpus" -output "$3" -cbow "$cbow" -size 100 -window 5 -negative 5 -hs 0 \
        -sample 1e-3 -threads 2 -iter "$epochs" -min-count 5 -alpha "$2" -binary 0 > /dev/null
}

run_vectrain() { # model alpha output
    "$vectrain" train --input "$corpus" --model "$1" --alpha "$2" --dim 100 --window 5 \
        --negative 5 --sample 1e-3 --threads 2 --epochs "$epochs" --min-count 5 --backend cpu \
        --no-cache --output "$3" 2> /dev/null
}


one() { # side model alpha
    report_one "$1" "$2" "$3" "$work/$1-$2.txt"
}

alternate_pairs "$pairs" "$models" word2vec_c vectrain
report_footer
