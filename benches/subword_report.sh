#!/usr/bin/env bash
# vectrain --subwords against fastText (the `fasttext` package's train_unsupervised, fastText
# 0.9.3's own C++ trainer) on mix8m, in one run: skip-gram and CBOW, the same settings and
# learning rates on both sides (d100, window 5, 5 negatives, 5 epochs, minn 3, maxn 6,
# bucket 2,000,000, sample 1e-3, min-count 5, 2 threads; alpha 0.025 skip-gram and 0.05 CBOW,
# the fastText paper's rates; negatives drawn by count^0.5, which fastText's code fixes and
# vectrain takes as --ns-exponent 0.5). Each pair alternates which side goes first. Speed is corpus
# words x epochs over the whole process's wall time (loading and saving included), quality
# is both .bin files scored the same way through gensim's load_facebook_vectors
# (benches/subword_score.py). The report names the CPU and the load average at both ends.
#
# usage: benches/subword_report.sh [PAIRS]   (PAIRS per model, default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/support/report.sh
pairs=${1:-1}
python=.venv/bin/python
vectrain=target/release/vectrain
data=../shared/data
[ -x "$vectrain" ] || cargo build --release
"$python" -c "import fasttext, gensim" || { echo "run scripts/setup.sh first (fasttext, gensim)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# SUBWORD_CORPUS (plain or gzip) replaces mix8m, for a quick try of the script.
zcat -f "${SUBWORD_CORPUS:-$data/mix8m.txt.gz}" > "$work/mix8m.txt"
tokens=$(wc -w < "$work/mix8m.txt")
epochs=5
echo "== subwords against fastText, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "== cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== corpus: ${SUBWORD_CORPUS:-mix8m}, $tokens tokens, $epochs epochs"

run_fasttext() { # model alpha output
    "$python" - "$work/mix8m.txt" "$1" "$2" "$3" "$epochs" <<'PY'
import sys, fasttext
corpus, model, lr, out, epochs = sys.argv[1:6]
m = fasttext.train_unsupervised(corpus, model=model, dim=100, ws=5, neg=5, minCount=5,
    minn=3, maxn=6, bucket=2000000, epoch=int(epochs), thread=2, t=1e-3, lr=float(lr),
    verbose=0)
m.save_model(out)
PY
}

run_vectrain() { # model alpha output
    "$vectrain" train --input "$work/mix8m.txt" --model "$1" --alpha "$2" --subwords \
        --minn 3 --maxn 6 --bucket 2000000 --dim 100 --window 5 --negative 5 \
        --epochs "$epochs" --min-count 5 --sample 1e-3 --ns-exponent 0.5 --threads 2 --backend cpu \
        --no-cache --format fasttext-bin --output "$3" 2>/dev/null
}

one() { # side model alpha
    local out="$work/$1-$2.bin" start end
    start=$(date +%s.%N)
    "run_$1" "$2" "$3" "$out"
    end=$(date +%s.%N)
    "$python" -c "import sys; s = float(sys.argv[2]) - float(sys.argv[1]); \
print(f'{sys.argv[5]:<8} {sys.argv[6]:<8} {s:7.1f} s  {int(sys.argv[3]) * int(sys.argv[4]) / s:8.0f} words/s  ', end='')" \
        "$start" "$end" "$tokens" "$epochs" "$2" "$1"
    "$python" benches/subword_score.py "$out" "$data/questions-words.txt" "$data/wordsim353.tsv"
    rm -f "$out"
}

alternate_pairs "$pairs" "skipgram cbow" fasttext vectrain
report_footer
