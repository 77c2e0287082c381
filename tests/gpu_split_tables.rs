//! Tables split across several storage buffers (`shaders/tables_split.wgsl`): a device opened
//! with a lowered `max_storage_buffer_binding_size` splits small tables into at least three
//! buffers, and with one centre in flight its run equals the unsplit run bit for bit.

use crate::common;

use common::batches::random_batch;
use common::{TestRng, gpu, serial};
use vectrain::config::{GpuKernel, Model};
use vectrain::gpu::step::{Reduction, StepOptions, TrainState};
use vectrain::gpu::{Atomics, GpuContext, GpuOptions};
use vectrain::rng;
use vectrain::sampling::NegativeSampler;
use vectrain::subwords::{SubwordIndex, SubwordSettings};
use vectrain::training::UpdateShape;

/// The lowered binding: 40 KiB holds the loss and counter buffer (36 KiB) and 34 rows of
/// d = 300, so 100 words make three parts a table.
const LOWERED: u64 = 40 * 1024;
const VOCAB: u32 = 100;
const DIM: usize = 300;

/// The device again, opened with its storage bindings lowered to [`LOWERED`] bytes.
fn lowered() -> GpuContext {
    GpuContext::new(&GpuOptions {
        binding_limit: Some(LOWERED),
        ..GpuOptions::default()
    })
    .expect("the adapter opens with a lowered binding limit")
}

/// Trains one batch with one centre in flight on `ctx`: the tables afterwards and the parts
/// each table was split into.
fn one_step(
    ctx: &GpuContext,
    model: Model,
    subwords: Option<&SubwordIndex>,
    options: StepOptions,
) -> ((Vec<f32>, Vec<f32>), (usize, usize)) {
    one_step_on(ctx, model, subwords, options, Upload::Fresh)
}

/// How a state gets its tables.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Upload {
    /// Built from them.
    Fresh,
    /// Built from zeros, then the tables written in place (`TrainState::write_tables`).
    WrittenInPlace,
}

/// [`one_step`], the tables uploaded as `upload` says.
fn one_step_on(
    ctx: &GpuContext,
    model: Model,
    subwords: Option<&SubwordIndex>,
    options: StepOptions,
    upload: Upload,
) -> ((Vec<f32>, Vec<f32>), (usize, usize)) {
    let mut rng = TestRng(21);
    let key = rng::epoch_key(4, 2);
    let (batch, counts) = random_batch(&mut rng, VOCAB, 300, key);
    let shape = UpdateShape {
        model,
        dim: DIM,
        window: 3,
        negative: 5,
    };
    let sampler = NegativeSampler::new(&counts, 0.75);
    let input_rows = subwords.map_or(VOCAB as usize, |index| index.table_rows());
    let input: Vec<f32> = (0..input_rows * DIM)
        .map(|_| 0.5 * rng.signed_unit())
        .collect();
    let output: Vec<f32> = (0..VOCAB as usize * DIM)
        .map(|_| 0.5 * rng.signed_unit())
        .collect();
    let (zero_input, zero_output) = (vec![0.0; input.len()], vec![0.0; output.len()]);
    let (first_input, first_output) = match upload {
        Upload::Fresh => (&input, &output),
        Upload::WrittenInPlace => (&zero_input, &zero_output),
    };
    let state = match subwords {
        Some(index) => TrainState::with_subwords(
            ctx,
            &shape,
            first_input,
            first_output,
            &sampler,
            index,
            options,
        ),
        None => TrainState::with_options(ctx, &shape, first_input, first_output, &sampler, options),
    }
    .expect("state");
    if upload == Upload::WrittenInPlace {
        state.write_tables(ctx, &input, &output).expect("written");
    }
    let mut device = state.batch_buffers(ctx, batch.len()).expect("buffers");
    state.upload(ctx, &mut device, &batch).expect("upload");
    let steps = state.split(batch.len(), 1, 0.05, key);
    state.run(ctx, &device, &steps).expect("run");
    let tables = state.read_tables(ctx).expect("tables");
    assert!(
        tables.0 != input && tables.1 != output,
        "the step changed the tables"
    );
    (tables, state.table_parts())
}

