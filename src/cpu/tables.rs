//! Row access to the two embedding tables, for one thread or for many (Hogwild).

use std::sync::atomic::AtomicU32;

use crate::cpu::row_lists;
use crate::cpu::simd::{self, Access};

/// Row reads and additive row writes: the only two things a training step does to a table.
pub trait Rows {
    /// Copies row `row` into `out` (`out.len()` is the dimension).
    fn read(&self, row: u32, out: &mut [f32]);
    /// Adds `delta` to row `row`.
    fn add(&mut self, row: u32, delta: &[f32]);
    /// Adds `scale · x` to row `row`: each product rounded to f32, then added, so what
    /// [`Rows::add`] of a buffer holding the products gives, bit for bit, without the buffer.
    fn add_scaled(&mut self, row: u32, scale: f32, x: &[f32]) {
        let delta: Vec<f32> = x.iter().map(|v| scale * v).collect();
        self.add(row, &delta);
    }
    /// Says that an update is done: a point where rows that hold back changes
    /// ([`crate::cpu::hot_rows::HotRows`]) may hand them on. The shared tables do nothing.
    fn update_done(&mut self) {}
    /// Asks the CPU to start loading row `row` into cache; a hint that changes no value.
    fn prefetch(&self, _row: u32) {}
    /// Like [`Rows::prefetch`], for a row needed only after the update in progress: loaded
    /// into the second-level cache, so that a subword update's hundred-odd rows in use keep
    /// the first level.
    fn prefetch_later(&self, _row: u32) {}
    /// Adds row `row` to `out` (`out[c] += row[c]`, one f32 addition per cell): what reading
    /// the row into a buffer and adding the buffer gives, bit for bit, without the buffer.
    fn accumulate(&self, row: u32, out: &mut [f32]) {
        let mut buffer = vec![0.0; out.len()];
        self.read(row, &mut buffer);
        out.iter_mut().zip(&buffer).for_each(|(o, v)| *o += v);
    }
    /// `out` = the sum of rows `rows`, each cell summed in list order from zero: what
    /// zeroing `out` and [`Rows::accumulate`]-ing each row in turn gives, bit for bit.
    fn sum(&self, rows: &[u32], out: &mut [f32]) {
        out.fill(0.0);
        for &row in rows {
            self.accumulate(row, out);
        }
    }
    /// Adds `delta` to each row of `rows` in list order (a row listed twice gets it twice):
    /// what [`Rows::add`] on each in turn gives, bit for bit.
    fn add_to_all(&mut self, rows: &[u32], delta: &[f32]) {
        for &row in rows {
            self.add(row, delta);
        }
    }
}

