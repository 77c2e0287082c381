#!/usr/bin/env bash
# Speed and quality of the GPU trainer against the bound on centres in flight, for a machine
# with a real GPU: `vectrain bench` trains mix8m (d100 w5 n5, 5 epochs) on the GPU with both
# training kernels (--gpu-kernel v1 and v2) at several --gpu-in-flight values and scores each
# run's analogies; the first run of each model also trains on the CPU, side by side. Last, v2
# alone with subwords and with hierarchical softmax (--hs --negative 0).
#
# usage: benches/gpu_sweep.sh [VECTRAIN] [DATA]
#   VECTRAIN  the binary, default target/release/vectrain
#   DATA      folder with mix8m.txt.gz and questions-words.txt, default ../shared/data
# environment:
#   KERNELS   the kernels to run, default "v1 v2"
#   EPOCHS    epochs per run, default 5
#   FROM      the number of the first run to make (runs are numbered, below), default 1:
#             resumes a sweep that an earlier call did not finish
#   BUDGET_S  seconds after which no further run starts (the one under way finishes);
#             the runs left are listed with the number to resume FROM
#   LOG       a file that gets a copy of everything printed, and one line per run
#             ("run N: ...") at the end
# Runs go most wanted first (the issue's 256/512/1024 for skip-gram and CBOW with both
# kernels), so a sweep cut short by BUDGET_S has those. On a device machine the repo's
# ../shared does not travel: benches/device_sweep.sh is the wrapper for that.
set -euo pipefail
cd "$(dirname "$0")/.."
vectrain=${1:-target/release/vectrain}
data=${2:-../shared/data}
kernels=${KERNELS:-v1 v2}
epochs=${EPOCHS:-5}
from=${FROM:-1}
budget=${BUDGET_S:-}
log=${LOG:-/dev/null}
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
start=$SECONDS

# The runs in order, one "model in_flight extra-options" line each (kernels multiply them).
plan() {
    local in_flight model
    for in_flight in 512 256 1024; do
        for model in skipgram cbow; do echo "$model $in_flight"; done
    done
    for in_flight in 64 128 256 512 1024; do echo "batch-skipgram $in_flight"; done
    for in_flight in 2048 131072; do
        for model in skipgram cbow; do echo "$model $in_flight"; done
    done
    echo "skipgram 512 --subwords"
    echo "cbow 512 --subwords"
    # Hierarchical softmax alone: every update passes the root, so in flight matters more
    # (16 is its default; 32 diverged where benches/staleness.rs emulated it).
    for in_flight in 16 32; do
        for model in skipgram cbow; do echo "$model $in_flight --hs --negative 0"; done
    done
}

{
    echo "== gpu sweep, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $epochs epochs"
    echo "== cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
    "$vectrain" devices
    "$vectrain" verify
} 2>&1 | tee -a "$log"

run_output=$(mktemp)
trap 'rm -f "$run_output"' EXIT
summary=()
left=()
number=0
cpu_done=""
while read -r model in_flight extra; do
    for kernel in $kernels; do
        # v1 has no subword or hierarchical-softmax form: only v2 trains those.
        if [ -n "$extra" ] && [ "$kernel" = v1 ]; then continue; fi
        number=$((number + 1))
        [ "$number" -lt "$from" ] && continue
        what="$model${extra:+ $extra}, --gpu-kernel $kernel, --gpu-in-flight $in_flight"
        if [ -n "$budget" ] && [ $((SECONDS - start)) -ge "$budget" ]; then
            left+=("run $number: $what")
            continue
        fi
        cpu=(--no-cpu)
        if [[ " $cpu_done " != *" $model$extra "* ]]; then
            cpu=()
            cpu_done="$cpu_done $model$extra"
        fi
        echo "== run $number, $((SECONDS - start)) s in: $what" | tee -a "$log"
        # Streamed to the log as it comes, so a run cut off by the caller's time limit still
        # leaves what it printed; stdin is not the plan's.
        # shellcheck disable=SC2086 # $extra is a list of options
        "$vectrain" bench --input "$data/mix8m.txt.gz" --model "$model" \
            --epochs "$epochs" --gpu-kernel "$kernel" --gpu-in-flight "$in_flight" $extra \
            --analogies "$data/questions-words.txt" "${cpu[@]}" < /dev/null 2>&1 |
            tee -a "$log" > "$run_output" || true
        # The table's rows: the device's name, words/s, seconds, loss and analogy accuracy.
        rows=$(awk '/^device +words\/s/ { table = 1; next }
            / epochs of [0-9]+ corpus words/ { table = 0 } table { print "    " $0 }' "$run_output")
        [ -n "$rows" ] || rows="    (no result: see the output above)"
        summary+=("run $number: $what" "$rows")
    done
done < <(plan)

{
    echo "== summary, $((SECONDS - start)) s"
    [ ${#summary[@]} -eq 0 ] || printf '%s\n' "${summary[@]}"
    if [ ${#left[@]} -gt 0 ]; then
        resume=${left[0]#run }
        echo "== not run, past BUDGET_S=$budget: resume with FROM=${resume%%:*}"
        printf '%s\n' "${left[@]}"
    fi
} | tee -a "$log"
