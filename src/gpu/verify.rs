//! Kernel checks on the user's adapter: every kernel against its CPU twin on small random
//! inputs, for `vectrain verify`.

use crate::config::{GpuKernel, Model};
use crate::cpu::tables::PlainRows;
use crate::cpu::update::{Scratch, train_batch};
use crate::error::Result;
use crate::gpu::GpuContext;
use crate::gpu::lookup::{Atomics, GpuTable, gather, gather_cpu, scatter_add, scatter_add_cpu};
use crate::gpu::rng_check::{rng_check, rng_check_cpu};
use crate::gpu::similarity::{similarity_scores, similarity_scores_cpu};
use crate::gpu::step::{Reduction, StepOptions, TrainState};
use crate::gpu::verify_hs::check_hs_step;
use crate::gpu::verify_inputs::{
    Values, compare_tables, max_error, random_batch, train_in_cpu_order,
};
use crate::gpu::verify_subwords::check_subword_step;
use crate::rng;
use crate::sampling::NegativeSampler;
use crate::training::UpdateShape;

/// The result of one kernel check.
#[derive(Clone, Debug, PartialEq)]
pub struct KernelCheck {
    /// What was checked, e.g. "gather" or "sgns step (d=100)".
    pub name: String,
    /// Whether the GPU matched the CPU within the check's tolerance.
    pub passed: bool,
    /// Largest |GPU - CPU| seen (for the draw checks: the number of differing draws);
    /// infinite when the kernel did not run.
    pub max_error: f32,
    /// Why the kernel did not run (the error and its causes), when it did not.
    pub error: Option<String>,
}

/// One line per check, as `vectrain verify` prints it: `pass` or `FAIL`, the name, and the
/// largest error, or, for a kernel that did not run, the error (its further lines indented).
impl std::fmt::Display for KernelCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verdict = if self.passed { "pass" } else { "FAIL" };
        write!(f, "{verdict:<6} {:<56} ", self.name)?;
        match &self.error {
            None => write!(f, "largest error {:e}", self.max_error),
            Some(error) => {
                let mut lines = error.lines();
                write!(f, "did not run: {}", lines.next().unwrap_or_default())?;
                lines.try_for_each(|line| write!(f, "\n{:7}{line}", ""))
            }
        }
    }
}

