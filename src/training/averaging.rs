//! Keeping the tables of several processes in agreement: the driver's side of data-parallel
//! training (one process, or rank, per device; see [`crate::distributed`]).
//!
//! Each process trains its own share of the corpus on its own copy of the tables, and at
//! points agreed in advance every copy is replaced by one table made of all copies. The points
//! are the same fractions of every share (`i / points` for `i` in `1..=points`), so each
//! process averages the same number of times, in the same order, whatever the sizes of the
//! shares; and since the processes meet at the same fraction of their work, each one's
//! learning rate, which follows its own fraction, follows the run's global progress.

use crate::error::Result;

/// Averages the tables of a run over every process that trains it.
pub trait Averager {
    /// Called once before training with the tables every process starts from; returns how
    /// many times the run averages, agreed by every process: `positions` is what this
    /// process trains over the whole run. The last time is at the end of the run.
    fn begin(&mut self, positions: u64, input: &[f32], output: &[f32]) -> Result<u64>;

    /// Replaces `input` and `output` by one table over every process (the mean, or the
    /// start plus every process's changes). `stop` says whether
    /// this process was asked to stop; the answer is whether any process was, in which case
    /// every one stops here.
    fn average(&mut self, input: &mut [f32], output: &mut [f32], stop: bool) -> Result<bool>;

    /// Averages done before this run started: those of the run it resumes (a checkpoint
    /// records them), so that its next average is the next one of every process.
    fn averages_done(&self) -> u64 {
        0
    }

    /// Whether every process agreed, at the last average, to take a checkpoint there. The
    /// averager keeps the checkpoint interval of a run that averages (not
    /// [`crate::training::Control::every`]), since the processes must agree on it.
    fn checkpoint_due(&self) -> bool {
        false
    }
}

/// Where a run of `total` positions averages: after the chunk that reaches each point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Schedule {
    points: u64,
    total: u64,
    /// The next point, from 1.
    next: u64,
}

impl Schedule {
    /// The schedule of `points` points over `total` positions, the first `averaged` of them
    /// passed already; points reached since are passed by the next call to
    /// [`Schedule::passed`].
    pub fn after(points: u64, total: u64, averaged: u64) -> Schedule {
        let points = points.max(1);
        Schedule {
            points,
            total,
            next: averaged.saturating_add(1).min(points),
        }
    }

    /// Points passed so far, the last point (the end of the run) aside.
    pub fn averaged(&self) -> u64 {
        self.next - 1
    }

    /// The position of point `i`.
    fn target(&self, i: u64) -> u64 {
        (u128::from(i) * u128::from(self.total)).div_ceil(u128::from(self.points)) as u64
    }

    /// The position where the next segment should pause, unless the run ends first (the
    /// last point is the end of the run, which ends every segment anyway).
    pub fn due(&self) -> Option<u64> {
        (self.next < self.points).then(|| self.target(self.next))
    }

    /// How many points before the end of the run lie at or below `done` and were not passed
    /// before; they are passed now.
    pub fn passed(&mut self, done: u64) -> u64 {
        let first = self.next;
        while self.next < self.points && self.target(self.next) <= done {
            self.next += 1;
        }
        self.next - first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_process_passes_every_point_once() {
        // Shares of different sizes, advancing in steps of different sizes, pass the same
        // number of points: all but the last, which is the end of the run.
        for (total, step) in [(1_000u64, 7u64), (1_013, 100), (990, 1_000), (5, 1)] {
            let mut schedule = Schedule::after(4, total, 0);
            let mut passed = 0;
            let mut done = 0;
            while done < total {
                done = (done + step).min(total);
                passed += schedule.passed(done);
            }
            assert_eq!(passed, 3, "total {total}, step {step}");
            assert_eq!(schedule.due(), None);
        }
    }

    #[test]
    fn points_are_equal_fractions() {
        let schedule = Schedule::after(4, 1_000, 0);
        assert_eq!(schedule.due(), Some(250));
        let resumed = Schedule::after(4, 1_000, 2);
        assert_eq!(resumed.due(), Some(750));
        assert_eq!(Schedule::after(1, 1_000, 0).due(), None);
    }

    #[test]
    fn a_resumed_schedule_passes_the_points_its_position_reached_since() {
        // A process that passed 1 point, then trained to 600 before the checkpoint: its
        // resumed run owes point 2 (at 500) before it trains on.
        let mut resumed = Schedule::after(4, 1_000, 1);
        assert_eq!(resumed.passed(600), 1);
        assert_eq!(resumed.averaged(), 2);
        assert_eq!(resumed.due(), Some(750));
    }
}
