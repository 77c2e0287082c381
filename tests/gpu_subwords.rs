//! The subword (fastText) training kernel against its CPU twin, `train_batch_subwords`: one
//! step on a random batch with one centre in flight, for every variant this adapter runs;
//! every centre trained once with many in flight; and the shapes it refuses. The cases and
//! steps here serve tests/gpu_subwords_hs.rs too, with a Huffman tree.

use crate::common;

use common::batches::random_batch;
use common::kernel_checks::{
    StepResult, assert_each_centre_once, assert_step_matches, v2_variants,
};
use common::{TestRng, Tolerance, gpu, max_error, serial, train_pass};
use vectrain::config::{GpuKernel, Model};
use vectrain::cpu::subword_update::{SubwordBatch, train_batch_subwords};
use vectrain::cpu::tables::PlainRows;
use vectrain::cpu::update::Scratch;
use vectrain::gpu::step::{StepOptions, TrainState};
use vectrain::huffman::{HuffmanTree, Ties};
use vectrain::rng;
use vectrain::sampling::NegativeSampler;
use vectrain::subwords::{SubwordIndex, SubwordSettings};
use vectrain::training::{Objective, UpdateShape};

/// Words in the test vocabulary.
pub(crate) const VOCAB: u32 = 40;

/// `VOCAB` random words of 1 to 12 characters over a small alphabet with a two-byte letter,
/// so n-gram lengths count characters, not bytes, and n-grams repeat across words, with
/// their n-grams hashed into `bucket` rows: so few that rows repeat within a word's list
/// and across the words of a window (the atomics' hard case).
fn random_index(rng: &mut TestRng, bucket: u32) -> SubwordIndex {
    let letters = ['a', 'b', 'c', 'é', 'n', 's'];
    let words: Vec<String> = (0..VOCAB)
        .map(|i| {
            let len = 1 + rng.below(12) as usize;
            let word: String = (0..len)
                .map(|_| letters[rng.below(letters.len() as u32) as usize])
                .collect();
            // Distinct words: the index makes every word's own row its id.
            format!("{word}{i}")
        })
        .collect();
    let settings = SubwordSettings {
        minn: 3,
        maxn: 6,
        bucket,
    };
    SubwordIndex::new(&words, settings).expect("index")
}

/// What one test step trains on.
pub(crate) struct Case {
    pub(crate) shape: UpdateShape,
    pub(crate) index: SubwordIndex,
    sampler: NegativeSampler,
    /// With hierarchical softmax: the tree over the batch's counts, and the output row of its
    /// inner node 0 (after the words' rows with negatives, else 0).
    pub(crate) tree: Option<(HuffmanTree, u32)>,
    pub(crate) batch: vectrain::batch::Batch,
    pub(crate) input: Vec<f32>,
    pub(crate) output: Vec<f32>,
    key: u32,
}

/// A random batch over words with random n-grams hashed into `bucket` rows, trained with 5
/// negatives.
fn case(model: Model, dim: usize, seed: u64, tokens: usize, bucket: u32) -> Case {
    case_of(model, dim, 5, false, seed, tokens, bucket)
}

/// [`case`] with `negative` negatives and, where `hs`, a Huffman tree, the tables shaped to
/// match.
pub(crate) fn case_of(
    model: Model,
    dim: usize,
    negative: usize,
    hs: bool,
    seed: u64,
    tokens: usize,
    bucket: u32,
) -> Case {
    let mut rng = TestRng(seed);
    let index = random_index(&mut rng, bucket);
    let key = rng::epoch_key(3, 1);
    let (batch, counts) = random_batch(&mut rng, VOCAB, tokens, key);
    let shape = UpdateShape {
        model,
        dim,
        window: 3,
        negative,
    };
    let word_rows = if negative > 0 { VOCAB } else { 0 };
    let tree = hs.then(|| (HuffmanTree::new(&counts, Ties::Nodes), word_rows));
    let output_rows = word_rows as usize + tree.as_ref().map_or(0, |(tree, _)| tree.inner_nodes());
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
        batch,
        input,
        output,
        key,
    }
}

