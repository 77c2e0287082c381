//! What a big GPU's concurrency does to quality, emulated on the CPU:
//! `cargo bench --bench staleness`.
//!
//! The GPU trainer runs a whole chunk (131,072 tokens) in one dispatch, one workgroup per
//! centre; a large GPU keeps thousands of workgroups in flight (an H100 at d = 100: 132 SMs ×
//! 16 workgroups of 128 invocations = 2,112), so an update reads rows that the updates in
//! flight beside it have read too but not yet added to. Lavapipe, with its handful of
//! threads, never shows this, and no GPU may be at hand; this bench trains with the GPU's
//! plan (its chunks, learning-rate steps and draws) on one CPU thread, with every row
//! addition landing late by as many additions as `U` updates in flight make, and scores
//! the vectors. `U = 0` is the reference semantics (the CPU path's).
//!
//! The model of a GPU: an update's read misses the additions of the `U` updates in flight
//! beside it (one per workgroup). Skip-gram: an update adds to 1 input row and
//! `negative + 1` output rows; CBOW and batch skip-gram: to each context row (about
//! `window + 1` on average after the shrink) and `negative + 1` output rows; with hierarchical
//! softmax alone, the output rows are the centre's path, as many as the mean path over the
//! kept tokens (every path starts at the root, so its row is as stale as `U` makes it). It is
//! pessimistic in one respect: a workgroup's own previous update is visible to it on a GPU,
//! not here once `U > 0`.
//!
//! Settings: `VECTRAIN_STALENESS_CORPUS` (default `../shared/data/mix8m.txt.gz`),
//! `VECTRAIN_STALENESS_UPDATES` (default `0 2112 16384`), `VECTRAIN_STALENESS_MODELS`
//! (default `skipgram cbow`; `batch-skipgram` too), `VECTRAIN_STALENESS_EPOCHS` (default 5),
//! `VECTRAIN_STALENESS_HS` (`1`: hierarchical softmax alone, `--hs --negative 0`, instead of
//! 5 negatives); d100, window 5, sample 1e-3, min-count 5, seed 1.

use std::path::{Path, PathBuf};
use std::time::Instant;

use vectrain::batch::Batch;
use vectrain::cpu::tables::{PlainRows, Rows};
use vectrain::cpu::update::{Scratch, train_batch_with};
use vectrain::eval::{DEFAULT_RESTRICT, evaluate_analogies, evaluate_word_pairs};
use vectrain::gpu::GPU_CHUNK_TOKENS;
use vectrain::training::{LossSum, TrainingPlan, initial_input_table};
use vectrain::{Corpus, Embeddings, Model, ReadOptions, TrainConfig, TrainParams, rng};

/// A table whose additions land `delay` additions late: a read sees it without the most
/// recent `delay` row additions.
struct DelayedRows<'a> {
    table: PlainRows<'a>,
    dim: usize,
    delay: usize,
    /// Pending additions, a ring of `delay` slots: row ids and `dim` values each.
    ids: Vec<u32>,
    values: Vec<f32>,
    /// Slot of the oldest pending addition (the next one to land).
    oldest: usize,
}

impl<'a> DelayedRows<'a> {
    fn new(data: &'a mut [f32], dim: usize, delay: usize) -> Self {
        DelayedRows {
            table: PlainRows::new(data, dim),
            dim,
            delay,
            ids: Vec::with_capacity(delay),
            values: Vec::with_capacity(delay * dim),
            oldest: 0,
        }
    }

    /// Lands every pending addition.
    fn flush(&mut self) {
        for (slot, &id) in self.ids.iter().enumerate() {
            self.table
                .add(id, &self.values[slot * self.dim..(slot + 1) * self.dim]);
        }
        self.ids.clear();
        self.values.clear();
        self.oldest = 0;
    }
}

impl Rows for DelayedRows<'_> {
    fn read(&self, row: u32, out: &mut [f32]) {
        self.table.read(row, out);
    }

    fn add(&mut self, row: u32, delta: &[f32]) {
        if self.delay == 0 {
            return self.table.add(row, delta);
        }
        if self.ids.len() < self.delay {
            self.ids.push(row);
            self.values.extend_from_slice(delta);
            return;
        }
        let (slot, dim) = (self.oldest, self.dim);
        let pending = &mut self.values[slot * dim..(slot + 1) * dim];
        self.table.add(self.ids[slot], pending);
        self.ids[slot] = row;
        pending.copy_from_slice(delta);
        self.oldest = (slot + 1) % self.delay;
    }
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// Output rows one update adds to: with negatives, the centre's and theirs; with a Huffman
/// tree, also the nodes of the centre's path, on average over the tokens subsampling keeps.
fn output_rows_per_update(corpus: &Corpus, plan: &TrainingPlan) -> usize {
    let negatives = if plan.shape.negative > 0 {
        plan.shape.negative + 1
    } else {
        0
    };
    let Some(tree) = &plan.tree else {
        return negatives;
    };
    let counts = corpus.vocab.counts();
    let (mut nodes, mut kept) = (0.0, 0.0);
    for (word, &count) in counts.iter().enumerate() {
        let tokens = count as f64 * f64::from(plan.keep[word]);
        nodes += tokens * tree.nodes(word as u32).len() as f64;
        kept += tokens;
    }
    negatives + (nodes / kept).round() as usize
}

