//! The hierarchical-softmax form of the second training kernel against its CPU twin,
//! `train_batch_with` with a Huffman tree: one step on a random batch with one centre in
//! flight, alone and beside negative sampling, for the variants this adapter runs; and every
//! centre trained once with many in flight.

use crate::common;

use common::batches::random_batch;
use common::kernel_checks::{
    StepResult, assert_each_centre_once, assert_step_matches, v2_variants,
};
use common::{TestRng, Tolerance, gpu, max_error, serial, train_pass};
use vectrain::batch::Batch;
use vectrain::config::{GpuKernel, Model};
use vectrain::cpu::tables::PlainRows;
use vectrain::cpu::update::{Scratch, train_batch_with};
use vectrain::gpu::step::{StepOptions, TrainState};
use vectrain::huffman::{HuffmanTree, Ties};
use vectrain::rng;
use vectrain::sampling::NegativeSampler;
use vectrain::training::{Objective, UpdateShape};

/// Words in the test vocabulary: a tree of paths up to about 10 nodes.
const VOCAB: u32 = 40;

/// What one test step trains on.
struct Case {
    shape: UpdateShape,
    sampler: NegativeSampler,
    tree: HuffmanTree,
    /// The output row of inner node 0: after the words' rows with negatives, else 0.
    first_row: u32,
    batch: Batch,
    input: Vec<f32>,
    output: Vec<f32>,
    key: u32,
}

/// Counts whose Huffman tree is a chain: word `w`'s path has `min(w + 1, VOCAB - 1)` nodes,
/// longer than a workgroup has lanes.
fn fibonacci_counts() -> Vec<u64> {
    let mut counts = vec![1u64, 1];
    while counts.len() < VOCAB as usize {
        counts.push(counts[counts.len() - 1] + counts[counts.len() - 2]);
    }
    counts.reverse();
    counts
}

fn case(model: Model, dim: usize, negative: usize, seed: u64, tokens: usize) -> Case {
    let mut rng = TestRng(seed);
    let key = rng::epoch_key(3, 1);
    let (batch, counts) = random_batch(&mut rng, VOCAB, tokens, key);
    let shape = UpdateShape {
        model,
        dim,
        window: 3,
        negative,
    };
    let tree = HuffmanTree::new(&counts, Ties::Leaves);
    let first_row = if negative > 0 { VOCAB } else { 0 };
    let output_rows = first_row as usize + tree.inner_nodes();
    // Both tables random (not the zero output table of training), so every term counts.
    let input = (0..VOCAB as usize * dim)
        .map(|_| 0.5 * rng.signed_unit())
        .collect();
    let output = (0..output_rows * dim)
        .map(|_| 0.5 * rng.signed_unit())
        .collect();
    Case {
        shape,
        sampler: NegativeSampler::new(&counts, 0.75),
        tree,
        first_row,
        batch,
        input,
        output,
        key,
    }
}

/// The CPU twin's tables and loss after one pass over the case's batch.
fn cpu_step(case: &Case, alpha: f32) -> StepResult {
    let (mut input, mut output) = (case.input.clone(), case.output.clone());
    let dim = case.shape.dim;
    let objective = Objective {
        negatives: (case.shape.negative > 0).then_some(&case.sampler),
        tree: Some((&case.tree, case.first_row)),
    };
    let loss = train_batch_with(
        &case.shape,
        &mut PlainRows::new(&mut input, dim),
        &mut PlainRows::new(&mut output, dim),
        &objective,
        &case.batch,
        case.key,
        alpha,
        &mut Scratch::new(&case.shape),
    );
    (input, output, loss)
}

/// The GPU's tables and loss, and the state, after a pass with `in_flight` centres at once.
fn gpu_step(
    case: &Case,
    alpha: f32,
    in_flight: usize,
    options: StepOptions,
) -> (StepResult, TrainState) {
    let ctx = gpu().expect("checked by the caller");
    let state = TrainState::with_tree(
        ctx,
        &case.shape,
        &case.input,
        &case.output,
        &case.sampler,
        &case.tree,
        case.first_row,
        options,
    )
    .expect("state");
    let pass = train_pass(&state, &case.batch, alpha, in_flight, case.key);
    (pass, state)
}

/// One step with a single persistent workgroup against `train_batch_with`.
///
/// Tolerance: |x - y| <= 1e-6 max(1, |x|, |y|), the negative-sampling kernels'
/// (tests/gpu_training.rs). With one centre in flight the kernel makes the CPU's updates in
/// the CPU's order, so only rounding differs (the dot products' order of summation, fused
/// multiply-adds, `exp`), and each difference is carried through every later update of the
/// same row. Every update here passes the root, so its row takes every one of the step's
/// 300 to 940 updates, where a word's row takes a few. Measured on lavapipe over every
/// variant, model and size here: at most 3.0e-7 (values of order 0.1 to 1). A lost, repeated
/// or misrouted gradient, or a wrong label, moves a value by alpha g x, ~1e-3 to 1e-2.
fn one_step(model: Model, dim: usize, negative: usize, options: StepOptions) {
    one_case(&case(model, dim, negative, 7 + dim as u64, 400), options);
}

