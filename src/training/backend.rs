//! The one thing that differs between trainers: where the updates run.

use std::borrow::Cow;

use crate::error::Result;
use crate::training::plan::TrainingPlan;
use crate::training::work::WorkQueue;

/// Both tables of a run, row-major `[vocab, dim]`, borrowed where the backend holds them on
/// the host and owned where it had to read them back from a device.
pub struct Tables<'a> {
    /// The input table (the word vectors).
    pub input: Cow<'a, [f32]>,
    /// The output table.
    pub output: Cow<'a, [f32]>,
}

/// A place where updates run: the CPU's threads, a GPU, one rank of a distributed run.
///
/// The run driver ([`crate::training::train`]) owns everything else: the epoch loop, the
/// learning rate, progress, the divergence check, checkpoints, stop and resume. A backend
/// holds the tables and trains the chunks the driver hands out through a [`WorkQueue`]:
///
/// 1. [`load`](Backend::load) once, with the tables to start from (fresh or a checkpoint's);
/// 2. [`train`](Backend::train) once per segment of chunks (an epoch, or the chunks between
///    two checkpoints), on a thread of the driver's own while the driver reports progress;
/// 3. [`tables`](Backend::tables) at each checkpoint, and
///    [`take_tables`](Backend::take_tables) at the end.
pub trait Backend: Send {
    /// The name checkpoints record as the trainer that wrote them: "cpu", "gpu".
    fn name(&self) -> &'static str;

    /// Where the updates run, for the run's summary: "cpu (2 threads)", an adapter's name.
    fn device(&self) -> String;

    /// Tokens per chunk of a fresh run (a resumed run keeps its checkpoint's): the unit of
    /// work, and of learning-rate steps.
    fn chunk_tokens(&self) -> usize;

    /// Takes the tables to train, row-major `[vocab, dim]` each, and prepares what the
    /// backend keeps beside them (a device uploads them with the sampling tables of `plan`).
    fn load(&mut self, plan: &TrainingPlan, input: Vec<f32>, output: Vec<f32>) -> Result<()>;

    /// Replaces the tables' values between two [`train`](Backend::train) calls, keeping what
    /// [`load`](Backend::load) prepared beside them (the tables of a distributed run after a
    /// synchronisation). By default it loads them again.
    fn replace_tables(
        &mut self,
        plan: &TrainingPlan,
        input: Vec<f32>,
        output: Vec<f32>,
    ) -> Result<()> {
        self.load(plan, input, output)
    }

    /// Trains the chunks `work` hands out until [`WorkQueue::next`] gives no more, telling it
    /// of each chunk done ([`WorkQueue::done`]) and of the loss ([`WorkQueue::add_loss`]).
    /// Returns once every chunk it took is applied to the tables.
    fn train(&mut self, plan: &TrainingPlan, work: &WorkQueue<'_>) -> Result<()>;

    /// The tables as they are between two [`train`](Backend::train) calls.
    fn tables(&mut self) -> Result<Tables<'_>>;

    /// Gives the tables back at the end of the run: `(input, output)`.
    fn take_tables(&mut self) -> Result<(Vec<f32>, Vec<f32>)>;
}