/// Trains `corpus` as the GPU trainer plans it, with `in_flight` updates in flight; returns
/// the input table and the mean loss of the last epoch.
fn train(corpus: &Corpus, params: &TrainParams, in_flight: usize) -> (Vec<f32>, f64) {
    let plan = TrainingPlan::new(corpus, params, GPU_CHUNK_TOKENS).expect("a plan");
    let shape = plan.shape;
    let input_rows_per_update = match shape.model {
        Model::SkipGram => 1,
        Model::Cbow | Model::BatchSkipGram => shape.window + 1,
    };
    let output_rows_per_update = output_rows_per_update(corpus, &plan);
    let mut input = initial_input_table(corpus.vocab.len(), shape.dim, params.seed);
    let mut output = vec![0.0f32; params.output_rows(corpus.vocab.len()) * shape.dim];
    let mut input_rows = DelayedRows::new(&mut input, shape.dim, in_flight * input_rows_per_update);
    let mut output_rows =
        DelayedRows::new(&mut output, shape.dim, in_flight * output_rows_per_update);
    let objective = plan.objective();
    let mut scratch = Scratch::new(&shape);
    let mut batch = Batch::new();
    let mut loss = LossSum::default();
    for epoch in 0..params.epochs {
        let key = rng::epoch_key(params.seed, epoch as u32);
        loss = LossSum::default();
        for (index, chunk) in plan.chunks.iter().enumerate() {
            plan.fill_batch(corpus, chunk, key, &mut batch)
                .unwrap_or_else(|e| panic!("{e}"));
            loss.add(train_batch_with(
                &shape,
                &mut input_rows,
                &mut output_rows,
                &objective,
                &batch,
                key,
                plan.alpha(params, epoch, index),
                &mut scratch,
            ));
        }
    }
    input_rows.flush();
    output_rows.flush();
    drop((input_rows, output_rows));
    (input, loss.mean())
}

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    let corpus_path = PathBuf::from(env_or(
        "VECTRAIN_STALENESS_CORPUS",
        &data.join("mix8m.txt.gz").to_string_lossy(),
    ));
    let (analogies, pairs) = (
        data.join("questions-words.txt"),
        data.join("wordsim353.tsv"),
    );
    if !corpus_path.exists() || !analogies.exists() || !pairs.exists() {
        eprintln!(
            "staleness: skipped, {} or the evaluation sets in {} are missing",
            corpus_path.display(),
            data.display()
        );
        return;
    }
    let in_flight: Vec<usize> = env_or("VECTRAIN_STALENESS_UPDATES", "0 2112 16384")
        .split_whitespace()
        .map(|u| {
            u.parse()
                .expect("VECTRAIN_STALENESS_UPDATES: whole numbers")
        })
        .collect();
    let epochs: usize = env_or("VECTRAIN_STALENESS_EPOCHS", "5")
        .parse()
        .expect("VECTRAIN_STALENESS_EPOCHS: a whole number");
    let hs = env_or("VECTRAIN_STALENESS_HS", "0") == "1";
    let models: Vec<Model> = env_or("VECTRAIN_STALENESS_MODELS", "skipgram cbow")
        .split_whitespace()
        .map(|m| match m {
            "skipgram" => Model::SkipGram,
            "cbow" => Model::Cbow,
            "batch-skipgram" => Model::BatchSkipGram,
            other => panic!("VECTRAIN_STALENESS_MODELS: unknown model {other}"),
        })
        .collect();
    let options = ReadOptions {
        lowercase: false,
        min_count: 5,
        max_vocab: None,
        ..ReadOptions::default()
    };
    let corpus = Corpus::read(&corpus_path, &options).expect("corpus");
    println!(
        "{}: {} tokens kept, {} words; d100 w5 {}, {epochs} epochs, GPU chunks of {GPU_CHUNK_TOKENS}",
        corpus_path.display(),
        corpus.len(),
        corpus.vocab.len(),
        if hs { "hs alone" } else { "n5" }
    );
    println!(
        "{:<9} {:>10} {:>9} {:>7} {:>10} {:>8}",
        "model", "in flight", "analogy", "ws353", "last loss", "seconds"
    );
    for &model in &models {
        let params = TrainConfig {
            model,
            epochs,
            threads: Some(1),
            hs,
            negative: if hs { 0 } else { 5 },
            ..TrainConfig::default()
        }
        .check()
        .expect("valid settings");
        for &updates in &in_flight {
            let started = Instant::now();
            let (table, loss) = train(&corpus, &params, updates);
            let emb = Embeddings::new(corpus.vocab.clone(), params.dim, table).expect("table");
            let analogy =
                evaluate_analogies(&emb, &analogies, DEFAULT_RESTRICT).expect("analogies");
            let similarity = evaluate_word_pairs(&emb, &pairs, DEFAULT_RESTRICT).expect("pairs");
            println!(
                "{:<9} {:>10} {:>8.2}% {:>7.3} {:>10.4} {:>8.0}",
                format!("{model:?}"),
                updates,
                100.0 * analogy.accuracy(),
                similarity.spearman,
                loss,
                started.elapsed().as_secs_f64()
            );
        }
    }
}
