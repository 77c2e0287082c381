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
# The default build (no MPI) is linted too: its library and command line have code of their
# own where MPI is left out (the tests and benchmarks are the same with or without it). The
# Python package's Rust half is linted in the same pass.
cargo fmt --all -- --check
cargo clippy --release --workspace --lib --bins -- -D warnings
cargo clippy --release --all-targets --features mpi -- -D warnings
# Builds what the tests run (the library, the command line, every test binary); benchmarks
# are only linted above, `cargo bench` builds them.
cargo test --release --features mpi --no-run
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# The GPU tests build a few hundred pipelines and run most of them on small inputs, so on a
# fresh machine (Mesa's shader cache empty) lavapipe spends most of their time in LLVM's
# optimisation passes. Without them the GPU tests take a fraction of the time; what the
# kernels compute is the same, only llvmpipe's machine code is slower.
# The GPU trainer tests that train longest are the exception: for them the optimised code
# saves more than its compiling costs (README, "The two commands"), so they run in a process
# of their own with whatever GALLIVM_PERF the caller set (none: optimised), beside the rest.
callers_gallivm_perf="${GALLIVM_PERF-}"
export GALLIVM_PERF="${GALLIVM_PERF:-nopt}"
long_gpu_runs=(
    gpu_trainer::gpu_training_on_kjv_agrees_with_cpu
    gpu_trainer::gpu_batch_skipgram_on_kjv_agrees_with_cpu
    gpu_trainer::gpu_subword_training_on_kjv_agrees_with_cpu
    gpu_trainer::gpu_hs_cbow_on_kjv_agrees_with_cpu
    gpu_trainer::gpu_subwords_hs_cbow_on_kjv_agrees_with_cpu
)
skip_long_gpu_runs=()
for name in "${long_gpu_runs[@]}"; do skip_long_gpu_runs+=(--skip "$name"); done

# Beside the Vulkan run, which leaves a core idle part of the time, a second process works
# through three jobs, their output printed after the Vulkan run's:
# - the long GPU trainer tests on Vulkan, optimised (above);
# - the GPU tests on the GL backend (no float atomics: the compare-exchange path is the one
#   the adapter offers, and naga's GLSL back end): the kernel tests other than the
#   per-variant step matrix (which the Vulkan run covers for both atomics variants), and
#   `vectrain verify`, which checks every kernel and model against the CPU at two sizes. They
#   run one at a time: wgpu's GL backend gives up on its context lock after a short wait
#   while another test builds a pipeline (see `serial` in tests/common);
# - the Python package (python/): built as the abi3 wheel a user gets and installed into
#   .venv (its tests, below, run against the command line and against gensim).
side_log="$(mktemp)"
(
    WGPU_BACKEND=vulkan GALLIVM_PERF="$callers_gallivm_perf" cargo test --release --features mpi \
        --test integration -- --exact "${long_gpu_runs[@]}"
    WGPU_BACKEND=gl cargo test --release --features mpi --test integration -- --test-threads 1 \
        gpu_kernels:: gpu_training:: cli_gpu::verify_passes_every_kernel_check --skip step_matches_cpu
    rm -rf target/wheels
    .venv/bin/maturin build --quiet --release -m python/Cargo.toml --out target/wheels
    .venv/bin/pip install --quiet --disable-pip-version-check --force-reinstall --no-deps target/wheels/vectrain-*.whl
) >"$side_log" 2>&1 &
side_jobs=$!
trap 'kill "$side_jobs" 2>/dev/null || true' EXIT
# Everything, GPU tests on Vulkan (lavapipe has float atomics: native scatter-add), with the
# `mpi` feature so that distributed training runs under mpirun (tests/mpi.rs).
WGPU_BACKEND=vulkan cargo test --release --features mpi -- --exact "${skip_long_gpu_runs[@]}"
side_status=0
wait "$side_jobs" || side_status=$?
echo "--- the long GPU trainer tests, the GL backend's tests and the Python wheel:"
cat "$side_log"
rm -f "$side_log"
if [ "$side_status" != 0 ]; then
    echo "the long GPU trainer tests, the GL backend's tests or the Python wheel failed" >&2
    exit "$side_status"
fi
VECTRAIN_BIN="$PWD/target/release/vectrain" .venv/bin/python -m pytest -q python/tests
