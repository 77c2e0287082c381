//! Cosine scores of many queries against a whole embedding table on the GPU, and the top-k
//! nearest rows of each query.
//!
//! With unit query vectors `Q` (`[q, d]`) and the L2-normalised table `U` (`[V, d]`), all
//! cosines are one matrix product, `S = Q · Uᵀ` (`[q, V]`). `similarity.wgsl` computes it
//! workgroup-tiled, one block of table rows at a time, so that the score buffer stays
//! bounded (about [`SCORE_BLOCK_BYTES`]) whatever the vocabulary; each block is read back
//! and its scores offered to a top-k per query on the CPU, while the GPU already computes the
//! next block (two staging buffers). Blocks are visited in increasing row order and rows
//! within a block too, so ties go to the lower row exactly as in the CPU search.
//!
//! CPU twin: [`similarity_scores_cpu`].

use std::sync::mpsc;

use bytemuck::{Pod, Zeroable};

use crate::embeddings::search::{self, TopK};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::gpu::buffers::{self, MAX_WORKGROUPS_PER_DIMENSION};
use crate::gpu::lookup::GpuTable;
use crate::gpu::shaders::Shader;

/// Invocations per side of a workgroup (`TILE` in the shader).
const TILE: u32 = 16;
/// Dimensions staged in workgroup memory per step (`KT` in the shader).
const KT: u32 = 16;
/// Scores per invocation per side (`MICRO` in the shader, a constant there).
const MICRO: u32 = 4;

/// Bytes of scores one block computes and reads back by default (the bound on the score
/// buffer and on each of the two staging buffers).
pub const SCORE_BLOCK_BYTES: u64 = 32 << 20;

/// Queries scored together in one pass over the table.
const QUERY_CHUNK: usize = 4096;

/// Parameters of `similarity.wgsl` (`struct Params` there).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct SimilarityParams {
    /// Number of queries (rows of the score block).
    pub queries: u32,
    /// Number of table rows in this block (columns of the score block).
    pub rows: u32,
    /// Vector dimension.
    pub dim: u32,
    /// Uniform structs are sized in multiples of 16 bytes.
    pub _pad: u32,
}

/// CPU twin of [`similarity_scores`]: `scores[i * rows + r] = dot(queries[i], table[r])`,
/// row-major `[queries, rows]`, each dot product summed left to right.
pub fn similarity_scores_cpu(queries: &[f32], table: &[f32], dim: usize) -> Vec<f32> {
    queries
        .chunks_exact(dim)
        .flat_map(|q| table.chunks_exact(dim).map(|r| search::dot(q, r)))
        .collect()
}

/// All dot products of the row-major `queries` (`[n, table.dim()]`) with the rows of
/// `table`, row-major `[n, table.rows()]`: `similarity.wgsl` block by block. With unit
/// vectors on both sides these are cosines. Meant for checks and small tables: it returns
/// the whole matrix.
pub fn similarity_scores(ctx: &GpuContext, table: &GpuTable, queries: &[f32]) -> Result<Vec<f32>> {
    let (dim, rows) = (table.dim(), table.rows());
    check_queries(queries, dim)?;
    let n = queries.len() / dim;
    let mut scores = vec![0.0f32; n * rows];
    for (c, chunk) in queries.chunks(query_chunk(ctx, dim) * dim).enumerate() {
        let first = c * query_chunk(ctx, dim);
        let chunk_n = chunk.len() / dim;
        for_each_block(
            ctx,
            table,
            chunk,
            SCORE_BLOCK_BYTES,
            |row0, block, values| {
                for i in 0..chunk_n {
                    let to = (first + i) * rows + row0;
                    scores[to..to + block].copy_from_slice(&values[i * block..(i + 1) * block]);
                }
                Ok(())
            },
        )?;
    }
    Ok(scores)
}

/// For each query of the row-major `queries` (`[n, table.dim()]`), the `k` rows of `table`
/// with the highest dot product, best first, ties to the lower row; rows whose `norms` entry
/// is not positive never enter (the CPU search skips zero rows). The CPU side uses up to
/// `threads` threads. Blocks hold about `block_bytes` of scores.
pub(crate) fn top_k(
    ctx: &GpuContext,
    table: &GpuTable,
    norms: &[f32],
    queries: &[f32],
    k: usize,
    threads: usize,
    block_bytes: u64,
) -> Result<Vec<TopK>> {
    let dim = table.dim();
    check_queries(queries, dim)?;
    if norms.len() != table.rows() {
        return Err(Error::Mismatch(format!(
            "{} norms for a table of {} rows",
            norms.len(),
            table.rows()
        )));
    }
    let n = queries.len() / dim;
    let mut tops = vec![TopK::new(k); n];
    if n == 0 || table.rows() == 0 || k == 0 {
        return Ok(tops);
    }
    let chunk = query_chunk(ctx, dim);
    for (queries, tops) in queries.chunks(chunk * dim).zip(tops.chunks_mut(chunk)) {
        for_each_block(ctx, table, queries, block_bytes, |row0, block, scores| {
            offer_block(tops, scores, &norms[row0..row0 + block], row0, threads);
            Ok(())
        })?;
    }
    Ok(tops)
}

