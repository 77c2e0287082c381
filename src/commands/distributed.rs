//! `vectrain train --distributed`: one rank of an MPI job (`mpirun -np N vectrain train
//! --distributed ...`), on a build with the cargo feature `mpi`.

use std::path::{Path, PathBuf};

use clap::Args;
use vectrain::TrainParams;
use vectrain::io::VectorFormat;

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
    /// Whether --resume or --checkpoint-every was given (not supported yet).
    pub checkpoints: bool,
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
    /// `mean` averages the tables (which divides the learning rate by the number of ranks).
    #[arg(long, value_enum, default_value = "sum", requires = "distributed")]
    pub sync_mode: SyncModeArg,
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
    _job: &DistributedJob<'_>,
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
    job: &DistributedJob<'_>,
    backend: &BackendOptions,
    cache: &CacheOptions,
    cache_dir: Option<PathBuf>,
    options: &DistributedOptions,
) -> anyhow::Result<()> {
    use vectrain::distributed::{Collective, MpiWorld};

    let mut world = MpiWorld::init()?;
    let (rank, size) = (world.rank(), world.size());
    match rank_run::train(&mut world, job, backend, cache, cache_dir, options) {
        Ok(()) => Ok(()),
        Err(error) => {
            rank_run::say(&format!("error: rank {rank} of {size}: {error:#}"));
            // The other ranks may be waiting for this one in a collective call.
            world.abort(1)
        }
    }
}

#[cfg(feature = "mpi")]
mod rank_run {
    use std::path::PathBuf;

    use anyhow::Context;
    use vectrain::Device;
    use vectrain::distributed::{Collective, SyncMode, TableSync, read_corpus, vocab_fingerprint};
    use vectrain::io::atomic::AtomicFile;
    use vectrain::training::{Control, Outcome};

    use super::super::interrupt::{self, INTERRUPTED, INTERRUPTED_EXIT_CODE};
    use super::super::output::write_trained;
    use super::super::progress;
    use super::super::settings::{BackendOptions, CacheOptions, read_options};
    use super::{DEFAULT_SYNC_EVERY, DistributedJob, DistributedOptions, SyncModeArg};

    /// Environment variables in which MPI launchers give a process's rank on its host.
    const LOCAL_RANK_VARIABLES: [&str; 4] = [
        "OMPI_COMM_WORLD_LOCAL_RANK",
        "MPI_LOCALRANKID",
        "MV2_COMM_WORLD_LOCAL_RANK",
        "SLURM_LOCALID",
    ];

    /// Tests set it to a rank, which then kills itself once it has read its share: how a
    /// crashed rank is simulated.
    const KILL_RANK_FOR_TESTS: &str = "VECTRAIN_TEST_KILL_RANK";

    /// Writes `line` to stderr in one write, so that the launcher, which merges every
    /// rank's stderr, never splits it with another rank's.
    pub fn say(line: &str) {
        use std::io::Write;
        let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
    }

    pub fn train(
        world: &mut dyn Collective,
        job: &DistributedJob<'_>,
        backend: &BackendOptions,
        cache: &CacheOptions,
        cache_dir: Option<PathBuf>,
        options: &DistributedOptions,
    ) -> anyhow::Result<()> {
        let (rank, size) = (world.rank(), world.size());
        if job.checkpoints {
            anyhow::bail!(
                "a distributed run takes no checkpoints yet: leave out --resume and --checkpoint-every"
            );
        }
        let input = job.input.context(
            "--distributed needs --input: each rank reads its own byte range of one corpus file",
        )?;
        if rank == 0 {
            AtomicFile::check(job.output)?;
        }
        let params = job.params;
        let corpus = read_corpus(input, &read_options(params, cache, cache_dir), world)?;
        say(&format!(
            "rank {rank} of {size}: {} of {} tokens kept, vocabulary {} words (fingerprint {:016x})",
            corpus.len(),
            corpus.stats.raw_tokens,
            corpus.vocab.len(),
            vocab_fingerprint(&corpus.vocab)
        ));
        if std::env::var(KILL_RANK_FOR_TESTS).ok() == Some(rank.to_string()) {
            let pid = std::process::id().to_string();
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid])
                .status();
        }
        let local_rank = LOCAL_RANK_VARIABLES
            .iter()
            .find_map(|name| std::env::var(name).ok()?.parse().ok())
            .unwrap_or(rank);
        let (device, notice) =
            Device::open_nth(backend.backend, backend.adapter.as_deref(), local_rank)?;
        if let Some(notice) = notice {
            say(&format!("rank {rank}: note: {notice}"));
        }
        let mut trainer = device.backend(params);
        say(&format!("rank {rank}: training on {}", trainer.device()));
        let every = options.sync_every.unwrap_or(DEFAULT_SYNC_EVERY);
        interrupt::install()?;
        // Rank 0's progress stands for the run's: the ranks advance together.
        let bar = if rank == 0 {
            progress::training_bar(corpus.len() as u64 * params.epochs as u64)
        } else {
            indicatif::ProgressBar::hidden()
        };
        let (outcome, averages) = {
            let mode = match options.sync_mode {
                SyncModeArg::Sum => SyncMode::SumOfChanges,
                SyncModeArg::Mean => SyncMode::Mean,
            };
            let mut averager = TableSync::new(world, every, mode);
            let control = Control {
                stop: Some(&INTERRUPTED),
                averager: Some(&mut averager),
                ..Control::default()
            };
            let outcome = vectrain::train(trainer.as_mut(), &corpus, params, control, &mut |p| {
                if rank == 0 {
                    progress::show(&bar, p)
                }
            })?;
            (outcome, averager.syncs)
        };
        bar.finish_and_clear();
        let trained = match outcome {
            Outcome::Finished(trained) => trained,
            Outcome::Stopped(_) => {
                if rank == 0 {
                    eprintln!(
                        "interrupted: every rank stopped at an average; a distributed run keeps no checkpoint yet, and no vectors were written"
                    );
                }
                std::process::exit(INTERRUPTED_EXIT_CODE);
            }
        };
        let mut words = [trained.stats.words];
        world.sum_u64(&mut words)?;
        if rank != 0 {
            return Ok(());
        }
        let run = &trained.stats;
        write_trained(&trained, job.output, job.format, "rank 0's ")?;
        eprintln!(
            "trained {} vectors of {} on {size} ranks ({} on rank 0) in {:.1} s: {:.0} words/s in all, {averages} synchronisations of the tables; wrote {} ({})",
            corpus.vocab.len(),
            params.dim,
            run.device,
            run.seconds,
            words[0] as f64 / run.seconds.max(1e-9),
            job.output.display(),
            job.format.name()
        );
        Ok(())
    }
}