/// Skip-gram on word vectors and CBOW on subwords, compare-exchange with the tree and the
/// adapter's own atomics and reduction: at least three parts a table, and the same bits as
/// the unsplit tables (the split kernels do the same arithmetic, only addressed by part).
#[test]
fn split_tables_train_bit_for_bit_like_whole_ones() {
    let _serial = serial();
    let Some(whole) = gpu() else { return };
    let split = lowered();
    assert_eq!(split.limits.max_storage_buffer_binding_size, LOWERED);
    let words: Vec<String> = (0..VOCAB).map(|i| format!("w{i}ord{}", i % 7)).collect();
    let settings = SubwordSettings {
        minn: 3,
        maxn: 5,
        bucket: 150,
    };
    let index = SubwordIndex::new(&words, settings).expect("index");
    // Both split files (compare-exchange and, where the device has them, float atomics) and
    // both reductions.
    let mut variants = vec![(Atomics::CompareExchange, Reduction::Tree)];
    if whole.float_atomics || whole.subgroups {
        variants.push((Atomics::Auto, Reduction::Auto));
    }
    // The split addresses cells the same way for every model: skip-gram on words and CBOW
    // on subwords cover both tables' splits and the subword rows.
    for (model, subwords) in [(Model::SkipGram, None), (Model::Cbow, Some(&index))] {
        for &(atomics, reduction) in &variants {
            let options = StepOptions {
                kernel: GpuKernel::V2,
                atomics,
                reduction,
                ..StepOptions::default()
            };
            let what = format!("{model:?} subwords {} {options:?}", subwords.is_some());
            let (expected, unsplit) = one_step(whole, model, subwords, options);
            let (got, parts) = one_step(&split, model, subwords, options);
            eprintln!("{what}: parts {parts:?} (unsplit {unsplit:?})");
            assert_eq!(unsplit, (1, 1), "{what}");
            assert!(parts.0 >= 3 && parts.1 >= 3, "{what}: parts {parts:?}");
            assert!(
                same_bits(&got.0, &expected.0),
                "{what}: input table differs"
            );
            assert!(
                same_bits(&got.1, &expected.1),
                "{what}: output table differs"
            );
        }
    }
}

/// Tables written into the buffers a run already has (what a distributed run's
/// synchronisation hands back) train exactly as tables the state was built from, whole and
/// split; a table of another size is refused.
#[test]
fn tables_written_in_place_train_like_uploaded_ones() {
    let _serial = serial();
    let Some(whole) = gpu() else { return };
    let split = lowered();
    let options = StepOptions {
        kernel: GpuKernel::V2,
        ..StepOptions::default()
    };
    for ctx in [whole, &split] {
        let fresh = one_step_on(ctx, Model::SkipGram, None, options, Upload::Fresh);
        let written = one_step_on(ctx, Model::SkipGram, None, options, Upload::WrittenInPlace);
        assert_eq!(fresh.1, written.1);
        assert!(
            same_bits(&fresh.0.0, &written.0.0),
            "input, parts {:?}",
            fresh.1
        );
        assert!(
            same_bits(&fresh.0.1, &written.0.1),
            "output, parts {:?}",
            fresh.1
        );
    }
    let (shape, sampler, table) = skip_gram_of_zeros();
    let state =
        TrainState::with_options(whole, &shape, &table, &table, &sampler, options).expect("state");
    let error = state
        .write_tables(whole, &table[DIM..], &table)
        .expect_err("a shorter table is refused");
    assert!(error.to_string().contains("input table"), "{error}");
}

/// A skip-gram shape, a sampler and a table of zeros, for the refusals.
fn skip_gram_of_zeros() -> (UpdateShape, NegativeSampler, Vec<f32>) {
    let shape = UpdateShape {
        model: Model::SkipGram,
        dim: DIM,
        window: 3,
        negative: 5,
    };
    let counts: Vec<u64> = (0..VOCAB as u64).map(|i| 1 + i).collect();
    (
        shape,
        NegativeSampler::new(&counts, 0.75),
        vec![0.0; VOCAB as usize * DIM],
    )
}

/// Whether two tables hold the same bits.
fn same_bits(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// The first kernel has no split form: refused by name where a table needs splitting.
#[test]
fn the_first_kernel_refuses_split_tables() {
    let _serial = serial();
    if gpu().is_none() {
        return;
    }
    let split = lowered();
    let (shape, sampler, table) = skip_gram_of_zeros();
    let error = TrainState::new(&split, &shape, &table, &table, &sampler)
        .err()
        .expect("v1 refused");
    assert!(error.to_string().contains("--gpu-kernel v2"), "{error}");
}
