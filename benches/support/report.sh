# Shared by the benchmark scripts that print a report: sourced, not run.

# The binary, the work folder (removed on exit) and the corpus copied into it as plain text
# ($CORPUS, plain or gzip, default mix8m): sets $vectrain, $work and $corpus.
report_setup() {
    vectrain=${VECTRAIN:-target/release/vectrain}
    [ -x "$vectrain" ] || cargo build --release
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    corpus="$work/corpus.txt"
    zcat -f "${CORPUS:-../shared/data/mix8m.txt.gz}" > "$corpus"
}

# The report's first lines: what it measures ($1), when, on which commit and CPU, at which
# load, and on which corpus ($2: the settings).
report_header() {
    echo "== $1, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "== cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "== corpus: ${CORPUS:-mix8m}, $(wc -w < "$corpus") tokens, $2"
}

# The report's last line.
report_footer() {
    echo "== done $(date -u '+%H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
}

# Runs `one SIDE MODEL ALPHA` (a function of the calling script) for each model of $2
# ("skipgram cbow"), $1 pairs, side $3 against side $4, at each model's learning rate (0.025
# skip-gram, 0.05 CBOW). Pair 1 starts the first model with $3, the next with $4, and so on;
# each later pair swaps them all, so that a drift of the machine falls on both sides.
alternate_pairs() { # pairs models side_a side_b
    local pair model turn alpha
    for pair in $(seq 1 "$1"); do
        turn=$pair
        for model in $2; do
            alpha=0.025
            [ "$model" = cbow ] && alpha=0.05
            turn=$((turn + 1))
            if [ $((turn % 2)) = 0 ]; then
                one "$3" "$model" "$alpha"; one "$4" "$model" "$alpha"
            else
                one "$4" "$model" "$alpha"; one "$3" "$model" "$alpha"
            fi
        done
    done
}

# Analogy accuracy and WS353 Spearman of the vectors in $1, as "12.34% 0.5678" (vectrain eval,
# the project's data).
report_score() { # vectors
    "$vectrain" eval --vectors "$1" --analogies ../shared/data/questions-words.txt \
        --similarity ../shared/data/wordsim353.tsv --json |
        python3 -c 'import json,sys; r=json.load(sys.stdin); print("%.2f%% %.4f" % (100*r["analogies"]["accuracy"], r["similarity"][0]["spearman"]))'
}

# Runs `run_SIDE MODEL ALPHA OUT` (a function of the calling script), then prints its time,
# words/s over $tokens x $epochs (the caller's) and the scores of OUT, which it removes.
report_one() { # side model alpha out
    local start end seconds
    start=$(date +%s.%N)
    "run_$1" "$2" "$3" "$4"
    end=$(date +%s.%N)
    seconds=$(python3 -c "print($end - $start)")
    printf '%-11s %-8s %6.1f s %9.0f words/s  analogy %s  WS353 %s\n' "$1" "$2" "$seconds" \
        "$(python3 -c "print($tokens * $epochs / $seconds)")" $(report_score "$4")
    rm -f "$4"
}

# With W2V_SRC (a word2vec.c from tmikolov/word2vec), compiles it into $work with its
# makefile's flags and the one-line fix benches/word2vec_c_report.sh explains, and sets W2V.
report_word2vec_c() {
    [ -n "${W2V_SRC:-}" ] || return 0
    # The fix: clear the flag where the thread starts its next epoch; exactly one such place.
    [ "$(grep -c 'local_iter--;' "$W2V_SRC")" = 1 ] || { echo "$W2V_SRC: not the word2vec.c this script knows" >&2; exit 2; }
    sed 's/local_iter--;/local_iter--; eof = 0;/' "$W2V_SRC" > "$work/word2vec.c"
    gcc "$work/word2vec.c" -o "$work/word2vec" -lm -pthread -O3 -march=native -Wall -funroll-loops \
        -Wno-unused-result
    W2V="$work/word2vec"
}
