#!/usr/bin/env bash
# There, on a device machine (a GPU, no Vulkan loader installed, nothing fetched): unpacks
# the loader that benches/device_prep.sh downloaded into .gl/, names the NVIDIA driver's
# Vulkan ICD where the loader finds none, and runs benches/gpu_sweep.sh on .sweep/'s binary
# and data, its log written to $OUT/gpu-sweep.txt (what comes back from the device machine).
#
# usage: benches/device_sweep.sh          (with .gl and .sweep carried)
# environment: BUDGET_S (default 420: no run starts after it, so a call with a 560 s limit
# ends in time), FROM, KERNELS, EPOCHS as benches/gpu_sweep.sh takes them.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp}

if ls .gl/*.deb > /dev/null 2>&1; then
    for deb in .gl/*.deb; do dpkg -x "$deb" /; done
    ldconfig
else
    echo "warning: no .gl/*.deb (name .gl in the run's carry): using the machine's own Vulkan loader, if any"
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if ! compgen -G '/usr/share/vulkan/icd.d/*.json' > /dev/null &&
    ! compgen -G '/etc/vulkan/icd.d/*.json' > /dev/null && [ -f "$icd" ]; then
    # VK_ICD_FILENAMES for loaders older than 1.3.207, which do not read VK_DRIVER_FILES.
    export VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 | tee "$out/gpu.txt" || true

BUDGET_S=${BUDGET_S:-420} LOG="$out/gpu-sweep.txt" bash benches/gpu_sweep.sh .sweep/vectrain .sweep
