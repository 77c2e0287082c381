//! `vectrain devices`, `verify` and `bench` end to end, as a user runs them, on this machine's
//! adapter (lavapipe in CI). Like every GPU test they fail without an adapter unless
//! `VECTRAIN_NO_GPU=1` says the machine has no Vulkan at all.

use crate::common;

use std::process::{Command, Output};

use common::gpu;

fn vectrain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vectrain"))
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .expect("vectrain runs")
}

#[test]
fn devices_lists_the_adapter_with_its_float_atomics() {
    let Some(ctx) = gpu() else { return };
    let out = vectrain(&["devices", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let adapters = listed.as_array().expect("an array of adapters");
    let ours = adapters
        .iter()
        .find(|a| a["name"] == ctx.adapter_info.name.as_str())
        .unwrap_or_else(|| panic!("{} not listed: {listed}", ctx.adapter_info.name));
    assert_eq!(ours["float_atomics"], ctx.float_atomics, "{ours}");
}

/// `vectrain verify` runs every kernel check this adapter allows (both kernels, the second
/// with the tree and, where the device has them, subgroups; each atomics variant the device
/// has; every model at d = 3 and 100; the subword and hierarchical-softmax forms) and each
/// one passes. This is the test suite's one run of the whole check list: it builds some sixty
/// pipelines, which lavapipe takes a minute or more to compile.
#[test]
fn verify_passes_every_kernel_check() {
    let Some(ctx) = gpu() else { return };
    let out = vectrain(&["verify"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut expected: Vec<String> = [
        "gather",
        "similarity (d=100)",
        "scatter_add_cas (compare-exchange)",
        "training random draws",
    ]
    .map(String::from)
    .to_vec();
    let mut atomics = vec!["compare-exchange"];
    if ctx.float_atomics {
        expected.push("scatter_add (float atomics)".into());
        atomics.push("float atomics");
    }
    let mut kernels = vec!["v1", "v2 tree"];
    if ctx.subgroups {
        kernels.push("v2 subgroups");
    }
    for kernel in kernels {
        for atomics in &atomics {
            for model in ["sgns", "cbow", "batch sgns"] {
                for dim in [3, 100] {
                    expected.push(format!("{model} step {kernel} (d={dim}, {atomics})"));
                    if kernel != "v1" && model != "batch sgns" {
                        expected.push(format!("{model} subwords {kernel} (d={dim}, {atomics})"));
                        expected.push(format!("{model} hs {kernel} (d={dim}, {atomics})"));
                        expected.push(format!("{model} subwords hs {kernel} (d={dim}, {atomics})"));
                    }
                }
            }
        }
    }
    let passed: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("pass"))
        .map(str::trim)
        .collect();
    for check in &expected {
        assert!(
            passed.iter().any(|l| l.starts_with(&format!("{check} "))),
            "no passing {check:?} check:\n{stdout}"
        );
    }
    assert!(!stdout.lines().any(|l| l.starts_with("FAIL")), "{stdout}");
}

/// Both devices trained the same corpus: one row each, named, with words/s, and the bound on
/// centres in flight in the footer.
#[test]
fn bench_prints_gpu_and_cpu_side_by_side() {
    let Some(ctx) = gpu() else { return };
    let dir = tempfile::tempdir().expect("temporary directory");
    let corpus = dir.path().join("kjv-head.txt");
    let kjv = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/kjv.txt"
    ))
    .expect("kjv.txt (shared/data)");
    std::fs::write(
        &corpus,
        kjv.lines().take(300).collect::<Vec<_>>().join("\n"),
    )
    .expect("corpus written");
    let corpus = corpus.to_string_lossy().into_owned();
    let out = vectrain(&[
        "bench",
        "--input",
        &corpus,
        "--epochs",
        "1",
        "--dim",
        "16",
        "--min-count",
        "2",
        "--threads",
        "2",
        "--gpu-in-flight",
        "64",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let row = |device: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(device))
            .unwrap_or_else(|| panic!("no row for {device}:\n{stdout}"))
            .to_string()
    };
    for line in [row(&ctx.describe()), row("cpu (2 threads)")] {
        let words_per_second: f64 = line
            .split_whitespace()
            .rev()
            .nth(3)
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("no words/s in {line:?}"));
        assert!(words_per_second > 0.0, "{line}");
    }
    assert!(stdout.contains("at most 64 centres in flight"), "{stdout}");
}

