//! Moving rows between a shared table and a thread's own buffers, sixteen bytes at a time,
//! without a data race.
//!
//! # The rule
//! Every thread writes the shared tables without locks (Hogwild). In Rust's memory model a
//! plain load or store, scalar or SIMD, of memory that another thread writes concurrently is
//! a data race, which is undefined behaviour however harmless the hardware would make it.
//! Relaxed atomic accesses are not. So every cell of a shared table is an [`AtomicU32`]
//! holding an f32's bits, and every access to a shared cell is, in the model, a relaxed
//! atomic load or store of that cell. The arithmetic never touches shared memory: it runs on
//! values already loaded, in registers or in the thread's own buffers, where plain (and
//! vectorised) code is fine.
//!
//! # Two ways to do the moves
//! - [`Access::Cells`], the reference: one `AtomicU32` load or store per cell (on x86 and ARM
//!   an ordinary 4-byte `mov`, which the compiler may not combine into wider ones).
//! - [`Access::Quads`], on x86-64 processors with AVX: one 16-byte `vmovaps` per four cells
//!   that start on a 16-byte boundary (a quad); the cells of a row before its first quad and
//!   after its last go one at a time, so rows of any width work, in place.
//!
//! # Why the 16-byte moves are sound
//! The instruction is written in inline assembly, which the compiler treats as an opaque
//! operation on the memory it is given: it cannot split, merge, elide or tear it. (An
//! intrinsic such as `_mm_load_ps` would instead be a non-atomic access: a data race.) An
//! assembly block is sound when what it does is something Rust code could have done. Here
//! that code is four relaxed `AtomicU32` accesses of the quad's cells, one after the other:
//! - Intel (SDM vol. 3A, "Guaranteed Atomic Operations") and AMD (APM vol. 2, "Memory Access
//!   Atomicity") guarantee that on processors that report AVX an aligned 16-byte load or store
//!   by `(V)MOVAPS` is a single atomic access (LLVM relies on the same guarantee to lower
//!   128-bit atomics on AVX targets); each 4-byte cell inside it is in any case read or
//!   written whole, never a torn float.
//! - x86 memory is coherent, so what the move reads (or leaves) is what the four relaxed
//!   accesses, made with nothing in between, could have read (or left): relaxed ordering asks
//!   nothing more. The moves are only used where `is_x86_feature_detected!("avx")` said yes
//!   when the table was made ([`Access::detect`]).
//!
//! # Why every racing access has one width
//! Rust's model also forbids racing atomic accesses of different sizes to the same memory
//! (where one is a write), and whether an assembly block counts as four 4-byte accesses or
//! as one 16-byte access is a question we need not settle, because a cell of a shared table
//! never meets accesses of two widths that could race:
//! - while threads train, the only way to reach a table's cells through a shared borrow is a
//!   [`crate::cpu::tables::SharedRows`] handle, whose `read`, `accumulate` and `add` (and
//!   `sum` and `add_to_all`, through [`crate::cpu::row_lists`], which cut rows at the same
//!   places) move whole rows with the table's one [`Access`], fixed when the table was made;
//! - a cell belongs to one row, and which cells of a row are quads depends only on the row's
//!   address and the table's width, both fixed: so a given cell is always moved by the same
//!   16-byte move at the same address (a quad cell), or always alone (a head or tail cell),
//!   by every thread, in every read, accumulate and add;
//! - everything else (making the table, [`crate::cpu::tables::SharedTable::values`],
//!   `as_f32`, `into_inner`) takes the table by value or by `&mut`, so the borrow checker
//!   orders it after the threads that trained (they are joined first): nothing races with it;
//! - prefetching is a hint that reads and writes nothing.
//!
//! # Same results
//! Both ways compute the same sums in the same f32 arithmetic (one IEEE addition per cell),
//! so they give bit-identical tables; the tests below and `cpu::fast_paths` check it.
//!
//! As before, two threads adding to the same cell at once may lose one of the two updates
//! (load, add, store is not one atomic step), exactly as word2vec.c and gensim do; training
//! tolerates it because collisions are rare and each update small. A quad's load and store
//! are as close together as the per-cell ones were, so no more updates are lost.

use std::sync::atomic::{AtomicU32, Ordering};

/// How rows are moved between a shared table and a thread's buffers (module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// One relaxed `AtomicU32` load or store per cell: the reference, on every processor.
    Cells,
    /// One 16-byte atomic move per four aligned cells (x86-64 with AVX only).
    Quads,
}

