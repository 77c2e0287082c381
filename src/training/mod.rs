//! Training: one run driver for every backend.
//!
//! - [`train`] runs the epochs: learning rate, progress, divergence check, checkpoints,
//!   stop and resume, once for all backends.
//! - [`Backend`] is what differs: where the updates run ([`crate::cpu::CpuBackend`],
//!   [`crate::gpu::GpuBackend`]); [`crate::backends`] chooses one.
//! - [`TrainingPlan`] is what a run derives before the first update; [`WorkQueue`] hands its
//!   chunks to a backend's workers.
//! - [`RunState`] and [`Position`] say where a run stands: what a checkpoint saves.
//! - [`Averager`] keeps the tables of the processes of a distributed run in agreement.
//! - [`EpochObserver`] sees each epoch end (for a metrics log, a per-epoch evaluation).

mod averaging;
mod backend;
mod control;
mod driver;
mod observe;
mod plan;
mod result;
mod state;
mod stats;
mod work;

pub use averaging::Averager;
pub use backend::{Backend, Tables};
pub use control::{CheckpointFn, Control, Every, Outcome, Snapshot, Trained};
pub use driver::{train, train_observed, train_to_end};
pub use observe::{EpochEnd, EpochObserver};
pub use plan::{Objective, TrainingPlan, UpdateShape, initial_input_table};
pub use state::{Position, Resume, RunState};
pub use stats::{EpochStats, LossSum, PROGRESS_INTERVAL, Progress, TrainStats};
pub use work::{Pause, Segment, SegmentReport, Work, WorkQueue};
