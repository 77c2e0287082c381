//! An [`Embeddings`] resident on the GPU: batch lookups with the `gather.wgsl` kernel the
//! trainer uses, behind the library's [`Gather`] seam, and nearest-neighbour queries for
//! many words at once with `similarity.wgsl` ([`GpuEmbeddings::most_similar_batch`]).

use std::sync::OnceLock;

use crate::embeddings::{Embeddings, Gather, Neighbour, Query};
use crate::error::{Error, Result};
use crate::gpu::context::GpuContext;
use crate::gpu::lookup::{GpuTable, gather};
use crate::gpu::similarity;

/// An embedding table resident on the GPU, raw and (uploaded once, on first use)
/// L2-normalised.
///
/// Use it with [`Embeddings::gather_with`] on the embeddings it was made from; the results
/// are bit-identical to [`crate::embeddings::CpuGather`] (a gather copies, it does not add).
/// [`most_similar_batch`](GpuEmbeddings::most_similar_batch) answers like
/// [`Embeddings::most_similar_batch`], scores within rounding.
pub struct GpuEmbeddings<'c> {
    ctx: &'c GpuContext,
    rows: usize,
    dim: usize,
    raw: GpuTable,
    unit: OnceLock<Result<GpuTable, String>>,
    block_bytes: u64,
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
            block_bytes: similarity::SCORE_BLOCK_BYTES,
        })
    }

    /// Sets how many bytes of scores one block of
    /// [`most_similar_batch`](GpuEmbeddings::most_similar_batch) computes and reads back
    /// (default [`similarity::SCORE_BLOCK_BYTES`], 32 MiB; each block covers at least 64
    /// rows). The device holds this three times: the scores and two staging buffers.
    pub fn with_score_block_bytes(mut self, bytes: u64) -> GpuEmbeddings<'c> {
        self.block_bytes = bytes;
        self
    }

    /// The context the tables live in.
    pub fn context(&self) -> &'c GpuContext {
        self.ctx
    }

    /// Refuses embeddings of another shape than the ones uploaded.
    fn check(&self, emb: &Embeddings) -> Result<()> {
        if (emb.len(), emb.dim()) != (self.rows, self.dim) {
            return Err(Error::Mismatch(format!(
                "the GPU table holds {} rows of {}, but the embeddings have {} rows of {}",
                self.rows,
                self.dim,
                emb.len(),
                emb.dim()
            )));
        }
        Ok(())
    }

    /// [`Embeddings::most_similar_batch`] on the GPU: for each query, the `k` rows of highest
    /// cosine, best first, the query's own row (for a word or id) excluded, rows of norm zero
    /// never returned, ties to the lower id. `emb` must be the embeddings this was made from.
    ///
    /// All cosines are the matrix product of the unit queries with the normalised table
    /// (uploaded once and kept), computed by `similarity.wgsl` one block of rows at a time
    /// so that the score buffer stays bounded; each block is read back and merged into a
    /// top-k per query on the CPU while the GPU computes the next. A score is `dot(û, q)`
    /// where the CPU computes `dot(u, q) / |u|`, each summed in f32: they agree to a few
    /// units of 1e-7 (at most about `d · 2⁻²⁴`), so two rows whose cosines are that close
    /// may come in the other order.
    pub fn most_similar_batch<'e>(
        &self,
        emb: &'e Embeddings,
        queries: &[Query<'_>],
        k: usize,
    ) -> Result<Vec<Vec<Neighbour<'e>>>> {
        self.check(emb)?;
        let (matrix, own) = emb.batch_queries(queries)?;
        let table = self.table(emb, true)?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let tops = similarity::top_k(
            self.ctx,
            table,
            emb.norms(),
            &matrix,
            k.saturating_add(1),
            threads,
            self.block_bytes,
        )?;
        Ok(tops
            .iter()
            .zip(own)
            .map(|(top, own)| emb.neighbours(top, k, own.as_slice()))
            .collect())
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
        self.check(emb)?;
        let rows = gather(self.ctx, self.table(emb, normalized)?, ids)?;
        out.copy_from_slice(&rows);
        Ok(())
    }
}