impl Access {
    /// The fastest way this processor supports.
    pub fn detect() -> Access {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx") {
            return Access::Quads;
        }
        Access::Cells
    }
}

/// Copies `cells` into `out` (of the same length).
///
/// # Safety
/// With [`Access::Quads`], the processor must have AVX (as [`Access::detect`] checks).
#[inline(always)]
pub(crate) unsafe fn read(access: Access, cells: &[AtomicU32], out: &mut [f32]) {
    debug_assert_eq!(cells.len(), out.len());
    match access {
        // SAFETY: the caller guarantees AVX.
        #[cfg(target_arch = "x86_64")]
        Access::Quads => unsafe { x86::read(cells, out) },
        _ => read_cells(cells, out),
    }
}

/// Adds `delta` to `cells` (of the same length), one f32 addition per cell.
///
/// # Safety
/// With [`Access::Quads`], the processor must have AVX (as [`Access::detect`] checks).
#[inline(always)]
pub(crate) unsafe fn add(access: Access, cells: &[AtomicU32], delta: &[f32]) {
    debug_assert_eq!(cells.len(), delta.len());
    match access {
        // SAFETY: the caller guarantees AVX.
        #[cfg(target_arch = "x86_64")]
        Access::Quads => unsafe { x86::add(cells, delta) },
        _ => add_cells(cells, delta),
    }
}

/// Adds `scale · x` to `cells` (of the same length): per cell one f32 product, rounded, then
/// one f32 addition, so the bits of [`add`] of a buffer holding `scale · x`, without the
/// buffer.
///
/// # Safety
/// With [`Access::Quads`], the processor must have AVX (as [`Access::detect`] checks).
#[inline(always)]
pub(crate) unsafe fn add_scaled(access: Access, cells: &[AtomicU32], scale: f32, x: &[f32]) {
    debug_assert_eq!(cells.len(), x.len());
    match access {
        // SAFETY: the caller guarantees AVX.
        #[cfg(target_arch = "x86_64")]
        Access::Quads => unsafe { x86::add_scaled(cells, scale, x) },
        _ => add_scaled_cells(cells, scale, x),
    }
}

/// [`add_scaled`] one cell at a time.
#[inline]
pub(super) fn add_scaled_cells(cells: &[AtomicU32], scale: f32, x: &[f32]) {
    for (cell, xi) in cells.iter().zip(x) {
        let sum = f32::from_bits(cell.load(Ordering::Relaxed)) + scale * xi;
        cell.store(sum.to_bits(), Ordering::Relaxed);
    }
}

/// Adds `cells` to `out` (of the same length), one f32 addition per cell: what [`read`] into
/// a buffer and adding it would give, bit for bit. The cells are loaded exactly as [`read`]
/// loads them (the same widths), so the rule of the module docs holds.
///
/// # Safety
/// With [`Access::Quads`], the processor must have AVX (as [`Access::detect`] checks).
#[inline(always)]
pub(crate) unsafe fn accumulate(access: Access, cells: &[AtomicU32], out: &mut [f32]) {
    debug_assert_eq!(cells.len(), out.len());
    match access {
        // SAFETY: the caller guarantees AVX.
        #[cfg(target_arch = "x86_64")]
        Access::Quads => unsafe { x86::accumulate(cells, out) },
        _ => accumulate_cells(cells, out),
    }
}

/// [`accumulate`] one cell at a time.
#[inline]
pub(super) fn accumulate_cells(cells: &[AtomicU32], out: &mut [f32]) {
    for (o, cell) in out.iter_mut().zip(cells) {
        *o += f32::from_bits(cell.load(Ordering::Relaxed));
    }
}

/// [`read`] one cell at a time.
#[inline]
fn read_cells(cells: &[AtomicU32], out: &mut [f32]) {
    for (o, cell) in out.iter_mut().zip(cells) {
        *o = f32::from_bits(cell.load(Ordering::Relaxed));
    }
}

/// [`add`] one cell at a time.
#[inline]
pub(super) fn add_cells(cells: &[AtomicU32], delta: &[f32]) {
    for (cell, d) in cells.iter().zip(delta) {
        let sum = f32::from_bits(cell.load(Ordering::Relaxed)) + d;
        cell.store(sum.to_bits(), Ordering::Relaxed);
    }
}

