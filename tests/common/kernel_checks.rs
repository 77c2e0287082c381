//! What the second kernel's tests against their CPU twins share: the variants a shape is
//! checked with on this adapter, the comparison of one step, and the count of centres trained.

use super::{Tolerance, assert_close, gpu};
use vectrain::config::GpuKernel;
use vectrain::gpu::Atomics;
use vectrain::gpu::step::{Reduction, StepOptions, TrainState};
use vectrain::training::LossSum;

/// The second kernel's variants this adapter runs for one shape: the trainer's defaults here
/// (float atomics and subgroups where the device has them, 8 lanes on a CPU adapter),
/// compare-exchange atomics with the tree reduction at 64 lanes, and, with `other_size`, the
/// reduction the defaults do not take at that workgroup size (a GPU's).
pub fn v2_variants(other_size: Option<u32>) -> Vec<StepOptions> {
    let ctx = gpu().expect("checked by the caller");
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
    let mut variants = vec![
        (native, first, None),
        (Atomics::CompareExchange, Reduction::Tree, Some(64)),
    ];
    if let Some(size) = other_size {
        variants.push((native, other, Some(size)));
    }
    variants
        .into_iter()
        .map(|(atomics, reduction, workgroup_size)| StepOptions {
            kernel: GpuKernel::V2,
            atomics,
            reduction,
            workgroup_size,
            ..StepOptions::default()
        })
        .collect()
}

/// A step's tables (input, output) and loss on the GPU and on the CPU.
pub type StepResult = (Vec<f32>, Vec<f32>, LossSum);

/// The GPU's step equals the CPU's: both tables within `tolerance`, the same number of
/// updates, and the loss to 1e-5 relative (the GPU sums it in f32 per workgroup, ample for a
/// few hundred terms).
pub fn assert_step_matches(gpu: &StepResult, cpu: &StepResult, tolerance: Tolerance) {
    assert_close("input table", &gpu.0, &cpu.0, tolerance);
    assert_close("output table", &gpu.1, &cpu.1, tolerance);
    assert_eq!(gpu.2.examples, cpu.2.examples, "number of updates");
    assert!(
        (gpu.2.loss - cpu.2.loss).abs() <= 1e-5 * cpu.2.loss.abs(),
        "loss {} on the GPU, {} on the CPU",
        gpu.2.loss,
        cpu.2.loss
    );
}

/// With many workgroups in flight (Hogwild), every one of a batch's `tokens` centres is still
/// trained exactly once, counted on the device, and the number of updates is the CPU's
/// `cpu_examples`: for shares of 1 and the planner's, and more workgroups than centres.
/// `run(in_flight, options)` trains the batch once with a new state and returns its loss and
/// the state.
pub fn assert_each_centre_once(
    what: &str,
    tokens: usize,
    cpu_examples: u64,
    mut run: impl FnMut(usize, StepOptions) -> (LossSum, TrainState),
) {
    for (in_flight, share) in [(7, None), (64, Some(1)), (5000, None)] {
        let options = StepOptions {
            kernel: GpuKernel::V2,
            share,
            count_visits: Some(tokens as u32),
            ..StepOptions::default()
        };
        let (loss, state) = run(in_flight, options);
        let what = format!("{what}, {in_flight} in flight, share {share:?}");
        assert_eq!(loss.examples, cpu_examples, "{what}: updates");
        let visits = state.read_visits(gpu().unwrap()).expect("visits");
        if let Some(i) = (0..tokens).find(|&i| visits[i] != 1) {
            panic!("{what}: centre {i} trained {} times", visits[i]);
        }
    }
}