/// Prefetches every cache line of `cells` (a hint: it never faults and changes nothing) to
/// the cache level `HINT` names (`_MM_HINT_T0`: all levels; `_MM_HINT_T1`: the second level
/// and beyond). Rows are scattered in memory, so issuing the loads of all the rows of an
/// update at once lets their cache misses overlap instead of queueing one row at a time.
#[inline]
fn prefetch_lines<const HINT: i32, T>(cells: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::_mm_prefetch;
        const LINE: usize = 64;
        let bytes = std::mem::size_of_val(cells);
        let start = cells.as_ptr().cast::<i8>();
        for offset in (0..bytes).step_by(LINE) {
            // SAFETY: a prefetch is a hint: it dereferences nothing, never faults, and the
            // address stays inside `cells`.
            unsafe { _mm_prefetch::<HINT>(start.add(offset)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = cells;
}

// The cache levels of `Rows::prefetch` (all) and `Rows::prefetch_later` (the second and
// beyond).
#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::{_MM_HINT_T0 as NOW, _MM_HINT_T1 as LATER};
#[cfg(not(target_arch = "x86_64"))]
const NOW: i32 = 0;
#[cfg(not(target_arch = "x86_64"))]
const LATER: i32 = 0;

/// A table owned by one thread: plain loads and stores.
pub struct PlainRows<'a> {
    data: &'a mut [f32],
    dim: usize,
}

impl<'a> PlainRows<'a> {
    /// Views a row-major table of rows of `dim` floats.
    pub fn new(data: &'a mut [f32], dim: usize) -> Self {
        PlainRows { data, dim }
    }
}

impl Rows for PlainRows<'_> {
    #[inline]
    fn prefetch(&self, row: u32) {
        let start = row as usize * self.dim;
        prefetch_lines::<NOW, _>(&self.data[start..start + self.dim]);
    }

    #[inline]
    fn prefetch_later(&self, row: u32) {
        let start = row as usize * self.dim;
        prefetch_lines::<LATER, _>(&self.data[start..start + self.dim]);
    }

    #[inline]
    fn accumulate(&self, row: u32, out: &mut [f32]) {
        let start = row as usize * self.dim;
        let values = &self.data[start..start + self.dim];
        out.iter_mut().zip(values).for_each(|(o, v)| *o += v);
    }

    #[inline]
    fn read(&self, row: u32, out: &mut [f32]) {
        let start = row as usize * self.dim;
        out.copy_from_slice(&self.data[start..start + self.dim]);
    }

    #[inline]
    fn add(&mut self, row: u32, delta: &[f32]) {
        let start = row as usize * self.dim;
        for (cell, d) in self.data[start..start + self.dim].iter_mut().zip(delta) {
            *cell += d;
        }
    }

    #[inline]
    fn add_scaled(&mut self, row: u32, scale: f32, x: &[f32]) {
        let start = row as usize * self.dim;
        for (cell, v) in self.data[start..start + self.dim].iter_mut().zip(x) {
            *cell += scale * v;
        }
    }
}

/// A table shared by all threads without locks (Hogwild, as word2vec.c and gensim train).
///
/// Cells are `AtomicU32` holding f32 bits, read and written with relaxed ordering, which
/// unlike racy plain floats is defined Rust. Rows are moved four cells at a time by 16-byte
/// atomic moves where the processor allows it, one cell at a time elsewhere: see
/// [`crate::cpu::simd`] for how, and why that is sound. A concurrent `add` to the same cell
/// may lose one of the two updates, exactly as in word2vec.c; training tolerates it because
/// collisions are rare and each update small.
pub struct SharedTable {
    cells: Vec<AtomicU32>,
    dim: usize,
    access: Access,
}

impl SharedTable {
    /// Takes ownership of a row-major table (in place); rows are moved the fastest way the
    /// processor supports ([`Access::detect`]).
    pub fn new(data: Vec<f32>, dim: usize) -> Self {
        Self::with_access(data, dim, Access::detect())
    }

    /// Like [`SharedTable::new`], moving rows the way `access` says where the processor
    /// supports it, and one cell at a time otherwise (see [`SharedTable::access`]).
    pub fn with_access(data: Vec<f32>, dim: usize, access: Access) -> Self {
        let access = match access {
            Access::Quads if Access::detect() == Access::Quads => Access::Quads,
            _ => Access::Cells,
        };
        SharedTable {
            cells: data
                .into_iter()
                .map(|x| AtomicU32::new(x.to_bits()))
                .collect(),
            dim,
            access,
        }
    }

    /// How this table's rows are moved.
    pub fn access(&self) -> Access {
        self.access
    }

    /// A handle for one thread.
    pub fn rows(&self) -> SharedRows<'_> {
        SharedRows(self)
    }

    /// The cells of row `row`.
    #[inline]
    fn row(&self, row: u32) -> &[AtomicU32] {
        let start = row as usize * self.dim;
        &self.cells[start..start + self.dim]
    }

    /// Every value, row-major. `&mut self` proves no thread is moving rows meanwhile: every
    /// access that can race with the row moves is itself a row move of the same table, the
    /// same width at the same address ([`crate::cpu::simd`], "Why every racing access has one
    /// width").
    pub fn values(&mut self) -> impl ExactSizeIterator<Item = f32> + '_ {
        self.as_f32().iter().copied()
    }

    /// Every value, row-major, borrowed: `&mut self` proves no thread is writing.
    pub fn as_f32(&mut self) -> &[f32] {
        let cells: &mut [AtomicU32] = &mut self.cells;
        // SAFETY: `AtomicU32` has the size, alignment and bit validity of `u32`, and every
        // bit pattern of a `u32` is a valid `f32`; the exclusive borrow of the cells means
        // no atomic access can happen while the returned shared borrow lives.
        unsafe { std::slice::from_raw_parts(cells.as_ptr().cast::<f32>(), cells.len()) }
    }

    /// Gives the table back as plain floats.
    pub fn into_inner(self) -> Vec<f32> {
        self.cells
            .into_iter()
            .map(|c| f32::from_bits(c.into_inner()))
            .collect()
    }
}

/// One thread's handle on a [`SharedTable`].
#[derive(Clone, Copy)]
pub struct SharedRows<'a>(&'a SharedTable);

impl Rows for SharedRows<'_> {
    #[inline(always)]
    fn prefetch(&self, row: u32) {
        prefetch_lines::<NOW, _>(self.0.row(row));
    }

    #[inline(always)]
    fn prefetch_later(&self, row: u32) {
        prefetch_lines::<LATER, _>(self.0.row(row));
    }

    #[inline(always)]
    fn read(&self, row: u32, out: &mut [f32]) {
        // SAFETY: the table's access was checked against the processor when it was made.
        unsafe { simd::read(self.0.access, self.0.row(row), out) }
    }

    #[inline(always)]
    fn add(&mut self, row: u32, delta: &[f32]) {
        // SAFETY: as for `read`.
        unsafe { simd::add(self.0.access, self.0.row(row), delta) }
    }

    #[inline(always)]
    fn add_scaled(&mut self, row: u32, scale: f32, x: &[f32]) {
        // SAFETY: as for `read`.
        unsafe { simd::add_scaled(self.0.access, self.0.row(row), scale, x) }
    }

    #[inline(always)]
    fn accumulate(&self, row: u32, out: &mut [f32]) {
        // SAFETY: as for `read`.
        unsafe { simd::accumulate(self.0.access, self.0.row(row), out) }
    }

    #[inline(always)]
    fn sum(&self, rows: &[u32], out: &mut [f32]) {
        // SAFETY: as for `read`.
        unsafe { row_lists::sum_rows(self.0.access, &self.0.cells, self.0.dim, rows, out) }
    }

    #[inline(always)]
    fn add_to_all(&mut self, rows: &[u32], delta: &[f32]) {
        // SAFETY: as for `read`.
        unsafe { row_lists::add_to_rows(self.0.access, &self.0.cells, self.0.dim, rows, delta) }
    }
}
