//! The subword (fastText) training kernel against its CPU twin, `train_batch_subwords`: one
//! step on a random batch with one centre in flight, for every variant this adapter runs;
//! every centre trained once with many in flight; and the shapes it refuses.

use crate::common;

use common::batches::random_batch;
use common::{TestRng, Tolerance, assert_close, gpu, max_error, serial, train_pass};
use vectrain::config::{GpuKernel, Model};
use vectrain::cpu::subword_update::{SubwordBatch, train_batch_subwords};
use vectrain::cpu::tables::PlainRows;
use vectrain::cpu::update::Scratch;
use vectrain::gpu::Atomics;
use vectrain::gpu::step::{Reduction, StepOptions, TrainState};
use vectrain::rng;
use vectrain::sampling::NegativeSampler;
use vectrain::subwords::{SubwordIndex, SubwordSettings};
use vectrain::training::{LossSum, Objective, UpdateShape};

/// Words in the test vocabulary.
const VOCAB: u32 = 40;

/// `VOCAB` random words of 1 to 12 characters over a small alphabet with a two-byte letter,
/// so n-gram lengths count characters, not bytes, and n-grams repeat across words, with
/// their n-grams hashed into `bucket` rows: so few that rows repeat within a word's list
/// and across the words of a window (the atomics' hard case).
pub(crate) fn random_index(rng: &mut TestRng, bucket: u32) -> SubwordIndex {
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
struct Case {
    shape: UpdateShape,
    index: SubwordIndex,
    sampler: NegativeSampler,
    batch: vectrain::batch::Batch,
    input: Vec<f32>,
    output: Vec<f32>,
    key: u32,
}

fn case(model: Model, dim: usize, seed: u64, tokens: usize, bucket: u32) -> Case {
    let mut rng = TestRng(seed);
    let index = random_index(&mut rng, bucket);
    let key = rng::epoch_key(3, 1);
    let (batch, counts) = random_batch(&mut rng, VOCAB, tokens, key);
    let shape = UpdateShape {
        model,
        dim,
        window: 3,
        negative: 5,
    };
    // Both tables random (not the zero output table of training), so every term counts.
    let input = (0..index.table_rows() * dim)
        .map(|_| 0.5 * rng.signed_unit())
        .collect();
    let output = (0..VOCAB as usize * dim)
        .map(|_| 0.5 * rng.signed_unit())
        .collect();
    Case {
        shape,
        index,
        sampler: NegativeSampler::new(&counts, 0.75),
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
        objective: Objective::negative_sampling(&case.sampler),
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
    let state = TrainState::with_subwords(
        ctx,
        &case.shape,
        &case.input,
        &case.output,
        &case.sampler,
        &case.index,
        options,
    )
    .expect("state");
    let (input, output, loss) = train_pass(&state, &case.batch, alpha, in_flight, case.key);
    (input, output, loss, state)
}

/// One step with a single persistent workgroup against `train_batch_subwords`.
///
/// Tolerance: |x - y| <= 1e-5 max(1, |x|, |y|), ten times the word kernels'
/// (tests/gpu_training.rs). With one centre in flight the kernel makes the CPU's updates in
/// the CPU's order and sums each word's rows in the CPU's order, so only rounding differs:
/// the dot products' order of summation, fused multiply-adds and `exp`. Those differences are
/// carried through every later update of the same row, and here a bucket row is shared by
/// the n-grams of many words (29 buckets for 40 words): it takes about 200 updates in one
/// step, where a word's row takes a few. Measured on lavapipe over every variant, model and
/// size: at most 3.7e-6 in the input table (values up to 4.5) and 3e-7 in the output table. A
/// lost, repeated or misrouted gradient moves a value by alpha g x, ~1e-3 to 1e-2.
fn one_step(model: Model, dim: usize, options: StepOptions) {
    let alpha = 0.05;
    let case = case(model, dim, 7 + dim as u64, 400, 29);
    assert!(
        case.batch.len() > 200,
        "batch of {} tokens",
        case.batch.len()
    );
    let (gpu_input, gpu_output, gpu_loss, _) = gpu_step(&case, alpha, 1, options);
    let (cpu_input, cpu_output, cpu_loss) = cpu_step(&case, alpha);
    eprintln!(
        "{model:?} dim {dim} {options:?}: {} tokens, {} updates ({} on the GPU), {} table rows; \
         max error input {:e} (largest |value| {}), output {:e}, loss {} vs {}",
        case.batch.len(),
        cpu_loss.examples,
        gpu_loss.examples,
        case.index.table_rows(),
        max_error(&gpu_input, &cpu_input),
        cpu_input.iter().fold(0.0f32, |m, x| m.max(x.abs())),
        max_error(&gpu_output, &cpu_output),
        gpu_loss.loss,
        cpu_loss.loss
    );
    // The step changed the bucket rows as well as the words' (not a vacuous comparison).
    let words = VOCAB as usize * dim;
    assert!(max_error(&cpu_input[words..], &case.input[words..]) > 1e-3);
    assert!(max_error(&cpu_output, &case.output) > 1e-3);
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

/// `one_step` for the variants of the subword kernel this adapter runs, three per shape to
/// keep the test command short: the trainer's defaults here (float atomics where the device
/// has them, subgroups where it has them, 8 lanes on a CPU adapter); the other reduction at a
/// workgroup size GPUs get; and compare-exchange atomics with the tree at 64 lanes. Each
/// reduction, each atomics variant and both kinds of workgroup size are covered at every
/// dimension.
fn every_variant(model: Model, dim: usize) {
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
    // Lanes without a dimension at d = 1, 3 and 100; several dimensions a lane at d = 300.
    let gpu_size = match dim {
        0..=3 => 32,
        4..=200 => 256,
        _ => 128,
    };
    let variants = [
        (native, first, None),
        (native, other, Some(gpu_size)),
        (Atomics::CompareExchange, Reduction::Tree, Some(64)),
    ];
    for (atomics, reduction, workgroup_size) in variants {
        one_step(
            model,
            dim,
            StepOptions {
                kernel: GpuKernel::V2,
                atomics,
                reduction,
                workgroup_size,
                ..StepOptions::default()
            },
        );
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

/// With many workgroups in flight (Hogwild), every centre is still trained exactly once,
/// counted on the device, and the number of updates is the CPU's, for shares of 1 and the
/// planner's, and more workgroups than centres.
#[test]
fn every_centre_is_trained_exactly_once_with_subwords() {
    let _serial = serial();
    if gpu().is_none() {
        return;
    }
    for model in [Model::SkipGram, Model::Cbow] {
        let case = case(model, 20, 11, 3000, 97);
        let (_, _, cpu) = cpu_step(&case, 0.025);
        for (in_flight, share) in [(7, None), (64, Some(1)), (5000, None)] {
            let options = StepOptions {
                kernel: GpuKernel::V2,
                share,
                count_visits: Some(case.batch.len() as u32),
                ..StepOptions::default()
            };
            let (_, _, loss, state) = gpu_step(&case, 0.025, in_flight, options);
            let what = format!("{model:?} {in_flight} in flight, share {:?}", share);
            assert_eq!(loss.examples, cpu.examples, "{what}: updates");
            let visits = state.read_visits(gpu().unwrap()).expect("visits");
            if let Some(i) = (0..case.batch.len()).find(|&i| visits[i] != 1) {
                panic!("{what}: centre {i} trained {} times", visits[i]);
            }
        }
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
