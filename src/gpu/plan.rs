//! Choosing a variant of the training kernel for a device: which shader (kernel, atomics,
//! reduction), its `override` constants, its workgroup size and, for the second kernel, how
//! many centres one workgroup may take per dispatch.
//!
//! Planning needs no device, only [`DeviceTraits`]: tests plan for the Metal and DX12
//! devices that are not on the machine and translate what the host would build
//! (`tests/shader_translation.rs`).

use crate::config::{GpuKernel, Model};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::gpu::lookup::Atomics;
use crate::gpu::shaders::{MAX_TABLE_PARTS, Shader, V2Blocks};
use crate::training::UpdateShape;

pub use crate::gpu::loop_bound::v2_loop_iterations_per_centre;
pub use v2::v2_outputs;

#[path = "plan_v2.rs"]
mod v2;

/// Workgroup memory every WebGPU device offers, the budget of the kernels' shared arrays.
pub const WORKGROUP_MEMORY_BUDGET: u32 = 16 * 1024;

/// llvmpipe (lavapipe, and Mesa's GL on the CPU) ends every loop of a shader invocation once
/// 65,535 loop iterations have run in it, all loops together (gallivm's
/// `LP_MAX_TGSI_LOOP_ITERATIONS`, a guard against shaders that never end): the rest of the
/// work is skipped without an error. A persistent workgroup that trains many centres passes
/// it, so on CPU adapters the second kernel bounds each workgroup's centres per dispatch.
pub const LLVMPIPE_LOOP_LIMIT: u64 = 65_535;

/// Dimensions per lane the second kernel aims at on GPUs (it widens the workgroup beyond
/// that): few enough registers per lane that many workgroups fit a compute unit.
const GPU_SPAN: usize = 4;

/// The second kernel's private cells per lane for input rows and for output rows, and its
/// dot products per update (`X_CELLS`, `O_CELLS` and `MAX_DOTS` in the WGSL).
pub const V2_X_CELLS: usize = 512;
/// See [`V2_X_CELLS`].
pub const V2_O_CELLS: usize = 512;
/// See [`V2_X_CELLS`].
pub const V2_MAX_DOTS: usize = 256;
/// The second kernel's most nodes of one Huffman path (`PATH_CELLS` in
/// `shaders/path_tree.wgsl`): a tree of 2^64 words at the least would be deeper.
pub const V2_PATH_CELLS: usize = 64;

/// How the second kernel sums dot products over a workgroup's lanes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Reduction {
    /// Subgroups where the device has them, the tree elsewhere.
    #[default]
    Auto,
    /// `subgroupAdd` (`shaders/reduce_subgroup.wgsl`; needs `Features::SUBGROUP`).
    Subgroup,
    /// A tree in workgroup memory (valid everywhere).
    Tree,
}

/// Which variant of the training kernel to build. The default is what the trainer uses
/// unless told otherwise: the first kernel, native float atomics and subgroups where the
/// device has them, and the planner's workgroup size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepOptions {
    /// Which kernel.
    pub kernel: GpuKernel,
    /// How the tables are added to.
    pub atomics: Atomics,
    /// How the second kernel reduces (the first has one way).
    pub reduction: Reduction,
    /// Invocations per workgroup (a power of two), instead of the planner's choice: lets a
    /// test run the shape a GPU gets (32 to 256) on a CPU adapter, which gets 8.
    pub workgroup_size: Option<u32>,
    /// Second kernel: centres one workgroup takes per dispatch, instead of the planner's
    /// bound (none on GPUs; on CPU adapters what stays under [`LLVMPIPE_LOOP_LIMIT`]).
    pub share: Option<u32>,
    /// Second kernel: count how often each centre is trained, for
    /// [`crate::gpu::step::TrainState::read_visits`], in batches of up to this many tokens.
    pub count_visits: Option<u32>,
    /// `--subwords`: the most input rows of one word (its own and its n-grams'), which
    /// bounds an update's loops; `None` trains word vectors. Set by
    /// [`crate::gpu::step::TrainState::with_subwords`] from the words' rows.
    pub subword_rows: Option<u32>,
    /// `--hs`: the most nodes of a Huffman path (the tree's depth), which bounds an update's
    /// output rows; `None` without hierarchical softmax. Set by
    /// [`crate::gpu::step::TrainState::with_tree`].
    pub tree_depth: Option<u32>,
    /// Tables split across several storage buffers (second kernel only): the rows of each
    /// part. Set by [`crate::gpu::step::TrainState`] when a table is larger than one binding.
    pub split: Option<TableSplit>,
}

/// How the tables are split across storage buffers: whole rows per part, every part but the
/// last full (at most [`MAX_TABLE_PARTS`] parts a table). Both tables' rows have `dim`
/// floats, so one binding holds as many rows of either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableSplit {
    /// Rows in each part of either table.
    pub rows: u32,
}

