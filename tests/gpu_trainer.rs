//! The GPU trainer on a real corpus against the CPU trainer: loss falls by epoch and the
//! nearest neighbours of frequent words agree.

use crate::common;

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use common::gpu;
use vectrain::cpu::CpuBackend;
use vectrain::gpu::{GpuBackend, centres_in_flight};
use vectrain::subwords::SubwordSettings;
use vectrain::{Corpus, Embeddings, GpuKernel, Model, ReadOptions, TrainConfig};

const KJV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/kjv.txt");

/// The `k` nearest words of `word` by cosine similarity.
fn neighbours(embeddings: &Embeddings, word: &str, k: usize) -> Vec<String> {
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    let id = embeddings.vocab().id(word).expect("word in vocabulary");
    let query = embeddings.row(id);
    let query_norm = norm(query);
    let mut scored: Vec<(f32, u32)> = (0..embeddings.len() as u32)
        .filter(|&other| other != id)
        .map(|other| {
            let row = embeddings.row(other);
            let dot: f32 = row.iter().zip(query).map(|(a, b)| a * b).sum();
            (dot / (norm(row) * query_norm), other)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored
        .iter()
        .take(k)
        .map(|&(_, w)| embeddings.vocab().word(w).to_string())
        .collect()
}

fn overlap(a: &Embeddings, b: &Embeddings, word: &str) -> usize {
    let first: HashSet<String> = neighbours(a, word, 10).into_iter().collect();
    neighbours(b, word, 10)
        .iter()
        .filter(|w| first.contains(*w))
        .count()
}

/// fastText's n-gram lengths, with fewer buckets than its 2,000,000 (the first 6,000 verses
/// have about 60,000 distinct n-grams).
const SUBWORDS: SubwordSettings = SubwordSettings {
    minn: 3,
    maxn: 6,
    bucket: 100_000,
};

#[test]
fn gpu_training_on_kjv_agrees_with_cpu() {
    agrees_with_cpu_on_kjv(Model::SkipGram, GpuKernel::V1, None, false);
}

#[test]
fn gpu_batch_skipgram_on_kjv_agrees_with_cpu() {
    agrees_with_cpu_on_kjv(Model::BatchSkipGram, GpuKernel::V1, None, false);
}

#[test]
fn gpu_v2_training_on_kjv_agrees_with_cpu() {
    agrees_with_cpu_on_kjv(Model::SkipGram, GpuKernel::V2, None, false);
}

#[test]
fn gpu_subword_training_on_kjv_agrees_with_cpu() {
    agrees_with_cpu_on_kjv(Model::SkipGram, GpuKernel::V2, Some(SUBWORDS), false);
}

/// CBOW's neighbours agree with the CPU's as skip-gram's do. Measured on lavapipe: mean
/// top-10 overlap with the CPU 4.67 to 5.33 for v2 (14 runs) and 5.17 for v1 (seeds 1 and
/// 2), where two CPU runs of different seeds overlap 5.33; so the 4.0 asked of skip-gram
/// holds for CBOW too.
#[test]
fn gpu_v2_cbow_on_kjv_agrees_with_cpu() {
    agrees_with_cpu_on_kjv(Model::Cbow, GpuKernel::V2, None, false);
}

/// Hierarchical softmax alone (`--hs --negative 0`) on the GPU, CBOW (the faster model on
/// lavapipe), with the bounds asked of negative sampling, over 4 epochs instead of 2. Measured
/// on lavapipe with the command line on these verses: after 2 epochs the GPU's top-10
/// neighbours overlapped the CPU's of the same seed 3.33 and 4.17 (3.83 here), where two CPU
/// runs of other seeds overlap 4.33 to 4.67; after 4, 4.83 to 5.67 against 4.5 to 5.17 (seeds
/// 1 to 3).
#[test]
fn gpu_hs_cbow_on_kjv_agrees_with_cpu() {
    agrees_with_cpu_on_kjv(Model::Cbow, GpuKernel::V2, None, true);
}

/// Subwords with hierarchical softmax alone (`--subwords --hs --negative 0`, fastText's
/// `-loss hs`) on the GPU, CBOW, with the bounds and the 4 epochs of `--hs` on words.
#[test]
fn gpu_subwords_hs_cbow_on_kjv_agrees_with_cpu() {
    agrees_with_cpu_on_kjv(Model::Cbow, GpuKernel::V2, Some(SUBWORDS), true);
}

/// Trains `model` (with `subwords` where given, with hierarchical softmax alone where `hs`)
/// on the GPU with `kernel` and on the CPU, on the first 6,000 verses of the King James
/// Bible: the loss falls, both make the same updates, and the nearest neighbours of frequent
/// words agree.
///
/// Lavapipe runs the kernels on the CPU at ~10k centres/s, so the whole book would take
/// minutes: 6,000 verses (~160k words). On 3,000 the overlap was too close to the bound
/// (CBOW 4.67, 4.67 and 3.83 in three runs, subword skip-gram 4.0 and 4.5).
fn agrees_with_cpu_on_kjv(
    model: Model,
    kernel: GpuKernel,
    subwords: Option<SubwordSettings>,
    hs: bool,
) {
    let Some(ctx) = gpu() else { return };
    let options = ReadOptions {
        lowercase: false,
        min_count: 5,
        max_vocab: None,
        ..ReadOptions::default()
    };
    let text = std::fs::read_to_string(KJV).expect("kjv.txt (shared/data)");
    let head: String = text.lines().take(6_000).flat_map(|l| [l, "\n"]).collect();
    let corpus = Corpus::from_reader(head.as_bytes(), Path::new(KJV), &options).expect("corpus");
    let params = TrainConfig {
        model,
        dim: 50,
        epochs: if hs { 4 } else { 2 },
        threads: Some(2),
        subwords,
        hs,
        negative: if hs { 0 } else { 5 },
        ..TrainConfig::default()
    }
    .check()
    .expect("valid config");

    let started = Instant::now();
    let mut reports = 0;
    let gpu_run = vectrain::train_to_end(
        &mut GpuBackend::new(ctx, centres_in_flight(&params)).with_kernel(kernel),
        &corpus,
        &params,
        &mut |_| reports += 1,
    )
    .expect("GPU training");
    let gpu_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let cpu_run = vectrain::train_to_end(
        &mut CpuBackend::new(params.threads),
        &corpus,
        &params,
        &mut |_| {},
    )
    .expect("CPU training");
    let cpu_seconds = started.elapsed().as_secs_f64();

    let losses = |t: &vectrain::training::Trained| -> Vec<f64> {
        t.stats.epochs.iter().map(|e| e.loss).collect()
    };
    eprintln!(
        "{model:?} {kernel:?} subwords {subwords:?} hs {hs} GPU ({}) {gpu_seconds:.1} s, losses {:?}, {reports} progress reports; CPU {cpu_seconds:.1} s, losses {:?}",
        gpu_run.stats.device,
        losses(&gpu_run),
        losses(&cpu_run)
    );
    let words = ["god", "lord", "king", "israel", "moses", "egypt"];
    let mut total = 0;
    for word in words {
        let o = overlap(&gpu_run.embeddings, &cpu_run.embeddings, word);
        eprintln!(
            "{word}: overlap {o}; GPU {:?}; CPU {:?}",
            neighbours(&gpu_run.embeddings, word, 10),
            neighbours(&cpu_run.embeddings, word, 10)
        );
        total += o;
    }
    let mean = total as f64 / words.len() as f64;
    eprintln!("mean top-10 overlap {mean:.2}");
    assert!(gpu_run.stats.device.contains(&ctx.adapter_info.name));
    let gpu_losses = losses(&gpu_run);
    assert_eq!(gpu_losses.len(), params.epochs);
    assert!(
        gpu_losses[1] < gpu_losses[0],
        "GPU loss did not fall: {gpu_losses:?}"
    );
    assert_eq!(
        gpu_run.stats.epochs[0].examples, cpu_run.stats.epochs[0].examples,
        "the same plan makes the same updates"
    );
    // Measured on lavapipe: 4.67 to 6.3 on 6,000 verses (v2 CBOW 4.67 to 5.33 in 14 runs),
    // 7.7 on the whole book; 4 leaves room for Hogwild noise.
    assert!(mean >= 4.0, "mean top-10 overlap {mean:.2} with the CPU");
    // Measured: within 3% of the CPU's per epoch.
    for (g, c) in gpu_losses.iter().zip(losses(&cpu_run)) {
        assert!((g - c).abs() <= 0.1 * c, "GPU loss {g} vs CPU loss {c}");
    }
}

/// With one centre in flight, the GPU trainer makes exactly the CPU's updates in the CPU's
/// order: on a corpus of one chunk per epoch for both trainers (under 10,000 tokens, so the
/// learning rates are the same), its tables equal a deterministic CPU run's up to rounding.
#[test]
fn one_centre_in_flight_trains_in_the_cpu_order() {
    let Some(ctx) = gpu() else { return };
    let options = ReadOptions {
        lowercase: false,
        min_count: 2,
        max_vocab: None,
        ..ReadOptions::default()
    };
    let text = std::fs::read_to_string(KJV).expect("kjv.txt (shared/data)");
    let head: String = text.lines().take(120).flat_map(|l| [l, "\n"]).collect();
    let corpus = Corpus::from_reader(head.as_bytes(), Path::new(KJV), &options).expect("corpus");
    assert!(
        corpus.len() < 10_000,
        "{} tokens: more than one chunk",
        corpus.len()
    );
    // (model, kernel, subwords, (hs, negatives)).
    let words = [Model::SkipGram, Model::Cbow, Model::BatchSkipGram]
        .into_iter()
        .flat_map(|model| {
            [
                (model, GpuKernel::V1, None, (false, 5)),
                (model, GpuKernel::V2, None, (false, 5)),
            ]
        });
    let subwords = [Model::SkipGram, Model::Cbow]
        .map(|model| (model, GpuKernel::V2, Some(SUBWORDS), (false, 5)));
    // Hierarchical softmax alone, and beside negative sampling; with subwords (fastText's
    // -loss hs).
    let hs = [
        (Model::SkipGram, GpuKernel::V2, None, (true, 0)),
        (Model::Cbow, GpuKernel::V2, None, (true, 3)),
        (Model::SkipGram, GpuKernel::V2, Some(SUBWORDS), (true, 0)),
        (Model::Cbow, GpuKernel::V2, Some(SUBWORDS), (true, 0)),
    ];
    for (model, kernel, subwords, (hs, negative)) in words.chain(subwords).chain(hs) {
        let params = TrainConfig {
            model,
            dim: 20,
            epochs: 2,
            deterministic: true,
            gpu_in_flight: Some(1),
            subwords,
            hs,
            negative,
            ..TrainConfig::default()
        }
        .check()
        .expect("valid config");
        let gpu_run = vectrain::train_to_end(
            &mut GpuBackend::new(ctx, centres_in_flight(&params)).with_kernel(kernel),
            &corpus,
            &params,
            &mut |_| {},
        )
        .expect("GPU");
        let cpu_run = vectrain::train_to_end(
            &mut CpuBackend::new(params.threads),
            &corpus,
            &params,
            &mut |_| {},
        )
        .expect("CPU");
        let error = |a: &[f32], b: &[f32]| {
            a.iter()
                .zip(b)
                .map(|(x, y)| (x - y).abs())
                .fold(0.0f32, f32::max)
        };
        let input_error = error(gpu_run.embeddings.as_slice(), cpu_run.embeddings.as_slice());
        let output_error = error(&gpu_run.output, &cpu_run.output);
        eprintln!(
            "{model:?} {kernel:?} subwords {} hs {hs} negative {negative}: {} tokens, max error \
             input {input_error:e}, output {output_error:e}",
            subwords.is_some(),
            corpus.len()
        );
        assert_eq!(
            gpu_run.stats.epochs[1].examples,
            cpu_run.stats.epochs[1].examples
        );
        // Rounding differs (the GPU's dot-product order, fused multiply-adds): 3e-7 at most
        // was seen over both epochs; a missing or reordered update would differ by far more.
        assert!(
            input_error < 1e-5 && output_error < 1e-5,
            "{model:?} {kernel:?} subwords {} hs {hs}",
            subwords.is_some()
        );
    }
}
