#!/usr/bin/env bash
# Speed and quality of the GPU trainer against the bound on centres in flight, for a machine
# with a real GPU (the device sessions' H100): for each model, `vectrain bench` trains mix8m
# (d100 w5 n5, 5 epochs) on the GPU with both training kernels (--gpu-kernel v1 and v2) at
# several --gpu-in-flight values and scores each run's analogies; the first run of each model
# also trains on the CPU, side by side.
#
# usage: benches/gpu_sweep.sh [VECTRAIN] [DATA]
#   VECTRAIN  the binary, default target/release/vectrain
#   DATA      folder with mix8m.txt.gz and questions-words.txt, default ../shared/data
#   KERNELS   (environment) the kernels to run, default "v1 v2"
#   EPOCHS    (environment) epochs per run, default 5
# On a device machine the repo's ../shared does not travel: copy the binary and those two
# files into an ignored folder of the repo, carry it, and pass its paths.
set -euo pipefail
cd "$(dirname "$0")/.."
vectrain=${1:-target/release/vectrain}
data=${2:-../shared/data}
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

"$vectrain" devices
"$vectrain" verify
# Centres in flight to try: the default first (README, "Updates in flight"), then the
# bounds the issue asks for side by side, then wider.
sweep() {
    case $1 in
        skipgram | cbow) echo 512 256 1024 2048 131072 ;;
        batch-skipgram) echo 64 128 256 512 1024 ;;
    esac
}
kernels=${KERNELS:-v1 v2}
epochs=${EPOCHS:-5}
for model in skipgram cbow batch-skipgram; do
    cpu=()
    for in_flight in $(sweep $model); do
        for kernel in $kernels; do
            echo "== $model, --gpu-kernel $kernel, --gpu-in-flight $in_flight"
            "$vectrain" bench --input "$data/mix8m.txt.gz" --model $model --epochs "$epochs" \
                --gpu-kernel "$kernel" --gpu-in-flight "$in_flight" \
                --analogies "$data/questions-words.txt" "${cpu[@]}"
            cpu=(--no-cpu)
        done
    done
done