/// What planning needs to know of a device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceTraits {
    /// Its name, for messages.
    pub name: String,
    /// Discrete, integrated, CPU, ...
    pub device_type: wgpu::DeviceType,
    /// `SHADER_FLOAT32_ATOMIC` enabled.
    pub float_atomics: bool,
    /// `SUBGROUP` enabled.
    pub subgroups: bool,
    /// The smallest subgroup the adapter may run.
    pub subgroup_min_size: u32,
    /// Invocations one workgroup may have (the smaller of the total and the x limit).
    pub max_workgroup_size: u32,
    /// `max_compute_workgroup_storage_size`.
    pub workgroup_memory: u32,
    /// `max_storage_buffers_per_shader_stage`.
    pub max_storage_buffers: u32,
    /// Most loop iterations one invocation may run ([`LLVMPIPE_LOOP_LIMIT`] on CPU
    /// adapters), `None` where there is no such limit.
    pub loop_limit: Option<u64>,
}

impl DeviceTraits {
    /// The traits of an open device.
    pub fn of(ctx: &GpuContext) -> DeviceTraits {
        let limits = &ctx.limits;
        let cpu = ctx.adapter_info.device_type == wgpu::DeviceType::Cpu;
        DeviceTraits {
            name: ctx.describe(),
            device_type: ctx.adapter_info.device_type,
            float_atomics: ctx.float_atomics,
            subgroups: ctx.subgroups,
            subgroup_min_size: ctx.adapter_info.subgroup_min_size.max(1),
            max_workgroup_size: limits
                .max_compute_invocations_per_workgroup
                .min(limits.max_compute_workgroup_size_x),
            workgroup_memory: limits.max_compute_workgroup_storage_size,
            max_storage_buffers: limits.max_storage_buffers_per_shader_stage,
            // Other software adapters may guard loops alike: the bound costs them little.
            loop_limit: cpu.then_some(LLVMPIPE_LOOP_LIMIT),
        }
    }

    fn is_cpu(&self) -> bool {
        self.device_type == wgpu::DeviceType::Cpu
    }

    /// Whether `atomics` means native float atomics here, or an error where the device
    /// cannot do what was asked.
    pub fn native_atomics(&self, atomics: Atomics) -> Result<bool> {
        match (atomics, self.float_atomics) {
            (Atomics::Auto, native) => Ok(native),
            (Atomics::NativeFloat, true) => Ok(true),
            (Atomics::CompareExchange, _) => Ok(false),
            (Atomics::NativeFloat, false) => Err(Error::Gpu {
                during: "choosing a kernel's atomics",
                message: format!("{} has no float atomics (SHADER_FLOAT32_ATOMIC)", self.name),
            }),
        }
    }

    /// The largest power-of-two workgroup size the device allows, at most 1024.
    fn workgroup_cap(&self) -> u32 {
        let cap = self.max_workgroup_size.clamp(1, 1024);
        1 << (31 - cap.leading_zeros())
    }

    /// A workgroup size asked for: a power of two within the device's limits.
    fn checked_workgroup_size(&self, size: u32) -> Result<u32> {
        if !size.is_power_of_two() || size > self.max_workgroup_size {
            return Err(Error::Mismatch(format!(
                "a workgroup of {size} invocations: not a power of two up to the device's {}",
                self.max_workgroup_size
            )));
        }
        Ok(size)
    }
}

