//! Embedding tables on the device, batch lookup (gather) and gradient scatter-add.
//!
//! CPU twins: [`gather_cpu`] and [`scatter_add_cpu`] define what the kernels compute.

use bytemuck::{Pod, Zeroable};

use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::gpu::buffers::{self, grid};
use crate::gpu::shaders::Shader;

/// Invocations per workgroup of the element-wise kernels (capped by the device's limits).
const ELEMENTWISE_WORKGROUP: u32 = 256;

/// Parameters of `gather.wgsl` and `scatter_add*.wgsl` (`struct Params` there).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct LookupParams {
    /// Number of ids (rows of the batch).
    pub rows: u32,
    /// Vector dimension.
    pub dim: u32,
    /// Uniform structs are sized in multiples of 16 bytes.
    pub _pad: [u32; 2],
}

/// A row-major `[rows, dim]` f32 table in a storage buffer.
#[derive(Debug)]
pub struct GpuTable {
    buffer: wgpu::Buffer,
    rows: usize,
    dim: usize,
}

impl GpuTable {
    /// Uploads a row-major table of rows of `dim` floats.
    pub fn upload(ctx: &GpuContext, data: &[f32], dim: usize) -> Result<GpuTable> {
        if dim == 0 || !data.len().is_multiple_of(dim) {
            return Err(Error::Mismatch(format!(
                "{} values do not make rows of {dim}",
                data.len()
            )));
        }
        let buffer = buffers::storage_init(
            ctx,
            "embedding table",
            data,
            wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
        )?;
        Ok(GpuTable {
            buffer,
            rows: data.len() / dim,
            dim,
        })
    }

    /// The table back on the host.
    pub fn read(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        buffers::read_back(ctx, &self.buffer, self.rows * self.dim)
    }

    /// The storage buffer (f32 values, row-major).
    pub fn buffer(&self) -> &wgpu::Buffer {
        &self.buffer
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Vector dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }
}

/// Which atomic addition a kernel that adds into a table uses (scatter-add, training step).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Atomics {
    /// Native float atomics where the device has them, compare-exchange elsewhere.
    #[default]
    Auto,
    /// `atomicAdd` on `atomic<f32>` (needs `SHADER_FLOAT32_ATOMIC`).
    NativeFloat,
    /// A compare-exchange loop on `atomic<u32>` holding f32 bits: works everywhere.
    CompareExchange,
}

impl Atomics {
    /// Whether this choice means native float atomics on `ctx` (false: compare-exchange), or
    /// an error where the device cannot do what was asked.
    pub fn native(self, ctx: &GpuContext) -> Result<bool> {
        match (self, ctx.float_atomics) {
            (Atomics::Auto, native) => Ok(native),
            (Atomics::NativeFloat, true) => Ok(true),
            (Atomics::CompareExchange, _) => Ok(false),
            (Atomics::NativeFloat, false) => Err(Error::Gpu {
                during: "choosing a kernel's atomics",
                message: format!(
                    "{} has no float atomics (SHADER_FLOAT32_ATOMIC)",
                    ctx.describe()
                ),
            }),
        }
    }

    /// The scatter-add kernel this choice runs on `ctx`.
    fn shader(self, ctx: &GpuContext) -> Result<Shader> {
        Ok(if self.native(ctx)? {
            Shader::ScatterAdd
        } else {
            Shader::ScatterAddCas
        })
    }
}

/// Checks ids against the table and that the batch fits 32-bit indexing.
fn check_ids(table: &GpuTable, ids: &[u32]) -> Result<()> {
    if let Some(&bad) = ids.iter().find(|&&id| id as usize >= table.rows) {
        return Err(Error::Mismatch(format!(
            "id {bad} is out of range for a table of {} rows",
            table.rows
        )));
    }
    if (ids.len() as u64) * (table.dim as u64) > u32::MAX as u64 {
        return Err(Error::Mismatch(format!(
            "{} ids of dimension {} exceed the 2^32 elements one dispatch indexes",
            ids.len(),
            table.dim
        )));
    }
    Ok(())
}

fn workgroup_size(ctx: &GpuContext) -> u32 {
    ELEMENTWISE_WORKGROUP
        .min(ctx.limits.max_compute_invocations_per_workgroup)
        .min(ctx.limits.max_compute_workgroup_size_x)
}