/// Mesa prints `error: XDG_RUNTIME_DIR is invalid or not set in the environment.` when wgpu
/// enumerates adapters without that variable; the binary points it at a private directory
/// first, so a successful run shows no line starting with "error". `scripts/test.sh` exports
/// the variable, so these runs remove it (or make it invalid) themselves.
#[test]
fn successful_runs_print_no_error_line_without_xdg_runtime_dir() {
    if gpu().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let corpus = dir.path().join("corpus.txt");
    std::fs::write(
        &corpus,
        "the cat sat on the mat\nthe dog sat on the log\n".repeat(50),
    )
    .expect("corpus written");
    let vectors = dir.path().join("v.txt");
    let train = [
        "train",
        "--backend",
        "auto",
        "--epochs",
        "1",
        "--dim",
        "4",
        "--min-count",
        "1",
        "--input",
        corpus.to_str().expect("UTF-8 path"),
        "--output",
        vectors.to_str().expect("UTF-8 path"),
    ];
    for (args, runtime_dir) in [
        (&["devices"][..], None),
        (&["devices"][..], Some("not/absolute")),
        (&train[..], None),
    ] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_vectrain"));
        command.args(args).env_remove("XDG_RUNTIME_DIR");
        if let Some(value) = runtime_dir {
            command.env("XDG_RUNTIME_DIR", value);
        }
        let out = command.output().expect("vectrain runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert!(
            !stderr.lines().any(|l| l.starts_with("error")),
            "{args:?} with XDG_RUNTIME_DIR={runtime_dir:?}:\n{stderr}"
        );
    }
    assert!(vectors.exists());
}