#[cfg(target_arch = "x86_64")]
pub(super) mod x86 {
    use std::arch::asm;
    use std::arch::x86_64::{
        __m128, _mm_add_ps, _mm_loadu_ps, _mm_mul_ps, _mm_set1_ps, _mm_storeu_ps,
    };
    use std::sync::atomic::AtomicU32;

    use super::{accumulate_cells, add_cells, add_scaled_cells, read_cells};

    /// Splits `cells` into the cells before the first 16-byte boundary (0 to 3, as cells are
    /// 4-byte aligned), whole quads of four cells from there, and the cells left over.
    #[inline(always)]
    fn split(cells: &[AtomicU32]) -> (usize, usize) {
        let head = (cells.as_ptr().addr().wrapping_neg() % 16 / 4).min(cells.len());
        (head, head + (cells.len() - head) / 4 * 4)
    }

    /// The four cells of `quad`, by one 16-byte atomic load.
    ///
    /// # Safety
    /// The processor must have AVX, and `quad` must be four cells that start on a 16-byte
    /// boundary.
    #[inline(always)]
    pub(in crate::cpu) unsafe fn load(quad: &[AtomicU32]) -> __m128 {
        debug_assert!(quad.len() == 4 && quad.as_ptr().addr().is_multiple_of(16));
        let value: __m128;
        // SAFETY: `quad` is four live cells, 16-byte aligned (caller); the load is atomic on
        // AVX processors (module docs), so it races with nothing.
        unsafe {
            asm!(
                "vmovaps {value}, xmmword ptr [{quad}]",
                quad = in(reg) quad.as_ptr(),
                value = lateout(xmm_reg) value,
                options(nostack, preserves_flags, readonly),
            );
        }
        value
    }

    /// Writes `value` to the four cells of `quad` by one 16-byte atomic store.
    ///
    /// # Safety
    /// As for `load`.
    #[inline(always)]
    pub(in crate::cpu) unsafe fn store(quad: &[AtomicU32], value: __m128) {
        debug_assert!(quad.len() == 4 && quad.as_ptr().addr().is_multiple_of(16));
        // SAFETY: as for `load`; the cells are `AtomicU32`s, so writing through a shared
        // reference is allowed (interior mutability).
        unsafe {
            asm!(
                "vmovaps xmmword ptr [{quad}], {value}",
                quad = in(reg) quad.as_ptr(),
                value = in(xmm_reg) value,
                options(nostack, preserves_flags),
            );
        }
    }

    /// [`super::read`] with 16-byte moves.
    ///
    /// # Safety
    /// The processor must have AVX.
    #[inline(always)]
    pub(super) unsafe fn read(cells: &[AtomicU32], out: &mut [f32]) {
        let (head, end) = split(cells);
        read_cells(&cells[..head], &mut out[..head]);
        read_cells(&cells[end..], &mut out[end..]);
        let (cells, out) = (&cells[head..end], &mut out[head..end]);
        let copy = |quad: &[AtomicU32], o: &mut [f32]| {
            // SAFETY: AVX (caller); `quad` is four cells on a 16-byte boundary (`split`);
            // `o` is four floats of this thread's own memory.
            unsafe { _mm_storeu_ps(o.as_mut_ptr(), load(quad)) };
        };
        // Four quads a step (fewer loop instructions), then the rest one at a time.
        let whole = cells.len() / 16 * 16;
        for (c, o) in cells[..whole]
            .chunks_exact(16)
            .zip(out.chunks_exact_mut(16))
        {
            c.chunks_exact(4)
                .zip(o.chunks_exact_mut(4))
                .for_each(|(q, o)| copy(q, o));
        }
        let rest = cells[whole..]
            .chunks_exact(4)
            .zip(out[whole..].chunks_exact_mut(4));
        rest.for_each(|(q, o)| copy(q, o));
    }

    /// [`super::accumulate`] with 16-byte moves.
    ///
    /// # Safety
    /// The processor must have AVX.
    #[inline(always)]
    pub(super) unsafe fn accumulate(cells: &[AtomicU32], out: &mut [f32]) {
        let (head, end) = split(cells);
        accumulate_cells(&cells[..head], &mut out[..head]);
        accumulate_cells(&cells[end..], &mut out[end..]);
        let (cells, out) = (&cells[head..end], &mut out[head..end]);
        for (quad, o) in cells.chunks_exact(4).zip(out.chunks_exact_mut(4)) {
            // SAFETY: AVX (caller); `quad` is four cells on a 16-byte boundary (`split`); `o`
            // is four floats of this thread's own memory.
            unsafe {
                _mm_storeu_ps(
                    o.as_mut_ptr(),
                    _mm_add_ps(_mm_loadu_ps(o.as_ptr()), load(quad)),
                )
            };
        }
    }

