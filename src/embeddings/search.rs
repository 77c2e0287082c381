//! The nearest-neighbour engine of queries and the analogy search: for many query vectors, the rows of highest cosine.
//!
//! A row's score against a unit query `q` is `dot(row, q) / |row|`, the cosine, computed as
//! gensim does (`dot(vectors, mean) / norms`). All queries against all rows is a matrix
//! product of `queries x dim` by `dim x rows`, done like a GEMM:
//!
//! * the rows are copied once into panels of [`PANEL`] rows stored dimension-major, so that
//!   one load brings the `k`-th value of [`PANEL`] rows;
//! * a micro-kernel keeps a tile of [`TILE`] queries x [`PANEL`] rows of dot products in
//!   registers: for each dimension `k` it adds `q[k] * panel[k]` to each query's row of the
//!   tile, plain array arithmetic that the compiler turns into SIMD;
//! * a batch of queries passes over a block of panels while that block stays in cache, and
//!   batches of queries are shared among threads.
//!
//! Each dot product is summed left to right over the dimensions, whatever the blocking and
//! the thread count, so every score is bit-identical to [`dot`]` / norm`;
//! `top_k_reference` is the plain version the tests compare with.

/// Rows per panel: the width of the micro-kernel's tile (two SSE or one AVX register).
const PANEL: usize = 8;
/// Queries per micro-kernel tile: `TILE x PANEL` accumulators fit in the SIMD registers.
const TILE: usize = 4;
/// Panels scored together: 32 panels of 8 rows of 100 floats (100 KB) stay in L2.
const PANEL_BLOCK: usize = 32;
/// Queries that pass over a block of panels together (64 queries of 100 floats: 25 KB).
const QUERY_BATCH: usize = 64;

/// The best `k` rows for one query: `(score, row)`, best first, ties to the lower row.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TopK {
    k: usize,
    best: Vec<(f32, u32)>,
}

/// Most entries a [`TopK`] reserves up front.
const RESERVED_ENTRIES: usize = 1 << 12;

impl TopK {
    /// An empty list that keeps `k` rows. `k` may exceed the rows there are (a caller's
    /// `topn=10**10`): the list grows only as rows are offered.
    pub(crate) fn new(k: usize) -> TopK {
        TopK {
            k,
            best: Vec::with_capacity(k.saturating_add(1).min(RESERVED_ENTRIES)),
        }
    }

    /// Considers `row` with `score`. Rows must be offered in increasing order, so that a later
    /// row never displaces an equal score. NaN scores are ignored (gensim sorts them last).
    #[inline]
    pub(crate) fn offer(&mut self, score: f32, row: u32) {
        // `partial_cmp` so that NaN, which is unordered, is refused.
        if score.partial_cmp(&self.threshold()) != Some(std::cmp::Ordering::Greater) {
            return;
        }
        let at = self.best.partition_point(|&(s, _)| s >= score);
        self.best.insert(at, (score, row));
        self.best.truncate(self.k);
    }

    /// The score a row must beat to enter: the worst kept, or -inf while not full.
    #[inline]
    fn threshold(&self) -> f32 {
        match self.best.last() {
            Some(&(worst, _)) if self.best.len() == self.k => worst,
            _ => f32::NEG_INFINITY,
        }
    }

    /// The rows kept, best first.
    pub(crate) fn rows(&self) -> impl Iterator<Item = u32> + '_ {
        self.best.iter().map(|&(_, row)| row)
    }

    /// The `(score, row)` pairs kept, best first.
    pub(crate) fn entries(&self) -> &[(f32, u32)] {
        &self.best
    }
}

/// The Euclidean norm of each row, summed in f64 and rounded to f32 (numpy's float32 norm
/// is within an ulp of it).
pub(crate) fn row_norms(rows: &[f32], dim: usize) -> Vec<f32> {
    rows.chunks_exact(dim)
        .map(|row| {
            let sum: f64 = row.iter().map(|&x| f64::from(x) * f64::from(x)).sum();
            sum.sqrt() as f32
        })
        .collect()
}

/// Dot product summed left to right: the order every score of this module uses.
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    a.iter().zip(b).fold(0.0, |sum, (x, y)| sum + x * y)
}

