//! The second training kernel with subwords and hierarchical softmax together (fastText's
//! `-loss hs`) against its CPU twin, `train_batch_subwords` with a Huffman tree: one step on
//! a random batch with one centre in flight, with and without negatives, for the variants
//! this adapter runs; and every centre trained once with many in flight.

use crate::common;
use crate::gpu_subwords::random_index;

use common::batches::random_batch;
use common::{TestRng, Tolerance, assert_close, gpu, max_error, serial, train_pass};
use vectrain::batch::Batch;
use vectrain::config::{GpuKernel, Model};
use vectrain::cpu::subword_update::{SubwordBatch, train_batch_subwords};
use vectrain::cpu::tables::PlainRows;
use vectrain::cpu::update::Scratch;
use vectrain::gpu::Atomics;
use vectrain::gpu::step::{Reduction, StepOptions, TrainState};
use vectrain::huffman::HuffmanTree;
use vectrain::rng;
use vectrain::sampling::NegativeSampler;
use vectrain::subwords::SubwordIndex;
use vectrain::training::{LossSum, Objective, UpdateShape};

/// Words in the test vocabulary (`random_index` makes this many).
const VOCAB: u32 = 40;

/// What one test step trains on.
struct Case {
    shape: UpdateShape,
    index: SubwordIndex,
    sampler: NegativeSampler,
    tree: HuffmanTree,
    /// The output row of inner node 0: after the words' rows with negatives, else 0.
    first_row: u32,
    batch: Batch,
    input: Vec<f32>,
    output: Vec<f32>,
    key: u32,
}

