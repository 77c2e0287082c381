//! The random draws of the training shader against the Rust ones: its `rng_check` entry
//! point runs `pcg`, `draw`, `unit`, the window shrink and the alias-table negative for
//! numbered test cases, and [`rng_check_cpu`] computes the same cases on the CPU.

use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::gpu::buffers::{self, grid};
use crate::gpu::shaders::Shader;
use crate::rng::{self, Stream};
use crate::sampling::NegativeSampler;

/// Runs the `rng_check` entry point of the training shader for test cases `0..cases`:
/// five `u32` per case, see [`rng_check_cpu`].
pub fn rng_check(ctx: &GpuContext, sampler: &NegativeSampler, cases: u32) -> Result<Vec<u32>> {
    let kernel = ctx.kernel(Shader::NegativeSampling, "rng_check", &[])?;
    let thresholds = buffers::storage_init(
        ctx,
        "thresholds",
        sampler.thresholds(),
        wgpu::BufferUsages::empty(),
    )?;
    let aliases = buffers::storage_init(
        ctx,
        "aliases",
        sampler.aliases(),
        wgpu::BufferUsages::empty(),
    )?;
    let out = buffers::storage_init(
        ctx,
        "draws",
        &vec![0u32; 5 * cases as usize],
        wgpu::BufferUsages::COPY_SRC,
    )?;
    let (x, y) = grid(cases.div_ceil(64))?;
    if y > 1 {
        return Err(Error::Mismatch(format!(
            "{cases} cases are too many for one row"
        )));
    }
    buffers::submit(ctx, "checking random draws", |encoder| {
        let entries = [
            (4, thresholds.as_entire_binding()),
            (5, aliases.as_entire_binding()),
            (9, out.as_entire_binding()),
        ]
        .map(|(binding, resource)| wgpu::BindGroupEntry { binding, resource });
        let group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("rng check"),
            layout: &kernel.layout,
            entries: &entries,
        });
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("rng check"),
            timestamp_writes: None,
        });
        pass.set_pipeline(&kernel.pipeline);
        pass.set_bind_group(0, &group, &[]);
        pass.dispatch_workgroups(x, 1, 1);
    })?;
    buffers::read_back(ctx, &out, 5 * cases as usize)
}

/// CPU twin of [`rng_check`]: for case `t`, with key `pcg(t ^ 0x9e3779b9)`, stream
/// `1 + t % 4`, position `t * 2654435761`, slot `t % 61`, window `1 + t % 10`:
/// `[pcg(t), draw, unit_f32(draw) bits, reach, negative]`.
pub fn rng_check_cpu(sampler: &NegativeSampler, cases: u32) -> Vec<u32> {
    let streams = [
        Stream::Subsample,
        Stream::Window,
        Stream::Negative,
        Stream::Init,
    ];
    let mut out = Vec::with_capacity(5 * cases as usize);
    for t in 0..cases {
        let key = rng::pcg(t ^ 0x9e37_79b9);
        let stream = streams[(t % 4) as usize];
        let position = t.wrapping_mul(2_654_435_761);
        let slot = t % 61;
        let window = 1 + (t % 10) as usize;
        let bits = rng::draw(key, stream, position, slot);
        out.extend([
            rng::pcg(t),
            bits,
            rng::unit_f32(bits).to_bits(),
            crate::cpu::update::reach(key, position, window) as u32,
            sampler.draw(key, position, slot),
        ]);
    }
    out
}
