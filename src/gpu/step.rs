//! The training kernels on the host side: tables and sampling tables on the device, batches
//! uploaded as three `u32` arrays, dispatches of centres.
//!
//! The kernels follow [`crate::cpu::update`] (its module docs are the reference semantics):
//! the updates of one centre in CPU order, every random draw the same as the CPU's. The
//! first kernel (`negative_sampling.wgsl`) runs one workgroup per centre; the second
//! (`negative_sampling_v2.wgsl`) runs persistent workgroups that each take centres from a
//! counter. Centres of one dispatch run concurrently and share the tables without locks
//! (Hogwild) through atomic additions; dispatches run one after the other, so one-centre
//! dispatches (first kernel) or one workgroup (second) make exactly the CPU's order.
//! [`crate::gpu::plan`] picks the variant.

use bytemuck::{Pod, Zeroable};

use crate::batch::Batch;
use crate::config::GpuKernel;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::gpu::buffers::{self, grid};
use crate::gpu::context::Kernel;
pub use crate::gpu::dispatch::Step;
use crate::gpu::loss::{LOSS_SLOTS, LossBuffer, LossReader};
use crate::gpu::plan::{self, DeviceTraits, KernelPlan};
use crate::gpu::shaders::{MAX_TABLE_PARTS, TREE_BINDING, input_part_binding, output_part_binding};
use crate::gpu::table_parts::{self, TableParts};
use crate::gpu::tree_paths::tree_paths_array;
pub use crate::gpu::word_rows::word_rows_array;
use crate::huffman::HuffmanTree;
use crate::sampling::NegativeSampler;
use crate::subwords::SubwordIndex;
use crate::training::{LossSum, UpdateShape};

// Where tests/gpu_training.rs imports the RNG harness from.
pub use crate::gpu::plan::{Reduction, StepOptions};
pub use crate::gpu::rng_check::{rng_check, rng_check_cpu};
pub use batch::DeviceBatch;

#[path = "step_batch.rs"]
mod batch;

/// Parameter blocks one submission may use (one per dispatch); more dispatches are split
/// over several submissions. The second kernel's centre counters, one per block, follow the
/// loss sums in the control buffer.
const PARAM_SLOTS: u64 = 1024;

/// Cells of the control buffer before the visit counts: loss sums, then centre counters.
const VISITS_AT: u32 = 2 * LOSS_SLOTS + PARAM_SLOTS as u32;

/// Parameters of one dispatch of `negative_sampling.wgsl` and `negative_sampling_v2.wgsl`
/// (`struct Params` there; the first kernel ignores the last three).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct StepParams {
    /// First centre (batch index) of the dispatch.
    pub base: u32,
    /// Centres in the dispatch.
    pub count: u32,
    /// Tokens in the batch.
    pub len: u32,
    /// The epoch key ([`crate::rng::epoch_key`]).
    pub key: u32,
    /// Learning rate.
    pub alpha: f32,
    /// Vector dimension.
    pub dim: u32,
    /// Largest window.
    pub window: u32,
    /// Rows of each table.
    pub vocab: u32,
    /// Slots of the loss buffer ([`LOSS_SLOTS`]).
    pub loss_slots: u32,
    /// Second kernel: most centres one workgroup takes in this dispatch.
    pub share: u32,
    /// Second kernel: the cell of the control buffer counting this dispatch's centres.
    pub counter: u32,
    /// Second kernel: the first cell of the control buffer counting visits.
    pub visits: u32,
}

/// The first kernel's workgroup size for dimension `dim` on `ctx`
/// ([`plan::v1_workgroup_size`]).
pub fn workgroup_size(dim: usize, ctx: &GpuContext) -> u32 {
    plan::v1_workgroup_size(dim, &DeviceTraits::of(ctx))
}

/// The device side of a training run: both tables, the alias table, the loss buffer, the
/// kernel and its parameter blocks, all created once.
pub struct TrainState {
    shape: UpdateShape,
    vocab: usize,
    plan: KernelPlan,
    kernel: Kernel,
    input: TableParts,
    output: TableParts,
    /// Bound in place of the parts a split table does not have (never reached).
    placeholder: Option<wgpu::Buffer>,
    thresholds: wgpu::Buffer,
    aliases: wgpu::Buffer,
    loss: LossBuffer,
    params: wgpu::Buffer,
    param_stride: u64,
    /// `--subwords`: every word's input rows ([`word_rows_array`]).
    word_rows: Option<wgpu::Buffer>,
    /// `--hs`: every word's Huffman path ([`tree_paths_array`]).
    tree_paths: Option<wgpu::Buffer>,
}

