//! A training table on the device as one storage buffer, or, when it is larger than one
//! binding (`max_storage_buffer_binding_size`), as up to [`MAX_TABLE_PARTS`] buffers of whole
//! rows that the split kernel addresses by (part, cell) (`shaders/tables_split.wgsl`).

use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::gpu::buffers;
use crate::gpu::plan::TableSplit;
use crate::gpu::shaders::MAX_TABLE_PARTS;

/// How a run's two tables go to the device: whole (`None`) when each fits one binding,
/// otherwise split into parts of the same number of rows, as many as the binding holds.
/// A table that needs more than [`MAX_TABLE_PARTS`] parts is refused, naming `what` (which
/// says which options shrink it).
pub fn split_for(
    ctx: &GpuContext,
    input_rows: usize,
    output_rows: usize,
    dim: usize,
    what: &str,
) -> Result<Option<TableSplit>> {
    let limit = ctx.limits.max_storage_buffer_binding_size;
    let row_bytes = 4 * dim.max(1) as u64;
    let largest = input_rows.max(output_rows) as u64 * row_bytes;
    if largest <= limit {
        return Ok(None);
    }
    let rows_per_part = limit / row_bytes;
    let capacity = rows_per_part * row_bytes * MAX_TABLE_PARTS as u64;
    if rows_per_part == 0 || largest > capacity {
        return Err(Error::DeviceLimit {
            what: what.to_string(),
            needed: largest,
            limit: capacity,
            limit_name: "max_storage_buffer_binding_size, in at most 8 bindings a table",
        });
    }
    // Cells are addressed by 32-bit indices within a part (and within the table).
    let rows = u32::try_from(rows_per_part).unwrap_or(u32::MAX);
    Ok(Some(TableSplit { rows }))
}

/// One table on the device: its parts in order (one when unsplit).
pub struct TableParts {
    parts: Vec<wgpu::Buffer>,
    cells_per_part: usize,
    cells: usize,
}

impl TableParts {
    /// Uploads `table` (row-major, `dim` columns) whole, or in parts of `rows_per_part` rows.
    pub fn upload(
        ctx: &GpuContext,
        what: &str,
        table: &[f32],
        dim: usize,
        rows_per_part: Option<u32>,
    ) -> Result<TableParts> {
        let usage = wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST;
        let cells_per_part = match rows_per_part {
            Some(rows) => (rows as usize * dim).max(1),
            None => table.len().max(1),
        };
        let parts = table
            .chunks(cells_per_part)
            .enumerate()
            .map(|(k, part)| buffers::storage_init(ctx, &format!("{what}, part {k}"), part, usage))
            .collect::<Result<Vec<_>>>()?;
        let parts = if parts.is_empty() {
            vec![buffers::storage_init::<f32>(ctx, what, &[], usage)?]
        } else {
            parts
        };
        if parts.len() > MAX_TABLE_PARTS as usize {
            return Err(Error::Mismatch(format!(
                "{what} in {} parts: the kernel binds at most {MAX_TABLE_PARTS}",
                parts.len()
            )));
        }
        Ok(TableParts {
            parts,
            cells_per_part,
            cells: table.len(),
        })
    }

    /// The number of parts (1 when unsplit).
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// Always false: a table has at least one part.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// The buffer of part `part`, if the table has that many.
    pub fn part(&self, part: usize) -> Option<&wgpu::Buffer> {
        self.parts.get(part)
    }

    /// Replaces the table's values by `table` (as many values, row-major) in the buffers it
    /// has: queued before any work submitted afterwards, no buffer made anew.
    pub fn write(&self, ctx: &GpuContext, what: &str, table: &[f32]) -> Result<()> {
        if table.len() != self.cells {
            return Err(Error::Mismatch(format!(
                "{what} of {} values cannot replace one of {}",
                table.len(),
                self.cells
            )));
        }
        for (part, values) in self.parts.iter().zip(table.chunks(self.cells_per_part)) {
            ctx.queue
                .write_buffer(part, 0, bytemuck::cast_slice(values));
        }
        Ok(())
    }

    /// The table back on the host, row-major, waiting for all work submitted.
    pub fn read(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        let mut table = Vec::with_capacity(self.cells);
        for part in &self.parts {
            let cells = self.cells_per_part.min(self.cells - table.len());
            table.extend(buffers::read_back::<f32>(ctx, part, cells)?);
        }
        Ok(table)
    }
}