/// A training kernel ready to build: the shader, its constants, and how to dispatch it.
#[derive(Clone, Debug, PartialEq)]
pub struct KernelPlan {
    /// Which kernel.
    pub kernel: GpuKernel,
    /// The shader variant.
    pub shader: Shader,
    /// Its `override` values.
    pub constants: Vec<(&'static str, f64)>,
    /// Invocations per workgroup.
    pub workgroup_size: u32,
    /// Second kernel: most centres one workgroup takes per dispatch (`u32::MAX`: no bound).
    pub share: u32,
}

/// The first kernel's workgroup size for dimension `dim`: on GPUs near `dim` from 32 (a
/// warp) to 256; on CPU adapters (lavapipe, llvmpipe's 8-wide SIMD) 8, where every barrier
/// costs a pass over the invocations: twice as fast as 64 at d = 50.
pub fn v1_workgroup_size(dim: usize, device: &DeviceTraits) -> u32 {
    let cap = device.workgroup_cap().min(256);
    if device.is_cpu() {
        return 8.min(cap);
    }
    (dim.next_power_of_two().min(256) as u32).clamp(32.min(cap), cap)
}

/// The kernel `options` ask for, planned for `shape` on `device`.
pub fn plan(
    shape: &UpdateShape,
    device: &DeviceTraits,
    options: &StepOptions,
) -> Result<KernelPlan> {
    if options.subword_rows.is_some() {
        if options.kernel == GpuKernel::V1 {
            return Err(Error::InvalidOption {
                option: "gpu-kernel",
                reason: "the v1 kernel has no subword form: --subwords trains with \
                         --gpu-kernel v2 (its default)"
                    .into(),
            });
        }
        if shape.model == Model::BatchSkipGram {
            return Err(Error::InvalidOption {
                option: "subwords",
                reason: "batch skip-gram has no subword form: choose skipgram or cbow".into(),
            });
        }
    }
    if shape.negative == 0 && options.tree_depth.is_none() {
        return Err(Error::InvalidOption {
            option: "negative",
            reason: "0 leaves an update no output row to train: give --hs".into(),
        });
    }
    if let Some(depth) = options.tree_depth {
        if options.kernel == GpuKernel::V1 {
            return Err(Error::InvalidOption {
                option: "gpu-kernel",
                reason: "the v1 kernel has no hierarchical-softmax form: --hs trains with \
                         --gpu-kernel v2 (its default)"
                    .into(),
            });
        }
        if shape.model == Model::BatchSkipGram {
            return Err(Error::InvalidOption {
                option: "hs",
                reason: "hierarchical softmax trains skip-gram and CBOW: not batch skip-gram"
                    .into(),
            });
        }
        if depth as usize > V2_PATH_CELLS {
            return Err(Error::InvalidOption {
                option: "hs",
                reason: format!(
                    "the Huffman tree has a path of {depth} nodes, more than the GPU kernel's \
                     {V2_PATH_CELLS}: a higher --min-count or a lower --max-vocab shortens it, \
                     or --backend cpu trains it"
                ),
            });
        }
    }
    if options.split.is_some() && options.kernel == GpuKernel::V1 {
        return Err(Error::InvalidOption {
            option: "gpu-kernel",
            reason: "a table larger than one storage binding is split across several only by \
                     the v2 kernel: train with --gpu-kernel v2"
                .into(),
        });
    }
    // The subword kernel binds each word's rows beside the eight buffers of the others, the
    // hierarchical-softmax kernel the words' paths; split tables bind every part after the
    // first.
    let needed_buffers = 8
        + options.subword_rows.is_some() as u32
        + options.tree_depth.is_some() as u32
        + options.split.map_or(0, |_| 2 * (MAX_TABLE_PARTS - 1));
    if device.max_storage_buffers < needed_buffers {
        return Err(Error::DeviceLimit {
            what: "the training kernel's storage buffers (count, not bytes)".into(),
            needed: needed_buffers as u64,
            limit: device.max_storage_buffers as u64,
            limit_name: "max_storage_buffers_per_shader_stage",
        });
    }
    match options.kernel {
        GpuKernel::V1 => plan_v1(shape, device, options),
        GpuKernel::V2 => v2::plan_v2(shape, device, options),
    }
}

fn flag(on: bool) -> f64 {
    if on { 1.0 } else { 0.0 }
}

fn budget(device: &DeviceTraits) -> u64 {
    WORKGROUP_MEMORY_BUDGET.min(device.workgroup_memory) as u64
}

/// What does not fit workgroup memory, as an error.
fn memory_error(shape: &UpdateShape, needed: u64, limit: u64) -> Error {
    let batch = shape.model == Model::BatchSkipGram;
    Error::DeviceLimit {
        what: format!(
            "workgroup memory for {} negatives{}",
            shape.negative,
            if batch || shape.model == Model::SkipGram {
                format!(" in a window of {}", shape.window)
            } else {
                String::new()
            }
        ),
        needed,
        limit,
        limit_name: "max_compute_workgroup_storage_size",
    }
}

fn plan_v1(
    shape: &UpdateShape,
    device: &DeviceTraits,
    options: &StepOptions,
) -> Result<KernelPlan> {
    let wg = match options.workgroup_size {
        None => v1_workgroup_size(shape.dim, device),
        Some(size) => device.checked_workgroup_size(size)?,
    };
    let outputs = shape.negative as u64 + 1;
    let batch = shape.model == Model::BatchSkipGram;
    let (max_context, stash_lanes) = if batch {
        (2 * shape.window as u64, wg as u64)
    } else {
        (1, 1)
    };
    let budget = budget(device);
    // ids, gs and losses per output; g and loss per pair; the stash; then `red`.
    let fixed = 12 * outputs + 8 * max_context * outputs + 4 * outputs * stash_lanes;
    let wg_bytes = 4 * wg as u64;
    if fixed + wg_bytes > budget {
        return Err(memory_error(shape, fixed + wg_bytes, budget));
    }
    // Dot products reduced together: outputs of one update, or pairs of a window.
    let reduced = if batch {
        max_context * outputs
    } else {
        outputs
    };
    let group = ((budget - fixed) / wg_bytes).clamp(1, reduced);
    let native = device.native_atomics(options.atomics)?;
    Ok(KernelPlan {
        kernel: GpuKernel::V1,
        shader: if native {
            Shader::NegativeSamplingF32
        } else {
            Shader::NegativeSampling
        },
        constants: vec![
            ("CBOW", flag(shape.model == Model::Cbow)),
            ("BATCH", flag(batch)),
            ("MAX_CONTEXT", max_context as f64),
            ("STASH_LANES", stash_lanes as f64),
            ("WG", wg as f64),
            ("NEG", shape.negative as f64),
            ("GROUP", group as f64),
        ],
        workgroup_size: wg,
        share: u32::MAX,
    })
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
