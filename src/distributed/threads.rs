//! A [`Collective`] between threads of one process.

use std::sync::{Arc, Barrier, Mutex};

use crate::distributed::Collective;
use crate::error::{Error, Result};

/// The ranks of a distributed run as threads of one process: [`ThreadGroup::new`] makes one
/// member per rank, each moved to its own thread. Sums are taken in rank order, so every
/// rank gets the same bits.
pub struct ThreadGroup {
    rank: usize,
    size: usize,
    shared: Arc<Shared>,
}

struct Shared {
    barrier: Barrier,
    slots: Mutex<Vec<Vec<u8>>>,
}

impl ThreadGroup {
    /// `size` members, rank 0 first.
    pub fn new(size: usize) -> Vec<ThreadGroup> {
        let size = size.max(1);
        let shared = Arc::new(Shared {
            barrier: Barrier::new(size),
            slots: Mutex::new(vec![Vec::new(); size]),
        });
        (0..size)
            .map(|rank| ThreadGroup {
                rank,
                size,
                shared: Arc::clone(&shared),
            })
            .collect()
    }

    /// Every rank's `values` added up, rank 0's first, so every rank gets the same bits.
    fn sum_in_rank_order<T>(&mut self, values: &mut [T]) -> Result<()>
    where
        T: bytemuck::Pod + Default + std::ops::AddAssign,
    {
        let all = self.gather(bytemuck::cast_slice(values))?;
        values.fill(T::default());
        for bytes in &all {
            let theirs: Vec<T> = bytemuck::pod_collect_to_vec(bytes);
            for (value, their) in values.iter_mut().zip(theirs) {
                *value += their;
            }
        }
        Ok(())
    }

    fn slots(&self) -> Result<std::sync::MutexGuard<'_, Vec<Vec<u8>>>> {
        self.shared
            .slots
            .lock()
            .map_err(|_| Error::Mismatch(format!("a rank other than {} panicked", self.rank)))
    }
}

impl Collective for ThreadGroup {
    fn rank(&self) -> usize {
        self.rank
    }

    fn size(&self) -> usize {
        self.size
    }

    fn sum_f32(&mut self, values: &mut [f32]) -> Result<()> {
        self.sum_in_rank_order(values)
    }

    fn sum_u64(&mut self, values: &mut [u64]) -> Result<()> {
        self.sum_in_rank_order(values)
    }

    fn gather(&mut self, mine: &[u8]) -> Result<Vec<Vec<u8>>> {
        self.slots()?[self.rank] = mine.to_vec();
        self.shared.barrier.wait();
        let all = self.slots()?.clone();
        // Nobody writes the next round's slots before everyone has read this round's.
        self.shared.barrier.wait();
        Ok(all)
    }
}
