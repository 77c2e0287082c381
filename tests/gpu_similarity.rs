//! `GpuEmbeddings::most_similar_batch` (`similarity.wgsl`, block by block, top-k on the CPU)
//! against the CPU's `Embeddings::most_similar_batch`, and the raw kernel against its twin.
//!
//! Tolerance. Every score is a cosine in [-1, 1]: the GPU computes `dot(û, q)` with the
//! normalised row, the CPU `dot(u, q) / |u|`, both summing d products in f32. Since
//! `Σ |qᵢ ûᵢ| ≤ 1` (Cauchy-Schwarz), each sum's rounding error is at most about
//! `d · 2⁻²⁴ ≈ 1.8e-5` for d = 300 and typically `√d · 2⁻²⁴ ≈ 1e-6` (errors of random sign);
//! normalising adds a few ulps. We allow [`TOLERANCE`] = 1e-5 absolute, an order of magnitude
//! above what is seen, and far below the gaps that decide a ranking on random data. Where
//! two candidates' cosines lie within twice that of each other, either order is accepted, but
//! only then: every other rank must name the CPU's word, the GPU's score of each word must
//! be that word's true cosine, and exact ties (duplicate rows, d = 1) must break to the lower
//! id as on the CPU.

use crate::common;

use common::{TestRng, Tolerance, assert_close, gpu};
use vectrain::embeddings::{Neighbour, Query};
use vectrain::gpu::similarity::similarity_scores_cpu;
use vectrain::gpu::{GpuEmbeddings, GpuTable, similarity_scores};
use vectrain::{Embeddings, Vocab};

/// Absolute tolerance on cosines (see the module docs).
const TOLERANCE: f32 = 1e-5;

/// Rows that matter to the comparisons: one zero row, and row `TWIN_B` a copy of `TWIN_A`.
const ZERO: usize = 2;
const TWIN_A: usize = 3;
const TWIN_B: usize = 11;

/// `words` random rows of `dim`, with the zero row and the twins.
fn embeddings(words: usize, dim: usize, seed: u64) -> Embeddings {
    let mut rng = TestRng(seed);
    let mut data: Vec<f32> = (0..words * dim).map(|_| rng.signed_unit()).collect();
    if words > TWIN_B {
        data[ZERO * dim..(ZERO + 1) * dim].fill(0.0);
        let twin = data[TWIN_A * dim..(TWIN_A + 1) * dim].to_vec();
        data[TWIN_B * dim..(TWIN_B + 1) * dim].copy_from_slice(&twin);
    }
    let names = (0..words).map(|i| format!("w{i}")).collect();
    Embeddings::new(Vocab::from_ordered(names, vec![1; words]), dim, data).unwrap()
}

/// The CPU's cosine of row `id` with the unit vector of `query`.
fn cosine(emb: &Embeddings, query: &[f32], id: u32) -> f32 {
    let row = emb.row(id);
    let dot: f32 = row.iter().zip(query).map(|(a, b)| a * b).sum();
    dot / emb.norms()[id as usize]
}

fn unit(v: &[f32]) -> Vec<f32> {
    let norm = v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    v.iter()
        .map(|&x| {
            if norm > 0.0 {
                (f64::from(x) / norm) as f32
            } else {
                0.0
            }
        })
        .collect()
}

