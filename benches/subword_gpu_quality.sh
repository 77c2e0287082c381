#!/usr/bin/env bash
# The GPU subword kernel against the CPU trainer on a 2M-token slice of mix8m (issue 11's
# "GPU on lavapipe: quality within 1 point of the CPU path"): skip-gram and CBOW --subwords
# with the same settings on both backends (d100, window 5, 5 negatives, minn 3, maxn 6,
# sample 1e-3, min-count 5; alpha 0.025 skip-gram, 0.05 CBOW), both .bin files scored the
# same way through gensim (benches/subword_score.py: analogy accuracy, and the Spearman
# correlation over every WS353 pair, unseen words from their n-grams).
#
# The bucket count defaults to 300,000, whose input table fits one of lavapipe's 128 MiB
# bindings; BUCKET=2000000 (fastText's) splits it across 7. Speed is vectrain's own words/s;
# on lavapipe it says nothing of a GPU.
#
# HS=1 trains hierarchical softmax alone instead (--hs --negative 0, fastText's -loss hs),
# written as word2vec binary (fastText's .bin holds negative sampling's output layer only)
# and scored by `vectrain eval` on the words' vectors (WS353: the pairs both words of which
# are in the vocabulary).
#
# usage: benches/subword_gpu_quality.sh
#   environment: EPOCHS (2), BUCKET (300000), TOKENS (2000000), MODELS ("skipgram cbow"),
#   SEED (1), ADAPTER (part of the GPU adapter's name), HS (0)
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/support/report.sh
python=.venv/bin/python
vectrain=target/release/vectrain
data=../shared/data
epochs=${EPOCHS:-2}
bucket=${BUCKET:-300000}
tokens=${TOKENS:-2000000}
[ -x "$vectrain" ] || cargo build --release
"$python" -c "import gensim" || { echo "run scripts/setup.sh first (gensim)"; exit 1; }
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# awk stops reading at the limit; zcat's broken pipe is expected.
{ zcat -f "$data/mix8m.txt.gz" || true; } | awk -v limit="$tokens" '{ print; n += NF; if (n >= limit) exit }' > "$work/slice.txt"
echo "== GPU subword kernel against the CPU, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "== cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
objective=(--negative 5)
format=fasttext-bin
if [ "${HS:-0}" = 1 ]; then
    objective=(--hs --negative 0)
    format=w2v-bin
fi
echo "== corpus: first $(wc -w < "$work/slice.txt") tokens of mix8m, $epochs epochs, bucket $bucket, seed ${SEED:-1}, ${objective[*]}"

one() { # backend model alpha
    local out="$work/$1-$2.bin" line
    line=$("$vectrain" train --input "$work/slice.txt" --model "$2" --alpha "$3" --subwords \
        --minn 3 --maxn 6 --bucket "$bucket" --dim 100 --window 5 "${objective[@]}" \
        --epochs "$epochs" --min-count 5 --sample 1e-3 --threads 2 --backend "$1" --seed "${SEED:-1}" \
        ${ADAPTER:+--adapter "$ADAPTER"} --no-cache --format "$format" --output "$out" 2>&1 \
        | grep '^trained')
    printf '%-4s %-8s %-60s ' "$1" "$2" "$(echo "$line" | sed -E 's/.* on (.*) in ([0-9.]+ s): ([0-9]+ words\/s).*/\1, \3/')"
    if [ "$format" = fasttext-bin ]; then
        "$python" benches/subword_score.py "$out" "$data/questions-words.txt" "$data/wordsim353.tsv"
    else
        report_score "$out"
    fi
    rm -f "$out"
}

alternate_pairs 1 "${MODELS:-skipgram cbow}" cpu gpu
report_footer