/// A random batch over words with random n-grams hashed into `bucket` rows, and random
/// tables of the shapes a run of `negative` negatives has.
fn case(model: Model, dim: usize, negative: usize, seed: u64, tokens: usize, bucket: u32) -> Case {
    let mut rng = TestRng(seed);
    let index = random_index(&mut rng, bucket);
    assert_eq!(index.vocab_size(), VOCAB as usize);
    let key = rng::epoch_key(3, 1);
    let (batch, counts) = random_batch(&mut rng, VOCAB, tokens, key);
    let shape = UpdateShape {
        model,
        dim,
        window: 3,
        negative,
    };
    let tree = HuffmanTree::new(&counts);
    let first_row = if negative > 0 { VOCAB } else { 0 };
    let output_rows = first_row as usize + tree.inner_nodes();
    // Both tables random (not the zero output table of training), so every term counts.
    let input = (0..index.table_rows() * dim)
        .map(|_| 0.5 * rng.signed_unit())
        .collect();
    let output = (0..output_rows * dim)
        .map(|_| 0.5 * rng.signed_unit())
        .collect();
    Case {
        shape,
        index,
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
fn cpu_step(case: &Case, alpha: f32) -> (Vec<f32>, Vec<f32>, LossSum) {
    let (mut input, mut output) = (case.input.clone(), case.output.clone());
    let dim = case.shape.dim;
    let work = SubwordBatch {
        shape: &case.shape,
        index: &case.index,
        objective: Objective {
            negatives: (case.shape.negative > 0).then_some(&case.sampler),
            tree: Some((&case.tree, case.first_row)),
        },
        batch: &case.batch,
        key: case.key,
        alpha,
    };
    let loss = train_batch_subwords(
        &work,
        &mut PlainRows::new(&mut input, dim),
        &mut PlainRows::new(&mut output, dim),
        &mut Scratch::new(&case.shape),
        &mut Vec::new(),
    );
    (input, output, loss)
}

/// The GPU's tables, loss and the state after a pass with `in_flight` centres at once.
fn gpu_step(
    case: &Case,
    alpha: f32,
    in_flight: usize,
    options: StepOptions,
) -> (Vec<f32>, Vec<f32>, LossSum, TrainState) {
    let ctx = gpu().expect("checked by the caller");
    let state = TrainState::with_subwords_and_tree(
        ctx,
        &case.shape,
        &case.input,
        &case.output,
        &case.sampler,
        &case.index,
        &case.tree,
        case.first_row,
        options,
    )
    .expect("state");
    let (input, output, loss) = train_pass(&state, &case.batch, alpha, in_flight, case.key);
    (input, output, loss, state)
}

/// One step with a single persistent workgroup against `train_batch_subwords`.
///
/// Tolerance: |x - y| <= 1e-5 max(1, |x|, |y|), the subword kernel's (tests/gpu_subwords.rs,
/// which says why it is ten times the word kernels'): with one centre in flight the kernel
/// makes the CPU's updates in the CPU's order, so only rounding differs, and it is carried
/// through every later update of a shared row: a bucket row (29 buckets for 40 words) and the
/// tree's root take hundreds of updates in one step. A lost, repeated or misrouted gradient,
/// or a wrong label, moves a value by alpha g x, ~1e-3 to 1e-2.
fn one_step(model: Model, dim: usize, negative: usize, options: StepOptions) {
    let alpha = 0.05;
    let case = case(model, dim, negative, 7 + dim as u64, 400, 29);
    assert!(
        case.batch.len() > 200,
        "batch of {} tokens",
        case.batch.len()
    );
    let (gpu_input, gpu_output, gpu_loss, state) = gpu_step(&case, alpha, 1, options);
    let (cpu_input, cpu_output, cpu_loss) = cpu_step(&case, alpha);
    eprintln!(
        "{model:?} dim {dim} negative {negative} {options:?}: {} tokens, {} updates ({} on the \
         GPU), {} input rows, depth {}, {} lanes; max error input {:e} (largest |value| {}), \
         output {:e}, loss {} vs {}",
        case.batch.len(),
        cpu_loss.examples,
        gpu_loss.examples,
        case.index.table_rows(),
        case.tree.depth(),
        state.plan().workgroup_size,
        max_error(&gpu_input, &cpu_input),
        cpu_input.iter().fold(0.0f32, |m, x| m.max(x.abs())),
        max_error(&gpu_output, &cpu_output),
        gpu_loss.loss,
        cpu_loss.loss
    );
    // The step changed the bucket rows and the tree's rows and, with negatives, the words'
    // output rows (not a vacuous comparison).
    let input_words = VOCAB as usize * dim;
    assert!(max_error(&cpu_input[input_words..], &case.input[input_words..]) > 1e-3);
    let output_words = case.first_row as usize * dim;
    assert!(max_error(&cpu_output[output_words..], &case.output[output_words..]) > 1e-3);
    if negative > 0 {
        assert!(max_error(&cpu_output[..output_words], &case.output[..output_words]) > 1e-3);
    }
    let tolerance = Tolerance {
        rel: 1e-5,
        abs: 1e-5,
    };
    assert_close("input table", &gpu_input, &cpu_input, tolerance);
    assert_close("output table", &gpu_output, &cpu_output, tolerance);
    assert_eq!(gpu_loss.examples, cpu_loss.examples, "number of updates");
    assert!(
        (gpu_loss.loss - cpu_loss.loss).abs() <= 1e-5 * cpu_loss.loss.abs(),
        "loss {} on the GPU, {} on the CPU",
        gpu_loss.loss,
        cpu_loss.loss
    );
}

/// `one_step` for the variants this adapter runs, as tests/gpu_hs.rs picks them: the
/// trainer's defaults here (float atomics and subgroups where the device has them, 8 lanes on
/// a CPU adapter), and compare-exchange atomics with the tree reduction at 64 lanes; without
/// negatives, also the other reduction at a workgroup size GPUs get.
fn every_variant(model: Model, dim: usize, negative: usize) {
    let _serial = serial();
    let Some(ctx) = gpu() else { return };
    let native = if ctx.float_atomics {
        Atomics::NativeFloat
    } else {
        Atomics::CompareExchange
    };
    let (first, other) = if ctx.subgroups {
        (Reduction::Subgroup, Reduction::Tree)
    } else {
        (Reduction::Tree, Reduction::Tree)
    };
    // Lanes without a dimension at d = 3 and 100.
    let gpu_size = if dim <= 3 { 32 } else { 256 };
    let mut variants = vec![
        (native, first, None),
        (Atomics::CompareExchange, Reduction::Tree, Some(64)),
    ];
    if negative == 0 {
        variants.push((native, other, Some(gpu_size)));
    }
    for (atomics, reduction, workgroup_size) in variants {
        let options = StepOptions {
            kernel: GpuKernel::V2,
            atomics,
            reduction,
            workgroup_size,
            ..StepOptions::default()
        };
        one_step(model, dim, negative, options);
    }
}

#[test]
fn skipgram_subwords_hs_step_matches_cpu_dim_3() {
    every_variant(Model::SkipGram, 3, 0);
}

#[test]
fn skipgram_subwords_hs_step_matches_cpu_dim_100() {
    every_variant(Model::SkipGram, 100, 0);
    every_variant(Model::SkipGram, 100, 5);
}

#[test]
fn cbow_subwords_hs_step_matches_cpu_dim_3() {
    every_variant(Model::Cbow, 3, 0);
}

#[test]
fn cbow_subwords_hs_step_matches_cpu_dim_100() {
    every_variant(Model::Cbow, 100, 0);
    every_variant(Model::Cbow, 100, 5);
}

/// With many workgroups in flight (Hogwild), every centre is still trained exactly once,
/// counted on the device, and the number of updates is the CPU's, for shares of 1 and the
/// planner's, and more workgroups than centres.
#[test]
fn every_centre_is_trained_exactly_once_with_subwords_and_hs() {
    let _serial = serial();
    if gpu().is_none() {
        return;
    }
    for (model, negative) in [(Model::SkipGram, 0), (Model::Cbow, 2)] {
        let case = case(model, 20, negative, 11, 3000, 97);
        let (_, _, cpu) = cpu_step(&case, 0.025);
        for (in_flight, share) in [(7, None), (64, Some(1)), (5000, None)] {
            let options = StepOptions {
                kernel: GpuKernel::V2,
                share,
                count_visits: Some(case.batch.len() as u32),
                ..StepOptions::default()
            };
            let (_, _, loss, state) = gpu_step(&case, 0.025, in_flight, options);
            let what = format!("{model:?} {in_flight} in flight, share {share:?}");
            assert_eq!(loss.examples, cpu.examples, "{what}: updates");
            let visits = state.read_visits(gpu().unwrap()).expect("visits");
            if let Some(i) = (0..case.batch.len()).find(|&i| visits[i] != 1) {
                panic!("{what}: centre {i} trained {} times", visits[i]);
            }
        }
    }
}
