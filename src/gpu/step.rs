//! The training kernel (`negative_sampling.wgsl`, skip-gram or CBOW) on the host side: tables and sampling
//! tables on the device, batches uploaded as three `u32` arrays, dispatches of centres.
//!
//! The kernels follow [`crate::cpu::update`] (its module docs are the reference semantics):
//! one workgroup per centre, the updates of one centre in CPU order, every random draw the
//! same as the CPU's. Centres of one dispatch run concurrently and share the tables without
//! locks (Hogwild) through atomic additions; dispatches run one after the other, so a
//! sequence of one-centre dispatches is exactly the CPU's order.

use bytemuck::{Pod, Zeroable};

use crate::batch::Batch;
use crate::config::Model;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::gpu::buffers::{self, grid};
use crate::gpu::context::Kernel;
use crate::gpu::lookup::Atomics;
use crate::gpu::loss::{LOSS_SLOTS, LossBuffer, LossReader};
use crate::gpu::shaders::Shader;
use crate::sampling::NegativeSampler;
use crate::training::{LossSum, UpdateShape};

// Where tests/gpu_training.rs imports the RNG harness from.
pub use crate::gpu::rng_check::{rng_check, rng_check_cpu};

/// Parameter blocks one submission may use (one per dispatch); more dispatches are split
/// over several submissions.
const PARAM_SLOTS: u64 = 1024;

/// Workgroup memory every WebGPU device offers, the budget of the kernels' reduction arrays.
const WORKGROUP_MEMORY_BUDGET: u32 = 16 * 1024;

/// Parameters of one dispatch of `negative_sampling.wgsl` (`struct Params` there).
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
    /// Uniform structs are sized in multiples of 16 bytes.
    pub _pad: [u32; 3],
}

/// One dispatch: centres `base..base + count` of the batch, with learning rate `alpha` and
/// epoch key `key`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// First centre.
    pub base: u32,
    /// Number of centres.
    pub count: u32,
    /// Learning rate.
    pub alpha: f32,
    /// Epoch key.
    pub key: u32,
}

impl Step {
    /// The dispatches of a batch of `len` centres: runs of at most `in_flight` centres
    /// (dispatches of one pass run one after the other, so at most that many train at once).
    pub fn split(len: usize, in_flight: usize, alpha: f32, key: u32) -> Vec<Step> {
        let piece = in_flight.clamp(1, len.max(1));
        (0..len)
            .step_by(piece)
            .map(|base| Step {
                base: base as u32,
                count: piece.min(len - base) as u32,
                alpha,
                key,
            })
            .collect()
    }
}

/// Workgroup size of the training kernels for dimension `dim` on `ctx`: a power of two
/// (each invocation owns the dimensions `c` with `c % size == lane`). On GPUs, near `dim`
/// from 32 (a warp) to 256; on CPU adapters (lavapipe, llvmpipe's 8-wide SIMD), 8, where
/// every barrier costs a pass over the invocations: twice as fast as 64 at d = 50.
pub fn workgroup_size(dim: usize, ctx: &GpuContext) -> u32 {
    let limits = &ctx.limits;
    let cap = limits
        .max_compute_invocations_per_workgroup
        .min(limits.max_compute_workgroup_size_x)
        .clamp(1, 256);
    let cap = 1 << (31 - cap.leading_zeros());
    if ctx.adapter_info.device_type == wgpu::DeviceType::Cpu {
        return 8.min(cap);
    }
    (dim.next_power_of_two().min(256) as u32).clamp(32.min(cap), cap)
}

/// A workgroup size asked for: a power of two within the device's limits.
fn checked_workgroup_size(size: u32, ctx: &GpuContext) -> Result<u32> {
    let cap = ctx
        .limits
        .max_compute_invocations_per_workgroup
        .min(ctx.limits.max_compute_workgroup_size_x);
    if !size.is_power_of_two() || size > cap {
        return Err(Error::Mismatch(format!(
            "a workgroup of {size} invocations: not a power of two up to the device's {cap}"
        )));
    }
    Ok(size)
}

/// Which variant of the training kernel to build. The default is what the trainer uses:
/// native float atomics where the device has them, and [`workgroup_size`]'s choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepOptions {
    /// How the tables are added to.
    pub atomics: Atomics,
    /// Invocations per workgroup (a power of two), instead of [`workgroup_size`]'s choice:
    /// lets a test run the shape a GPU gets (32 to 256) on a CPU adapter, which gets 8.
    pub workgroup_size: Option<u32>,
}

