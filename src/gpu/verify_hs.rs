//! The hierarchical-softmax kernel's check for `vectrain verify`: one step with one centre in
//! flight against `train_batch_with` and a Huffman tree, alone (`--negative 0`).

use crate::config::Model;
use crate::cpu::tables::PlainRows;
use crate::cpu::update::{Scratch, train_batch_with};
use crate::error::Result;
use crate::gpu::GpuContext;
use crate::gpu::step::{StepOptions, TrainState};
use crate::gpu::verify_inputs::{Values, compare_tables, random_batch, train_in_cpu_order};
use crate::huffman::HuffmanTree;
use crate::rng;
use crate::sampling::NegativeSampler;
use crate::training::{Objective, UpdateShape};

/// Tolerance of the check: the word kernels' (`STEP_TOLERANCE` in verify.rs). Every update
/// passes the root, so its row takes a few hundred updates in one step, as the busiest rows
/// of the word kernels' check do (tests/gpu_hs.rs measured 3e-7 on lavapipe).
const HS_TOLERANCE: (f32, f32) = (1e-5, 1e-6);

/// One step of hierarchical softmax alone (`options` choose the kernel's variant) with one
/// workgroup, against its CPU twin: whether every value matches, and the largest difference.
pub(super) fn check_hs_step(
    ctx: &GpuContext,
    model: Model,
    dim: usize,
    options: StepOptions,
) -> Result<(bool, f32)> {
    let mut values = Values::new(7 + dim as u32);
    let vocab = 40u32;
    let key = rng::epoch_key(3, 1);
    let (batch, counts) = random_batch(&mut values, vocab, key);
    let shape = UpdateShape {
        model,
        dim,
        window: 3,
        negative: 0,
    };
    let sampler = NegativeSampler::new(&counts, 0.75);
    let tree = HuffmanTree::new(&counts, crate::huffman::Ties::Leaves);
    let input: Vec<f32> = (0..vocab as usize * dim)
        .map(|_| values.signed(0.5))
        .collect();
    let output: Vec<f32> = (0..tree.inner_nodes() * dim)
        .map(|_| values.signed(0.5))
        .collect();
    let alpha = 0.05;

    let state = TrainState::with_tree(ctx, &shape, &input, &output, &sampler, &tree, 0, options)?;
    let gpu = train_in_cpu_order(ctx, &state, &batch, alpha, key)?;

    let (mut cpu_input, mut cpu_output) = (input, output);
    let objective = Objective {
        negatives: None,
        tree: Some((&tree, 0)),
    };
    train_batch_with(
        &shape,
        &mut PlainRows::new(&mut cpu_input, dim),
        &mut PlainRows::new(&mut cpu_output, dim),
        &objective,
        &batch,
        key,
        alpha,
        &mut Scratch::new(&shape),
    );
    Ok(compare_tables(
        &gpu,
        (&cpu_input, &cpu_output),
        HS_TOLERANCE,
    ))
}