/// Records one element-wise dispatch of `shader` over `ids.len() * dim` elements.
fn dispatch(
    ctx: &GpuContext,
    shader: Shader,
    during: &'static str,
    bindings: [&wgpu::Buffer; 4],
    elements: u64,
) -> Result<()> {
    let wg = workgroup_size(ctx);
    let kernel = ctx.kernel(shader, "main", &[("WG", wg as f64)])?;
    let (x, y) = grid(elements.div_ceil(wg as u64).min(u32::MAX as u64) as u32)?;
    buffers::submit(ctx, during, |encoder| {
        let entries: Vec<wgpu::BindGroupEntry> = bindings
            .iter()
            .enumerate()
            .map(|(i, buffer)| wgpu::BindGroupEntry {
                binding: i as u32,
                resource: buffer.as_entire_binding(),
            })
            .collect();
        let group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(&shader.name()),
            layout: &kernel.layout,
            entries: &entries,
        });
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some(&shader.name()),
            timestamp_writes: None,
        });
        pass.set_pipeline(&kernel.pipeline);
        pass.set_bind_group(0, &group, &[]);
        pass.dispatch_workgroups(x, y, 1);
    })?;
    Ok(())
}

/// The rows of `table` for `ids`, row-major `[ids.len(), dim]`: `gather.wgsl`.
pub fn gather(ctx: &GpuContext, table: &GpuTable, ids: &[u32]) -> Result<Vec<f32>> {
    check_ids(table, ids)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let elements = ids.len() * table.dim;
    let params = LookupParams {
        rows: ids.len() as u32,
        dim: table.dim as u32,
        _pad: [0; 2],
    };
    let params = buffers::uniform(ctx, "gather parameters", &params)?;
    let id_buffer = buffers::storage_init(ctx, "ids", ids, wgpu::BufferUsages::empty())?;
    let out = buffers::zeroed(
        ctx,
        "gathered rows",
        (elements * 4) as u64,
        wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        true,
    )?;
    dispatch(
        ctx,
        Shader::Gather,
        "gathering rows",
        [&params, &table.buffer, &id_buffer, &out],
        elements as u64,
    )?;
    buffers::read_back(ctx, &out, elements)
}

/// Adds row `r` of `grads` (`[ids.len(), dim]`) to row `ids[r]` of `table`, repeated ids
/// included: `scatter_add.wgsl` or `scatter_add_cas.wgsl` as `atomics` says.
///
/// The order of the additions to one cell is not fixed, so results may differ from
/// [`scatter_add_cpu`] by rounding unless the sums are exact.
pub fn scatter_add(
    ctx: &GpuContext,
    table: &GpuTable,
    ids: &[u32],
    grads: &[f32],
    atomics: Atomics,
) -> Result<()> {
    check_ids(table, ids)?;
    if grads.len() != ids.len() * table.dim {
        return Err(Error::Mismatch(format!(
            "{} gradient values for {} ids of dimension {}",
            grads.len(),
            ids.len(),
            table.dim
        )));
    }
    if ids.is_empty() {
        return Ok(());
    }
    let shader = atomics.shader(ctx)?;
    let params = LookupParams {
        rows: ids.len() as u32,
        dim: table.dim as u32,
        _pad: [0; 2],
    };
    let params = buffers::uniform(ctx, "scatter parameters", &params)?;
    let id_buffer = buffers::storage_init(ctx, "ids", ids, wgpu::BufferUsages::empty())?;
    let grad_buffer = buffers::storage_init(ctx, "gradients", grads, wgpu::BufferUsages::empty())?;
    dispatch(
        ctx,
        shader,
        "scatter-adding rows",
        [&params, &table.buffer, &id_buffer, &grad_buffer],
        grads.len() as u64,
    )
}

/// CPU twin of [`gather`].
pub fn gather_cpu(table: &[f32], dim: usize, ids: &[u32]) -> Vec<f32> {
    ids.iter()
        .flat_map(|&id| &table[id as usize * dim..(id as usize + 1) * dim])
        .copied()
        .collect()
}

/// CPU twin of [`scatter_add`]: additions in order of `ids`.
pub fn scatter_add_cpu(table: &mut [f32], dim: usize, ids: &[u32], grads: &[f32]) {
    for (&id, row) in ids.iter().zip(grads.chunks_exact(dim)) {
        let start = id as usize * dim;
        for (cell, g) in table[start..start + dim].iter_mut().zip(row) {
            *cell += g;
        }
    }
}
