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
