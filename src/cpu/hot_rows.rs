//! The heaviest inner nodes of the Huffman tree, kept apart by each thread between flushes.
//!
//! Every hierarchical-softmax update writes the rows of the root and of the nodes near it,
//! so with several threads those few rows are written all the time from every core, and the
//! cache lines holding them travel from core to core on nearly every update: on a 2-core
//! machine two threads trained skip-gram with `--hs` only 1.26 times as fast as one, where
//! two separate one-thread processes ran at twice the speed of one.
//!
//! So each thread keeps its changes to the [`HOT_NODES`] heaviest nodes (the last the tree
//! made: a node's weight is how many updates write it) in a buffer of its own, and adds the
//! buffer to the shared rows every [`FLUSH_EVERY`] updates and at the end of every chunk. A
//! thread reads those rows as the shared row plus its own buffer, so it always sees its own
//! changes; another thread's arrive at most [`FLUSH_EVERY`] of that thread's updates late.
//! This is Hogwild's own bargain (a thread's view of a row may miss another thread's latest
//! changes) with a longer delay on a few rows, the same on every backend that runs several
//! threads; one thread (and `--deterministic`) does not use it, so the reference semantics
//! stay exact.

use crate::cpu::tables::Rows;

/// Inner nodes buffered: the heaviest, which between them take most of the writes.
pub const HOT_NODES: u32 = 64;
/// Updates between two flushes of a thread's buffer.
pub const FLUSH_EVERY: u32 = 32;

/// The rows to buffer for a tree of `inner_nodes` whose node 0 is output row
/// `first_tree_row`: the [`HOT_NODES`] made last, or all where there are fewer.
pub fn tree_span(first_tree_row: u32, inner_nodes: usize) -> (u32, u32) {
    let inner = inner_nodes as u32;
    let count = HOT_NODES.min(inner);
    (first_tree_row + inner - count, count)
}

/// The output rows of one thread, with the hot nodes' changes buffered (module docs).
pub struct HotRows<'r, O: Rows> {
    shared: &'r mut O,
    /// The first hot row; rows `first..first + count` are hot.
    first: u32,
    count: u32,
    dim: usize,
    /// Changes not yet added to the shared rows, `count × dim`.
    pending: Vec<f32>,
    /// Which hot rows have pending changes.
    dirty: Vec<bool>,
    /// Updates since the last flush.
    updates: u32,
}

impl<'r, O: Rows> HotRows<'r, O> {
    /// Buffers the `count` rows from `first` on; a `count` of 0 buffers nothing.
    pub fn new(shared: &'r mut O, first: u32, count: u32, dim: usize) -> HotRows<'r, O> {
        HotRows {
            shared,
            first,
            count,
            dim,
            pending: vec![0.0; count as usize * dim],
            dirty: vec![false; count as usize],
            updates: 0,
        }
    }

    /// The slot of `row` if it is hot.
    #[inline(always)]
    fn slot(&self, row: u32) -> Option<usize> {
        let offset = row.wrapping_sub(self.first);
        (offset < self.count).then_some(offset as usize)
    }

    /// Whether some change waits for a flush.
    pub fn holds_changes(&self) -> bool {
        self.dirty.contains(&true)
    }

    /// Adds every pending change to the shared rows.
    pub fn flush(&mut self) {
        self.updates = 0;
        for slot in 0..self.count as usize {
            if std::mem::take(&mut self.dirty[slot]) {
                let pending = &mut self.pending[slot * self.dim..(slot + 1) * self.dim];
                self.shared.add(self.first + slot as u32, pending);
                pending.fill(0.0);
            }
        }
    }
}

impl<O: Rows> Drop for HotRows<'_, O> {
    /// No change is ever lost: what is still held goes to the shared rows.
    fn drop(&mut self) {
        self.flush();
    }
}

impl<O: Rows> Rows for HotRows<'_, O> {
    #[inline(always)]
    fn read(&self, row: u32, out: &mut [f32]) {
        self.shared.read(row, out);
        if let Some(slot) = self.slot(row).filter(|&slot| self.dirty[slot]) {
            let pending = &self.pending[slot * self.dim..(slot + 1) * self.dim];
            out.iter_mut().zip(pending).for_each(|(o, p)| *o += p);
        }
    }

    #[inline(always)]
    fn add(&mut self, row: u32, delta: &[f32]) {
        match self.slot(row) {
            Some(slot) => {
                let pending = &mut self.pending[slot * self.dim..(slot + 1) * self.dim];
                pending.iter_mut().zip(delta).for_each(|(p, d)| *p += d);
                self.dirty[slot] = true;
            }
            None => self.shared.add(row, delta),
        }
    }

    #[inline(always)]
    fn add_scaled(&mut self, row: u32, scale: f32, x: &[f32]) {
        match self.slot(row) {
            Some(slot) => {
                let pending = &mut self.pending[slot * self.dim..(slot + 1) * self.dim];
                pending.iter_mut().zip(x).for_each(|(p, v)| *p += scale * v);
                self.dirty[slot] = true;
            }
            None => self.shared.add_scaled(row, scale, x),
        }
    }

    /// Counts one update done; flushes every [`FLUSH_EVERY`].
    #[inline(always)]
    fn update_done(&mut self) {
        if self.count == 0 {
            return;
        }
        self.updates += 1;
        if self.updates >= FLUSH_EVERY {
            self.flush();
        }
    }

    #[inline(always)]
    fn prefetch(&self, row: u32) {
        self.shared.prefetch(row);
    }

    #[inline(always)]
    fn prefetch_later(&self, row: u32) {
        self.shared.prefetch_later(row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::tables::PlainRows;

    #[test]
    fn hot_rows_hold_their_changes_until_flushed() {
        let mut table: Vec<f32> = (0..18).map(|i| i as f32).collect();
        let before = table.clone();
        let mut shared = PlainRows::new(&mut table, 3);
        let mut rows = HotRows::new(&mut shared, 2, 2, 3);
        rows.add(1, &[1.0, 1.0, 1.0]);
        rows.add(2, &[0.5, 0.5, 0.5]);
        rows.add_scaled(3, 2.0, &[1.0, 2.0, 3.0]);
        let mut out = [0.0; 3];
        rows.read(2, &mut out);
        assert_eq!(out, [6.5, 7.5, 8.5], "a thread sees its own pending change");
        rows.read(3, &mut out);
        assert_eq!(out, [11.0, 14.0, 17.0]);
        for _ in 1..FLUSH_EVERY {
            rows.update_done();
        }
        assert!(rows.holds_changes(), "hot rows wait for the flush");
        rows.update_done();
        assert!(!rows.holds_changes());
        assert!(rows.pending.iter().all(|&p| p == 0.0));
        drop(rows);
        assert_eq!(table[3..6], [4.0, 5.0, 6.0]);
        assert_eq!(table[6..12], [6.5, 7.5, 8.5, 11.0, 14.0, 17.0]);
        assert_eq!(table[..3], before[..3]);

        let mut shared = PlainRows::new(&mut table, 3);
        let mut rows = HotRows::new(&mut shared, 2, 2, 3);
        rows.add(2, &[1.0, 1.0, 1.0]);
        drop(rows);
        assert_eq!(table[6..9], [7.5, 8.5, 9.5], "dropping flushes");
    }

    #[test]
    fn the_hot_span_is_the_last_nodes_made() {
        assert_eq!(tree_span(10, 1000), (10 + 1000 - HOT_NODES, HOT_NODES));
        assert_eq!(tree_span(0, 5), (0, 5));
        assert_eq!(tree_span(7, 0), (7, 0));
    }
}