/// Offers row `row0 + r` with score `scores[i * block + r]` to `tops[i]`, rows in increasing
/// order, queries shared among up to `threads` threads.
fn offer_block(tops: &mut [TopK], scores: &[f32], norms: &[f32], row0: usize, threads: usize) {
    let block = norms.len();
    let per_thread = tops.len().div_ceil(threads.max(1)).max(1);
    let offer = |tops: &mut [TopK], scores: &[f32]| {
        for (top, scores) in tops.iter_mut().zip(scores.chunks_exact(block)) {
            for (r, (&score, &norm)) in scores.iter().zip(norms).enumerate() {
                if norm > 0.0 {
                    // Rows are vocabulary ids, so they fit in u32.
                    top.offer(score, (row0 + r) as u32);
                }
            }
        }
    };
    if per_thread >= tops.len() {
        offer(tops, scores);
        return;
    }
    std::thread::scope(|scope| {
        for (tops, scores) in tops
            .chunks_mut(per_thread)
            .zip(scores.chunks(per_thread * block))
        {
            scope.spawn(move || offer(tops, scores));
        }
    });
}

fn check_queries(queries: &[f32], dim: usize) -> Result<()> {
    if dim == 0 || !queries.len().is_multiple_of(dim) {
        return Err(Error::Mismatch(format!(
            "{} query values do not make vectors of {dim}",
            queries.len()
        )));
    }
    Ok(())
}

/// Rows and queries per side of a workgroup's tile.
fn side() -> usize {
    (TILE * MICRO) as usize
}

/// Queries per pass: [`QUERY_CHUNK`], fewer where a chunk would not fit one binding.
fn query_chunk(ctx: &GpuContext, dim: usize) -> usize {
    let fit = ctx.limits.max_storage_buffer_binding_size / (4 * dim as u64);
    (QUERY_CHUNK as u64).min(fit).max(1) as usize
}

/// Table rows per block for `queries` queries: scores within `block_bytes` and the
/// binding limit, the table slice within the binding limit, the grid within the dispatch
/// limit; a multiple of the tile side and of the storage offset alignment (in rows), so that
/// every block starts at an aligned offset.
fn rows_per_block(ctx: &GpuContext, queries: usize, dim: usize, block_bytes: u64) -> usize {
    let binding = ctx.limits.max_storage_buffer_binding_size;
    let align = ctx.limits.min_storage_buffer_offset_alignment as usize;
    // Both powers of two, so the larger is a multiple of the smaller.
    let unit = side().max(align.div_ceil(4));
    let by_scores = block_bytes.min(binding) / (4 * queries as u64);
    let by_table = binding / (4 * dim as u64);
    let by_grid = MAX_WORKGROUPS_PER_DIMENSION as u64 * side() as u64;
    let rows = by_scores.min(by_table).min(by_grid) as usize;
    (rows / unit * unit).max(unit)
}

/// A block submitted and its staging buffer's map requested.
struct Pending {
    index: wgpu::SubmissionIndex,
    bytes: u64,
    receiver: mpsc::Receiver<Result<(), wgpu::BufferAsyncError>>,
}

/// One buffer the GPU copies a block of scores into, and the wait for its mapping.
struct Staging {
    buffer: wgpu::Buffer,
    /// The submission that fills it, the bytes mapped, and the map's outcome.
    mapped: Option<Pending>,
}

