//! Investigation tool (issue 9): is the per-epoch training loss a fair picture of how the
//! model improves?
//!
//! Trains skip-gram on one thread (the deterministic mode) and, every half epoch, freezes the
//! tables and measures the loss over one fixed set of examples: every (centre, context) pair of
//! the corpus under one fixed draw of subsampling, window shrink and negatives (the draws of
//! an epoch that is never trained). It prints that frozen loss (positive and negative terms
//! apart), the online loss the trainer reports for the epoch, the learning rate, and the mean
//! norms of the input and output rows weighted by word frequency.
//!
//! usage: cargo run --release --example loss_probe -- CORPUS [SEED] [MIN_ALPHA] [ALPHA] [SAMPLE]
//! [PARTS]

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use vectrain::cpu::{CPU_CHUNK_TOKENS, CpuBackend};
use vectrain::rng;
use vectrain::training::{Control, Every, Outcome, Snapshot, TrainingPlan};
use vectrain::{Corpus, ReadOptions, TrainConfig, TrainParams};

/// Mean frozen loss terms over the fixed examples.
struct Frozen {
    positive: f64,
    negative: f64,
    examples: u64,
}

fn softplus(x: f64) -> f64 {
    if x > 30.0 { x } else { x.exp().ln_1p() }
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum()
}

/// The loss of every pair of the probe epoch with the tables as they are.
fn frozen_loss(
    corpus: &Corpus,
    plan: &TrainingPlan,
    params: &TrainParams,
    input: &[f32],
    output: &[f32],
) -> Frozen {
    let d = params.dim;
    let key = rng::epoch_key(params.seed, 1_000_000);
    let mut batch = vectrain::batch::Batch::new();
    let mut sum = Frozen {
        positive: 0.0,
        negative: 0.0,
        examples: 0,
    };
    fn row(table: &[f32], id: u32, d: usize) -> &[f32] {
        &table[id as usize * d..(id as usize + 1) * d]
    }
    for chunk in &plan.chunks {
        if plan.fill_batch(corpus, chunk, key, &mut batch).is_err() {
            break;
        }
        for i in 0..batch.len() {
            let centre = batch.words[i];
            let position = batch.positions[i];
            let reach = vectrain::cpu::update::reach(key, position, params.window);
            for j in batch.context(i, reach) {
                let x = row(input, batch.words[j], d);
                // -ln σ(f) = softplus(-f); -ln σ(-f) = softplus(f).
                sum.positive += softplus(-dot(x, row(output, centre, d)));
                let slot_base = ((j + params.window - i) * params.negative) as u32;
                for k in 0..params.negative as u32 {
                    let word = plan.sampler.draw(key, position, slot_base + k);
                    if word != centre {
                        sum.negative += softplus(dot(x, row(output, word, d)));
                    }
                }
                sum.examples += 1;
            }
        }
    }
    let n = sum.examples.max(1) as f64;
    Frozen {
        positive: sum.positive / n,
        negative: sum.negative / n,
        examples: sum.examples,
    }
}

/// Mean Euclidean row norm, weighted by each word's count.
fn mean_norm(table: &[f32], dim: usize, counts: &[u64]) -> f64 {
    let total: u64 = counts.iter().sum();
    let weighted: f64 = table
        .chunks_exact(dim)
        .zip(counts)
        .map(|(row, &count)| dot(row, row).sqrt() * count as f64)
        .sum();
    weighted / total.max(1) as f64
}

fn main() -> vectrain::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    let path = PathBuf::from(arg(0).unwrap_or("../shared/data/kjv.txt"));
    let parse = |i: usize, default: f64| arg(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    let config = TrainConfig {
        seed: parse(1, 1.0) as u32,
        min_alpha: parse(2, 0.0001) as f32,
        alpha: Some(parse(3, 0.025) as f32),
        sample: parse(4, 1e-3),
        parts: parse(5, vectrain::config::DEFAULT_PARTS as f64) as usize,
        deterministic: true,
        ..TrainConfig::default()
    };
    let params = config.check()?;
    let options = ReadOptions {
        lowercase: false,
        min_count: params.min_count,
        max_vocab: params.max_vocab,
        ..ReadOptions::default()
    };
    let corpus = Corpus::read(&path, &options)?;
    let plan = TrainingPlan::new(&corpus, &params, CPU_CHUNK_TOKENS)?;
    let counts = corpus.vocab.counts().to_vec();
    let report = |label: String, input: &[f32], output: &[f32], alpha: f32| {
        let f = frozen_loss(&corpus, &plan, &params, input, output);
        println!(
            "{label:>12}  alpha {alpha:.5}  frozen {:.4} (pos {:.4} neg {:.4}, {} pairs)  \
             |in| {:.3} |out| {:.3}",
            f.positive + f.negative,
            f.positive,
            f.negative,
            f.examples,
            mean_norm(input, params.dim, &counts),
            mean_norm(output, params.dim, &counts),
        );
    };
    let initial =
        vectrain::training::initial_input_table(corpus.vocab.len(), params.dim, params.seed);
    report(
        "start".into(),
        &initial,
        &vec![0.0; initial.len()],
        params.alpha,
    );
    let mut checkpoint = |s: &Snapshot<'_>| -> vectrain::Result<()> {
        let p = s.state.position;
        let done = p.epoch * plan.epoch_positions + plan.done_before(p.next_chunk as usize);
        let label = format!("epoch {:.2}", done as f64 / plan.epoch_positions as f64);
        let alpha = plan.alpha(&params, p.epoch as usize, p.next_chunk as usize);
        report(label, s.input, s.output, alpha);
        Ok(())
    };
    let stop = AtomicBool::new(false);
    let control = Control {
        resume: None,
        every: Some(Every::Words(plan.epoch_positions / 2)),
        stop: Some(&stop),
        checkpoint: Some(&mut checkpoint),
        averager: None,
    };
    let mut backend = CpuBackend::new(1);
    let outcome = vectrain::train(&mut backend, &corpus, &params, control, &mut |_| {})?;
    let Outcome::Finished(trained) = outcome else {
        return Ok(());
    };
    report(
        format!("epoch {}", params.epochs),
        trained.embeddings.as_slice(),
        &trained.output,
        params.min_alpha,
    );
    for (epoch, stats) in trained.stats.epochs.iter().enumerate() {
        println!(
            "online loss of epoch {}: {:.4} over {} examples",
            epoch + 1,
            stats.loss,
            stats.examples
        );
    }
    Ok(())
}