impl TrainState {
    /// Uploads the tables (row-major, `dim` columns) and the sampler, and builds the first
    /// kernel for `shape.model`, with native float atomics where the device has them.
    pub fn new(
        ctx: &GpuContext,
        shape: &UpdateShape,
        input: &[f32],
        output: &[f32],
        sampler: &NegativeSampler,
    ) -> Result<TrainState> {
        TrainState::with_options(ctx, shape, input, output, sampler, StepOptions::default())
    }

    /// [`Self::new`] with the kernel's variant chosen (tests and benchmarks run every
    /// variant on one adapter).
    pub fn with_options(
        ctx: &GpuContext,
        shape: &UpdateShape,
        input: &[f32],
        output: &[f32],
        sampler: &NegativeSampler,
        options: StepOptions,
    ) -> Result<TrainState> {
        TrainState::build(ctx, shape, input, output, sampler, None, None, options)
    }

    /// [`Self::with_options`] for `--subwords`: `input` has a row per word and per bucket
    /// (`index.table_rows()`), and each word's input is the mean of its rows in `index`. Only
    /// the second kernel has this form, for skip-gram and CBOW.
    pub fn with_subwords(
        ctx: &GpuContext,
        shape: &UpdateShape,
        input: &[f32],
        output: &[f32],
        sampler: &NegativeSampler,
        index: &SubwordIndex,
        options: StepOptions,
    ) -> Result<TrainState> {
        TrainState::build(
            ctx,
            shape,
            input,
            output,
            sampler,
            Some(index),
            None,
            options,
        )
    }

    /// [`Self::with_options`] for `--hs`: each update scores against the inner nodes of the
    /// centre's path in `tree` first, inner node `n` being row `first_row + n` of `output`,
    /// then, where `shape.negative` is above 0, against the centre and its negatives (as
    /// [`crate::training::Objective`] on the CPU). Only the second kernel has this form, for
    /// skip-gram and CBOW.
    #[allow(clippy::too_many_arguments)]
    pub fn with_tree(
        ctx: &GpuContext,
        shape: &UpdateShape,
        input: &[f32],
        output: &[f32],
        sampler: &NegativeSampler,
        tree: &HuffmanTree,
        first_row: u32,
        options: StepOptions,
    ) -> Result<TrainState> {
        let tree = Some((tree, first_row));
        TrainState::build(ctx, shape, input, output, sampler, None, tree, options)
    }