/// Scores `queries` (at most one binding of them) against `table` one block of rows (about
/// `block_bytes` of scores, at least one tile) at a time and calls `visit(row0, rows, scores)` for each block in increasing row order, with
/// `scores` row-major `[queries, rows]`. Block `b + 1` is computed while `visit` runs on
/// block `b`.
fn for_each_block(
    ctx: &GpuContext,
    table: &GpuTable,
    queries: &[f32],
    block_bytes: u64,
    mut visit: impl FnMut(usize, usize, &[f32]) -> Result<()>,
) -> Result<()> {
    let (dim, total) = (table.dim(), table.rows());
    let n = queries.len() / dim;
    if n == 0 || total == 0 {
        return Ok(());
    }
    if n > u32::MAX as usize || dim > u32::MAX as usize {
        return Err(Error::Mismatch(format!(
            "{n} queries of dimension {dim} exceed 32-bit indexing"
        )));
    }
    let block = rows_per_block(ctx, n, dim, block_bytes).min(total.next_multiple_of(side()));
    let groups_y = n.div_ceil(side());
    if groups_y > MAX_WORKGROUPS_PER_DIMENSION as usize {
        return Err(Error::DeviceLimit {
            what: "a similarity dispatch".into(),
            needed: groups_y as u64,
            limit: MAX_WORKGROUPS_PER_DIMENSION as u64,
            limit_name: "max_compute_workgroups_per_dimension",
        });
    }
    // WebGPU guarantees 256 invocations (16 x 16) and 16 KiB of workgroup memory (the kernel
    // uses 8 KiB); an adapter offering less is refused rather than run with another tile.
    if TILE * TILE > ctx.limits.max_compute_invocations_per_workgroup
        || TILE
            > ctx
                .limits
                .max_compute_workgroup_size_x
                .min(ctx.limits.max_compute_workgroup_size_y)
    {
        return Err(Error::DeviceLimit {
            what: "a similarity workgroup".into(),
            needed: u64::from(TILE * TILE),
            limit: u64::from(ctx.limits.max_compute_invocations_per_workgroup),
            limit_name: "max_compute_invocations_per_workgroup",
        });
    }
    let kernel = ctx.kernel(
        Shader::Similarity,
        "main",
        &[("TILE", f64::from(TILE)), ("KT", f64::from(KT))],
    )?;
    let query_buffer = buffers::storage_init(ctx, "queries", queries, wgpu::BufferUsages::empty())?;
    let score_bytes = (n * block * 4) as u64;
    let scores = buffers::zeroed(
        ctx,
        "similarity scores",
        score_bytes,
        wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        true,
    )?;
    let mut staging = Vec::with_capacity(2);
    for _ in 0..2 {
        staging.push(Staging {
            buffer: buffers::zeroed(
                ctx,
                "similarity staging",
                score_bytes,
                wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                false,
            )?,
            mapped: None,
        });
    }
    let starts: Vec<usize> = (0..total).step_by(block).collect();
    let submit = |b: usize, staging: &mut Staging| -> Result<()> {
        let row0 = starts[b];
        let rows = block.min(total - row0);
        let params = SimilarityParams {
            queries: n as u32,
            rows: rows as u32,
            dim: dim as u32,
            _pad: 0,
        };
        let params = buffers::uniform(ctx, "similarity parameters", &params)?;
        let bytes = (n * rows * 4) as u64;
        let copy = bytes.next_multiple_of(wgpu::COPY_BUFFER_ALIGNMENT);
        let offset = (row0 * dim * 4) as u64;
        let slice = std::num::NonZeroU64::new((rows * dim * 4) as u64);
        let groups_x = rows.div_ceil(side()) as u32;
        let index = buffers::submit(ctx, "scoring a block of rows", |encoder| {
            let group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("similarity"),
                layout: &kernel.layout,
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: params.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: query_buffer.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 2,
                        resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                            buffer: table.buffer(),
                            offset,
                            size: slice,
                        }),
                    },
                    wgpu::BindGroupEntry {
                        binding: 3,
                        resource: scores.as_entire_binding(),
                    },
                ],
            });
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("similarity"),
                    timestamp_writes: None,
                });
                pass.set_pipeline(&kernel.pipeline);
                pass.set_bind_group(0, &group, &[]);
                pass.dispatch_workgroups(groups_x, groups_y as u32, 1);
            }
            encoder.copy_buffer_to_buffer(&scores, 0, &staging.buffer, 0, copy);
        })?;
        let (sender, receiver) = mpsc::channel();
        staging
            .buffer
            .slice(..copy)
            .map_async(wgpu::MapMode::Read, move |result| {
                // The receiver outlives the wait; a failed send only means nobody listens.
                let _ = sender.send(result);
            });
        staging.mapped = Some(Pending {
            index,
            bytes: copy,
            receiver,
        });
        Ok(())
    };
    submit(0, &mut staging[0])?;
    for b in 0..starts.len() {
        if b + 1 < starts.len() {
            submit(b + 1, &mut staging[(b + 1) % 2])?;
        }
        let slot = &mut staging[b % 2];
        let Some(Pending {
            index,
            bytes,
            receiver,
        }) = slot.mapped.take()
        else {
            // Invariant: block b was submitted (above, or before the loop) and not yet read.
            unreachable!("block {b} was submitted before it is read");
        };
        ctx.device
            .poll(wgpu::PollType::Wait {
                submission_index: Some(index),
                timeout: None,
            })
            .map_err(|e| Error::Gpu {
                during: "waiting for similarity scores",
                message: e.to_string(),
            })?;
        map_result(receiver)?;
        let rows = block.min(total - starts[b]);
        let outcome = {
            let view = slot
                .buffer
                .slice(..bytes)
                .get_mapped_range()
                .map_err(|e| Error::Gpu {
                    during: "reading similarity scores",
                    message: e.to_string(),
                })?;
            let view = &view[..n * rows * 4];
            // Mapped ranges are aligned to wgpu::MAP_ALIGNMENT (8 bytes); copy only if not.
            match bytemuck::try_cast_slice::<u8, f32>(view) {
                Ok(values) => visit(starts[b], rows, values),
                Err(_) => visit(
                    starts[b],
                    rows,
                    &bytemuck::pod_collect_to_vec::<u8, f32>(view),
                ),
            }
        };
        slot.buffer.unmap();
        outcome?;
    }
    Ok(())
}

fn map_result(receiver: mpsc::Receiver<Result<(), wgpu::BufferAsyncError>>) -> Result<()> {
    match receiver.recv() {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Error::Gpu {
            during: "mapping similarity scores",
            message: e.to_string(),
        }),
        Err(_) => Err(Error::Gpu {
            during: "mapping similarity scores",
            message: "the map callback was dropped".into(),
        }),
    }
}