/// Rows laid out for the micro-kernel: panel `p` holds rows `p * PANEL ..` as `dim` groups
/// of [`PANEL`] values (value `k` of each row), the last panel padded with zero rows.
struct Panels {
    data: Vec<f32>,
    /// Norms by row, padded with zeros like the rows.
    norms: Vec<f32>,
    dim: usize,
}

impl Panels {
    fn new(rows: &[f32], norms: &[f32], dim: usize) -> Panels {
        let n = norms.len().div_ceil(PANEL);
        let mut data = vec![0.0; n * PANEL * dim];
        for (row, values) in rows.chunks_exact(dim).enumerate().take(norms.len()) {
            let (panel, lane) = (row / PANEL, row % PANEL);
            let base = panel * PANEL * dim;
            for (k, &x) in values.iter().enumerate() {
                data[base + k * PANEL + lane] = x;
            }
        }
        let mut norms = norms.to_vec();
        norms.resize(n * PANEL, 0.0);
        Panels { data, norms, dim }
    }

    fn count(&self) -> usize {
        self.norms.len() / PANEL
    }

    fn panel(&self, p: usize) -> &[f32] {
        &self.data[p * PANEL * self.dim..(p + 1) * PANEL * self.dim]
    }
}

/// Dot products of [`TILE`] queries with the [`PANEL`] rows of one panel; each summed
/// left to right, like [`dot`].
#[inline(always)]
fn micro_kernel(panel: &[f32], queries: [&[f32]; TILE]) -> [[f32; PANEL]; TILE] {
    let mut acc = [[0.0f32; PANEL]; TILE];
    let dim = panel.len() / PANEL;
    let queries = queries.map(|q| &q[..dim]);
    for (k, column) in panel.chunks_exact(PANEL).enumerate() {
        for (acc, q) in acc.iter_mut().zip(&queries) {
            let x = q[k];
            for lane in 0..PANEL {
                acc[lane] += x * column[lane];
            }
        }
    }
    acc
}

/// For each query (row-major `[n, dim]`), the `k` rows with the highest
/// `dot(row, query) / norms[row]`, using up to `threads` threads. Rows of zero norm never
/// enter (gensim's 0/0 is NaN, sorted last).
pub(crate) fn top_k(
    rows: &[f32],
    norms: &[f32],
    dim: usize,
    queries: &[f32],
    k: usize,
    threads: usize,
) -> Vec<TopK> {
    let n = queries.len() / dim;
    let mut results = vec![TopK::new(k); n];
    if n == 0 || norms.is_empty() {
        return results;
    }
    let panels = Panels::new(rows, norms, dim);
    let batches = n.div_ceil(QUERY_BATCH);
    let threads = threads.clamp(1, batches);
    // Contiguous shares of whole batches, one per thread.
    let per_thread = batches.div_ceil(threads) * QUERY_BATCH;
    let panels = &panels;
    std::thread::scope(|scope| {
        for (share, out) in queries
            .chunks(per_thread * dim)
            .zip(results.chunks_mut(per_thread))
        {
            scope.spawn(move || {
                for (batch, out) in share
                    .chunks(QUERY_BATCH * dim)
                    .zip(out.chunks_mut(QUERY_BATCH))
                {
                    search_batch(panels, batch, out);
                }
            });
        }
    });
    results
}

/// Scores one batch of queries against every row, a block of panels at a time.
fn search_batch(panels: &Panels, batch: &[f32], out: &mut [TopK]) {
    let dim = panels.dim;
    // The last tile of a batch may be short: zero queries fill it, their results dropped.
    let zero = vec![0.0f32; dim];
    let mut block = 0;
    while block < panels.count() {
        let block_end = (block + PANEL_BLOCK).min(panels.count());
        for (tile, tops) in batch.chunks(TILE * dim).zip(out.chunks_mut(TILE)) {
            let queries: [&[f32]; TILE] =
                std::array::from_fn(|j| tile.get(j * dim..(j + 1) * dim).unwrap_or(&zero));
            for p in block..block_end {
                let dots = micro_kernel(panels.panel(p), queries);
                let norms = &panels.norms[p * PANEL..(p + 1) * PANEL];
                for (dots, top) in dots.iter().zip(tops.iter_mut()) {
                    let scores: [f32; PANEL] = std::array::from_fn(|l| dots[l] / norms[l]);
                    let threshold = top.threshold();
                    if !scores.iter().any(|&s| s > threshold) {
                        continue;
                    }
                    for (lane, &score) in scores.iter().enumerate() {
                        if norms[lane] > 0.0 {
                            // Rows are vocabulary ids, so they fit in u32.
                            top.offer(score, (p * PANEL + lane) as u32);
                        }
                    }
                }
            }
        }
        block = block_end;
    }
}

