//! `vectrain devices`, `verify` and `bench` end to end, as a user runs them, on this machine's
//! adapter (lavapipe in CI). Like every GPU test they fail without an adapter unless
//! `VECTRAIN_NO_GPU=1` says the machine has no Vulkan at all.

mod common;

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

#[test]
fn verify_passes_every_kernel_check() {
    if gpu().is_none() {
        return;
    }
    let out = vectrain(&["verify"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for check in [
        "gather",
        "sgns step",
        "cbow step",
        "batch sgns step",
        "random draws",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("pass") && l.contains(check)),
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
