#!/usr/bin/env bash
# Training words/s streaming the encoded corpus from its cache file against holding it in
# memory (`--no-cache`), alternated pair by pair in one run, each pair in turn starting
# with the other side, so that drift on a shared machine falls on both sides alike. The
# words/s are the training summary's (training time only: reading the text is not in them).
#
# usage: benches/stream_speed.sh [PAIRS] [MODEL]   (default 4 pairs of skipgram)
#   CORPUS (environment) plain or gzip text, default ../shared/data/mix8m.txt.gz
#   EPOCHS (environment) default 1
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-4}
model=${2:-skipgram}
epochs=${EPOCHS:-1}
. benches/support/report.sh
report_setup
report_header "streaming against in memory" "$model, $epochs epoch(s), 2 threads"

run() { # side: cache | memory
    local source=(--cache-dir "$work")
    [ "$1" = memory ] && source=(--no-cache)
    "$vectrain" train --input "$corpus" --model "$model" --epochs "$epochs" \
        --threads 2 --backend cpu "${source[@]}" --output "$work/vectors.txt" 2>&1 |
        grep -o '[0-9]* words/s' | tail -1 | sed "s/^/$1 /"
}

# The first run writes the cache file; the pairs then reuse it.
"$vectrain" train --input "$corpus" --model "$model" --epochs 1 --threads 2 \
    --backend cpu --cache-dir "$work" --output "$work/vectors.txt" >/dev/null 2>&1
ls "$work"/*.vtc >/dev/null
for pair in $(seq 1 "$pairs"); do
    if [ $((pair % 2)) = 1 ]; then
        run cache; run memory
    else
        run memory; run cache
    fi
done
report_footer