/// A batch's three arrays on the device, and the bind group that uses them.
pub struct DeviceBatch {
    words: wgpu::Buffer,
    positions: wgpu::Buffer,
    sentences: wgpu::Buffer,
    group: wgpu::BindGroup,
    capacity: usize,
    len: usize,
}

impl DeviceBatch {
    /// Tokens uploaded.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no token is uploaded.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The device side of a training run: both tables, the alias table, the loss buffer, the
/// kernel and its parameter blocks, all created once.
pub struct TrainState {
    shape: UpdateShape,
    vocab: usize,
    kernel: Kernel,
    input: wgpu::Buffer,
    output: wgpu::Buffer,
    thresholds: wgpu::Buffer,
    aliases: wgpu::Buffer,
    loss: LossBuffer,
    params: wgpu::Buffer,
    param_stride: u64,
}

impl TrainState {
    /// Uploads the tables (row-major, `dim` columns) and the sampler, and builds the kernel
    /// of `shape.model`, with native float atomics where the device has them.
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
        let vocab = sampler.len();
        if input.len() != vocab * shape.dim || output.len() != vocab * shape.dim {
            return Err(Error::Mismatch(format!(
                "tables of {} and {} values do not make {vocab} rows of {}",
                input.len(),
                output.len(),
                shape.dim
            )));
        }
        if (input.len() as u64) > u32::MAX as u64 {
            return Err(Error::DeviceLimit {
                what: "an embedding table".into(),
                needed: input.len() as u64 * 4,
                limit: u32::MAX as u64 * 4,
                limit_name: "32-bit indexing of table cells",
            });
        }
        let needed_buffers = 8;
        if ctx.limits.max_storage_buffers_per_shader_stage < needed_buffers {
            return Err(Error::DeviceLimit {
                what: "the training kernel's storage buffers (count, not bytes)".into(),
                needed: needed_buffers as u64,
                limit: ctx.limits.max_storage_buffers_per_shader_stage as u64,
                limit_name: "max_storage_buffers_per_shader_stage",
            });
        }
        let wg = match options.workgroup_size {
            None => workgroup_size(shape.dim, ctx),
            Some(size) => checked_workgroup_size(size, ctx)?,
        };
        let outputs = shape.negative as u64 + 1;
        let batch = shape.model == Model::BatchSkipGram;
        let (max_context, stash_lanes) = if batch {
            (2 * shape.window as u64, wg as u64)
        } else {
            (1, 1)
        };
        let budget =
            WORKGROUP_MEMORY_BUDGET.min(ctx.limits.max_compute_workgroup_storage_size) as u64;
        // ids, gs and losses per output; g and loss per pair; the stash; then `red`.
        let fixed = 12 * outputs + 8 * max_context * outputs + 4 * outputs * stash_lanes;
        let wg_bytes = 4 * wg as u64;
        if fixed + wg_bytes > budget {
            return Err(Error::DeviceLimit {
                what: format!(
                    "workgroup memory for {} negatives{}",
                    shape.negative,
                    if batch {
                        format!(" shared by a window of {}", shape.window)
                    } else {
                        String::new()
                    }
                ),
                needed: fixed + wg_bytes,
                limit: budget,
                limit_name: "max_compute_workgroup_storage_size",
            });
        }
        // Dot products reduced together: outputs of one update, or pairs of a window.
        let reduced = if batch {
            max_context * outputs
        } else {
            outputs
        };
        let group = ((budget - fixed) / wg_bytes).clamp(1, reduced);
        let flag = |on: bool| if on { 1.0 } else { 0.0 };
        let shader = if options.atomics.native(ctx)? {
            Shader::NegativeSamplingF32
        } else {
            Shader::NegativeSampling
        };
        let kernel = ctx.kernel(
            shader,
            "main",
            &[
                ("CBOW", flag(shape.model == Model::Cbow)),
                ("BATCH", flag(batch)),
                ("MAX_CONTEXT", max_context as f64),
                ("STASH_LANES", stash_lanes as f64),
                ("WG", wg as f64),
                ("NEG", shape.negative as f64),
                ("GROUP", group as f64),
            ],
        )?;
        let table_usage = wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST;
        let param_stride = (std::mem::size_of::<StepParams>() as u64)
            .next_multiple_of(ctx.limits.min_uniform_buffer_offset_alignment as u64);
        Ok(TrainState {
            shape: *shape,
            vocab,
            kernel,
            input: buffers::storage_init(ctx, "input table", input, table_usage)?,
            output: buffers::storage_init(ctx, "output table", output, table_usage)?,
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
            loss: LossBuffer::new(ctx)?,
            params: buffers::zeroed(
                ctx,
                "step parameters",
                PARAM_SLOTS * param_stride,
                wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                false,
            )?,
            param_stride,
        })
    }