/// The CPU twin's tables and loss after one pass over the case's batch.
pub(crate) fn cpu_step(case: &Case, alpha: f32) -> StepResult {
    let (mut input, mut output) = (case.input.clone(), case.output.clone());
    let dim = case.shape.dim;
    let work = SubwordBatch {
        shape: &case.shape,
        index: &case.index,
        objective: Objective {
            negatives: (case.shape.negative > 0).then_some(&case.sampler),
            tree: case.tree.as_ref().map(|(tree, first)| (tree, *first)),
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

/// The GPU's tables and loss, and the state, after a pass with `in_flight` centres at once.
pub(crate) fn gpu_step(
    case: &Case,
    alpha: f32,
    in_flight: usize,
    options: StepOptions,
) -> (StepResult, TrainState) {
    let ctx = gpu().expect("checked by the caller");
    let (shape, input, output, sampler) = (&case.shape, &case.input, &case.output, &case.sampler);
    let state = match &case.tree {
        Some((tree, first_row)) => TrainState::with_subwords_and_tree(
            ctx,
            shape,
            input,
            output,
            sampler,
            &case.index,
            tree,
            *first_row,
            options,
        ),
        None => TrainState::with_subwords(ctx, shape, input, output, sampler, &case.index, options),
    }
    .expect("state");
    let pass = train_pass(&state, &case.batch, alpha, in_flight, case.key);
    (pass, state)
}

/// Every centre of `case` trained exactly once with many workgroups in flight
/// ([`assert_each_centre_once`]).
pub(crate) fn each_centre_once(case: &Case) {
    let (_, _, cpu) = cpu_step(case, 0.025);
    let what = format!("{:?} negative {}", case.shape.model, case.shape.negative);
    assert_each_centre_once(
        &what,
        case.batch.len(),
        cpu.examples,
        |in_flight, options| {
            let ((_, _, loss), state) = gpu_step(case, 0.025, in_flight, options);
            (loss, state)
        },
    );
}

/// One step with a single persistent workgroup against `train_batch_subwords`.
///
/// Tolerance: |x - y| <= 1e-5 max(1, |x|, |y|), ten times the word kernels'
/// (tests/gpu_training.rs). With one centre in flight the kernel makes the CPU's updates in
/// the CPU's order and sums each word's rows in the CPU's order, so only rounding differs:
/// the dot products' order of summation, fused multiply-adds and `exp`. Those differences are
/// carried through every later update of the same row, and here a bucket row is shared by
/// the n-grams of many words (29 buckets for 40 words): it takes about 200 updates in one
/// step, where a word's row takes a few (with a tree, the root takes every update). Measured
/// on lavapipe over every variant, model and size: at most 3.7e-6 in the input table (values
/// up to 4.5) and 3e-7 in the output table; with a tree 4.8e-6 and 4.5e-7. A lost, repeated
/// or misrouted gradient, or a wrong label, moves a value by alpha g x, ~1e-3 to 1e-2.
fn one_step(model: Model, dim: usize, options: StepOptions) {
    one_case(&case(model, dim, 7 + dim as u64, 400, 29), options);
}

/// [`one_step`] on `case`.
pub(crate) fn one_case(case: &Case, options: StepOptions) {
    let alpha = 0.05;
    let (model, dim) = (case.shape.model, case.shape.dim);
    assert!(
        case.batch.len() > 200,
        "batch of {} tokens",
        case.batch.len()
    );
    let (gpu, state) = gpu_step(case, alpha, 1, options);
    let cpu = cpu_step(case, alpha);
    eprintln!(
        "{model:?} dim {dim} negative {} tree {} {options:?}: {} tokens, {} updates ({} on the \
         GPU), {} table rows, {} lanes; max error input {:e} (largest |value| {}), output {:e}, \
         loss {} vs {}",
        case.shape.negative,
        case.tree.is_some(),
        case.batch.len(),
        cpu.2.examples,
        gpu.2.examples,
        case.index.table_rows(),
        state.plan().workgroup_size,
        max_error(&gpu.0, &cpu.0),
        cpu.0.iter().fold(0.0f32, |m, x| m.max(x.abs())),
        max_error(&gpu.1, &cpu.1),
        gpu.2.loss,
        cpu.2.loss
    );
    // The step changed the bucket rows as well as the words', the tree's rows and, with
    // negatives, the words' output rows (not a vacuous comparison).
    let words = VOCAB as usize * dim;
    assert!(max_error(&cpu.0[words..], &case.input[words..]) > 1e-3);
    let first_tree_row = case.tree.as_ref().map_or(VOCAB, |(_, first)| *first) as usize;
    let (word_rows, tree_rows) = cpu.1.split_at(first_tree_row * dim);
    let (given_words, given_tree) = case.output.split_at(first_tree_row * dim);
    if case.shape.negative > 0 {
        assert!(max_error(word_rows, given_words) > 1e-3);
    }
    if case.tree.is_some() {
        assert!(max_error(tree_rows, given_tree) > 1e-3);
    }
    let tolerance = Tolerance {
        rel: 1e-5,
        abs: 1e-5,
    };
    assert_step_matches(&gpu, &cpu, tolerance);
}

/// `one_step` for the variants of the subword kernel this adapter runs, three per shape to
/// keep the test command short: the trainer's defaults here, compare-exchange atomics with
/// the tree reduction at 64 lanes, and the other reduction at a workgroup size GPUs get
/// ([`v2_variants`]). Each reduction, each atomics variant and both kinds of workgroup size
/// are covered at every dimension.
fn every_variant(model: Model, dim: usize) {
    let _serial = serial();
    if gpu().is_none() {
        return;
    }
    // Lanes without a dimension at d = 1, 3 and 100; several dimensions a lane at d = 300.
    let gpu_size = match dim {
        0..=3 => 32,
        4..=200 => 256,
        _ => 128,
    };
    for options in v2_variants(Some(gpu_size)) {
        one_step(model, dim, options);
    }
}

#[test]
fn skipgram_subword_step_matches_cpu_dims_1_and_3() {
    every_variant(Model::SkipGram, 1);
    every_variant(Model::SkipGram, 3);
}

#[test]
fn skipgram_subword_step_matches_cpu_dim_100() {
    every_variant(Model::SkipGram, 100);
}

#[test]
fn skipgram_subword_step_matches_cpu_dim_300() {
    every_variant(Model::SkipGram, 300);
}

#[test]
fn cbow_subword_step_matches_cpu_dims_1_and_3() {
    every_variant(Model::Cbow, 1);
    every_variant(Model::Cbow, 3);
}

#[test]
fn cbow_subword_step_matches_cpu_dim_100() {
    every_variant(Model::Cbow, 100);
}

#[test]
fn cbow_subword_step_matches_cpu_dim_300() {
    every_variant(Model::Cbow, 300);
}

/// With many workgroups in flight (Hogwild), every centre is still trained exactly once.
#[test]
fn every_centre_is_trained_exactly_once_with_subwords() {
    let _serial = serial();
    if gpu().is_none() {
        return;
    }
    for model in [Model::SkipGram, Model::Cbow] {
        each_centre_once(&case(model, 20, 11, 3000, 97));
    }
}

/// The first kernel and batch skip-gram have no subword form: refused by name, before any
/// work.
#[test]
fn shapes_without_a_subword_form_are_refused() {
    let _serial = serial();
    if gpu().is_none() {
        return;
    }
    let v1 = case(Model::SkipGram, 4, 3, 100, 29);
    let error = TrainState::with_subwords(
        gpu().unwrap(),
        &v1.shape,
        &v1.input,
        &v1.output,
        &v1.sampler,
        &v1.index,
        StepOptions::default(),
    )
    .err()
    .expect("v1 refused");
    assert!(
        error.to_string().contains("v1 kernel has no subword form"),
        "{error}"
    );
    let batch = case(Model::BatchSkipGram, 4, 3, 100, 29);
    let options = StepOptions {
        kernel: GpuKernel::V2,
        ..StepOptions::default()
    };
    let error = TrainState::with_subwords(
        gpu().unwrap(),
        &batch.shape,
        &batch.input,
        &batch.output,
        &batch.sampler,
        &batch.index,
        options,
    )
    .err()
    .expect("batch skip-gram refused");
    assert!(error.to_string().contains("batch skip-gram"), "{error}");
}
