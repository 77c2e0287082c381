//! Bringing every rank's tables back to one, at points spaced by a number of words.

use std::time::Instant;

use crate::config::{SyncMode, SyncRows};
use crate::distributed::{Collective, sum_changed_rows};
use crate::error::Result;
use crate::training::{Averager, Every};

/// Synchronises both tables over every rank of a [`Collective`] about every `every` words
/// of the whole run (all ranks' words together): the fewer words between synchronisations,
/// the closer the run is to one process training everything, and the more it sends. It
/// also agrees with the other ranks, at each synchronisation, whether to stop and whether a
/// checkpoint is due there.
pub struct TableSync<'c> {
    collective: &'c mut dyn Collective,
    every: u64,
    mode: SyncMode,
    /// The tables as of the last synchronisation (for [`SyncMode::SumOfChanges`]).
    base: Option<(Vec<f32>, Vec<f32>)>,
    /// How often a checkpoint is due.
    checkpoints: Option<Every>,
    /// When the last checkpoint was taken (or the run started), and after which
    /// synchronisation.
    last_checkpoint: (Instant, u64),
    /// Whether the ranks agreed at the last synchronisation that a checkpoint is due.
    due: bool,
    /// Synchronisations of the run resumed.
    resumed: u64,
    /// Synchronisations done so far (those of the run resumed included).
    pub syncs: u64,
    /// With [`SyncRows::Changed`], the rows' length: only rows some rank changed are sent.
    changed_rows_of: Option<usize>,
    /// What this run's synchronisations sent.
    pub traffic: Traffic,
}

/// What the synchronisations of a run sent, in table values (4 bytes each), against what
/// whole tables would have taken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Synchronisations counted.
    pub syncs: u64,
    /// Values each rank sent into the sums (row flags included).
    pub sent: u64,
    /// Values whole tables would have sent.
    pub whole: u64,
}

impl Traffic {
    /// The part of the whole tables that was sent (1 for whole tables; 0 before any sync).
    pub fn fraction(&self) -> f64 {
        if self.whole == 0 {
            0.0
        } else {
            self.sent as f64 / self.whole as f64
        }
    }
}

impl<'c> TableSync<'c> {
    /// Synchronises over `collective` about every `every` words (at least 1), as `mode` says.
    pub fn new(collective: &'c mut dyn Collective, every: u64, mode: SyncMode) -> TableSync<'c> {
        TableSync {
            collective,
            every: every.max(1),
            mode,
            base: None,
            checkpoints: None,
            last_checkpoint: (Instant::now(), 0),
            due: false,
            resumed: 0,
            syncs: 0,
            changed_rows_of: None,
            traffic: Traffic::default(),
        }
    }

    /// Sends the rows `rows` says, rows being `dim` values long. Only a sum of changes can
    /// leave rows out (a mean of rows every rank holds alike would round them): with
    /// [`SyncMode::Mean`] every row is sent.
    pub fn sending(mut self, rows: SyncRows, dim: usize) -> TableSync<'c> {
        self.changed_rows_of =
            (rows == SyncRows::Changed && self.mode == SyncMode::SumOfChanges).then_some(dim);
        self
    }

    /// Makes a checkpoint due at the first synchronisation after `every`: wall time on any
    /// rank, or words of the whole run (counted as `--sync-every` words a synchronisation,
    /// so the same on every rank).
    pub fn with_checkpoints(mut self, every: Option<Every>) -> TableSync<'c> {
        self.checkpoints = every;
        self
    }

    /// Continues a run that had synchronised `syncs` times when its checkpoint was taken.
    pub fn resuming(mut self, syncs: u64) -> TableSync<'c> {
        self.resumed = syncs;
        self.syncs = syncs;
        self.last_checkpoint.1 = syncs;
        self
    }

    /// Whether this rank would take a checkpoint at the synchronisation about to be made.
    fn wants_checkpoint(&self) -> bool {
        let (at, after) = self.last_checkpoint;
        match self.checkpoints {
            None => false,
            Some(Every::Time(interval)) => at.elapsed() >= interval,
            Some(Every::Words(words)) => {
                (self.syncs + 1 - after).saturating_mul(self.every) >= words
            }
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
                    self.traffic.whole += table.len() as u64;
                    match self.changed_rows_of {
                        Some(dim) => {
                            let rows = sum_changed_rows(&mut *self.collective, table, dim)?;
                            self.traffic.sent += (table.len() / dim.max(1) + rows * dim) as u64;
                        }
                        None => {
                            self.collective.sum_f32(table)?;
                            self.traffic.sent += table.len() as u64;
                        }
                    }
                    table.iter_mut().zip(base.iter_mut()).for_each(|(t, b)| {
                        *t += *b;
                        *b = *t;
                    });
                }
            }
            _ => {
                for table in [input, output] {
                    self.traffic.whole += table.len() as u64;
                    self.traffic.sent += table.len() as u64;
                    self.collective.sum_f32(table)?;
                    table.iter_mut().for_each(|value| *value /= ranks);
                }
            }
        }
        let mut wishes = [u64::from(stop), u64::from(self.wants_checkpoint())];
        self.collective.sum_u64(&mut wishes)?;
        self.syncs += 1;
        self.traffic.syncs += 1;
        let stopping = wishes[0] > 0;
        self.due = wishes[1] > 0;
        if self.due || stopping {
            self.last_checkpoint = (Instant::now(), self.syncs);
        }
        Ok(stopping)
    }

    fn averages_done(&self) -> u64 {
        self.resumed
    }

    fn checkpoint_due(&self) -> bool {
        self.due
    }
}
