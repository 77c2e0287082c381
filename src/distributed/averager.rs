//! Averaging the tables of every rank, at points spaced by a number of words.

use crate::distributed::Collective;
use crate::error::Result;
use crate::training::Averager;

/// Averages both tables over every rank of a [`Collective`] about every `every` words of the
/// whole run (all ranks' words together): the fewer words between averages, the closer the
/// run is to one process training everything, and the more it sends.
pub struct MeanAverager<'c> {
    collective: &'c mut dyn Collective,
    every: u64,
    /// Averages done so far.
    pub averages: u64,
}

impl<'c> MeanAverager<'c> {
    /// An averager over `collective`, averaging about every `every` words (at least 1).
    pub fn new(collective: &'c mut dyn Collective, every: u64) -> MeanAverager<'c> {
        MeanAverager {
            collective,
            every: every.max(1),
            averages: 0,
        }
    }
}

impl Averager for MeanAverager<'_> {
    fn points(&mut self, positions: u64) -> Result<u64> {
        let mut total = [positions];
        self.collective.sum_u64(&mut total)?;
        Ok(total[0].div_ceil(self.every).max(1))
    }

    fn average(&mut self, input: &mut [f32], output: &mut [f32], stop: bool) -> Result<bool> {
        let ranks = self.collective.size() as f32;
        for table in [input, output] {
            self.collective.sum_f32(table)?;
            table.iter_mut().for_each(|value| *value /= ranks);
        }
        let mut stops = [u64::from(stop)];
        self.collective.sum_u64(&mut stops)?;
        self.averages += 1;
        Ok(stops[0] > 0)
    }
}
