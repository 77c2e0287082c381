#!/usr/bin/env bash
# What a synchronisation of a distributed run sends: whole tables (--sync-rows all) against
# the rows some rank changed (--sync-rows changed), 2 ranks under mpirun on mix8m, d100, at
# several --sync-every, the two alternated over ROUNDS rounds (default 2). Prints each run's summary line (words/s, MiB
# each rank sent per synchronisation, part of whole tables) and its analogy accuracy.
# Needs a build with `--features mpi` (cargo build --release --features mpi), or one named
# by VECTRAIN.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${CORPUS:-../shared/data/mix8m.txt.gz}"
epochs="${EPOCHS:-1}"
vectrain="${VECTRAIN:-target/release/vectrain}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Shares are byte ranges of a plain file.
gzip -dc "$corpus" > "$work/corpus.txt"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
rounds="${ROUNDS:-2}"
for every in ${SYNC_EVERY:-100000 1000000}; do
  for round in $(seq "$rounds"); do
    # Alternated: each side runs first in every other round (the machine drifts).
    order="all changed"
    if [ $((round % 2)) = 0 ]; then order="changed all"; fi
    for rows in $order; do
        out="$work/vectors-$rows.bin"
        line=$(mpirun --oversubscribe -np 2 "$vectrain" train --distributed \
            --input "$work/corpus.txt" --output "$out" --dim 100 --epochs "$epochs" \
            --threads 1 --backend cpu --sync-every "$every" --sync-rows "$rows" \
            --no-cache 2>&1 | grep '^trained')
        accuracy=$("$vectrain" eval --vectors "$out" --analogies ../shared/data/questions-words.txt 2>&1 \
            | grep -i 'total accuracy' || true)
        echo "round $round, sync-every $every, sync-rows $rows: $line | $accuracy"
    done
  done
done
