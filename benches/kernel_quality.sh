#!/usr/bin/env bash
# The two GPU training kernels (`--gpu-kernel v1` and `v2`) trained on the same corpus with
# the same settings and seed (d100 w5 n5, sample 1e-3, min-count 5, 512 centres in flight,
# the defaults) and scored the same way (`vectrain eval`: analogy accuracy and WS353
# Spearman), the kernels' order alternating from model to model. Without a GPU it runs on
# lavapipe, whose words/s measure the CPU it runs on, not a GPU.
#
# usage: benches/kernel_quality.sh [EPOCHS] [MODELS]   (default 5, "skipgram cbow")
#   CORPUS   (environment) plain or gzip text, default ../shared/data/mix8m.txt.gz
#   VECTRAIN (environment) the binary, default target/release/vectrain
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-5}
models=${2:-skipgram cbow}
data=../shared/data
python=.venv/bin/python
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
# lavapipe's compute threads: oversubscribing the cores helps it (README, "The GPU path").
export LP_NUM_THREADS="${LP_NUM_THREADS:-8}"
. benches/support/report.sh
report_setup
report_header "GPU kernels v1 and v2" "$epochs epoch(s)"

one() { # model kernel
    local log="$work/train.log"
    "$vectrain" train --input "$corpus" --output "$work/v.bin" --format w2v-bin \
        --model "$1" --epochs "$epochs" --backend gpu --gpu-kernel "$2" 2> "$log"
    local summary
    summary=$(grep '^trained ' "$log" | tail -1)
    local device wps loss
    device=$(sed 's/.* on \(.*\) in [0-9.]* s:.*/\1/' <<< "$summary")
    wps=$(grep -o '[0-9]* words/s' <<< "$summary")
    loss=$(grep -o 'final loss [0-9.]*' <<< "$summary")
    "$vectrain" eval --vectors "$work/v.bin" --analogies "$data/questions-words.txt" \
        --similarity "$data/wordsim353.tsv" --json |
        "$python" -c 'import json, sys
r = json.load(sys.stdin)
a = r["analogies"]
print("%-8s %s  analogy %.2f%% (%d/%d)  ws353 %.4f  " % (sys.argv[1], sys.argv[2],
    100 * a["accuracy"], a["correct"], a["covered"], r["similarity"][0]["spearman"]), end="")' \
        "$1" "$2"
    echo "$wps, $loss, $device"
}

turn=0
for model in $models; do
    turn=$((turn + 1))
    if [ $((turn % 2)) = 1 ]; then
        one "$model" v1; one "$model" v2
    else
        one "$model" v2; one "$model" v1
    fi
done
report_footer
