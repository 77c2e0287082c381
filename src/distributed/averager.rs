//! Bringing every rank's tables back to one, at points spaced by a number of words.

use crate::distributed::Collective;
use crate::error::Result;
use crate::training::Averager;

/// How the ranks' tables become one at each synchronisation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SyncMode {
    /// Every rank's changes since the last synchronisation are added up: the tables move as
    /// far as one process training all the ranks' words would have moved them (to first
    /// order), whatever the number of ranks.
    #[default]
    SumOfChanges,
    /// The tables are averaged: each rank's changes count `1/N`, which acts as a learning
    /// rate divided by the number of ranks `N` (measured in the README to cost quality).
    Mean,
}

/// Synchronises both tables over every rank of a [`Collective`] about every `every` words
/// of the whole run (all ranks' words together): the fewer words between synchronisations,
/// the closer the run is to one process training everything, and the more it sends.
pub struct TableSync<'c> {
    collective: &'c mut dyn Collective,
    every: u64,
    mode: SyncMode,
    /// The tables as of the last synchronisation (for [`SyncMode::SumOfChanges`]).
    base: Option<(Vec<f32>, Vec<f32>)>,
    /// Synchronisations done so far.
    pub syncs: u64,
}

impl<'c> TableSync<'c> {
    /// Synchronises over `collective` about every `every` words (at least 1), as `mode` says.
    pub fn new(collective: &'c mut dyn Collective, every: u64, mode: SyncMode) -> TableSync<'c> {
        TableSync {
            collective,
            every: every.max(1),
            mode,
            base: None,
            syncs: 0,
        }
    }
}

impl Averager for TableSync<'_> {
    fn begin(&mut self, positions: u64, input: &[f32], output: &[f32]) -> Result<u64> {
        if self.mode == SyncMode::SumOfChanges {
            self.base = Some((input.to_vec(), output.to_vec()));
        }
        let mut total = [positions];
        self.collective.sum_u64(&mut total)?;
        Ok(total[0].div_ceil(self.every).max(1))
    }

    fn average(&mut self, input: &mut [f32], output: &mut [f32], stop: bool) -> Result<bool> {
        let ranks = self.collective.size() as f32;
        match (self.mode, self.base.as_mut()) {
            (SyncMode::SumOfChanges, Some((base_input, base_output))) => {
                for (table, base) in [(input, base_input), (output, base_output)] {
                    // Every rank started from the same base: send the changes, add them up.
                    table.iter_mut().zip(base.iter()).for_each(|(t, b)| *t -= b);
                    self.collective.sum_f32(table)?;
                    table.iter_mut().zip(base.iter_mut()).for_each(|(t, b)| {
                        *t += *b;
                        *b = *t;
                    });
                }
            }
            _ => {
                for table in [input, output] {
                    self.collective.sum_f32(table)?;
                    table.iter_mut().for_each(|value| *value /= ranks);
                }
            }
        }
        let mut stops = [u64::from(stop)];
        self.collective.sum_u64(&mut stops)?;
        self.syncs += 1;
        Ok(stops[0] > 0)
    }
}
