//! Throughput of the training update and of evaluation: `cargo bench --bench kernels`.
//!
//! The CPU update (on plain tables, and on shared tables with each way of moving rows) and
//! the GPU training step (each atomics variant the adapter has: native float `atomicAdd` and
//! compare-exchange) run on a synthetic Zipf-like batch; the analogy evaluation runs every question of `questions-words.txt` against a 56,828 × 100
//! table (the size of the mix8m vocabulary). GPU lookups and searches are in
//! `benches/lookup.rs`. `VECTRAIN_BENCH_GPU=0` leaves the GPU out, `VECTRAIN_BENCH_ADAPTER`
//! picks an adapter by name.

#[path = "support/gpu.rs"]
mod support_gpu;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use support_gpu::bench_gpu;
use vectrain::batch::Batch;
use vectrain::cpu::simd::Access;
use vectrain::cpu::tables::{PlainRows, SharedTable};
use vectrain::cpu::update::{Scratch, train_batch};
use vectrain::gpu::step::{Step, StepOptions, TrainState};
use vectrain::gpu::{Atomics, default_in_flight};
use vectrain::sampling::NegativeSampler;
use vectrain::training::{UpdateShape, initial_input_table};
use vectrain::{Model, rng};

const WORDS: u32 = 50_000;
const DIM: usize = 100;

/// A batch of `tokens` Zipf-distributed words in sentences of 20.
fn zipf_batch(tokens: usize) -> (Batch, Vec<u64>) {
    let counts: Vec<u64> = (1..=WORDS as u64)
        .map(|rank| 1_000_000 / rank + 1)
        .collect();
    let sampler = NegativeSampler::new(&counts, 1.0);
    let words: Vec<u32> = (0..tokens as u32).map(|i| sampler.draw(99, i, 0)).collect();
    let keep = vec![1.0; WORDS as usize];
    let mut batch = Batch::new();
    for (s, sentence) in words.chunks(20).enumerate() {
        batch.push_sentence(sentence, (s * 20) as u32, &keep, 0);
    }
    (batch, counts)
}

/// The CPU update on plain tables (one thread's own memory) and on the shared tables the
/// trainer uses, with each way of moving rows ([`Access`]): words/s on one thread.
fn cpu_update(c: &mut Criterion) {
    let (batch, counts) = zipf_batch(20_000);
    let sampler = NegativeSampler::new(&counts, 0.75);
    let mut group = c.benchmark_group("cpu_update");
    group.throughput(Throughput::Elements(batch.len() as u64));
    group.measurement_time(Duration::from_secs(5));
    for model in [Model::SkipGram, Model::Cbow] {
        let shape = UpdateShape {
            model,
            dim: DIM,
            window: 5,
            negative: 5,
        };
        // The tables as training starts them.
        let mut input = initial_input_table(WORDS as usize, DIM, 1);
        let mut output = vec![0.0f32; input.len()];
        let mut scratch = Scratch::new(&shape);
        group.bench_function(format!("{model:?} d{DIM} plain words"), |b| {
            b.iter_custom(|iterations| {
                let started = Instant::now();
                for i in 0..iterations {
                    let mut in_rows = PlainRows::new(&mut input, DIM);
                    let mut out_rows = PlainRows::new(&mut output, DIM);
                    black_box(train_batch(
                        &shape,
                        &mut in_rows,
                        &mut out_rows,
                        &sampler,
                        &batch,
                        i as u32,
                        0.001,
                        &mut scratch,
                    ));
                }
                started.elapsed()
            })
        });
        for access in [Access::Cells, Access::Quads] {
            let input = SharedTable::with_access(input.clone(), DIM, access);
            let output = SharedTable::with_access(output.clone(), DIM, access);
            if input.access() != access {
                eprintln!("skipping {access:?}: this processor does not support it");
                continue;
            }
            group.bench_function(format!("{model:?} d{DIM} shared {access:?} words"), |b| {
                b.iter_custom(|iterations| {
                    let started = Instant::now();
                    for i in 0..iterations {
                        black_box(train_batch(
                            &shape,
                            &mut input.rows(),
                            &mut output.rows(),
                            &sampler,
                            &batch,
                            i as u32,
                            0.001,
                            &mut scratch,
                        ));
                    }
                    started.elapsed()
                })
            });
        }
    }
    group.finish();
}

