#!/usr/bin/env bash
# Quality and speed, vectrain against gensim, on the same corpus and settings:
# d100, window 5, negative 5, sample 1e-3, min-count 5, 5 epochs, skip-gram and CBOW
# (alpha 0.025 and 0.05 for both trainers), the same thread count.
# Both sets of vectors are scored by `vectrain eval`, which equals gensim's evaluators.
#
# Then the quality-parity table (skip-gram, several seeds): vectrain with its default
# --parts and with --parts 1 against gensim in corpus_file mode with THREADS workers and with
# one worker, each seed's scores and the means.
#
# usage: benches/quality.sh [CORPUS] [THREADS] [BACKENDS] [SEEDS]
#   CORPUS   default ../shared/data/mix8m.txt.gz
#   THREADS  default 2
#   BACKENDS vectrain backends to run, default "cpu" (add gpu where a GPU is present)
#   SEEDS    seeds of the quality-parity table, default "1 2 3 4" ("" skips it)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/data/mix8m.txt.gz}
threads=${2:-2}
backends=${3:-cpu}
seeds=${4-1 2 3 4}
data=../shared/data
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash scripts/setup.sh >/dev/null
cargo build --release --quiet
python=.venv/bin/python
plain="$work/corpus.txt"
# gensim's LineSentence reads gzip too, but decompressing once keeps timings comparable.
case "$corpus" in *.gz) gzip -dc "$corpus" > "$plain" ;; *) cp "$corpus" "$plain" ;; esac

score() {
    ./target/release/vectrain eval --vectors "$1" --analogies "$data/questions-words.txt" \
        --similarity "$data/wordsim353.tsv" --json |
        $python -c 'import json,sys; r=json.load(sys.stdin); print("%.2f%% %d %.4f" % (100*r["analogies"]["accuracy"], r["analogies"]["covered"], r["similarity"][0]["spearman"]))'
}

printf '%-10s %-8s %-22s %10s %9s %7s %12s\n' system model device "analogy" covered ws353 "words/s"
for model in skipgram cbow; do
    short=$([ $model = skipgram ] && echo sg || echo cbow)
    for backend in $backends; do
        log="$work/vectrain-$model-$backend.log"
        ./target/release/vectrain train --input "$plain" --output "$work/v.bin" --format w2v-bin \
            --model $model --threads "$threads" --backend "$backend" 2> "$log"
        # words/s over the corpus's raw tokens times epochs, as gensim counts them.
        seconds=$(grep -o 'in [0-9.]* s: ' "$log" | tail -1 | grep -o '[0-9.]*')
        device=$(grep -o ' on .* in [0-9.]* s:' "$log" | tail -1 | sed 's/^ on //; s/ in [0-9.]* s:$//')
        raw=$(grep -o '[0-9]* tokens, ' "$log" | head -1 | grep -o '[0-9]*')
        wps=$($python -c "print(round($raw * 5 / $seconds))")
        read -r acc covered ws <<< "$(score "$work/v.bin")"
        printf '%-10s %-8s %-22s %10s %9s %7s %12s\n' vectrain $short "${device:0:22}" "$acc" "$covered" "$ws" "$wps"
    done
    timing=$($python benches/gensim_train.py "$plain" "$work/g.bin" $short "$threads")
    wps=$($python -c "import json; print(round(json.loads('$timing')['words_per_second']))")
    read -r acc covered ws <<< "$(score "$work/g.bin")"
    printf '%-10s %-8s %-22s %10s %9s %7s %12s\n' "gensim" $short "cpu ($threads threads)" "$acc" "$covered" "$ws" "$wps"
done

# Quality parity, skip-gram: gensim corpus_file mode (each worker its own part of the file and
# its own learning-rate decay) against vectrain's parts, which reproduce it.
if [ -n "$seeds" ]; then
    echo
    printf '%-30s %5s %10s %7s\n' "system (skip-gram)" seed analogy ws353
    rows="$work/parity.txt"
    : > "$rows"
    for seed in $seeds; do
        for parts in default 1; do
            option=$([ $parts = default ] && echo "" || echo "--parts $parts")
            # shellcheck disable=SC2086
            ./target/release/vectrain train --input "$plain" --output "$work/v.bin" \
                --format w2v-bin --model skipgram --threads "$threads" --backend cpu \
                --seed "$seed" $option 2> /dev/null
            read -r acc _ ws <<< "$(score "$work/v.bin")"
            echo "vectrain-cpu-${threads}t-parts-$parts $seed $acc $ws" >> "$rows"
        done
        for workers in "$threads" 1; do
            $python benches/gensim_corpusfile.py "$plain" "$work/g.bin" "$workers" "$seed" > /dev/null
            read -r acc _ ws <<< "$(score "$work/g.bin")"
            echo "gensim-corpus_file-${workers}w $seed $acc $ws" >> "$rows"
        done
    done
    while read -r system seed acc ws; do
        printf '%-30s %5s %10s %7s\n' "$system" "$seed" "$acc" "$ws"
    done < "$rows"
    echo "means over seeds ($seeds):"
    $python - "$rows" <<'PY'
import collections, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    system, _, acc, ws = line.split()
    rows[system].append((float(acc.rstrip("%")), float(ws)))
for system, scores in rows.items():
    n = len(scores)
    print("%-30s %5d %9.2f%% %7.4f" % (system, n, sum(a for a, _ in scores) / n,
                                        sum(w for _, w in scores) / n))
PY
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
