#!/usr/bin/env bash
# CPU speed and quality, vectrain against gensim 4.4.0 in corpus_file mode (its fastest), as
# whole processes (reading and counting the text included: vectrain runs with --no-cache, and
# gensim's time includes Python's start-up), the two run in turn A B A B ... so that a drift
# of the machine's speed falls on both. Settings: d100 w5 n5, sample 1e-3, min-count 5,
# alpha 0.025 (skip-gram) and 0.05 (CBOW) for both, the same thread/worker count.
# Prints, per model, each pair's words/s and ratio, the median ratio, and the analogy and
# WS353 scores of each side's last run (scored by `vectrain eval`, which equals gensim's).
#
# usage: benches/cpu_speed.sh [CORPUS] [PAIRS] [THREADS] [EPOCHS] [MODELS]
#   CORPUS   default: the first 4M tokens of ../shared/data/mix8m.txt.gz (whole lines)
#   PAIRS    alternated pairs per model, default 3
#   THREADS  default 2
#   EPOCHS   default 1
#   MODELS   default "skipgram cbow"
# Another script may call it and read its output; it builds vectrain first.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-}
pairs=${2:-3}
threads=${3:-2}
epochs=${4:-1}
models=${5:-skipgram cbow}
data=../shared/data
python=.venv/bin/python
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
vectrain=./target/release/vectrain

plain="$work/corpus.txt"
if [ -z "$corpus" ]; then
    # awk stops reading at 4M tokens, so gzip ends on a broken pipe: not a failure.
    (gzip -dc "$data/mix8m.txt.gz" || true) | awk '{ n += NF; print } n >= 4000000 { exit }' > "$plain"
else
    case "$corpus" in *.gz) gzip -dc "$corpus" > "$plain" ;; *) cp "$corpus" "$plain" ;; esac
fi
tokens=$(wc -w < "$plain")

# Wall seconds of one whole process (its output kept in $work/last.log).
timed() {
    local start end
    start=$(date +%s.%N)
    "$@" > "$work/last.log" 2>&1
    end=$(date +%s.%N)
    $python -c "print($end - $start)"
}

score() {
    $vectrain eval --vectors "$1" --analogies "$data/questions-words.txt" \
        --similarity "$data/wordsim353.tsv" --json |
        $python -c 'import json,sys; r=json.load(sys.stdin); print("%.2f%% %.3f" % (100*r["analogies"]["accuracy"], r["similarity"][0]["spearman"]))'
}

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores;" \
    "$(date -u +%Y-%m-%d); corpus $tokens tokens; $epochs epoch(s), $threads threads/workers"
for model in $models; do
    short=$([ "$model" = skipgram ] && echo sg || echo cbow)
    ratios=()
    # One warm-up of each (page cache, CPU frequency), not counted.
    timed $vectrain train --input "$plain" -o "$work/v.bin" --model "$model" --epochs "$epochs" \
        --threads "$threads" --backend cpu --no-cache > /dev/null
    timed $python benches/gensim_train.py "$plain" "$work/g.bin" "$short" "$threads" "$epochs" file > /dev/null
    for pair in $(seq "$pairs"); do
        v=$(timed $vectrain train --input "$plain" -o "$work/v.bin" --model "$model" \
            --epochs "$epochs" --threads "$threads" --backend cpu --no-cache)
        g=$(timed $python benches/gensim_train.py "$plain" "$work/g.bin" "$short" "$threads" "$epochs" file)
        ratio=$($python -c "print('%.3f' % ($g / $v))")
        ratios+=("$ratio")
        $python -c "t=$tokens*$epochs; print('%-8s pair %d: vectrain %7.0f words/s (%5.1f s), gensim %7.0f words/s (%5.1f s), vectrain/gensim %s' % ('$model', $pair, t/$v, $v, t/$g, $g, '$ratio'))"
    done
    median=$(printf '%s\n' "${ratios[@]}" | sort -g | $python -c 'import sys; v=[float(x) for x in sys.stdin]; print("%.3f" % sorted(v)[len(v)//2] if len(v)%2 else "%.3f" % ((sorted(v)[len(v)//2-1]+sorted(v)[len(v)//2])/2))')
    read -r vacc vws <<< "$(score "$work/v.bin")"
    read -r gacc gws <<< "$(score "$work/g.bin")"
    echo "$model: median vectrain/gensim words/s $median over $pairs pairs;" \
        "quality (last run): vectrain analogy $vacc WS353 $vws, gensim analogy $gacc WS353 $gws"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
