#!/usr/bin/env bash
# Finding and joining phrases: `vectrain phrases` against gensim's Phrases (learned, frozen
# and applied: tests/python/gensim_phrases.py, which also prints the phrases as JSON) and,
# where given, word2vec.c's word2phrase, on the same corpus with the same settings
# (min-count 5, threshold 100, word2phrase's score). Each round runs every side once, the
# order rotating from round to round, so that drift of a shared machine falls on all. Each
# side's time is its whole process's wall time (reading, counting and writing the corpus);
# tokens/s is the corpus's tokens over it. Agreement is the share of lines written exactly
# as vectrain writes them (white space aside).
#
# word2phrase is not part of this project and not fetched by it: pass its word2phrase.c
# (https://github.com/tmikolov/word2vec) as W2P_SRC to include it. It is single-threaded,
# counts pairs across line ends, scores in float32 and cuts words at 59 bytes, so its
# agreement is close to, not exactly, 100%.
#
# usage: benches/phrases_report.sh [ROUNDS]
#   ROUNDS  default 3
#   CORPUS (environment) plain or gzip text, default ../shared/data/mix8m.txt.gz
#   THREADS (environment) vectrain's --threads, default 2
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
threads=${THREADS:-2}
. benches/support/report.sh
report_setup
python=${VECTRAIN_PYTHON:-.venv/bin/python}
sides="vectrain gensim"
if [ -n "${W2P_SRC:-}" ]; then
    gcc "$W2P_SRC" -o "$work/word2phrase" -lm -pthread -O3 -march=native -funroll-loops \
        -Wno-unused-result
    sides="$sides word2phrase"
fi
report_header "phrases: vectrain against gensim${W2P_SRC:+ and word2phrase}" \
    "min-count 5, threshold 100, vectrain --threads $threads"
tokens=$(wc -w < "$corpus")

run() { # side output
    case $1 in
        vectrain) "$vectrain" phrases --input "$corpus" --output "$2" --threads "$threads" > /dev/null ;;
        gensim) "$python" tests/python/gensim_phrases.py "$corpus" default 100 5 "$2" > /dev/null ;;
        word2phrase) "$work/word2phrase" -train "$corpus" -output "$2" -min-count 5 \
            -threshold 100 -debug 0 > /dev/null ;;
    esac
}

agreement() { # output -> share of lines equal to vectrain's, white space aside
    "$python" - "$work/vectrain.out" "$1" <<'PY'
import sys
with open(sys.argv[1], encoding="utf-8") as a, open(sys.argv[2], encoding="utf-8", errors="replace") as b:
    pairs = [(x.split(), y.split()) for x, y in zip(a, b)]
print(f"{100 * sum(x == y for x, y in pairs) / max(len(pairs), 1):.3f}%")
PY
}

echo "round side seconds tokens/s tokens_written agreement"
set -- $sides
for round in $(seq 1 "$rounds"); do
    for side in "$@"; do
        start=$(date +%s.%N)
        run "$side" "$work/$side.out"
        seconds=$(echo "$(date +%s.%N) - $start" | bc)
        written=$(wc -w < "$work/$side.out")
        echo "$round $side $(printf %.2f "$seconds") $(echo "$tokens / $seconds" | bc) $written $(agreement "$work/$side.out")"
    done
    set -- "${@:2}" "$1"
done
report_footer