    /// [`super::add`] with 16-byte moves.
    ///
    /// # Safety
    /// The processor must have AVX.
    #[inline(always)]
    pub(super) unsafe fn add(cells: &[AtomicU32], delta: &[f32]) {
        let (head, end) = split(cells);
        add_cells(&cells[..head], &delta[..head]);
        add_cells(&cells[end..], &delta[end..]);
        let (cells, delta) = (&cells[head..end], &delta[head..end]);
        let add = |quad: &[AtomicU32], d: &[f32]| {
            // SAFETY: AVX (caller); `quad` is four cells on a 16-byte boundary (`split`);
            // `d` is four floats of this thread's own memory.
            unsafe { store(quad, _mm_add_ps(load(quad), _mm_loadu_ps(d.as_ptr()))) };
        };
        // Four quads a step (fewer loop instructions), then the rest one at a time.
        let whole = cells.len() / 16 * 16;
        for (c, d) in cells[..whole].chunks_exact(16).zip(delta.chunks_exact(16)) {
            c.chunks_exact(4)
                .zip(d.chunks_exact(4))
                .for_each(|(q, d)| add(q, d));
        }
        let rest = cells[whole..]
            .chunks_exact(4)
            .zip(delta[whole..].chunks_exact(4));
        rest.for_each(|(q, d)| add(q, d));
    }