/// The plain version of [`top_k`]: one query and one row at a time, one thread.
#[cfg(test)]
pub(crate) fn top_k_reference(
    rows: &[f32],
    norms: &[f32],
    dim: usize,
    queries: &[f32],
    k: usize,
) -> Vec<TopK> {
    queries
        .chunks_exact(dim)
        .map(|query| {
            let mut top = TopK::new(k);
            for (row, values) in rows.chunks_exact(dim).enumerate().take(norms.len()) {
                if norms[row] > 0.0 {
                    top.offer(dot(query, values) / norms[row], row as u32);
                }
            }
            top
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(n: usize, seed: u32) -> Vec<f32> {
        crate::rng::uniform_values(n, seed)
    }

    #[test]
    fn top_k_keeps_best_first_and_ties_to_lower_row() {
        let mut top = TopK::new(3);
        for (row, score) in [0.1, 0.5, f32::NAN, 0.5, 0.9, 0.2, 0.5]
            .into_iter()
            .enumerate()
        {
            top.offer(score, row as u32);
        }
        assert_eq!(top.rows().collect::<Vec<_>>(), [4, 1, 3]);
    }

    #[test]
    fn nan_never_blocks_later_rows() {
        let mut top = TopK::new(2);
        top.offer(f32::NAN, 0);
        top.offer(0.3, 1);
        top.offer(0.4, 2);
        top.offer(0.1, 3);
        assert_eq!(top.rows().collect::<Vec<_>>(), [2, 1]);
    }

    #[test]
    fn micro_kernel_sums_like_dot() {
        for dim in [1, 7, 8, 13, 50, 100] {
            let rows = values(PANEL * dim, 2);
            let norms = vec![1.0; PANEL];
            let panels = Panels::new(&rows, &norms, dim);
            let q = values(TILE * dim, 1);
            let queries: [&[f32]; TILE] = std::array::from_fn(|j| &q[j * dim..(j + 1) * dim]);
            let tile = micro_kernel(panels.panel(0), queries);
            for (j, query) in queries.iter().enumerate() {
                for (l, row) in rows.chunks_exact(dim).enumerate() {
                    let expected = dot(query, row);
                    assert_eq!(
                        tile[j][l].to_bits(),
                        expected.to_bits(),
                        "dim {dim} q {j} row {l}"
                    );
                }
            }
        }
    }

    #[test]
    fn blocked_search_equals_reference() {
        // Sizes that leave partial row blocks, partial query batches and a dim tail.
        let (dim, n_rows, n_queries) = (13, 2 * PANEL_BLOCK * PANEL + 7, 3 * QUERY_BATCH + 5);
        let mut rows = values(n_rows * dim, 3);
        // One zero row, one duplicate row (an exact tie).
        rows[5 * dim..6 * dim].fill(0.0);
        let copy = rows[9 * dim..10 * dim].to_vec();
        rows[300 * dim..301 * dim].copy_from_slice(&copy);
        let norms = row_norms(&rows, dim);
        let queries = values(n_queries * dim, 4);
        let expected = top_k_reference(&rows, &norms, dim, &queries, 8);
        for threads in [1, 2, 3, 64] {
            let got = top_k(&rows, &norms, dim, &queries, 8, threads);
            assert_eq!(got, expected, "{threads} threads");
        }
        assert!(expected.iter().all(|t| t.rows().count() == 8));
        assert!(expected.iter().all(|t| t.rows().all(|r| r != 5)));
    }

    #[test]
    fn finds_the_obvious_neighbour() {
        let rows = [1.0, 0.0, 0.0, 3.0, 0.7, 0.7];
        let norms = row_norms(&rows, 2);
        let top = top_k(&rows, &norms, 2, &[0.0, 1.0], 2, 2);
        assert_eq!(top[0].rows().collect::<Vec<_>>(), [1, 2]);
    }
}
