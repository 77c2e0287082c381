//! A list of rows of a shared table summed, and one delta added to every row of a list: the
//! two loops of a subword update (a CBOW update sums and then moves about 100 to 200 rows).
//!
//! Row by row, each quad of the sum would be loaded from the thread's buffer, added to and
//! stored back once per row: two of every three memory operations went to the buffer, not
//! the table. Here the quads are taken in runs of up to [`MOST_QUADS`] (a row of 100 floats
//! is two runs), and each run is summed over the whole list in registers, then stored once;
//! adding a delta keeps the delta's run in registers the same way.
//!
//! Every cell still sees the same f32 operations in the same order as row by row (list
//! order, starting from zero for a sum), so the results are bit-identical, and every cell
//! is loaded and stored at the width [`crate::cpu::simd`] uses for it (rows are cut at the
//! same 16-byte boundaries), so its soundness argument covers these loops too.

use std::sync::atomic::AtomicU32;

use crate::cpu::simd::{Access, accumulate_cells, add_cells};

/// `out` = the sum of rows `rows` of `table` (rows of `dim` cells), cell by cell in list
/// order starting from zero: what zeroing `out` and accumulating each row in turn gives.
///
/// # Safety
/// With [`Access::Quads`], the processor must have AVX (as [`Access::detect`] checks).
///
/// # Panics
/// If a row is outside the table.
#[inline(always)]
pub(crate) unsafe fn sum_rows(
    access: Access,
    table: &[AtomicU32],
    dim: usize,
    rows: &[u32],
    out: &mut [f32],
) {
    debug_assert_eq!(dim, out.len());
    out.fill(0.0);
    #[cfg(target_arch = "x86_64")]
    if let (Access::Quads, Some(runs)) = (access, Runs::of(table, dim)) {
        // SAFETY: the caller guarantees AVX; `runs` cut this table's rows.
        return unsafe { x86::sum_rows(table, dim, rows, &runs, out) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = access;
    for &row in rows {
        let start = row as usize * dim;
        accumulate_cells(&table[start..start + dim], out);
    }
}

/// Adds `delta` to rows `rows` of `table` (rows of `dim` cells) in list order, a row listed
/// twice getting it twice: what adding it to each row in turn gives.
///
/// # Safety
/// With [`Access::Quads`], the processor must have AVX (as [`Access::detect`] checks).
///
/// # Panics
/// If a row is outside the table.
#[inline(always)]
pub(crate) unsafe fn add_to_rows(
    access: Access,
    table: &[AtomicU32],
    dim: usize,
    rows: &[u32],
    delta: &[f32],
) {
    debug_assert_eq!(dim, delta.len());
    #[cfg(target_arch = "x86_64")]
    if let (Access::Quads, Some(runs)) = (access, Runs::of(table, dim)) {
        // SAFETY: the caller guarantees AVX; `runs` cut this table's rows.
        return unsafe { x86::add_to_rows(table, dim, rows, &runs, delta) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = access;
    for &row in rows {
        let start = row as usize * dim;
        add_cells(&table[start..start + dim], delta);
    }
}

#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
/// The most quads one pass keeps in registers: of sixteen vector registers, thirteen hold the
/// run's sums (or its delta) and the rest the values in flight.
const MOST_QUADS: usize = 13;

/// How every row of a table is cut: cells `..head` and `end..` one at a time, the quads
/// between in runs of nearly equal length.
#[derive(Debug, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
struct Runs {
    head: usize,
    end: usize,
    /// Quads per run (the last run may be shorter).
    per_run: usize,
}

#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
impl Runs {
    /// The cut of `table`'s rows of `dim` cells, or `None` when rows are not all cut alike
    /// (`dim` not a multiple of 4: each row then starts at another offset from a 16-byte
    /// boundary, and goes row by row).
    fn of(table: &[AtomicU32], dim: usize) -> Option<Runs> {
        if !dim.is_multiple_of(4) {
            return None;
        }
        // Every row starts a multiple of 16 bytes after the table's start, so each is cut as
        // the first is: cells before the first 16-byte boundary (0 to 3), then whole quads.
        let head = (table.as_ptr().addr().wrapping_neg() % 16 / 4).min(dim);
        let quads = (dim - head) / 4;
        let per_run = quads.div_ceil(quads.div_ceil(MOST_QUADS).max(1)).max(1);
        Some(Runs {
            head,
            end: head + 4 * quads,
            per_run,
        })
    }

    /// `(first cell, quads)` of each run, `first` counted from the row's start.
    fn each(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        (self.head..self.end)
            .step_by(4 * self.per_run)
            .map(|first| (first, self.per_run.min((self.end - first) / 4)))
    }

    /// True when some cells of a row go one at a time.
    fn has_edges(&self, dim: usize) -> bool {
        self.head > 0 || self.end < dim
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::{__m128, _mm_add_ps, _mm_loadu_ps, _mm_storeu_ps};
    use std::sync::atomic::AtomicU32;

    use super::{MOST_QUADS, Runs};
    use crate::cpu::simd::x86::{load, store};
    use crate::cpu::simd::{accumulate_cells, add_cells};

    /// Calls `$f::<N>(args)` with `N` the value of `$quads` (1 to [`MOST_QUADS`]): each run
    /// length gets its own loop with the run's quads in an array the compiler keeps in
    /// registers.
    macro_rules! with_quads {
        ($quads:expr, $f:ident($($arg:expr),*)) => {{
            const _: () = assert!(MOST_QUADS == 13);
            match $quads {
                1 => $f::<1>($($arg),*),
                2 => $f::<2>($($arg),*),
                3 => $f::<3>($($arg),*),
                4 => $f::<4>($($arg),*),
                5 => $f::<5>($($arg),*),
                6 => $f::<6>($($arg),*),
                7 => $f::<7>($($arg),*),
                8 => $f::<8>($($arg),*),
                9 => $f::<9>($($arg),*),
                10 => $f::<10>($($arg),*),
                11 => $f::<11>($($arg),*),
                12 => $f::<12>($($arg),*),
                _ => $f::<13>($($arg),*),
            }
        }};
    }

    /// [`super::sum_rows`] with 16-byte moves, `out` already zero.
    ///
    /// # Safety
    /// The processor must have AVX, and `runs` must be `Runs::of(table, dim)`.
    #[inline(always)]
    pub(super) unsafe fn sum_rows(
        table: &[AtomicU32],
        dim: usize,
        rows: &[u32],
        runs: &Runs,
        out: &mut [f32],
    ) {
        if runs.has_edges(dim) {
            for &row in rows {
                let cells = &table[row as usize * dim..][..dim];
                accumulate_cells(&cells[..runs.head], &mut out[..runs.head]);
                accumulate_cells(&cells[runs.end..], &mut out[runs.end..]);
            }
        }
        for (first, quads) in runs.each() {
            // SAFETY: AVX (caller); cell `first` of every row is on a 16-byte boundary and
            // `quads` quads from it lie inside the row (`runs` cut this table).
            unsafe { with_quads!(quads, sum_run(table, dim, rows, first, out)) };
        }
    }

    /// Adds the `N` quads from cell `first` of every row of `rows` to `out[first..]`, in
    /// registers.
    ///
    /// # Safety
    /// The processor must have AVX; cell `first` of every row is on a 16-byte boundary.
    #[inline(always)]
    unsafe fn sum_run<const N: usize>(
        table: &[AtomicU32],
        dim: usize,
        rows: &[u32],
        first: usize,
        out: &mut [f32],
    ) {
        let out = &mut out[first..first + 4 * N];
        // SAFETY: SSE is part of x86-64; `out` is 4N floats of this thread's own memory.
        let mut sums: [__m128; N] =
            std::array::from_fn(|q| unsafe { _mm_loadu_ps(out[4 * q..].as_ptr()) });
        for &row in rows {
            let start = row as usize * dim + first;
            let run = &table[start..start + 4 * N];
            for (q, sum) in sums.iter_mut().enumerate() {
                // SAFETY: AVX (caller); the quad is four cells on a 16-byte boundary (caller).
                *sum = unsafe { _mm_add_ps(*sum, load(&run[4 * q..4 * q + 4])) };
            }
        }
        for (q, sum) in sums.iter().enumerate() {
            // SAFETY: as above.
            unsafe { _mm_storeu_ps(out[4 * q..4 * q + 4].as_mut_ptr(), *sum) };
        }
    }

    /// [`super::add_to_rows`] with 16-byte moves.
    ///
    /// # Safety
    /// The processor must have AVX, and `runs` must be `Runs::of(table, dim)`.
    #[inline(always)]
    pub(super) unsafe fn add_to_rows(
        table: &[AtomicU32],
        dim: usize,
        rows: &[u32],
        runs: &Runs,
        delta: &[f32],
    ) {
        if runs.has_edges(dim) {
            for &row in rows {
                let cells = &table[row as usize * dim..][..dim];
                add_cells(&cells[..runs.head], &delta[..runs.head]);
                add_cells(&cells[runs.end..], &delta[runs.end..]);
            }
        }
        for (first, quads) in runs.each() {
            // SAFETY: as in `sum_rows`.
            unsafe { with_quads!(quads, add_run(table, dim, rows, first, delta)) };
        }
    }

    /// Adds the `N` quads of `delta` from cell `first` to the same quads of every row of
    /// `rows`, the delta's quads held in registers.
    ///
    /// # Safety
    /// The processor must have AVX; cell `first` of every row is on a 16-byte boundary.
    #[inline(always)]
    unsafe fn add_run<const N: usize>(
        table: &[AtomicU32],
        dim: usize,
        rows: &[u32],
        first: usize,
        delta: &[f32],
    ) {
        let delta = &delta[first..first + 4 * N];
        // SAFETY: SSE is part of x86-64; `delta` is 4N floats of this thread's own memory.
        let quads: [__m128; N] =
            std::array::from_fn(|q| unsafe { _mm_loadu_ps(delta[4 * q..].as_ptr()) });
        for &row in rows {
            let start = row as usize * dim + first;
            let run = &table[start..start + 4 * N];
            for (q, d) in quads.iter().enumerate() {
                let quad = &run[4 * q..4 * q + 4];
                // SAFETY: AVX (caller); the quad is four cells on a 16-byte boundary (caller).
                unsafe { store(quad, _mm_add_ps(load(quad), *d)) };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::simd::tests::{bits, cells};

    #[test]
    fn runs_cover_every_quad_once_in_at_most_thirteen() {
        let table = cells(&[0.0; 64]);
        for dim in (0..=220).step_by(4) {
            let runs = Runs::of(&table, dim).expect("a multiple of four");
            let mut next = runs.head;
            for (first, quads) in runs.each() {
                assert_eq!(first, next, "d{dim}");
                assert!((1..=MOST_QUADS).contains(&quads), "d{dim}: {quads}");
                next = first + 4 * quads;
            }
            assert_eq!(next, runs.end, "d{dim}");
            assert!(runs.end <= dim && dim - runs.end < 4 && runs.head < 4);
        }
        assert_eq!(Runs::of(&table, 6), None);
    }

    /// Both ways, and every cut (widths, a table starting at each offset from a 16-byte
    /// boundary), give the bits of the row-by-row reference; rows repeat in the list.
    #[test]
    fn lists_sum_and_add_as_row_by_row_does() {
        let access = Access::detect();
        if access == Access::Cells {
            eprintln!("this processor has no AVX: only the reference way is tested");
        }
        let rows = [3u32, 0, 5, 3, 1, 5, 5, 2];
        for dim in [1usize, 3, 4, 8, 12, 16, 17, 52, 56, 100, 104, 200] {
            let values: Vec<f32> = (0..6 * dim + 3)
                .map(|i| (i as f32 * 0.37).sin() * 3.0)
                .collect();
            let delta: Vec<f32> = (0..dim).map(|i| (i as f32 * 1.3).cos() * 1e-3).collect();
            for start in 0..4 {
                let case = format!("d{dim}, table at cell {start}");
                let (fast, reference) = (cells(&values), cells(&values));
                let (fast, reference) = (&fast[start..], &reference[start..]);
                let mut want = vec![0.0f32; dim];
                for &row in &rows {
                    accumulate_cells(row_cells(reference, dim, row), &mut want);
                }
                for way in [Access::Cells, access] {
                    let mut got = vec![f32::NAN; dim];
                    // SAFETY: `way` is `Cells` or came from `detect`.
                    unsafe { sum_rows(way, fast, dim, &rows, &mut got) };
                    assert_eq!(float_bits(&got), float_bits(&want), "sum, {case}, {way:?}");
                }
                for &row in &rows {
                    add_cells(row_cells(reference, dim, row), &delta);
                }
                for way in [Access::Cells, access] {
                    let moved = cells(&values);
                    // SAFETY: as above.
                    unsafe { add_to_rows(way, &moved[start..], dim, &rows, &delta) };
                    assert_eq!(
                        bits(&moved[start..]),
                        bits(reference),
                        "add, {case}, {way:?}"
                    );
                }
            }
        }
    }

    fn row_cells(table: &[AtomicU32], dim: usize, row: u32) -> &[AtomicU32] {
        &table[row as usize * dim..][..dim]
    }

    fn float_bits(values: &[f32]) -> Vec<u32> {
        values.iter().map(|x| x.to_bits()).collect()
    }
}
