//! The multi-threaded CPU trainer (Hogwild), and the deterministic one-thread mode.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use crate::batch::Batch;
use crate::config::TrainParams;
use crate::corpus::Corpus;
use crate::cpu::tables::SharedTable;
use crate::cpu::update::{LossSum, Scratch, train_batch};
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::rng;
use crate::training::{
    EpochStats, PROGRESS_INTERVAL, Progress, TrainStats, TrainingPlan, initial_input_table,
};

/// Tokens per unit of work: small enough to balance threads and step the learning rate often
/// (word2vec.c steps it every 10k words), large enough that taking a unit costs nothing.
pub const CPU_CHUNK_TOKENS: usize = 10_000;

/// A trained model: input vectors (what users call the embeddings) and run statistics.
pub struct Trained {
    /// The input table with its vocabulary.
    pub embeddings: Embeddings,
    /// The output table (`syn1neg`), row-major like the input table.
    pub output: Vec<f32>,
    /// What the run measured.
    pub stats: TrainStats,
}

/// Trains on the CPU with `params.threads` threads, calling `progress` from the calling
/// thread a few times a second.
///
/// Threads share the tables without locks (Hogwild). With one thread (always so in
/// `deterministic` mode) the run is the reference semantics of [`crate::cpu::update`] applied
/// to each chunk in corpus order, and its result depends only on the seed and settings.
pub fn train(
    corpus: &Corpus,
    params: &TrainParams,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Trained> {
    let plan = TrainingPlan::new(corpus, params, CPU_CHUNK_TOKENS);
    let dim = params.dim;
    let words = corpus.vocab.len();
    let input = SharedTable::new(initial_input_table(words, dim, params.seed), dim);
    let output = SharedTable::new(vec![0.0; words * dim], dim);
    let total = plan.total_positions(params);
    let done = AtomicU64::new(0);
    let started = Instant::now();
    let mut stats = TrainStats {
        device: format!(
            "cpu ({} thread{})",
            params.threads,
            if params.threads == 1 { "" } else { "s" }
        ),
        ..TrainStats::default()
    };
    for epoch in 0..params.epochs {
        let epoch_started = Instant::now();
        let key = rng::epoch_key(params.seed, epoch as u32);
        let next_chunk = AtomicUsize::new(0);
        let loss = Mutex::new(LossSum::default());
        let finished = AtomicUsize::new(0);
        let work = || {
            let mut scratch = Scratch::new(&plan.shape);
            let mut batch = Batch::new();
            let (mut in_rows, mut out_rows) = (input.rows(), output.rows());
            loop {
                let index = next_chunk.fetch_add(1, Ordering::Relaxed);
                let Some(chunk) = plan.chunks.get(index) else {
                    break;
                };
                batch.clear();
                let first_token = corpus.sentence_range(chunk.start).start;
                for sentence in chunk.clone() {
                    let range = corpus.sentence_range(sentence);
                    let start = range.start as u32;
                    batch.push_sentence(&corpus.tokens()[range], start, &plan.keep, key);
                }
                let position = epoch as u64 * plan.epoch_positions + first_token as u64;
                let alpha = params.alpha_at(position, total);
                let sum = train_batch(
                    &plan.shape,
                    &mut in_rows,
                    &mut out_rows,
                    &plan.sampler,
                    &batch,
                    key,
                    alpha,
                    &mut scratch,
                );
                let chunk_tokens = corpus.sentence_range(chunk.end - 1).end - first_token;
                done.fetch_add(chunk_tokens as u64, Ordering::Relaxed);
                if let Ok(mut total_loss) = loss.lock() {
                    total_loss.add(sum);
                }
            }
            finished.fetch_add(1, Ordering::Release);
        };
        std::thread::scope(|scope| {
            for _ in 0..params.threads {
                scope.spawn(work);
            }
            while finished.load(Ordering::Acquire) < params.threads {
                std::thread::sleep(PROGRESS_INTERVAL.min(std::time::Duration::from_millis(50)));
                let d = done.load(Ordering::Relaxed);
                progress(&Progress {
                    done: d,
                    total,
                    epoch,
                    loss: loss.lock().map(|l| l.mean()).unwrap_or(f64::NAN),
                    alpha: params.alpha_at(d, total),
                });
            }
        });
        let sum = loss.into_inner().unwrap_or_default();
        if !sum.mean().is_finite() {
            return Err(Error::Diverged {
                epoch,
                alpha: params.alpha,
            });
        }
        stats.epochs.push(EpochStats {
            loss: sum.mean(),
            examples: sum.examples,
            seconds: epoch_started.elapsed().as_secs_f64(),
        });
    }
    stats.seconds = started.elapsed().as_secs_f64();
    stats.words = total;
    let embeddings = Embeddings::new(corpus.vocab.clone(), dim, input.into_inner())?;
    Ok(Trained {
        embeddings,
        output: output.into_inner(),
        stats,
    })
}
