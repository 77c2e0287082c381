//! One [`Collective`] used in turns by the averager and the checkpoint writer of a run.

use std::cell::RefCell;

use crate::distributed::Collective;
use crate::error::{Error, Result};

/// A [`Collective`] that several holders use in turns, each through `&SharedCollective`:
/// the run driver holds the averager while it calls the checkpoint writer, and both talk to
/// the other ranks. They never call at the same time (the driver calls one, then the other),
/// which is checked: a call while another is under way fails instead of mixing messages.
pub struct SharedCollective<'c> {
    inner: RefCell<&'c mut dyn Collective>,
    rank: usize,
    size: usize,
}

impl<'c> SharedCollective<'c> {
    /// Shares `collective`.
    pub fn new(collective: &'c mut dyn Collective) -> SharedCollective<'c> {
        let (rank, size) = (collective.rank(), collective.size());
        SharedCollective {
            inner: RefCell::new(collective),
            rank,
            size,
        }
    }

    fn call<T>(&self, work: impl FnOnce(&mut dyn Collective) -> Result<T>) -> Result<T> {
        let mut inner = self
            .inner
            .try_borrow_mut()
            .map_err(|_| Error::Mismatch("two callers talked to the other ranks at once".into()))?;
        work(&mut **inner)
    }
}

impl Collective for &SharedCollective<'_> {
    fn rank(&self) -> usize {
        self.rank
    }

    fn size(&self) -> usize {
        self.size
    }

    fn sum_f32(&mut self, values: &mut [f32]) -> Result<()> {
        self.call(|c| c.sum_f32(values))
    }

    fn sum_u64(&mut self, values: &mut [u64]) -> Result<()> {
        self.call(|c| c.sum_u64(values))
    }

    fn gather(&mut self, mine: &[u8]) -> Result<Vec<Vec<u8>>> {
        self.call(|c| c.gather(mine))
    }
}
