//! Buffer creation with limits checked first, dispatch grids, and reading results back.

use std::sync::mpsc;

use bytemuck::Pod;
use wgpu::util::DeviceExt;

use crate::error::{Error, Result};
use crate::gpu::GpuContext;

/// Most workgroups in one dimension of a dispatch (WebGPU's guaranteed minimum, and what
/// every adapter seen offers).
pub const MAX_WORKGROUPS_PER_DIMENSION: u32 = 65_535;

/// Smallest buffer created: WebGPU refuses zero-sized bindings.
const MIN_BYTES: u64 = 16;

/// A storage buffer holding `data`, after checking its size against the device's limits.
pub(crate) fn storage_init<T: Pod>(
    ctx: &GpuContext,
    what: &str,
    data: &[T],
    usage: wgpu::BufferUsages,
) -> Result<wgpu::Buffer> {
    let bytes: &[u8] = bytemuck::cast_slice(data);
    ctx.check_buffer_size(what, bytes.len() as u64, true)?;
    ctx.scoped("creating a buffer", || {
        if (bytes.len() as u64) < MIN_BYTES {
            let mut padded = bytes.to_vec();
            padded.resize(MIN_BYTES as usize, 0);
            ctx.device
                .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some(what),
                    contents: &padded,
                    usage: wgpu::BufferUsages::STORAGE | usage,
                })
        } else {
            ctx.device
                .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some(what),
                    contents: bytes,
                    usage: wgpu::BufferUsages::STORAGE | usage,
                })
        }
    })
}

/// An uninitialised (zeroed) buffer of `bytes`, after checking its size; `binding` when it
/// will be bound whole as a storage buffer.
pub(crate) fn zeroed(
    ctx: &GpuContext,
    what: &str,
    bytes: u64,
    usage: wgpu::BufferUsages,
    binding: bool,
) -> Result<wgpu::Buffer> {
    ctx.check_buffer_size(what, bytes, binding)?;
    ctx.scoped("creating a buffer", || {
        ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(what),
            size: bytes
                .max(MIN_BYTES)
                .next_multiple_of(wgpu::COPY_BUFFER_ALIGNMENT),
            usage,
            mapped_at_creation: false,
        })
    })
}

/// A uniform buffer holding `value`.
pub(crate) fn uniform<T: Pod>(ctx: &GpuContext, what: &str, value: &T) -> Result<wgpu::Buffer> {
    ctx.scoped("creating a buffer", || {
        ctx.device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(what),
                contents: bytemuck::bytes_of(value),
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            })
    })
}

/// The (x, y) grid of `workgroups` workgroups: x at most [`MAX_WORKGROUPS_PER_DIMENSION`].
/// Kernels number workgroup (x, y) as `x + y * num_workgroups.x` and return past the end.
pub fn grid(workgroups: u32) -> Result<(u32, u32)> {
    let x = workgroups.clamp(1, MAX_WORKGROUPS_PER_DIMENSION);
    let y = workgroups.div_ceil(x).max(1);
    if y > MAX_WORKGROUPS_PER_DIMENSION {
        return Err(Error::DeviceLimit {
            what: "a dispatch".into(),
            needed: workgroups as u64,
            limit: (MAX_WORKGROUPS_PER_DIMENSION as u64).pow(2),
            limit_name: "max_compute_workgroups_per_dimension",
        });
    }
    Ok((x, y))
}

/// Waits for a pending map of `slice` requested through `receiver`.
fn wait_mapped(
    ctx: &GpuContext,
    receiver: &mpsc::Receiver<Result<(), wgpu::BufferAsyncError>>,
) -> Result<()> {
    ctx.device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|e| Error::Gpu {
            during: "waiting for the GPU",
            message: e.to_string(),
        })?;
    match receiver.recv() {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Error::Gpu {
            during: "mapping a buffer for reading",
            message: e.to_string(),
        }),
        Err(_) => Err(Error::Gpu {
            during: "mapping a buffer for reading",
            message: "the map callback was dropped".into(),
        }),
    }
}

/// Copies `count` values of type `T` from the start of `buffer` (which needs `COPY_SRC`) to the
/// host, waiting for all work submitted so far.
pub(crate) fn read_back<T: Pod>(
    ctx: &GpuContext,
    buffer: &wgpu::Buffer,
    count: usize,
) -> Result<Vec<T>> {
    let bytes = (count * std::mem::size_of::<T>()) as u64;
    if bytes == 0 {
        return Ok(Vec::new());
    }
    let padded = bytes.next_multiple_of(wgpu::COPY_BUFFER_ALIGNMENT);
    let staging = zeroed(
        ctx,
        "staging buffer",
        padded,
        wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        false,
    )?;
    let receiver = ctx.scoped("reading a buffer back", || {
        let mut encoder = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, padded);
        ctx.queue.submit([encoder.finish()]);
        let (sender, receiver) = mpsc::channel();
        staging.map_async(wgpu::MapMode::Read, .., move |result| {
            // The receiver outlives the wait below; a failed send only means nobody listens.
            let _ = sender.send(result);
        });
        receiver
    })?;
    wait_mapped(ctx, &receiver)?;
    let values = {
        let view = staging.get_mapped_range(..).map_err(|e| Error::Gpu {
            during: "reading a buffer back",
            message: e.to_string(),
        })?;
        bytemuck::pod_collect_to_vec::<u8, T>(&view[..bytes as usize])
    };
    staging.unmap();
    Ok(values)
}

/// Submits `record`'s commands in one command buffer, inside error scopes.
pub(crate) fn submit(
    ctx: &GpuContext,
    during: &'static str,
    record: impl FnOnce(&mut wgpu::CommandEncoder),
) -> Result<wgpu::SubmissionIndex> {
    ctx.scoped(during, || {
        let mut encoder = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some(during),
            });
        record(&mut encoder);
        ctx.queue.submit([encoder.finish()])
    })
}
