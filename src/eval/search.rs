//! The analogy search's hot loop: for many query vectors, the rows of highest cosine.
//!
//! A row's score against a unit query `q` is `dot(row, q) / |row|`, the cosine, computed as
//! gensim does (`dot(vectors, mean) / norms`). All queries against all rows is a matrix
//! product of `queries x dim` by `dim x rows`; it is done in blocks so that a block of rows
//! stays in cache while a batch of queries passes over it, four rows at a time so that each
//! query chunk is loaded once for four rows, with [`LANES`] accumulators per dot product so
//! that the compiler may use SIMD. Batches of queries are shared among threads.
//!
//! Every score is bit-identical to [`dot`]` / norm`, whatever the blocking and the thread
//! count: each dot product sums its lanes in the same order. [`top_k_reference`] is the
//! plain version the tests compare with.

/// Accumulators per dot product.
const LANES: usize = 8;
/// Rows scored together: 256 rows of 100 floats (100 KB) stay in the L2 cache.
const ROW_BLOCK: usize = 256;
/// Queries that pass over a row block together (64 queries of 100 floats: 25 KB, L1).
const QUERY_BATCH: usize = 64;

/// The best `k` rows for one query: `(score, row)`, best first, ties to the lower row.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct TopK {
    k: usize,
    best: Vec<(f32, u32)>,
}

impl TopK {
    /// An empty list that keeps `k` rows.
    pub(super) fn new(k: usize) -> TopK {
        TopK {
            k,
            best: Vec::with_capacity(k + 1),
        }
    }

    /// Considers `row` with `score`. Rows must be offered in increasing order, so that a later
    /// row never displaces an equal score. NaN scores are ignored (gensim sorts them last).
    #[inline]
    pub(super) fn offer(&mut self, score: f32, row: u32) {
        if self.best.len() == self.k {
            match self.best.last() {
                Some(&(worst, _)) if score > worst => {}
                _ => return,
            }
        } else if score.is_nan() {
            return;
        }
        let at = self.best.partition_point(|&(s, _)| s >= score);
        self.best.insert(at, (score, row));
        self.best.truncate(self.k);
    }

    /// The rows kept, best first.
    pub(super) fn rows(&self) -> impl Iterator<Item = u32> + '_ {
        self.best.iter().map(|&(_, row)| row)
    }
}

/// The Euclidean norm of each row, summed in f64 and rounded to f32 (numpy's float32 norm
/// is within an ulp of it).
pub(super) fn row_norms(rows: &[f32], dim: usize) -> Vec<f32> {
    rows.chunks_exact(dim)
        .map(|row| {
            let sum: f64 = row.iter().map(|&x| f64::from(x) * f64::from(x)).sum();
            sum.sqrt() as f32
        })
        .collect()
}

/// Dot product with [`LANES`] accumulators; the sum order every score of this module uses.
#[inline]
pub(super) fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0.0f32; LANES];
    let (a8, b8) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (a_tail, b_tail) = (a8.remainder(), b8.remainder());
    for (x, y) in a8.zip(b8) {
        for lane in 0..LANES {
            acc[lane] += x[lane] * y[lane];
        }
    }
    finish(&acc, a_tail, b_tail)
}

/// Sums the lanes pairwise, then the tail left to right.
#[inline]
fn finish(acc: &[f32; LANES], a_tail: &[f32], b_tail: &[f32]) -> f32 {
    let mut sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in a_tail.iter().zip(b_tail) {
        sum += x * y;
    }
    sum
}

/// Four dot products of `q` with `r[0..4]`, each summed exactly as [`dot`] sums it.
#[inline]
fn dot4(q: &[f32], r: [&[f32]; 4]) -> [f32; 4] {
    let mut acc = [[0.0f32; LANES]; 4];
    let full = q.len() / LANES * LANES;
    let mut start = 0;
    while start < full {
        let x = &q[start..start + LANES];
        for (j, row) in r.iter().enumerate() {
            let y = &row[start..start + LANES];
            for lane in 0..LANES {
                acc[j][lane] += x[lane] * y[lane];
            }
        }
        start += LANES;
    }
    let q_tail = &q[full..];
    [
        finish(&acc[0], q_tail, &r[0][full..]),
        finish(&acc[1], q_tail, &r[1][full..]),
        finish(&acc[2], q_tail, &r[2][full..]),
        finish(&acc[3], q_tail, &r[3][full..]),
    ]
}

/// For each query (row-major `[n, dim]`), the `k` rows with the highest
/// `dot(row, query) / norms[row]`, using up to `threads` threads. Rows of zero norm never
/// enter (gensim's 0/0 is NaN, sorted last).
pub(super) fn top_k(
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
    let batches = n.div_ceil(QUERY_BATCH);
    let threads = threads.clamp(1, batches);
    // Contiguous shares of whole batches, one per thread.
    let per_thread = batches.div_ceil(threads) * QUERY_BATCH;
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
                    search_batch(rows, norms, dim, batch, out);
                }
            });
        }
    });
    results
}

/// Scores one batch of queries against every row, a block of rows at a time.
fn search_batch(rows: &[f32], norms: &[f32], dim: usize, batch: &[f32], out: &mut [TopK]) {
    let n_rows = norms.len();
    let mut block_start = 0;
    while block_start < n_rows {
        let block_end = (block_start + ROW_BLOCK).min(n_rows);
        for (query, top) in batch.chunks_exact(dim).zip(out.iter_mut()) {
            let mut row = block_start;
            while row + 4 <= block_end {
                let r = |i: usize| &rows[(row + i) * dim..(row + i + 1) * dim];
                let dots = dot4(query, [r(0), r(1), r(2), r(3)]);
                for (i, d) in dots.into_iter().enumerate() {
                    offer(top, d, norms[row + i], row + i);
                }
                row += 4;
            }
            while row < block_end {
                let d = dot(query, &rows[row * dim..(row + 1) * dim]);
                offer(top, d, norms[row], row);
                row += 1;
            }
        }
        block_start = block_end;
    }
}

#[inline]
fn offer(top: &mut TopK, dot: f32, norm: f32, row: usize) {
    if norm > 0.0 {
        // Rows are fewer than u32::MAX: they are vocabulary ids.
        top.offer(dot / norm, row as u32);
    }
}

/// The plain version of [`top_k`]: one query and one row at a time, one thread.
#[cfg(test)]
pub(super) fn top_k_reference(
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
                offer(&mut top, dot(query, values), norms[row], row);
            }
            top
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (splitmix64) for test matrices.
    fn values(n: usize, seed: u64) -> Vec<f32> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^= z >> 31;
                (z >> 40) as f32 / (1u64 << 24) as f32 - 0.5
            })
            .collect()
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
    fn dot4_sums_like_dot() {
        for dim in [1, 7, 8, 13, 50, 100] {
            let q = values(dim, 1);
            let r = values(4 * dim, 2);
            let rows: Vec<&[f32]> = r.chunks_exact(dim).collect();
            let four = dot4(&q, [rows[0], rows[1], rows[2], rows[3]]);
            for (j, row) in rows.iter().enumerate() {
                assert_eq!(
                    four[j].to_bits(),
                    dot(&q, row).to_bits(),
                    "dim {dim} row {j}"
                );
            }
        }
    }

    #[test]
    fn blocked_search_equals_reference() {
        // Sizes that leave partial row blocks, partial query batches and a dim tail.
        let (dim, n_rows, n_queries) = (13, 2 * ROW_BLOCK + 7, 3 * QUERY_BATCH + 5);
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
