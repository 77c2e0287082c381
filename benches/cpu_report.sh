#!/usr/bin/env bash
# The CPU figures of the README in one run: speed against gensim (benches/cpu_speed.sh: 4M
# tokens, one epoch, alternated pairs, skip-gram and CBOW), then quality against gensim on
# mix8m (benches/quality.sh: the model table and the four-seed parity table). Both halves run
# on the same machine within one run, so the speed and the quality quoted together come from
# the same CPU and the same build. The report starts and ends with the CPU model and the load
# average: a load above about 0.5 at the start means something else was running, and the
# speed half is then not worth quoting.
#
# usage: benches/cpu_report.sh [PAIRS] [SEEDS]
#   PAIRS  alternated pairs per model for the speed half, default 3
#   SEEDS  seeds of the parity table, default "1 2 3 4"
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-3}
seeds=${2-1 2 3 4}
echo "== vectrain CPU report, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "== cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== speed (benches/cpu_speed.sh)"
bash benches/cpu_speed.sh "" "$pairs"
echo "== quality (benches/quality.sh)"
bash benches/quality.sh ../shared/data/mix8m.txt.gz 2 cpu "$seeds"
echo "== done $(date -u '+%H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