    /// [`super::add_scaled`] with AVX: the quads by 16-byte loads and stores, the product
    /// and the sum four lanes at a time (no fused multiply-add: the same roundings).
    ///
    /// # Safety
    /// The processor must have AVX.
    #[inline(always)]
    pub(super) unsafe fn add_scaled(cells: &[AtomicU32], scale: f32, x: &[f32]) {
        let (head, end) = split(cells);
        add_scaled_cells(&cells[..head], scale, &x[..head]);
        add_scaled_cells(&cells[end..], scale, &x[end..]);
        let (cells, x) = (&cells[head..end], &x[head..end]);
        // SAFETY: AVX (caller).
        let factor = unsafe { _mm_set1_ps(scale) };
        let add = |quad: &[AtomicU32], x: &[f32]| {
            // SAFETY: AVX (caller); `quad` is four cells on a 16-byte boundary (`split`);
            // `x` is four floats of this thread's own memory.
            unsafe {
                let product = _mm_mul_ps(factor, _mm_loadu_ps(x.as_ptr()));
                store(quad, _mm_add_ps(load(quad), product));
            };
        };
        let whole = cells.len() / 16 * 16;
        for (c, x) in cells[..whole].chunks_exact(16).zip(x.chunks_exact(16)) {
            c.chunks_exact(4)
                .zip(x.chunks_exact(4))
                .for_each(|(q, x)| add(q, x));
        }
        let rest = cells[whole..]
            .chunks_exact(4)
            .zip(x[whole..].chunks_exact(4));
        rest.for_each(|(q, x)| add(q, x));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A shared table holding `values`.
    pub(crate) fn cells(values: &[f32]) -> Vec<AtomicU32> {
        values.iter().map(|v| AtomicU32::new(v.to_bits())).collect()
    }

    /// The bits a shared table holds.
    pub(crate) fn bits(cells: &[AtomicU32]) -> Vec<u32> {
        cells.iter().map(|c| c.load(Ordering::Relaxed)).collect()
    }

    #[test]
    fn both_ways_read_add_and_accumulate_the_same_bits() {
        let access = Access::detect();
        if access == Access::Cells {
            eprintln!("this processor has no AVX: only the reference way is tested");
        }
        let table: Vec<f32> = (0..200).map(|i| (i as f32 * 0.37).sin() * 3.0).collect();
        let delta: Vec<f32> = (0..200).map(|i| (i as f32 * 1.3).cos() * 1e-3).collect();
        // Every offset from a 16-byte boundary, and widths around a quad.
        for start in 0..4 {
            for len in [0usize, 1, 3, 4, 5, 7, 8, 17, 100] {
                let range = start..start + len;
                let (fast, reference) = (cells(&table), cells(&table));
                // SAFETY: `access` came from `detect`.
                unsafe {
                    add(access, &fast[range.clone()], &delta[..len]);
                    add(access, &fast[range.clone()], &delta[..len]);
                }
                add_cells(&reference[range.clone()], &delta[..len]);
                add_cells(&reference[range.clone()], &delta[..len]);
                assert_eq!(bits(&fast), bits(&reference), "cells {range:?}");
                let want: Vec<u32> = (0..len)
                    .map(|i| (table[start + i] + delta[i] + delta[i]).to_bits())
                    .collect();
                let mut got = vec![f32::NAN; len];
                // SAFETY: as above.
                unsafe { read(access, &fast[range.clone()], &mut got) };
                let got: Vec<u32> = got.iter().map(|x| x.to_bits()).collect();
                assert_eq!(got, want, "cells {range:?}");
                // Accumulating adds the cells to a buffer, as reading then adding would.
                let mut summed = delta[..len].to_vec();
                // SAFETY: as above.
                unsafe { accumulate(access, &fast[range.clone()], &mut summed) };
                let mut reference_sum = delta[..len].to_vec();
                accumulate_cells(&reference[range.clone()], &mut reference_sum);
                let want: Vec<u32> = (0..len)
                    .map(|i| (delta[i] + f32::from_bits(want[i])).to_bits())
                    .collect();
                let got: Vec<u32> = summed.iter().map(|x| x.to_bits()).collect();
                let reference_sum: Vec<u32> = reference_sum.iter().map(|x| x.to_bits()).collect();
                assert_eq!(got, want, "accumulate, cells {range:?}");
                assert_eq!(reference_sum, want, "accumulate_cells, cells {range:?}");
                // A scaled addition gives the bits of adding a buffer of the products.
                let scale = -0.37f32;
                let products: Vec<f32> = table[..len].iter().map(|x| scale * x).collect();
                let (scaled, by_buffer) = (cells(&table), cells(&table));
                let scaled_reference = cells(&table);
                // SAFETY: as above.
                unsafe {
                    add_scaled(access, &scaled[range.clone()], scale, &table[..len]);
                    add(access, &by_buffer[range.clone()], &products);
                }
                add_scaled_cells(&scaled_reference[range.clone()], scale, &table[..len]);
                assert_eq!(
                    bits(&scaled),
                    bits(&by_buffer),
                    "add_scaled, cells {range:?}"
                );
                assert_eq!(
                    bits(&scaled_reference),
                    bits(&by_buffer),
                    "add_scaled_cells, cells {range:?}"
                );
            }
        }
    }

    #[test]
    fn concurrent_adds_lose_some_updates_but_never_tear_a_float() {
        // Four threads each add 1 to every cell of a row 5,000 times, reading it back after
        // each add. Concurrent adds may be lost (Hogwild), but every value read or left must
        // be a whole number of adds: a torn float would not be.
        let (threads, rounds) = (4, 5_000);
        for access in [Access::Cells, Access::detect()] {
            let table: Vec<AtomicU32> = (0..104).map(|_| AtomicU32::new(0)).collect();
            // Off a 16-byte boundary, so the row has a head, quads and a tail.
            let row = &table[1..102];
            std::thread::scope(|scope| {
                for _ in 0..threads {
                    scope.spawn(|| {
                        let ones = vec![1.0f32; row.len()];
                        let mut seen = vec![0.0f32; row.len()];
                        for _ in 0..rounds {
                            // SAFETY: `access` is `Cells` or came from `detect`.
                            unsafe {
                                add(access, row, &ones);
                                read(access, row, &mut seen);
                            }
                            let whole = |v: &f32| v.fract() == 0.0 && *v >= 1.0;
                            assert!(seen.iter().all(whole), "{access:?}: {seen:?}");
                        }
                    });
                }
            });
            let most = (threads * rounds) as f32;
            for v in row
                .iter()
                .map(|c| f32::from_bits(c.load(Ordering::Relaxed)))
            {
                assert!(
                    v.fract() == 0.0 && (rounds as f32..=most).contains(&v),
                    "{v}"
                );
            }
            assert_eq!(table[0].load(Ordering::Relaxed), 0);
            assert!(table[102..].iter().all(|c| c.load(Ordering::Relaxed) == 0));
        }
    }
}
