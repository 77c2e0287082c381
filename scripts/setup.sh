#!/usr/bin/env bash
# Installs what vectrain's tests and benchmarks need on a fresh Debian machine:
#  - Mesa's software Vulkan driver (lavapipe), so the GPU path runs without a GPU;
#  - Open MPI and libclang, for the `mpi` feature (distributed training) and its tests;
#  - the DejaVu fonts, which `vectrain plot` labels its pictures with;
#  - a Python virtual environment in .venv with gensim, numpy, scipy and fastText's own
#    `fasttext` package, the references the tests compare against, and maturin and pytest,
#    which build and test the Python package.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
# python3-dev and g++ build the `fasttext` package (fastText's own code, which the subword
# tests load vectrain's .bin files with). fonts-dejavu-core gives `vectrain plot` its default
# font for labels (DejaVuSans.ttf).
for package in mesa-vulkan-drivers libvulkan1 libopenmpi-dev openmpi-bin libclang-dev python3-dev g++ fonts-dejavu-core; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ! python3 -m venv --help >/dev/null 2>&1; then
    missing+=(python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo_if_needed apt-get update -qq
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The test command checks formatting and lints.
for component in rustfmt clippy; do
    if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
        echo "setup: adding the Rust component $component"
        rustup component add "$component"
    fi
done

if ! .venv/bin/python -c "import gensim, numpy, scipy" >/dev/null 2>&1; then
    echo "setup: creating .venv with gensim, numpy, scipy"
    rm -rf .venv
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check "gensim==4.4.0" numpy scipy
fi
# maturin builds the Python package's wheel, pytest runs its tests.
if ! .venv/bin/python -c "import pytest, maturin" >/dev/null 2>&1; then
    echo "setup: adding maturin and pytest to .venv"
    .venv/bin/pip install -q --disable-pip-version-check "maturin>=1.9,<2" pytest
fi
if ! .venv/bin/python -c "import fasttext" >/dev/null 2>&1; then
    echo "setup: building the fasttext package (fastText 0.9.3, a few minutes the first time)"
    .venv/bin/pip install -q --disable-pip-version-check "fasttext==0.9.3"
fi
echo "setup: ready (lavapipe, .venv with gensim $(.venv/bin/python -c 'import gensim; print(gensim.__version__)'))"
