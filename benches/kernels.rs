//! Throughput of the training update and of evaluation: `cargo bench --bench kernels`.
//!
//! The CPU reference update runs on a synthetic Zipf-like batch; GPU kernels are measured
//! with the device synchronised before the clock stops.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vectrain::batch::Batch;
use vectrain::cpu::tables::PlainRows;
use vectrain::cpu::update::{Scratch, UpdateShape, train_batch};
use vectrain::sampling::NegativeSampler;
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

fn cpu_update(c: &mut Criterion) {
    let (batch, counts) = zipf_batch(20_000);
    let sampler = NegativeSampler::new(&counts, 0.75);
    let mut group = c.benchmark_group("cpu_reference_update");
    group.throughput(Throughput::Elements(batch.len() as u64));
    group.measurement_time(Duration::from_secs(5));
    for model in [Model::SkipGram, Model::Cbow] {
        let shape = UpdateShape {
            model,
            dim: DIM,
            window: 5,
            negative: 5,
        };
        let mut input: Vec<f32> = (0..WORDS as usize * DIM)
            .map(|i| (rng::unit_f32(rng::pcg(i as u32)) - 0.5) / DIM as f32)
            .collect();
        let mut output = vec![0.0f32; WORDS as usize * DIM];
        let mut scratch = Scratch::new(&shape);
        group.bench_function(format!("{model:?} d{DIM} words"), |b| {
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
    }
    group.finish();
}

criterion_group!(benches, cpu_update);
criterion_main!(benches);