/// An error and its chain of causes, each once, joined by ": ".
fn describe(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// Tolerance of the training-step checks: |x - y| <= max(1e-5 |x|, 1e-6). The GPU sums dot
/// products in another order than the CPU and may fuse multiply-adds, so results differ by
/// rounding, compounded over a few hundred updates of the same rows.
const STEP_TOLERANCE: (f32, f32) = (1e-5, 1e-6);

/// Runs every kernel check on `ctx`. A kernel that fails to run counts as failed (with an
/// infinite error and the error's message); the checks do not stop at the first failure.
pub fn verify(ctx: &GpuContext) -> Vec<KernelCheck> {
    let mut checks = Vec::new();
    let mut record = |name: String, outcome: Result<(bool, f32)>| {
        checks.push(match outcome {
            Ok((passed, max_error)) => KernelCheck {
                name,
                passed,
                max_error,
                error: None,
            },
            Err(error) => KernelCheck {
                name,
                passed: false,
                max_error: f32::INFINITY,
                error: Some(describe(&error)),
            },
        });
    };
    record("gather".into(), check_gather(ctx));
    record("similarity (d=100)".into(), check_similarity(ctx));
    if ctx.float_atomics {
        record(
            "scatter_add (float atomics)".into(),
            check_scatter(ctx, Atomics::NativeFloat),
        );
    }
    record(
        "scatter_add_cas (compare-exchange)".into(),
        check_scatter(ctx, Atomics::CompareExchange),
    );
    record("training random draws".into(), check_draws(ctx));
    let mut atomics = vec![(Atomics::CompareExchange, "compare-exchange")];
    if ctx.float_atomics {
        atomics.insert(0, (Atomics::NativeFloat, "float atomics"));
    }
    // The first kernel, then the second with each reduction the device can run.
    let mut kernels = vec![(GpuKernel::V1, Reduction::Auto, "v1")];
    if ctx.subgroups {
        kernels.push((GpuKernel::V2, Reduction::Subgroup, "v2 subgroups"));
    }
    kernels.push((GpuKernel::V2, Reduction::Tree, "v2 tree"));
    for &(kernel, reduction, kernel_name) in &kernels {
        for &(atomics, atomics_name) in &atomics {
            for model in [Model::SkipGram, Model::Cbow, Model::BatchSkipGram] {
                for dim in [3, 100] {
                    let name = match model {
                        Model::SkipGram => "sgns",
                        Model::Cbow => "cbow",
                        Model::BatchSkipGram => "batch sgns",
                    };
                    let options = StepOptions {
                        kernel,
                        atomics,
                        reduction,
                        ..StepOptions::default()
                    };
                    record(
                        format!("{name} step {kernel_name} (d={dim}, {atomics_name})"),
                        check_step(ctx, model, dim, options),
                    );
                    // The subword and hierarchical-softmax forms, alone and together: the
                    // second kernel's skip-gram and CBOW.
                    if kernel == GpuKernel::V2 && model != Model::BatchSkipGram {
                        record(
                            format!("{name} subwords {kernel_name} (d={dim}, {atomics_name})"),
                            check_subword_step(ctx, model, dim, options, false),
                        );
                        record(
                            format!("{name} subwords hs {kernel_name} (d={dim}, {atomics_name})"),
                            check_subword_step(ctx, model, dim, options, true),
                        );
                        record(
                            format!("{name} hs {kernel_name} (d={dim}, {atomics_name})"),
                            check_hs_step(ctx, model, dim, options),
                        );
                    }
                }
            }
        }
    }
    checks
}

fn check_gather(ctx: &GpuContext) -> Result<(bool, f32)> {
    let mut values = Values::new(1);
    let (rows, dim) = (37, 100);
    let table: Vec<f32> = (0..rows * dim).map(|_| values.signed(1.0)).collect();
    let ids: Vec<u32> = (0..501).map(|_| values.below(rows as u32)).collect();
    let got = gather(ctx, &GpuTable::upload(ctx, &table, dim)?, &ids)?;
    let expected = gather_cpu(&table, dim, &ids);
    // A gather copies bits: exact.
    let exact = got.len() == expected.len()
        && got
            .iter()
            .zip(&expected)
            .all(|(a, b)| a.to_bits() == b.to_bits());
    Ok((exact, max_error(&got, &expected)))
}

/// Tolerance of the similarity check: scores are dot products of unit vectors (in [-1, 1])
/// summed in f32, in the same order on both sides but possibly with fused multiply-adds on
/// the GPU: each product's rounding may differ, about 2⁻²⁴ per term.
const SIMILARITY_TOLERANCE: f32 = 1e-5;

/// Unit queries against a table of unit rows whose size is no multiple of the 64 x 64 tile.
fn check_similarity(ctx: &GpuContext) -> Result<(bool, f32)> {
    let mut values = Values::new(4);
    let (rows, dim, queries) = (133, 100, 70);
    let unit = |values: &mut Values, n: usize| -> Vec<f32> {
        let mut data: Vec<f32> = (0..n * dim).map(|_| values.signed(1.0)).collect();
        for row in data.chunks_exact_mut(dim) {
            let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
            row.iter_mut().for_each(|x| *x /= norm);
        }
        data
    };
    let table = unit(&mut values, rows);
    let query = unit(&mut values, queries);
    let got = similarity_scores(ctx, &GpuTable::upload(ctx, &table, dim)?, &query)?;
    let expected = similarity_scores_cpu(&query, &table, dim);
    let error = max_error(&got, &expected);
    Ok((
        got.len() == expected.len() && error <= SIMILARITY_TOLERANCE,
        error,
    ))
}

fn check_scatter(ctx: &GpuContext, atomics: Atomics) -> Result<(bool, f32)> {
    let mut values = Values::new(2);
    let (rows, dim) = (11, 100);
    let table: Vec<f32> = (0..rows * dim).map(|_| values.fraction()).collect();
    let ids: Vec<u32> = (0..333).map(|_| values.below(rows as u32)).collect();
    let grads: Vec<f32> = (0..ids.len() * dim).map(|_| values.fraction()).collect();
    let device = GpuTable::upload(ctx, &table, dim)?;
    scatter_add(ctx, &device, &ids, &grads, atomics)?;
    let got = device.read(ctx)?;
    let mut expected = table;
    scatter_add_cpu(&mut expected, dim, &ids, &grads);
    // Binary fractions add exactly in any order: the result must be bit-exact.
    let exact = got.len() == expected.len()
        && got
            .iter()
            .zip(&expected)
            .all(|(a, b)| a.to_bits() == b.to_bits());
    Ok((exact, max_error(&got, &expected)))
}

fn check_draws(ctx: &GpuContext) -> Result<(bool, f32)> {
    let counts: Vec<u64> = (0..500).map(|i| 1 + 10_000 / (i + 1)).collect();
    let sampler = NegativeSampler::new(&counts, 0.75);
    let cases = 10_000;
    let got = rng_check(ctx, &sampler, cases)?;
    let expected = rng_check_cpu(&sampler, cases);
    let differing = if got.len() == expected.len() {
        got.iter().zip(&expected).filter(|(a, b)| a != b).count()
    } else {
        expected.len()
    };
    Ok((differing == 0, differing as f32))
}

/// One step on a fixed batch with one centre in flight (first kernel: one centre per
/// dispatch; second: one workgroup) on the GPU against `train_batch`.
fn check_step(
    ctx: &GpuContext,
    model: Model,
    dim: usize,
    options: StepOptions,
) -> Result<(bool, f32)> {
    let mut values = Values::new(3 + dim as u32);
    let vocab = 40u32;
    let key = rng::epoch_key(3, 1);
    let (batch, counts) = random_batch(&mut values, vocab, key);
    let shape = UpdateShape {
        model,
        dim,
        window: 3,
        negative: 5,
    };
    let sampler = NegativeSampler::new(&counts, 0.75);
    let cells = vocab as usize * dim;
    let input: Vec<f32> = (0..cells).map(|_| values.signed(0.5)).collect();
    let output: Vec<f32> = (0..cells).map(|_| values.signed(0.5)).collect();
    let alpha = 0.05;

    let state = TrainState::with_options(ctx, &shape, &input, &output, &sampler, options)?;
    let gpu = train_in_cpu_order(ctx, &state, &batch, alpha, key)?;

    let (mut cpu_input, mut cpu_output) = (input, output);
    train_batch(
        &shape,
        &mut PlainRows::new(&mut cpu_input, dim),
        &mut PlainRows::new(&mut cpu_output, dim),
        &sampler,
        &batch,
        key,
        alpha,
        &mut Scratch::new(&shape),
    );
    Ok(compare_tables(
        &gpu,
        (&cpu_input, &cpu_output),
        STEP_TOLERANCE,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_that_did_not_run_prints_its_error_and_causes() {
        let cause = std::io::Error::other("device lost\nwhile mapping");
        let error = crate::error::Error::Io {
            action: "read",
            path: "gpu".into(),
            source: cause,
        };
        let check = KernelCheck {
            name: "gather".into(),
            passed: false,
            max_error: f32::INFINITY,
            error: Some(describe(&error)),
        };
        assert_eq!(
            check.to_string(),
            format!(
                "FAIL   {:<56} did not run: cannot read gpu: device lost\n       while mapping",
                "gather"
            )
        );
    }

    #[test]
    fn a_check_that_ran_prints_its_largest_error() {
        let check = KernelCheck {
            name: "sgns step (d=3, float atomics)".into(),
            passed: true,
            max_error: 4.5e-7,
            error: None,
        };
        assert_eq!(
            check.to_string(),
            format!("pass   {:<56} largest error 4.5e-7", check.name)
        );
    }
}
