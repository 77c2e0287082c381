#!/usr/bin/env bash
# The test command (README, .ci/run): sets up, then runs every test in release mode (the
# training tests are too slow in debug). GPU tests run on whatever adapter wgpu finds; on a
# machine without a GPU that is lavapipe, set up by scripts/setup.sh. They fail when no
# adapter exists unless VECTRAIN_NO_GPU=1 says the machine has no Vulkan at all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Mesa warns on every start without it; harmless, but noise.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

# Style and lints first: a formatting slip or a clippy warning fails CI like a test.
# The default build (no MPI) is linted too: it has code of its own where MPI is left out.
cargo fmt --all -- --check
cargo clippy --release --all-targets -- -D warnings
cargo clippy --release --all-targets --features mpi -- -D warnings
cargo build --release --all-targets --features mpi
# Everything, GPU tests on Vulkan (lavapipe has float atomics: native scatter-add), with the
# `mpi` feature so that distributed training runs under mpirun (tests/mpi.rs).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
WGPU_BACKEND=vulkan cargo test --release --features mpi
# The GPU kernel tests again on the GL backend (no float atomics: the compare-exchange path
# is the one the adapter offers).
WGPU_BACKEND=gl cargo test --release --features mpi --test gpu_kernels --test gpu_training
# The Python package (python/): built as the abi3 wheel a user gets, installed into .venv,
# and tested with pytest against the command line just built and against gensim.
cargo clippy --release -p vectrain-python --all-targets -- -D warnings
rm -rf target/wheels
.venv/bin/maturin build --quiet --release -m python/Cargo.toml --out target/wheels
.venv/bin/pip install --quiet --disable-pip-version-check --force-reinstall --no-deps target/wheels/vectrain-*.whl
VECTRAIN_BIN="$PWD/target/release/vectrain" .venv/bin/python -m pytest -q python/tests