/// Compares one query's answers; returns how many ranks hold a near-tied other word.
fn compare(
    emb: &Embeddings,
    query: Query<'_>,
    gpu: &[Neighbour<'_>],
    cpu: &[Neighbour<'_>],
    what: &str,
) -> usize {
    let own = match query {
        Query::Word(w) => emb.vocab().id(w),
        Query::Id(id) => Some(id),
        Query::Vector(_) => None,
    };
    let q = unit(match query {
        Query::Vector(v) => v,
        Query::Word(w) => emb.get(w).unwrap(),
        Query::Id(id) => emb.row(id),
    });
    let ids = |n: &[Neighbour<'_>]| n.iter().map(|n| n.id).collect::<Vec<_>>();
    assert_eq!(
        gpu.len(),
        cpu.len(),
        "{what}: {:?} vs {:?}",
        ids(gpu),
        ids(cpu)
    );
    let mut seen = std::collections::HashSet::new();
    let mut substitutions = 0;
    for (rank, (g, c)) in gpu.iter().zip(cpu).enumerate() {
        // Built only on failure: formatting whole lists per rank would be quadratic.
        let at = || format!("{what}, rank {rank}: GPU {:?} CPU {:?}", ids(gpu), ids(cpu));
        assert!(seen.insert(g.id), "{}: repeated id {}", at(), g.id);
        assert_ne!(Some(g.id), own, "{}: the query's own row", at());
        assert!(emb.norms()[g.id as usize] > 0.0, "{}: a zero row", at());
        assert_eq!(g.word, format!("w{}", g.id), "{}", at());
        assert!(
            (g.score - c.score).abs() <= TOLERANCE,
            "{}: {} vs {}",
            at(),
            g.score,
            c.score
        );
        let truth = cosine(emb, &q, g.id);
        assert!(
            (g.score - truth).abs() <= TOLERANCE,
            "{}: {} vs true {truth}",
            at(),
            g.score
        );
        if g.id != c.id {
            assert!(
                (truth - c.score).abs() <= 2.0 * TOLERANCE,
                "{}: {} (cosine {truth}) is no near tie of {} ({})",
                at(),
                g.id,
                c.id,
                c.score
            );
            substitutions += 1;
        }
    }
    // Exact ties break to the lower id on both sides.
    let position = |id: u32| gpu.iter().position(|n| n.id == id);
    if let (Some(a), Some(b)) = (position(TWIN_A as u32), position(TWIN_B as u32)) {
        assert!(a < b, "{what}: twin {TWIN_B} before twin {TWIN_A}");
    }
    substitutions
}

#[test]
fn gpu_most_similar_batch_equals_cpu() {
    let Some(ctx) = gpu() else { return };
    let start = std::time::Instant::now();
    let mut max_error = 0.0f32;
    let (mut entries, mut substitutions) = (0, 0);
    // Vocabularies that are no multiple of the 64-row tile; small score blocks so that
    // several blocks (and both staging buffers) are used.
    for (words, dim) in [(5, 3), (1037, 1), (1037, 3), (1500, 100), (777, 300)] {
        let emb = embeddings(words, dim, (words * 1000 + dim) as u64);
        let mut rng = TestRng(dim as u64);
        let raw: Vec<Vec<f32>> = (0..65)
            .map(|_| (0..dim).map(|_| 3.0 * rng.signed_unit()).collect())
            .collect();
        let names: Vec<String> = (0..65).map(|i| format!("w{}", (i * 31) % words)).collect();
        for n in [1, 7, 65] {
            let queries: Vec<Query<'_>> = (0..n)
                .map(|i| match i % 4 {
                    0 => Query::Id(((i * 7 + TWIN_A) % words) as u32),
                    1 => Query::Vector(&raw[i]),
                    2 => Query::Word(&names[i]),
                    _ => Query::Vector(emb.row(TWIN_A.min(words - 1) as u32)),
                })
                .collect();
            for (k, block_bytes) in [(10, 64 << 10), (words + 5, 1 << 30)] {
                let device = GpuEmbeddings::new(ctx, &emb)
                    .unwrap()
                    .with_score_block_bytes(block_bytes);
                let got = device.most_similar_batch(&emb, &queries, k).unwrap();
                let expected = emb.most_similar_batch(&queries, k).unwrap();
                assert_eq!(got.len(), n);
                for (i, ((q, g), c)) in queries.iter().zip(&got).zip(&expected).enumerate() {
                    let what = format!("V={words} d={dim} q={n} k={k} query {i} {q:?}");
                    substitutions += compare(&emb, *q, g, c, &what);
                    entries += g.len();
                    for (g, c) in g.iter().zip(c) {
                        max_error = max_error.max((g.score - c.score).abs());
                    }
                }
                if words > TWIN_B && dim > 1 {
                    // The query at index 0 is row TWIN_A: its twin is its best answer.
                    assert_eq!(got[0][0].id, TWIN_B as u32, "V={words} d={dim}");
                }
            }
        }
    }
    eprintln!(
        "{entries} neighbours compared: max |GPU - CPU| cosine {max_error:e}, {substitutions} \
         near-tie substitutions, {:.1} s",
        start.elapsed().as_secs_f64()
    );
    // Substitutions are allowed for near ties only, which random data makes rare.
    assert!(
        substitutions * 100 <= entries,
        "{substitutions} of {entries}"
    );
}

#[test]
fn similarity_kernel_equals_cpu_twin() {
    let Some(ctx) = gpu() else { return };
    let mut rng = TestRng(9);
    for (rows, dim, n) in [(1, 1, 1), (65, 3, 7), (200, 100, 65), (130, 300, 66)] {
        let table: Vec<f32> = (0..rows * dim).flat_map(|_| [rng.signed_unit()]).collect();
        let table: Vec<f32> = table.chunks(dim).flat_map(unit).collect();
        let queries: Vec<f32> = (0..n * dim).map(|_| rng.signed_unit()).collect();
        let queries: Vec<f32> = queries.chunks(dim).flat_map(unit).collect();
        let got =
            similarity_scores(ctx, &GpuTable::upload(ctx, &table, dim).unwrap(), &queries).unwrap();
        let expected = similarity_scores_cpu(&queries, &table, dim);
        let tolerance = Tolerance {
            rel: 0.0,
            abs: TOLERANCE,
        };
        assert_close(
            &format!("{rows}x{dim}, {n} queries"),
            &got,
            &expected,
            tolerance,
        );
    }
}

#[test]
fn gpu_most_similar_batch_refuses_other_embeddings_and_bad_queries() {
    let Some(ctx) = gpu() else { return };
    let emb = embeddings(20, 4, 1);
    let device = GpuEmbeddings::new(ctx, &emb).unwrap();
    let other = embeddings(21, 4, 1);
    assert!(
        device
            .most_similar_batch(&other, &[Query::Id(0)], 3)
            .is_err()
    );
    assert!(
        device
            .most_similar_batch(&emb, &[Query::Id(20)], 3)
            .is_err()
    );
    assert!(
        device
            .most_similar_batch(&emb, &[Query::Word("nope")], 3)
            .is_err()
    );
    assert!(
        device
            .most_similar_batch(&emb, &[Query::Vector(&[1.0])], 3)
            .is_err()
    );
    assert!(device.most_similar_batch(&emb, &[], 3).unwrap().is_empty());
    let none = device.most_similar_batch(&emb, &[Query::Id(1)], 0).unwrap();
    assert_eq!(none, vec![Vec::<Neighbour<'_>>::new()]);
}
