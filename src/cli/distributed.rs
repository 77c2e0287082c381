//! `vectrain train --distributed`: one rank of an MPI job (`mpirun -np N vectrain train
//! --distributed ...`), on a build with the cargo feature `mpi`.

use std::path::{Path, PathBuf};

use crate::TrainParams;
use crate::checkpoint::{Checkpoint, RunFiles};
use crate::io::VectorFormat;
use crate::training::Every;
use clap::Args;

use super::settings::{BackendOptions, CacheOptions};

/// Words of the whole run between two averages of the ranks' tables, unless
/// `--sync-every` says otherwise (README, "Several devices and machines", for the
/// measurements behind it).
#[cfg_attr(not(feature = "mpi"), allow(dead_code))]
pub const DEFAULT_SYNC_EVERY: u64 = 1_000_000;

/// What a distributed run is asked to do, from `vectrain train`'s command line.
#[cfg_attr(not(feature = "mpi"), allow(dead_code))]
pub struct DistributedJob<'a> {
    /// The training settings.
    pub params: &'a TrainParams,
    /// The corpus file.
    pub input: Option<&'a Path>,
    /// Where rank 0 writes the vectors.
    pub output: &'a Path,
    /// In which format.
    pub format: VectorFormat,
    /// Where rank 0 writes the checkpoints.
    pub checkpoint: &'a Path,
    /// How often (`--checkpoint-every`).
    pub every: Option<Every>,
    /// The run's files, as its checkpoints record them.
    pub files: RunFiles,
    /// The checkpoint resumed from (`--resume`), read by every rank.
    pub resume: Option<(PathBuf, Checkpoint)>,
    /// Options of the command line a checkpoint does not record, for the resume command.
    pub resume_options: Vec<String>,
    /// Where rank 0 writes its metrics log (`--metrics`).
    pub metrics: Option<&'a Path>,
    /// The analogy questions rank 0 scores its tables on at its epoch ends (`--analogies`).
    pub analogies: Option<&'a Path>,
    /// Where rank 0 writes the vocabulary with its counts (`--save-vocab`).
    pub save_vocab: Option<&'a Path>,
    /// Vectors a fresh run's input rows start from (`--pretrained-vectors`), read by every
    /// rank, so that the ranks start equal.
    pub pretrained: Option<&'a super::pretrained::Pretrained>,
}

/// Options of a distributed run.
#[derive(Args, Debug)]
pub struct DistributedOptions {
    /// Train as one rank of an MPI job: `mpirun -np N vectrain train --distributed ...`.
    /// Each rank trains the lines of its own byte range of --input (plain text) on its own
    /// device (ranks on one host take distinct GPUs by local rank; --adapter narrows the
    /// choice); rank 0 writes the vectors. Needs a build with `--features mpi`.
    #[arg(long)]
    pub distributed: bool,
    /// Average the ranks' tables about every this many words of the whole run (all ranks'
    /// words together) [default: 1000000].
    #[arg(long, value_name = "WORDS", requires = "distributed", value_parser = clap::value_parser!(u64).range(1..))]
    pub sync_every: Option<u64>,
    /// How the ranks' tables become one at each synchronisation: `sum` adds up every rank's
    /// changes since the last one (as one process training all the words would move them),
    /// `mean` averages the tables (which divides the learning rate by the number of ranks)
    /// [default: sum].
    #[arg(long, value_enum, requires = "distributed")]
    pub sync_mode: Option<SyncModeArg>,
    /// Which rows a synchronisation sends with --sync-mode sum: `changed` sends only the rows
    /// some rank changed since the last one (after one flag per row), `all` every row; the
    /// tables come out the same (README, "What a synchronisation sends") [default: changed].
    #[arg(long, value_enum, requires = "distributed")]
    pub sync_rows: Option<SyncRowsArg>,
}

/// `--sync-rows`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SyncRowsArg {
    /// The rows some rank changed.
    Changed,
    /// Every row.
    All,
}

/// `--sync-mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SyncModeArg {
    /// Add up every rank's changes.
    Sum,
    /// Average the tables.
    Mean,
}

/// Runs `job` as one rank of an MPI job.
#[cfg(not(feature = "mpi"))]
pub fn run(
    _job: DistributedJob<'_>,
    _backend: &BackendOptions,
    _cache: &CacheOptions,
    _cache_dir: Option<PathBuf>,
    _options: &DistributedOptions,
) -> anyhow::Result<()> {
    anyhow::bail!(
        "--distributed needs a vectrain built with MPI: `cargo build --release --features mpi` (with Open MPI's libopenmpi-dev and libclang-dev installed)"
    )
}

/// Runs `job` as one rank of an MPI job; an error on any rank ends every rank, naming it.
#[cfg(feature = "mpi")]
pub fn run(
    job: DistributedJob<'_>,
    backend: &BackendOptions,
    cache: &CacheOptions,
    cache_dir: Option<PathBuf>,
    options: &DistributedOptions,
) -> anyhow::Result<()> {
    use crate::distributed::{Collective, MpiWorld};

    let mut world = MpiWorld::init()?;
    let (rank, size) = (world.rank(), world.size());
    match rank_run::train(&mut world, job, backend, cache, cache_dir, options) {
        Ok(rank_run::Ended::Finished) => Ok(()),
        Ok(rank_run::Ended::Interrupted) => {
            // MPI is finalized (every rank got here together) before the exit.
            drop(world);
            std::process::exit(super::interrupt::INTERRUPTED_EXIT_CODE)
        }
        Err(error) => {
            crate::cli::say::note!("error: rank {rank} of {size}: {error:#}");
            // The other ranks may be waiting for this one in a collective call.
            world.abort(1)
        }
    }
}

#[cfg(feature = "mpi")]
mod rank_run;
