//! The training loss on the device: the kernel adds each update's loss to one of
//! [`LOSS_SLOTS`] slots, and the host reads the slots back, either waiting for the GPU or in
//! the background ([`LossReader`]). The same buffer holds, after the slots, the cells the
//! second kernel counts in (centres taken per dispatch, visits).

use std::sync::mpsc;

use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::gpu::buffers;
use crate::training::LossSum;

/// Slots of the loss buffer: workgroup `n` of a dispatch adds its loss to slot `n % LOSS_SLOTS`,
/// so few additions contend for one cell, and each f32 sum stays small enough (over an epoch
/// of a billion tokens, ~4M per slot) that adding one centre's loss is not lost to rounding.
pub const LOSS_SLOTS: u32 = 4096;

/// Bytes of the loss buffer: per slot, the f32 bits of its sum and its count of updates.
const LOSS_BYTES: u64 = 2 * LOSS_SLOTS as u64 * 4;

/// The loss sums on the device (`loss` in `negative_sampling.wgsl`, `control` in
/// `negative_sampling_v2.wgsl`), followed by `extra` `u32` cells.
pub(crate) struct LossBuffer {
    buffer: wgpu::Buffer,
    extra: u32,
}

impl LossBuffer {
    /// A zeroed loss buffer with `extra` cells after the loss slots.
    pub(crate) fn new(ctx: &GpuContext, extra: u32) -> Result<LossBuffer> {
        Ok(LossBuffer {
            buffer: buffers::zeroed(
                ctx,
                "loss sums",
                LOSS_BYTES + 4 * extra as u64,
                wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_SRC
                    | wgpu::BufferUsages::COPY_DST,
                true,
            )?,
            extra,
        })
    }

    /// Records a reset of the first `cells` extra cells to zero (the centre counters).
    pub(crate) fn clear_counters(&self, encoder: &mut wgpu::CommandEncoder, cells: u64) {
        let cells = cells.min(self.extra as u64);
        if cells > 0 {
            encoder.clear_buffer(&self.buffer, LOSS_BYTES, Some(4 * cells));
        }
    }

    /// The extra cells from cell `from` of the buffer to its end, waiting for all work
    /// submitted.
    pub(crate) fn read_extra(&self, ctx: &GpuContext, from: u32) -> Result<Vec<u32>> {
        let total = 2 * LOSS_SLOTS as usize + self.extra as usize;
        let cells: Vec<u32> = buffers::read_back(ctx, &self.buffer, total)?;
        Ok(cells.get(from as usize..).unwrap_or_default().to_vec())
    }

    /// The whole buffer, for a bind group.
    pub(crate) fn binding(&self) -> wgpu::BindingResource<'_> {
        self.buffer.as_entire_binding()
    }

    /// The loss summed since the last reset, waiting for all work submitted.
    pub(crate) fn read(&self, ctx: &GpuContext) -> Result<LossSum> {
        let cells: Vec<u32> = buffers::read_back(ctx, &self.buffer, 2 * LOSS_SLOTS as usize)?;
        Ok(loss_sum(&cells))
    }

    /// Queues a reset of the sums to zero (before the next submission's work).
    pub(crate) fn reset(&self, ctx: &GpuContext) -> Result<()> {
        buffers::submit(ctx, "resetting the loss", |encoder| {
            encoder.clear_buffer(&self.buffer, 0, Some(LOSS_BYTES))
        })?;
        Ok(())
    }

    /// A reader that copies these sums without waiting for the GPU.
    pub(crate) fn reader(&self, ctx: &GpuContext) -> Result<LossReader> {
        Ok(LossReader {
            source: self.buffer.clone(),
            staging: buffers::zeroed(
                ctx,
                "loss staging",
                LOSS_BYTES,
                wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                false,
            )?,
            pending: None,
        })
    }
}

/// Sum of the loss buffer's slots: even cells are f32 bits, odd cells counts.
fn loss_sum(cells: &[u32]) -> LossSum {
    let mut sum = LossSum::default();
    for pair in cells.chunks_exact(2) {
        sum.loss += f32::from_bits(pair[0]) as f64;
        sum.examples += pair[1] as u64;
    }
    sum
}

/// Reads the loss sums of one training state in the background: [`LossReader::request`]
/// queues a copy after the work submitted so far, [`LossReader::poll`] returns it once the
/// GPU got there. One staging buffer, reused.
pub struct LossReader {
    source: wgpu::Buffer,
    staging: wgpu::Buffer,
    pending: Option<mpsc::Receiver<std::result::Result<(), wgpu::BufferAsyncError>>>,
}

impl LossReader {
    /// Whether a copy is under way.
    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Queues a copy of the loss sums (nothing when one is already pending).
    pub fn request(&mut self, ctx: &GpuContext) -> Result<()> {
        if self.pending.is_some() {
            return Ok(());
        }
        buffers::submit(ctx, "copying the loss", |encoder| {
            encoder.copy_buffer_to_buffer(&self.source, 0, &self.staging, 0, Some(LOSS_BYTES));
        })?;
        let (sender, receiver) = mpsc::channel();
        self.staging
            .map_async(wgpu::MapMode::Read, .., move |result| {
                // Nobody listening only means the reader was dropped.
                let _ = sender.send(result);
            });
        self.pending = Some(receiver);
        Ok(())
    }

    /// The loss sums of the last request once available; `wait` blocks until then.
    pub fn poll(&mut self, ctx: &GpuContext, wait: bool) -> Result<Option<LossSum>> {
        let Some(receiver) = &self.pending else {
            return Ok(None);
        };
        let poll = if wait {
            wgpu::PollType::wait_indefinitely()
        } else {
            wgpu::PollType::Poll
        };
        ctx.device.poll(poll).map_err(|e| Error::Gpu {
            during: "waiting for the GPU",
            message: e.to_string(),
        })?;
        let result = match receiver.try_recv() {
            Ok(result) => result,
            Err(mpsc::TryRecvError::Empty) => return Ok(None),
            Err(mpsc::TryRecvError::Disconnected) => {
                self.pending = None;
                return Err(Error::Gpu {
                    during: "reading the loss",
                    message: "the map callback was dropped".into(),
                });
            }
        };
        self.pending = None;
        result.map_err(|e| Error::Gpu {
            during: "reading the loss",
            message: e.to_string(),
        })?;
        let sum = {
            let view = self.staging.get_mapped_range(..).map_err(|e| Error::Gpu {
                during: "reading the loss",
                message: e.to_string(),
            })?;
            loss_sum(&bytemuck::pod_collect_to_vec::<u8, u32>(&view))
        };
        self.staging.unmap();
        Ok(Some(sum))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_sum_adds_sums_and_counts_of_every_slot() {
        let cells = [1.5f32.to_bits(), 3, 0.25f32.to_bits(), 1, 0, 0];
        let sum = loss_sum(&cells);
        assert_eq!(sum.loss, 1.75);
        assert_eq!(sum.examples, 4);
    }
}
