#!/usr/bin/env bash
# Here, before a device session's run: puts together what benches/device_sweep.sh needs on a
# machine that has a GPU but no Vulkan loader, no Rust and no ../shared: the release binary
# and the sweep's data in .sweep/, the Vulkan loader's Debian packages in .gl/ (both ignored
# by git, so they travel only when named in the run's `carry`). About 33 MiB in all.
#
# usage: benches/device_prep.sh [DATA]   DATA: folder with mix8m.txt.gz and
#                                        questions-words.txt, default ../shared/data
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}

cargo build --release
mkdir -p .sweep
cp target/release/vectrain .sweep/
cp "$data/mix8m.txt.gz" "$data/questions-words.txt" .sweep/

# The Vulkan loader and the GL/EGL libraries beside it (amd64 whatever this machine is: the
# device is x86-64); their own dependencies are on the device already.
if ! ls .gl/libvulkan1_*.deb > /dev/null 2>&1; then
    mkdir -p .gl /tmp/amd64/partial
    apt=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
    apt-get "${apt[@]}" update
    (cd .gl && apt-get "${apt[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 \
        libglx0 libgles2)
fi
du -sh .sweep .gl
echo "ready: run \`bash benches/device_sweep.sh\` there, carrying .gl and .sweep (README, \"The GPU path\")"
