//! Row access to the two embedding tables, for one thread or for many (Hogwild).

use std::sync::atomic::{AtomicU32, Ordering};

/// Row reads and additive row writes: the only two things a training step does to a table.
pub trait Rows {
    /// Copies row `row` into `out` (`out.len()` is the dimension).
    fn read(&self, row: u32, out: &mut [f32]);
    /// Adds `delta` to row `row`.
    fn add(&mut self, row: u32, delta: &[f32]);
    /// Asks the CPU to start loading row `row` into cache; a hint that changes no value.
    fn prefetch(&self, _row: u32) {}
}

/// Prefetches every cache line of `cells` (a hint: it never faults and changes nothing).
/// Rows of the output table are scattered in memory, so issuing the loads of all the rows of
/// an update at once lets their cache misses overlap instead of queueing one row at a time.
#[inline]
fn prefetch_lines<T>(cells: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        const LINE: usize = 64;
        let bytes = std::mem::size_of_val(cells);
        let start = cells.as_ptr().cast::<i8>();
        for offset in (0..bytes).step_by(LINE) {
            // SAFETY: a prefetch is a hint: it dereferences nothing, never faults, and the
            // address stays inside `cells`.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.add(offset)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = cells;
}

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
    fn prefetch(&self, row: u32) {
        let start = row as usize * self.dim;
        prefetch_lines(&self.data[start..start + self.dim]);
    }

    fn read(&self, row: u32, out: &mut [f32]) {
        let start = row as usize * self.dim;
        out.copy_from_slice(&self.data[start..start + self.dim]);
    }

    fn add(&mut self, row: u32, delta: &[f32]) {
        let start = row as usize * self.dim;
        for (cell, d) in self.data[start..start + self.dim].iter_mut().zip(delta) {
            *cell += d;
        }
    }
}

/// A table shared by all threads without locks (Hogwild, as word2vec.c and gensim train).
///
/// Cells are `AtomicU32` holding f32 bits, read and written with relaxed ordering: on x86 and
/// ARM that is an ordinary load or store, and unlike racy plain floats it is defined Rust.
/// A concurrent `add` to the same cell may lose one of the two updates, exactly as in
/// word2vec.c; training tolerates it because collisions are rare and each update small.
pub struct SharedTable {
    cells: Vec<AtomicU32>,
    dim: usize,
}

impl SharedTable {
    /// Takes ownership of a row-major table.
    pub fn new(data: Vec<f32>, dim: usize) -> Self {
        SharedTable {
            cells: data
                .into_iter()
                .map(|x| AtomicU32::new(x.to_bits()))
                .collect(),
            dim,
        }
    }

    /// A handle for one thread.
    pub fn rows(&self) -> SharedRows<'_> {
        SharedRows(self)
    }

    /// Every value, row-major. Meant for a table no thread is writing (e.g. a checkpoint
    /// taken while the workers are paused); under concurrent writes each value is some value
    /// the cell held.
    pub fn values(&self) -> impl ExactSizeIterator<Item = f32> + '_ {
        self.cells
            .iter()
            .map(|c| f32::from_bits(c.load(Ordering::Relaxed)))
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
    fn prefetch(&self, row: u32) {
        let start = row as usize * self.0.dim;
        prefetch_lines(&self.0.cells[start..start + self.0.dim]);
    }

    fn read(&self, row: u32, out: &mut [f32]) {
        let start = row as usize * self.0.dim;
        for (o, cell) in out.iter_mut().zip(&self.0.cells[start..start + self.0.dim]) {
            *o = f32::from_bits(cell.load(Ordering::Relaxed));
        }
    }

    fn add(&mut self, row: u32, delta: &[f32]) {
        let start = row as usize * self.0.dim;
        for (cell, d) in self.0.cells[start..start + self.0.dim].iter().zip(delta) {
            let sum = f32::from_bits(cell.load(Ordering::Relaxed)) + d;
            cell.store(sum.to_bits(), Ordering::Relaxed);
        }
    }
}