    /// [`Self::with_subwords`] and [`Self::with_tree`] at once (fastText's `-loss hs`): each
    /// update's input is the mean of a word's rows in `index`, scored against the centre's
    /// path in `tree` first, then, where `shape.negative` is above 0, against the centre and
    /// its negatives.
    #[allow(clippy::too_many_arguments)]
    pub fn with_subwords_and_tree(
        ctx: &GpuContext,
        shape: &UpdateShape,
        input: &[f32],
        output: &[f32],
        sampler: &NegativeSampler,
        index: &SubwordIndex,
        tree: &HuffmanTree,
        first_row: u32,
        options: StepOptions,
    ) -> Result<TrainState> {
        let tree = Some((tree, first_row));
        TrainState::build(
            ctx,
            shape,
            input,
            output,
            sampler,
            Some(index),
            tree,
            options,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        ctx: &GpuContext,
        shape: &UpdateShape,
        input: &[f32],
        output: &[f32],
        sampler: &NegativeSampler,
        subwords: Option<&SubwordIndex>,
        tree: Option<(&HuffmanTree, u32)>,
        mut options: StepOptions,
    ) -> Result<TrainState> {
        let vocab = sampler.len();
        let input_rows = match subwords {
            Some(index) if index.vocab_size() != vocab => {
                return Err(Error::Mismatch(format!(
                    "n-gram rows for {} words and a sampler of {vocab}",
                    index.vocab_size()
                )));
            }
            Some(index) => index.table_rows(),
            None => vocab,
        };
        // With a tree, its inner nodes' rows follow `first_row`.
        let output_rows = match tree {
            Some((tree, _)) if tree.words() != vocab => {
                return Err(Error::Mismatch(format!(
                    "a Huffman tree of {} words and a sampler of {vocab}",
                    tree.words()
                )));
            }
            Some((tree, first_row)) => first_row as usize + tree.inner_nodes(),
            None => vocab,
        };
        if input.len() != input_rows * shape.dim || output.len() != output_rows * shape.dim {
            return Err(Error::Mismatch(format!(
                "tables of {} and {} values do not make {input_rows} and {output_rows} rows of {}",
                input.len(),
                output.len(),
                shape.dim
            )));
        }
        if (input.len().max(output.len()) as u64) > u32::MAX as u64 {
            return Err(Error::DeviceLimit {
                what: "an embedding table".into(),
                needed: input.len() as u64 * 4,
                limit: u32::MAX as u64 * 4,
                limit_name: "32-bit indexing of table cells",
            });
        }
        options.tree_depth = tree.map(|(tree, _)| tree.depth() as u32);
        options.subword_rows = subwords.map(|index| {
            (0..vocab)
                .map(|w| index.word_rows(w).len() as u32)
                .max()
                .unwrap_or(1)
        });
        // A table beyond one binding is split; the message names what shrinks it.
        let hint = match subwords {
            Some(index) => format!(
                "the input table ({} words and {} n-gram buckets, d = {}; --bucket, --dim, \
                 --max-vocab or --min-count lower it)",
                vocab, index.settings.bucket, shape.dim
            ),
            None => format!(
                "the tables ({vocab} words, d = {}; --dim, --max-vocab or --min-count lower \
                 them)",
                shape.dim
            ),
        };
        options.split = table_parts::split_for(ctx, input_rows, output_rows, shape.dim, &hint)?;
        let word_rows = match subwords {
            Some(index) => Some(buffers::storage_init(
                ctx,
                "words' input rows",
                &word_rows_array(index)?,
                wgpu::BufferUsages::empty(),
            )?),
            None => None,
        };
        // Planned before the paths go up: a refused shape allocates nothing more.
        let plan = plan::plan(shape, &DeviceTraits::of(ctx), &options)?;
        let tree_paths = match tree {
            Some((tree, first_row)) => Some(buffers::storage_init(
                ctx,
                "words' Huffman paths",
                &tree_paths_array(tree, first_row)?,
                wgpu::BufferUsages::empty(),
            )?),
            None => None,
        };
        let kernel = ctx.kernel(plan.shader, "main", &plan.constants)?;
        let part_rows = options.split.map(|split| split.rows);
        let visits = options.count_visits.unwrap_or(0);
        let param_stride = (std::mem::size_of::<StepParams>() as u64)
            .next_multiple_of(ctx.limits.min_uniform_buffer_offset_alignment as u64);
        Ok(TrainState {
            shape: *shape,
            vocab,
            plan,
            kernel,
            input: TableParts::upload(ctx, "input table", input, shape.dim, part_rows)?,
            output: TableParts::upload(ctx, "output table", output, shape.dim, part_rows)?,
            placeholder: match options.split {
                Some(_) => Some(buffers::zeroed(
                    ctx,
                    "unused table part",
                    16,
                    wgpu::BufferUsages::STORAGE,
                    true,
                )?),
                None => None,
            },
            thresholds: buffers::storage_init(
                ctx,
                "alias thresholds",
                sampler.thresholds(),
                wgpu::BufferUsages::empty(),
            )?,
            aliases: buffers::storage_init(
                ctx,
                "aliases",
                sampler.aliases(),
                wgpu::BufferUsages::empty(),
            )?,
            loss: LossBuffer::new(ctx, PARAM_SLOTS as u32 + visits)?,
            params: buffers::zeroed(
                ctx,
                "step parameters",
                PARAM_SLOTS * param_stride,
                wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                false,
            )?,
            param_stride,
            word_rows,
            tree_paths,
        })
    }

    /// The storage buffers each table was split into: (input, output); (1, 1) unsplit.
    pub fn table_parts(&self) -> (usize, usize) {
        (self.input.len(), self.output.len())
    }

    /// The plan the kernel was built from (variant, constants, workgroup size, share).
    pub fn plan(&self) -> &KernelPlan {
        &self.plan
    }

    /// The dispatches of a batch of `len` centres for this kernel with at most `in_flight`
    /// centres training at once ([`Step::split`] or [`Step::persistent`]).
    pub fn split(&self, len: usize, in_flight: usize, alpha: f32, key: u32) -> Vec<Step> {
        match self.plan.kernel {
            GpuKernel::V1 => Step::split(len, in_flight, alpha, key),
            GpuKernel::V2 => Step::persistent(len, in_flight, self.plan.share, alpha, key),
        }
    }

    /// Runs `steps` on the batch in `device`, in order, one dispatch each, and submits.
    /// Returns the index of the last submission.
    pub fn run(
        &self,
        ctx: &GpuContext,
        device: &DeviceBatch,
        steps: &[Step],
    ) -> Result<Option<wgpu::SubmissionIndex>> {
        let mut last = None;
        for chunk in steps.chunks(PARAM_SLOTS as usize) {
            let mut blocks = vec![0u8; chunk.len() * self.param_stride as usize];
            let mut grids = Vec::with_capacity(chunk.len());
            for (slot, step) in chunk.iter().enumerate() {
                let end = step.base as u64 + step.count as u64;
                if end > device.len() as u64 {
                    return Err(Error::Mismatch(format!(
                        "centres {}..{end} are outside the batch of {} tokens",
                        step.base,
                        device.len()
                    )));
                }
                // The second kernel trains every centre only while its workgroups can take
                // them all; the first needs a workgroup per centre.
                let capacity = match self.plan.kernel {
                    GpuKernel::V1 => step.workgroups as u64,
                    GpuKernel::V2 => step.workgroups as u64 * self.plan.share as u64,
                };
                if (step.count as u64) > capacity || (step.count > 0 && step.workgroups == 0) {
                    return Err(Error::Mismatch(format!(
                        "{} centres in {} workgroups of this kernel (share {}) would leave some \
                         untrained",
                        step.count, step.workgroups, self.plan.share
                    )));
                }
                let params = StepParams {
                    base: step.base,
                    count: step.count,
                    len: device.len() as u32,
                    key: step.key,
                    alpha: step.alpha,
                    dim: self.shape.dim as u32,
                    window: self.shape.window as u32,
                    vocab: self.vocab as u32,
                    loss_slots: LOSS_SLOTS,
                    share: self.plan.share,
                    counter: 2 * LOSS_SLOTS + slot as u32,
                    visits: VISITS_AT,
                };
                let at = slot * self.param_stride as usize;
                blocks[at..at + std::mem::size_of::<StepParams>()]
                    .copy_from_slice(bytemuck::bytes_of(&params));
                grids.push(grid(step.workgroups)?);
            }
            ctx.scoped("writing step parameters", || {
                ctx.queue.write_buffer(&self.params, 0, &blocks)
            })?;
            let index = buffers::submit(ctx, "training", |encoder| {
                if self.plan.kernel == GpuKernel::V2 {
                    self.loss.clear_counters(encoder, chunk.len() as u64);
                }
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("training"),
                    timestamp_writes: None,
                });
                pass.set_pipeline(&self.kernel.pipeline);
                for (slot, &(x, y)) in grids.iter().enumerate() {
                    if chunk[slot].count == 0 {
                        continue;
                    }
                    let offset = (slot as u64 * self.param_stride) as u32;
                    pass.set_bind_group(0, &device.group, &[offset]);
                    pass.dispatch_workgroups(x, y, 1);
                }
            })?;
            last = Some(index);
        }
        Ok(last)
    }

    /// Both tables back on the host: (input, output), row-major; with subwords the input
    /// table has the buckets' rows after the words'.
    pub fn read_tables(&self, ctx: &GpuContext) -> Result<(Vec<f32>, Vec<f32>)> {
        Ok((self.input.read(ctx)?, self.output.read(ctx)?))
    }

    /// Replaces both tables' values in place (the same shapes), before any work submitted
    /// afterwards: what a synchronisation of a distributed run hands back.
    pub fn write_tables(&self, ctx: &GpuContext, input: &[f32], output: &[f32]) -> Result<()> {
        self.input.write(ctx, "the input table", input)?;
        self.output.write(ctx, "the output table", output)
    }

    /// The loss summed since the last reset, waiting for all work submitted.
    pub fn read_loss(&self, ctx: &GpuContext) -> Result<LossSum> {
        self.loss.read(ctx)
    }

    /// Queues a reset of the loss sums to zero (before the next submission's work).
    pub fn reset_loss(&self, ctx: &GpuContext) -> Result<()> {
        self.loss.reset(ctx)
    }

    /// A reader that copies the loss sums without waiting for the GPU.
    pub fn loss_reader(&self, ctx: &GpuContext) -> Result<LossReader> {
        self.loss.reader(ctx)
    }

    /// How often each centre (batch index) has been trained since the state was built,
    /// waiting for all work submitted: one count per token of a batch of up to
    /// [`StepOptions::count_visits`] tokens (empty without it).
    pub fn read_visits(&self, ctx: &GpuContext) -> Result<Vec<u32>> {
        self.loss.read_extra(ctx, VISITS_AT)
    }
}
