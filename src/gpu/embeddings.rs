//! Batch lookups of an [`Embeddings`] on the GPU: the `gather.wgsl` kernel the trainer
//! uses, behind the library's [`Gather`] seam.

use std::sync::OnceLock;

use crate::embeddings::{Embeddings, Gather};
use crate::error::{Error, Result};
use crate::gpu::context::GpuContext;
use crate::gpu::lookup::{GpuTable, gather};

/// An embedding table resident on the GPU, raw and (uploaded on first use) L2-normalised.
///
/// Use it with [`Embeddings::gather_with`] on the embeddings it was made from; the results
/// are bit-identical to [`crate::embeddings::CpuGather`] (a gather copies, it does not add).
pub struct GpuEmbeddings<'c> {
    ctx: &'c GpuContext,
    rows: usize,
    dim: usize,
    raw: GpuTable,
    unit: OnceLock<Result<GpuTable, String>>,
}

impl<'c> GpuEmbeddings<'c> {
    /// Uploads the rows of `emb` to the device of `ctx`.
    pub fn new(ctx: &'c GpuContext, emb: &Embeddings) -> Result<GpuEmbeddings<'c>> {
        Ok(GpuEmbeddings {
            ctx,
            rows: emb.len(),
            dim: emb.dim(),
            raw: GpuTable::upload(ctx, emb.as_slice(), emb.dim())?,
            unit: OnceLock::new(),
        })
    }

    fn table(&self, emb: &Embeddings, normalized: bool) -> Result<&GpuTable> {
        if !normalized {
            return Ok(&self.raw);
        }
        self.unit
            .get_or_init(|| {
                GpuTable::upload(self.ctx, emb.normalized(), self.dim).map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|message| Error::Gpu {
                during: "uploading normalised rows",
                message: message.clone(),
            })
    }
}

impl Gather for GpuEmbeddings<'_> {
    fn gather(
        &self,
        emb: &Embeddings,
        ids: &[u32],
        normalized: bool,
        out: &mut [f32],
    ) -> Result<()> {
        if (emb.len(), emb.dim()) != (self.rows, self.dim) {
            return Err(Error::Mismatch(format!(
                "the GPU table holds {} rows of {}, but the embeddings have {} rows of {}",
                self.rows,
                self.dim,
                emb.len(),
                emb.dim()
            )));
        }
        let rows = gather(self.ctx, self.table(emb, normalized)?, ids)?;
        out.copy_from_slice(&rows);
        Ok(())
    }
}
