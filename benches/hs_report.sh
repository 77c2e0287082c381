#!/usr/bin/env bash
# Hierarchical softmax: vectrain (--hs --negative 0) against gensim (hs=1, negative=0,
# corpus_file mode) and, given W2V_SRC or W2V, word2vec.c (-hs 1 -negative 0), on mix8m in
# one run: skip-gram and CBOW with the same settings on every side (d100, window 5, sample
# 1e-3, min-count 5, 5 epochs, 2 threads; alpha 0.025 skip-gram and 0.05 CBOW). Each pair
# alternates which side goes first, so drift of a shared machine falls on both. Speed is
# corpus words x epochs over the whole process's wall time (reading and writing included:
# vectrain runs with --no-cache); quality is each side's vectors scored by `vectrain eval`
# (analogy accuracy on questions-words.txt, WS353 Spearman).
#
# word2vec.c is built as benches/word2vec_c_report.sh builds it (with its one-line fix).
#
# usage: [W2V_SRC=path/to/word2vec.c] benches/hs_report.sh [PAIRS] [MODELS]
#   PAIRS   alternated pairs per model, default 1
#   MODELS  default "skipgram cbow"
#   CORPUS (environment) plain or gzip text, default ../shared/data/mix8m.txt.gz
#   EPOCHS (environment) default 5
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-1}
models=${2:-skipgram cbow}
epochs=${EPOCHS:-5}
python=${PYTHON:-.venv/bin/python}
. benches/support/report.sh
report_setup
report_word2vec_c
report_header "hierarchical softmax, vectrain against gensim${W2V:+ and word2vec.c}" \
    "$epochs epochs, 2 threads, d100 w5, hs alone (no negatives), sample 1e-3, min-count 5"
tokens=$(wc -w < "$corpus")

run_vectrain() { # model alpha output
    "$vectrain" train --input "$corpus" --model "$1" --alpha "$2" --dim 100 --window 5 \
        --hs --negative 0 --sample 1e-3 --threads 2 --epochs "$epochs" --min-count 5 \
        --backend cpu --no-cache --output "$3" 2> /dev/null
}

run_gensim() { # model alpha output (gensim_train.py takes each model's alpha as these do)
    local short=sg
    [ "$1" = cbow ] && short=cbow
    "$python" benches/gensim_train.py "$corpus" "$3" "$short" 2 "$epochs" file hs > /dev/null
}

run_word2vec_c() { # model alpha output
    local cbow=0
    [ "$1" = cbow ] && cbow=1
    "$W2V" -train "$corpus" -output "$3" -cbow "$cbow" -size 100 -window 5 -negative 0 -hs 1 \
        -sample 1e-3 -threads 2 -iter "$epochs" -min-count 5 -alpha "$2" -binary 0 > /dev/null
}

one() { # side model alpha (gensim_train.py writes word2vec binary)
    local ext=txt
    [ "$1" = gensim ] && ext=bin
    report_one "$1" "$2" "$3" "$work/$1-$2.$ext"
}

alternate_pairs "$pairs" "$models" gensim vectrain
if [ -n "${W2V:-}" ]; then
    alternate_pairs "$pairs" "$models" word2vec_c vectrain
fi
report_footer