/// `--adapter` that matches none of the adapters there are lists them and gives no install
/// hint: a driver is there, the name was wrong.
#[test]
fn an_unknown_adapter_name_lists_the_adapters() {
    let Some(ctx) = gpu() else { return };
    let out = vectrain(&["verify", "--adapter", "no-such-gpu"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("no adapter name contains \"no-such-gpu\"; there are: "),
        "{stderr}"
    );
    assert!(stderr.contains(&ctx.adapter_info.name), "{stderr}");
    assert!(stderr.contains("vectrain devices"), "{stderr}");
    assert!(!stderr.contains("install"), "{stderr}");
}

/// A `WGPU_BACKEND` value wgpu does not know (it would skip it silently and find no adapter)
/// is named, with the valid values, instead of the install hint.
#[test]
fn an_unknown_wgpu_backend_names_the_valid_values() {
    for args in [
        &["devices"][..],
        &["train", "--backend", "gpu", "--max-vocab", "10"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_vectrain"))
            .args(args)
            .env("XDG_RUNTIME_DIR", std::env::temp_dir())
            .env("WGPU_BACKEND", "vulkan,cuda")
            .output()
            .expect("vectrain runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("WGPU_BACKEND=\"vulkan,cuda\" holds an unknown backend name: cuda"),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains("vulkan (or vk), metal (mtl), dx12 (d3d12), gl (gles, opengl)"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("install"), "{args:?}: {stderr}");
    }
}

/// The device's memory is read on Vulkan (lavapipe's heap is host memory, so it is there and
/// non-zero), and a run needing more than the device has is refused before anything is
/// allocated, naming both sizes and the options that shrink the run, with no output written.
#[test]
fn a_run_beyond_the_device_memory_is_refused_with_both_sizes() {
    let Some(ctx) = gpu() else { return };
    if ctx.adapter_info.backend == wgpu::Backend::Vulkan {
        assert!(
            ctx.memory.is_some_and(|bytes| bytes > 0),
            "{:?} reports no device-local memory",
            ctx.adapter_info.name
        );
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let corpus = dir.path().join("corpus.txt");
    std::fs::write(
        &corpus,
        "the cat sat on the mat\nthe dog sat on the log\n".repeat(50),
    )
    .expect("corpus written");
    let vectors = dir.path().join("v.txt");
    // 7 words x 64 dims x 2 tables x 4 bytes = 3,584 bytes of tables: over a 2 KiB device.
    let out = Command::new(env!("CARGO_BIN_EXE_vectrain"))
        .args(["train", "--backend", "gpu", "--epochs", "1", "--dim", "64"])
        .args([
            "--min-count",
            "1",
            "--input",
            corpus.to_str().expect("UTF-8"),
        ])
        .args(["--output", vectors.to_str().expect("UTF-8")])
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .env("VECTRAIN_GPU_MEMORY", "2048")
        .output()
        .expect("vectrain runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for part in [
        "not enough device memory",
        "3.5 KiB for the two embedding tables",
        "the device has 2.0 KiB",
        "--dim",
        "--max-vocab",
        "--min-count",
    ] {
        assert!(stderr.contains(part), "{part:?} missing:\n{stderr}");
    }
    assert!(
        !vectors.exists(),
        "a refused run wrote {}",
        vectors.display()
    );
}

/// Runs `vectrain train` on the GPU (v2, one centre in flight, so the order is fixed) with
/// `extra` arguments, the device's bindings lowered to `binding_limit` bytes where given.
fn train_gpu(
    corpus: &std::path::Path,
    output: &std::path::Path,
    extra: &[&str],
    binding_limit: Option<u64>,
) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vectrain"));
    command
        .args([
            "train",
            "--backend",
            "gpu",
            "--gpu-kernel",
            "v2",
            "--gpu-in-flight",
            "1",
        ])
        .args(["--epochs", "1", "--min-count", "1", "--seed", "3"])
        .args(["--input", corpus.to_str().expect("UTF-8")])
        .args(["--output", output.to_str().expect("UTF-8")])
        .args(extra)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .env_remove("VECTRAIN_GPU_BINDING_LIMIT");
    if let Some(bytes) = binding_limit {
        command.env("VECTRAIN_GPU_BINDING_LIMIT", bytes.to_string());
    }
    command.output().expect("vectrain runs")
}

/// With the device's bindings lowered (`VECTRAIN_GPU_BINDING_LIMIT`), tables that no longer
/// fit one binding are split (three or more parts here) and train to the same vectors, byte
/// for byte, as unsplit ones; a table beyond eight parts is refused before training, naming
/// the limit and the options that shrink it, and leaves no output.
#[test]
fn tables_beyond_one_binding_are_split_or_refused_by_name() {
    if gpu().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let corpus = dir.path().join("corpus.txt");
    // 100 distinct words: at d = 300 (1,200 bytes a row) and 40 KiB bindings, 34 rows a part.
    let text: String = (0..40)
        .map(|s| {
            (0..10)
                .map(|w| format!("w{} ", (s * 7 + w * 13) % 100))
                .collect::<String>()
                + "\n"
        })
        .collect();
    std::fs::write(&corpus, text.repeat(5)).expect("corpus written");
    let lowered = 40 * 1024;
    for extra in [
        &["--dim", "300"][..],
        &["--dim", "300", "--subwords", "--bucket", "40"],
        // The output table holds the words' rows, then the tree's 99.
        &["--dim", "300", "--hs"],
    ] {
        let whole = dir.path().join("whole.txt");
        let split = dir.path().join("split.txt");
        let out = train_gpu(&corpus, &whole, extra, None);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = train_gpu(&corpus, &split, extra, Some(lowered));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            std::fs::read(&whole).unwrap() == std::fs::read(&split).unwrap(),
            "{extra:?}: split tables trained other vectors"
        );
    }
    // d = 16 (64 bytes a row) and 64 KiB bindings: 1,024 rows a part, 8,192 in eight.
    let vectors = dir.path().join("v.txt");
    let out = train_gpu(
        &corpus,
        &vectors,
        &["--dim", "16", "--subwords", "--bucket", "10000"],
        Some(64 * 1024),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for part in [
        "the input table",
        "n-gram buckets",
        "--bucket",
        "max_storage_buffer_binding_size",
    ] {
        assert!(stderr.contains(part), "{part:?} missing:\n{stderr}");
    }
    assert!(
        !vectors.exists(),
        "a refused run wrote {}",
        vectors.display()
    );
}

/// `--hs` trains on the GPU with the v2 kernel unless told otherwise, with or without
/// `--subwords`; `--gpu-kernel v1`, which has no hierarchical-softmax form, is refused by name
/// before training, leaving no output.
#[test]
fn hierarchical_softmax_trains_on_the_gpu_with_the_v2_kernel() {
    if gpu().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let corpus = dir.path().join("corpus.txt");
    std::fs::write(
        &corpus,
        "the cat sat on the mat\nthe dog sat on the log\n".repeat(50),
    )
    .expect("corpus written");
    let vectors = dir.path().join("v.txt");
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_vectrain"))
            .args(["train", "--backend", "gpu", "--hs", "--negative", "0"])
            .args(["--epochs", "1", "--dim", "8", "--min-count", "1"])
            .args(["--input", corpus.to_str().expect("UTF-8")])
            .args(["--output", vectors.to_str().expect("UTF-8")])
            .args(extra)
            .env("XDG_RUNTIME_DIR", std::env::temp_dir())
            .output()
            .expect("vectrain runs")
    };
    let refused = run(&["--gpu-kernel", "v1"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the v1 kernel has no hierarchical-softmax form"),
        "{stderr}"
    );
    assert!(!vectors.exists(), "a refused run wrote its vectors");
    // Words alone, then with their n-grams (fastText's -loss hs).
    for extra in [&[][..], &["--subwords", "--bucket", "500"][..]] {
        let trained = run(extra);
        let stderr = String::from_utf8_lossy(&trained.stderr);
        assert!(trained.status.success(), "{extra:?}: {stderr}");
        assert!(stderr.contains("kernel v2"), "{extra:?}: {stderr}");
        let embeddings = vectrain::read_vectors(&vectors).expect("vectors");
        assert_eq!((embeddings.len(), embeddings.dim()), (7, 8), "{extra:?}");
        assert!(embeddings.as_slice().iter().all(|x| x.is_finite()));
        std::fs::remove_file(&vectors).expect("vectors removed");
    }
}