/// [`one_step`] on `case`.
fn one_case(case: &Case, options: StepOptions) {
    let alpha = 0.05;
    let (model, dim, negative) = (case.shape.model, case.shape.dim, case.shape.negative);
    assert!(
        case.batch.len() > 200,
        "batch of {} tokens",
        case.batch.len()
    );
    let (gpu, state) = gpu_step(case, alpha, 1, options);
    let cpu = cpu_step(case, alpha);
    let ((gpu_input, gpu_output, gpu_loss), (cpu_input, cpu_output, cpu_loss)) = (&gpu, &cpu);
    eprintln!(
        "{model:?} dim {dim} negative {negative} {options:?}: {} tokens, {} updates ({} on the \
         GPU), depth {}, {} lanes; max error input {:e}, output {:e}, loss {} vs {}",
        case.batch.len(),
        cpu_loss.examples,
        gpu_loss.examples,
        case.tree.depth(),
        state.plan().workgroup_size,
        max_error(gpu_input, cpu_input),
        max_error(gpu_output, cpu_output),
        gpu_loss.loss,
        cpu_loss.loss
    );
    // The step changed the tree's rows and, with negatives, the words' output rows (not a
    // vacuous comparison).
    let words = (case.first_row as usize) * dim;
    assert!(max_error(&cpu_output[words..], &case.output[words..]) > 1e-3);
    if negative > 0 {
        assert!(max_error(&cpu_output[..words], &case.output[..words]) > 1e-3);
    }
    assert!(max_error(cpu_input, &case.input) > 1e-3);
    let tolerance = Tolerance {
        rel: 1e-6,
        abs: 1e-6,
    };
    assert_step_matches(&gpu, &cpu, tolerance);
}

/// `one_step` for the variants this adapter runs ([`v2_variants`]): the trainer's defaults
/// and compare-exchange with the tree reduction at 64 lanes; without negatives also the other
/// reduction at a workgroup size GPUs get (lanes without a dimension at d = 3 and 100).
fn every_variant(model: Model, dim: usize, negative: usize) {
    let _serial = serial();
    if gpu().is_none() {
        return;
    }
    let gpu_size = if dim <= 3 { 32 } else { 256 };
    for options in v2_variants((negative == 0).then_some(gpu_size)) {
        one_step(model, dim, negative, options);
    }
}

#[test]
fn skipgram_hs_step_matches_cpu_dim_3() {
    every_variant(Model::SkipGram, 3, 0);
}

#[test]
fn skipgram_hs_step_matches_cpu_dim_100() {
    every_variant(Model::SkipGram, 100, 0);
    every_variant(Model::SkipGram, 100, 5);
}

#[test]
fn cbow_hs_step_matches_cpu_dim_3() {
    every_variant(Model::Cbow, 3, 0);
}

#[test]
fn cbow_hs_step_matches_cpu_dim_100() {
    every_variant(Model::Cbow, 100, 0);
    every_variant(Model::Cbow, 100, 5);
}

/// Paths of up to 39 nodes (a chain), more than the lanes that copy them: the copy's loop
/// runs several rounds, and at d = 100 with negatives the planner widens the workgroup so
/// the rows fit the lanes' private cells.
#[test]
fn deep_paths_match_cpu() {
    let _serial = serial();
    if gpu().is_none() {
        return;
    }
    for (model, negative) in [(Model::SkipGram, 0), (Model::Cbow, 5)] {
        let mut case = case(model, 100, negative, 5, 400);
        case.tree = HuffmanTree::new(&fibonacci_counts(), Ties::Leaves);
        assert_eq!(case.tree.depth(), VOCAB as usize - 1);
        let options = StepOptions {
            kernel: GpuKernel::V2,
            ..StepOptions::default()
        };
        one_case(&case, options);
    }
}

/// With many workgroups in flight (Hogwild), every centre is still trained exactly once.
#[test]
fn every_centre_is_trained_exactly_once_with_hs() {
    let _serial = serial();
    if gpu().is_none() {
        return;
    }
    for (model, negative) in [(Model::SkipGram, 0), (Model::Cbow, 2)] {
        let case = case(model, 20, negative, 11, 3000);
        let (_, _, cpu) = cpu_step(&case, 0.025);
        let what = format!("{model:?} negative {negative}");
        assert_each_centre_once(
            &what,
            case.batch.len(),
            cpu.examples,
            |in_flight, options| {
                let ((_, _, loss), state) = gpu_step(&case, 0.025, in_flight, options);
                (loss, state)
            },
        );
    }
}