    /// Device buffers for batches of up to `capacity` tokens (grown by [`Self::upload`]).
    pub fn batch_buffers(&self, ctx: &GpuContext, capacity: usize) -> Result<DeviceBatch> {
        let capacity = capacity.max(1);
        let bytes = capacity as u64 * 4;
        let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST;
        let words = buffers::zeroed(ctx, "batch words", bytes, usage, true)?;
        let positions = buffers::zeroed(ctx, "batch positions", bytes, usage, true)?;
        let sentences = buffers::zeroed(ctx, "batch sentences", bytes, usage, true)?;
        let group = ctx.scoped("creating a bind group", || {
            let params = wgpu::BufferBinding {
                buffer: &self.params,
                offset: 0,
                size: wgpu::BufferSize::new(std::mem::size_of::<StepParams>() as u64),
            };
            let entries = [
                (0, wgpu::BindingResource::Buffer(params)),
                (1, words.as_entire_binding()),
                (2, positions.as_entire_binding()),
                (3, sentences.as_entire_binding()),
                (4, self.thresholds.as_entire_binding()),
                (5, self.aliases.as_entire_binding()),
                (6, self.input.as_entire_binding()),
                (7, self.output.as_entire_binding()),
                (8, self.loss.binding()),
            ]
            .map(|(binding, resource)| wgpu::BindGroupEntry { binding, resource });
            ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("training step"),
                layout: &self.kernel.layout,
                entries: &entries,
            })
        })?;
        Ok(DeviceBatch {
            words,
            positions,
            sentences,
            group,
            capacity,
            len: 0,
        })
    }

    /// Uploads `batch` into `device` (queued: it lands before the next submission), growing
    /// the buffers where the batch does not fit.
    pub fn upload(&self, ctx: &GpuContext, device: &mut DeviceBatch, batch: &Batch) -> Result<()> {
        if batch.len() > device.capacity {
            *device = self.batch_buffers(ctx, batch.len().next_power_of_two())?;
        }
        if batch.len() > u32::MAX as usize / 2 {
            return Err(Error::Mismatch(format!(
                "a batch of {} tokens is too large for 32-bit indices",
                batch.len()
            )));
        }
        ctx.scoped("uploading a batch", || {
            for (buffer, values) in [
                (&device.words, &batch.words),
                (&device.positions, &batch.positions),
                (&device.sentences, &batch.sentences),
            ] {
                if !values.is_empty() {
                    ctx.queue
                        .write_buffer(buffer, 0, bytemuck::cast_slice(values));
                }
            }
        })?;
        device.len = batch.len();
        Ok(())
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
                if end > device.len as u64 {
                    return Err(Error::Mismatch(format!(
                        "centres {}..{end} are outside the batch of {} tokens",
                        step.base, device.len
                    )));
                }
                let params = StepParams {
                    base: step.base,
                    count: step.count,
                    len: device.len as u32,
                    key: step.key,
                    alpha: step.alpha,
                    dim: self.shape.dim as u32,
                    window: self.shape.window as u32,
                    vocab: self.vocab as u32,
                    loss_slots: LOSS_SLOTS,
                    _pad: [0; 3],
                };
                let at = slot * self.param_stride as usize;
                blocks[at..at + std::mem::size_of::<StepParams>()]
                    .copy_from_slice(bytemuck::bytes_of(&params));
                grids.push(grid(step.count)?);
            }
            ctx.scoped("writing step parameters", || {
                ctx.queue.write_buffer(&self.params, 0, &blocks)
            })?;
            let index = buffers::submit(ctx, "training", |encoder| {
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

    /// Both tables back on the host: (input, output), row-major.
    pub fn read_tables(&self, ctx: &GpuContext) -> Result<(Vec<f32>, Vec<f32>)> {
        let cells = self.vocab * self.shape.dim;
        Ok((
            buffers::read_back(ctx, &self.input, cells)?,
            buffers::read_back(ctx, &self.output, cells)?,
        ))
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
}
