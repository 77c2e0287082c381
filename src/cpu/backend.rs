//! The CPU backend: worker threads sharing the tables without locks (Hogwild), and the
//! deterministic one-thread mode.

use std::borrow::Cow;

use crate::batch::Batch;
use crate::cpu::hot_rows::{HotRows, tree_span};
use crate::cpu::subword_update::{SubwordBatch, train_batch_subwords};
use crate::cpu::tables::SharedTable;
use crate::cpu::update::{Scratch, train_batch_with};
use crate::error::{Error, Result};
use crate::training::{Backend, Tables, TrainingPlan, WorkQueue};

/// Tokens per unit of work: small enough to balance threads and step the learning rate often
/// (word2vec.c steps it every 10k words), large enough that taking a unit costs nothing.
pub const CPU_CHUNK_TOKENS: usize = 10_000;

/// Trains on the CPU with a number of threads that take chunks in turn from the driver.
///
/// Threads share the tables without locks (Hogwild). With one thread (always so in
/// `deterministic` mode) a run is the reference semantics of [`crate::cpu::update`] applied
/// to each chunk in corpus order, and its result depends only on the seed and settings.
pub struct CpuBackend {
    threads: usize,
    tables: Option<(SharedTable, SharedTable)>,
}

impl CpuBackend {
    /// A backend of `threads` worker threads (at least one).
    pub fn new(threads: usize) -> CpuBackend {
        CpuBackend {
            threads: threads.max(1),
            tables: None,
        }
    }

    fn loaded(&mut self) -> Result<&mut (SharedTable, SharedTable)> {
        self.tables.as_mut().ok_or_else(not_loaded)
    }
}

impl Backend for CpuBackend {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn device(&self) -> String {
        let plural = if self.threads == 1 { "" } else { "s" };
        format!("cpu ({} thread{plural})", self.threads)
    }

    fn chunk_tokens(&self) -> usize {
        CPU_CHUNK_TOKENS
    }

    fn load(&mut self, plan: &TrainingPlan, input: Vec<f32>, output: Vec<f32>) -> Result<()> {
        let dim = plan.shape.dim;
        self.tables = Some((SharedTable::new(input, dim), SharedTable::new(output, dim)));
        Ok(())
    }

    fn train(&mut self, plan: &TrainingPlan, work: &WorkQueue<'_>) -> Result<()> {
        let threads = self.threads;
        let (input, output) = &*self.loaded()?;
        std::thread::scope(|scope| {
            // One thread keeps the reference semantics exactly; several buffer the hot rows.
            let hot = threads > 1;
            let others: Vec<_> = (1..threads)
                .map(|_| scope.spawn(move || worker(plan, work, input, output, hot)))
                .collect();
            let mine = worker(plan, work, input, output, hot);
            others
                .into_iter()
                .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .fold(mine, Result::and)
        })
    }

    fn tables(&mut self) -> Result<Tables<'_>> {
        let (input, output) = self.loaded()?;
        Ok(Tables {
            input: Cow::Borrowed(input.as_f32()),
            output: Cow::Borrowed(output.as_f32()),
        })
    }

    fn take_tables(&mut self) -> Result<(Vec<f32>, Vec<f32>)> {
        let (input, output) = self.tables.take().ok_or_else(not_loaded)?;
        Ok((input.into_inner(), output.into_inner()))
    }
}

fn not_loaded() -> Error {
    Error::Mismatch("the CPU backend has no tables loaded".into())
}

/// One thread's loop: chunks from the queue until it runs dry; on an error (reading the
/// corpus) the queue stops handing out chunks to every thread. With `hot`, the heaviest
/// nodes of a Huffman tree are buffered ([`HotRows`]) and flushed before a chunk is done.
fn worker(
    plan: &TrainingPlan,
    work: &WorkQueue<'_>,
    input: &SharedTable,
    output: &SharedTable,
    hot: bool,
) -> Result<()> {
    let mut scratch = Scratch::new(&plan.shape);
    let objective = plan.objective();
    let mut subword_rows = Vec::new();
    let mut batch = Batch::new();
    let (mut in_rows, mut shared_out) = (input.rows(), output.rows());
    let (first, count) = match (&plan.tree, hot) {
        (Some(tree), true) => tree_span(plan.first_tree_row, tree.inner_nodes()),
        _ => (0, 0),
    };
    let mut out_rows = HotRows::new(&mut shared_out, first, count, plan.shape.dim);
    while let Some(chunk) = work.next() {
        if let Err(error) = work.fill(&chunk, &mut batch) {
            work.abort();
            return Err(error);
        }
        let sum = match &plan.subwords {
            None => train_batch_with(
                &plan.shape,
                &mut in_rows,
                &mut out_rows,
                &objective,
                &batch,
                chunk.key,
                chunk.alpha,
                &mut scratch,
            ),
            Some(index) => {
                let subword_batch = SubwordBatch {
                    shape: &plan.shape,
                    index,
                    objective,
                    batch: &batch,
                    key: chunk.key,
                    alpha: chunk.alpha,
                };
                train_batch_subwords(
                    &subword_batch,
                    &mut in_rows,
                    &mut out_rows,
                    &mut scratch,
                    &mut subword_rows,
                )
            }
        };
        out_rows.flush();
        work.add_loss(sum);
        work.done(&chunk);
    }
    Ok(())
}
