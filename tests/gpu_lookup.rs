//! Batch lookup on the GPU (`gather.wgsl` behind `Gather`) equals the CPU lookup bit for bit.

use crate::common;

use common::gpu;
use vectrain::embeddings::{CpuGather, LookupOptions, Oov};
use vectrain::gpu::GpuEmbeddings;
use vectrain::{Embeddings, Vocab, rng};

fn random_embeddings(words: usize, dim: usize) -> Embeddings {
    let names: Vec<String> = (0..words).map(|i| format!("w{i}")).collect();
    let data = (0..words * dim)
        .map(|i| rng::unit_f32(rng::pcg(i as u32)) - 0.5)
        .collect();
    Embeddings::new(Vocab::from_ordered(names, vec![1; words]), dim, data).unwrap()
}

#[test]
fn gpu_batch_lookup_equals_cpu_lookup() {
    let Some(ctx) = gpu() else { return };
    for (words, dim, n) in [(7, 1, 65), (300, 3, 1001), (1000, 100, 257), (50, 300, 77)] {
        let emb = random_embeddings(words, dim);
        let device = GpuEmbeddings::new(ctx, &emb).unwrap();
        // Repeated ids, and ids past the vocabulary (unknown: the OOV policy applies).
        let ids: Vec<u32> = (0..n as u32)
            .map(|i| match i % 17 {
                5 => words as u32 + i % 3,
                _ => rng::pcg(i ^ 0x5eed) % words as u32,
            })
            .collect();
        for options in [
            LookupOptions::new(Oov::Zeros),
            LookupOptions::new(Oov::Mean).normalized(),
            LookupOptions::new(Oov::Skip),
        ] {
            let (mut gpu_out, mut cpu_out) = (vec![f32::NAN; n * dim], vec![f32::NAN; n * dim]);
            let (mut gpu_found, mut cpu_found) = (vec![false; n], vec![false; n]);
            let gpu_rows = emb
                .gather_with(&device, &ids, options, &mut gpu_out, &mut gpu_found)
                .unwrap();
            let cpu_rows = emb
                .gather_with(&CpuGather, &ids, options, &mut cpu_out, &mut cpu_found)
                .unwrap();
            assert_eq!(gpu_rows, cpu_rows);
            assert_eq!(gpu_found, cpu_found);
            assert!(
                gpu_found.iter().any(|f| !f) && gpu_found.iter().any(|f| *f),
                "{words} {dim} {options:?} {gpu_found:?}"
            );
            let bits = |v: &[f32]| {
                v[..gpu_rows * dim]
                    .iter()
                    .map(|x| x.to_bits())
                    .collect::<Vec<_>>()
            };
            // A gather copies values: exact equality is the only right tolerance.
            assert_eq!(
                bits(&gpu_out),
                bits(&cpu_out),
                "words {words} dim {dim} {options:?}"
            );
        }
    }
}

#[test]
fn gpu_lookup_refuses_other_embeddings() {
    let Some(ctx) = gpu() else { return };
    let device = GpuEmbeddings::new(ctx, &random_embeddings(10, 4)).unwrap();
    let other = random_embeddings(12, 4);
    let (mut out, mut found) = (vec![0.0; 8], vec![false; 2]);
    let error = other
        .gather_with(
            &device,
            &[0, 1],
            LookupOptions::new(Oov::Zeros),
            &mut out,
            &mut found,
        )
        .unwrap_err();
    assert!(error.to_string().contains("rows"), "{error}");
}
