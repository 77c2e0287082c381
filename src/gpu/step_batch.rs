//! A batch on the device: its three arrays and the bind group the training kernels read it
//! through, made and filled by [`TrainState`].

use super::*;

/// A batch's three arrays on the device, and the bind group that uses them.
pub struct DeviceBatch {
    words: wgpu::Buffer,
    positions: wgpu::Buffer,
    sentences: wgpu::Buffer,
    pub(super) group: wgpu::BindGroup,
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

impl TrainState {
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
            let mut entries = vec![
                (0, wgpu::BindingResource::Buffer(params)),
                (1, words.as_entire_binding()),
                (2, positions.as_entire_binding()),
                (3, sentences.as_entire_binding()),
                (4, self.thresholds.as_entire_binding()),
                (5, self.aliases.as_entire_binding()),
                (8, self.loss.binding()),
            ];
            let parts = [(6, &self.input, 0), (7, &self.output, 0)];
            for (binding, table, part) in parts {
                let buffer = table.part(part).expect("every table has a first part");
                entries.push((binding, buffer.as_entire_binding()));
            }
            if let Some(word_rows) = &self.word_rows {
                entries.push((9, word_rows.as_entire_binding()));
            }
            if let Some(paths) = &self.tree_paths {
                entries.push((TREE_BINDING, paths.as_entire_binding()));
            }
            if let Some(placeholder) = &self.placeholder {
                for part in 1..MAX_TABLE_PARTS {
                    for (binding, table) in [
                        (input_part_binding(part), &self.input),
                        (output_part_binding(part), &self.output),
                    ] {
                        let buffer = table.part(part as usize).unwrap_or(placeholder);
                        entries.push((binding, buffer.as_entire_binding()));
                    }
                }
            }
            let entries: Vec<wgpu::BindGroupEntry> = entries
                .into_iter()
                .map(|(binding, resource)| wgpu::BindGroupEntry { binding, resource })
                .collect();
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
}