/// The training kernel on one batch, in dispatches of the default centres in flight, as the
/// GPU trainer runs it: words/s per atomics variant. The batch is the trainer's chunk (131,072 tokens) on a GPU, and
/// 8,192 tokens on a CPU adapter (lavapipe), where a full chunk takes seconds.
fn gpu_step(c: &mut Criterion) {
    let Some(ctx) = bench_gpu() else { return };
    let tokens = match ctx.adapter_info.device_type {
        wgpu::DeviceType::Cpu => 8_192,
        _ => 131_072,
    };
    let (batch, counts) = zipf_batch(tokens);
    let sampler = NegativeSampler::new(&counts, 0.75);
    let mut variants = vec![(Atomics::CompareExchange, "compare-exchange")];
    if ctx.float_atomics {
        variants.insert(0, (Atomics::NativeFloat, "float atomics"));
    }
    let mut group = c.benchmark_group(format!("gpu_training_step on {}", ctx.describe()));
    group.throughput(Throughput::Elements(batch.len() as u64));
    group.sample_size(10);
    for model in [Model::SkipGram, Model::Cbow] {
        let shape = UpdateShape {
            model,
            dim: DIM,
            window: 5,
            negative: 5,
        };
        // The tables as training starts them.
        let input = initial_input_table(WORDS as usize, DIM, 1);
        let output = vec![0.0f32; input.len()];
        for &(atomics, name) in &variants {
            let state = TrainState::with_options(
                &ctx,
                &shape,
                &input,
                &output,
                &sampler,
                StepOptions {
                    atomics,
                    ..StepOptions::default()
                },
            )
            .expect("training state");
            let mut device = state
                .batch_buffers(&ctx, batch.len())
                .expect("batch buffers");
            state.upload(&ctx, &mut device, &batch).expect("upload");
            group.bench_function(format!("{model:?} d{DIM} {name} words"), |b| {
                b.iter_custom(|iterations| {
                    let started = Instant::now();
                    for i in 0..iterations {
                        let steps =
                            Step::split(batch.len(), default_in_flight(model), 0.001, i as u32);
                        state.run(&ctx, &device, &steps).expect("dispatch");
                    }
                    // Reading the loss waits for the last dispatch.
                    black_box(state.read_loss(&ctx).expect("loss"));
                    started.elapsed()
                })
            });
        }
    }
    group.finish();
}

/// Analogy evaluation at full size: 19,544 questions against 56,828 words of 100 dims.
fn analogy_evaluation(c: &mut Criterion) {
    let questions = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/questions-words.txt"
    );
    let Ok(text) = std::fs::read_to_string(questions) else {
        eprintln!("skipping the analogy benchmark: {questions} is missing");
        return;
    };
    let mut words: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for word in text
        .lines()
        .filter(|l| !l.starts_with(':'))
        .flat_map(str::split_whitespace)
    {
        if seen.insert(word.to_lowercase()) {
            words.push(word.to_lowercase());
        }
    }
    let size = 56_828;
    while words.len() < size {
        words.push(format!("filler{}", words.len()));
    }
    let data = (0..size * DIM)
        .map(|i| rng::unit_f32(rng::pcg(i as u32)) - 0.5)
        .collect();
    let emb = vectrain::Embeddings::new(
        vectrain::Vocab::from_ordered(words, vec![1; size]),
        DIM,
        data,
    )
    .expect("a consistent table");
    let mut group = c.benchmark_group("analogy_evaluation");
    group.sample_size(10);
    group.bench_function("19544 questions, 56828 x 100", |b| {
        b.iter(|| {
            black_box(vectrain::eval::evaluate_analogies(
                &emb,
                questions.as_ref(),
                300_000,
            ))
        })
    });
    group.finish();
}

criterion_group!(benches, cpu_update, gpu_step, analogy_evaluation);
criterion_main!(benches);
