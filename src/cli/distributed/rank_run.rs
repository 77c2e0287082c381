//! One rank's run: its share of the corpus, its device, training with synchronisations,
//! checkpoints taken together and written by rank 0, and rank 0's vectors.

use std::path::PathBuf;

use crate::Device;
use crate::checkpoint::Checkpoint;
use crate::cli::say::note;
use crate::distributed::{
    Collective, RankCheckpoints, SharedCollective, SyncMode, SyncRows, SyncSettings, TableSync,
    Traffic, read_corpus, resume_share, vocab_fingerprint,
};
use crate::io::atomic::AtomicFile;
use crate::memory::Estimate;
use crate::training::{Control, EpochObserver, Outcome, Snapshot, train_observed};
use anyhow::Context;

use super::super::interrupt::{self, INTERRUPTED};
use super::super::output::{write_trained, write_vocab};
use super::super::progress;
use super::super::settings::{BackendOptions, CacheOptions, read_options};
use super::super::watch::RunWatch;
use super::{DEFAULT_SYNC_EVERY, DistributedJob, DistributedOptions, SyncModeArg, SyncRowsArg};

/// Environment variables in which MPI launchers give a process's rank on its host.
const LOCAL_RANK_VARIABLES: [&str; 4] = [
    "OMPI_COMM_WORLD_LOCAL_RANK",
    "MPI_LOCALRANKID",
    "MV2_COMM_WORLD_LOCAL_RANK",
    "SLURM_LOCALID",
];

/// Tests set it to a rank, which then kills itself once it has read its share (or once
/// [`KILL_AFTER_CHECKPOINTS_FOR_TESTS`] checkpoints are written): how a crashed rank is
/// simulated.
const KILL_RANK_FOR_TESTS: &str = "VECTRAIN_TEST_KILL_RANK";
/// With [`KILL_RANK_FOR_TESTS`]: after how many checkpoints that rank kills itself.
const KILL_AFTER_CHECKPOINTS_FOR_TESTS: &str = "VECTRAIN_TEST_KILL_AFTER_CHECKPOINTS";

/// How a rank's run ended without an error.
pub enum Ended {
    /// Trained to the end; rank 0 wrote the vectors.
    Finished,
    /// Every rank stopped at the same synchronisation (Ctrl-C or SIGTERM on any rank);
    /// rank 0 saved the state in a checkpoint.
    Interrupted,
}

/// After how many checkpoints this rank should kill itself, for a test (0: once it has
/// read its share).
fn kill_point(rank: usize) -> Option<u64> {
    if std::env::var(KILL_RANK_FOR_TESTS).ok()? != rank.to_string() {
        return None;
    }
    Some(
        std::env::var(KILL_AFTER_CHECKPOINTS_FOR_TESTS)
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
    )
}

fn kill_self() {
    let pid = std::process::id().to_string();
    let _ = std::process::Command::new("kill")
        .args(["-9", &pid])
        .status();
}

/// The synchronisation of this run: the options given, else the checkpoint's, else the
/// defaults. A resume checks the result against the checkpoint's.
fn sync_settings(options: &DistributedOptions, saved: Option<&Checkpoint>) -> SyncSettings {
    let recorded = saved.and_then(|c| c.distributed.as_ref()).map(|d| d.sync);
    let mode = options.sync_mode.map(|mode| match mode {
        SyncModeArg::Sum => SyncMode::SumOfChanges,
        SyncModeArg::Mean => SyncMode::Mean,
    });
    SyncSettings {
        every: options
            .sync_every
            .or(recorded.map(|s| s.every))
            .unwrap_or(DEFAULT_SYNC_EVERY),
        mode: mode.or(recorded.map(|s| s.mode)).unwrap_or_default(),
    }
}

/// What the synchronisations sent, for the summary: per synchronisation and against whole
/// tables.
fn traffic_text(traffic: &Traffic) -> String {
    let per_sync = 4.0 * traffic.sent as f64 / traffic.syncs.max(1) as f64 / (1 << 20) as f64;
    format!(
        "{per_sync:.1} MiB sent by each rank per synchronisation, {:.1}% of whole tables",
        100.0 * traffic.fraction()
    )
}

/// Runs one rank of a distributed run.
pub fn train(
    world: &mut dyn Collective,
    job: DistributedJob<'_>,
    backend: &BackendOptions,
    cache: &CacheOptions,
    cache_dir: Option<PathBuf>,
    options: &DistributedOptions,
) -> anyhow::Result<Ended> {
    let (rank, size) = (world.rank(), world.size());
    let input = job.input.context(
        "--distributed needs --input: each rank reads its own byte range of one corpus file",
    )?;
    if rank == 0 {
        // A bad output or checkpoint path is found now, not after hours of training.
        AtomicFile::check(job.output)?;
        AtomicFile::check(job.checkpoint)?;
    }
    // Rank 0 keeps the metrics log and scores the analogies: its own loss and speed, and its
    // tables at its epoch ends, which hold every rank's changes up to the last
    // synchronisation (README, "Metrics of a distributed run").
    let mut watch = match rank {
        0 => RunWatch::check(job.metrics, job.analogies)?,
        _ => RunWatch::check(None, None)?,
    };
    let params = job.params;
    let sync = sync_settings(options, job.resume.as_ref().map(|(_, saved)| saved));
    let corpus = read_corpus(input, &read_options(params, cache, cache_dir)?, world)?;
    note!(
        "rank {rank} of {size}: {} of {} tokens kept, vocabulary {} words (fingerprint {:016x})",
        corpus.len(),
        corpus.stats.raw_tokens,
        corpus.vocab.len(),
        vocab_fingerprint(&corpus.vocab)
    );
    // The tables, and with sums of changes their copy as of the last synchronisation, must
    // fit beside the share of the corpus this rank holds.
    let estimate = Estimate::beside(&corpus, params);
    match sync.mode {
        SyncMode::SumOfChanges => estimate.with_tables_copy(corpus.vocab.len(), params),
        SyncMode::Mean => estimate,
    }
    .check()?;
    watch.start(job.resume.is_some())?;
    let kill_after = kill_point(rank);
    if kill_after == Some(0) {
        kill_self();
    }
    let resumed_checkpoint = job.resume.as_ref().map(|(path, _)| path.clone());
    let (resume, syncs) = match job.resume {
        None => (None, 0),
        Some((path, saved)) => {
            let resumed = resume_share(saved, &path, params, &corpus, sync, world)?;
            let position = resumed.resume.state.position;
            if rank == 0 {
                note!(
                    "resuming from {} on {size} ranks after synchronisation {}: rank 0 at epoch {} of {}, chunk {} of {}",
                    path.display(),
                    resumed.syncs,
                    position.epoch + 1,
                    params.epochs,
                    position.next_chunk + 1,
                    corpus.chunks(position.chunk_tokens as usize).len()
                );
            }
            (Some(resumed.resume), resumed.syncs)
        }
    };
    let local_rank = LOCAL_RANK_VARIABLES
        .iter()
        .find_map(|name| std::env::var(name).ok()?.parse().ok())
        .unwrap_or(rank);
    let (device, notice) =
        Device::open_nth(backend.backend, backend.adapter.as_deref(), local_rank)?;
    if let Some(notice) = notice {
        note!("rank {rank}: note: {notice}");
    }
    let mut trainer = device.backend(params);
    let chunk_tokens = trainer.chunk_tokens();
    let resume = super::super::pretrained::Pretrained::or_start(
        job.pretrained,
        resume,
        &corpus,
        params,
        chunk_tokens,
        rank == 0,
    )?;
    note!("rank {rank}: training on {}", trainer.device());
    interrupt::install()?;
    let mut extra = vec!["--distributed".to_string()];
    extra.extend(job.resume_options.iter().cloned());
    let resume_command = format!(
        "mpirun -np {size} {}",
        interrupt::resume_command(job.checkpoint, &extra)
    );
    // Rank 0's progress stands for the run's: the ranks advance together.
    let bar = if rank == 0 {
        progress::training_bar(corpus.len() as u64 * params.epochs as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut written = 0u64;
    let (outcome, averages, traffic) = {
        let shared = SharedCollective::new(world);
        let writer = RankCheckpoints {
            path: job.checkpoint,
            trainer: trainer.name(),
            params,
            files: &job.files,
            share: &corpus,
            sync,
        };
        let mut write_checkpoint = |snapshot: &Snapshot<'_>| -> crate::Result<()> {
            writer.write(&mut &shared, snapshot)?;
            written += 1;
            if rank == 0 {
                bar.suspend(|| {
                    note!(
                        "checkpoint written to {} (synchronisation {}; rank 0 at epoch {}, chunk {})",
                        job.checkpoint.display(),
                        snapshot.averages.unwrap_or(0),
                        snapshot.state.position.epoch + 1,
                        snapshot.state.position.next_chunk + 1
                    );
                    if written == 1 {
                        note!("if the run is killed, this continues it: {resume_command}");
                    }
                });
            }
            if kill_after == Some(written) {
                kill_self();
            }
            Ok(())
        };
        let mut handle = &shared;
        let rows = match options.sync_rows {
            Some(SyncRowsArg::All) => SyncRows::All,
            Some(SyncRowsArg::Changed) | None => SyncRows::Changed,
        };
        let mut averager = TableSync::new(&mut handle, sync.every, sync.mode)
            .sending(rows, params.dim)
            .with_checkpoints(job.every)
            .resuming(syncs);
        let control = Control {
            resume,
            stop: Some(&INTERRUPTED),
            checkpoint: Some(&mut write_checkpoint),
            averager: Some(&mut averager),
            ..Control::default()
        };
        let mut observer = watch.observer(&bar);
        let outcome = train_observed(
            trainer.as_mut(),
            &corpus,
            params,
            control,
            &mut |p| {
                if rank == 0 {
                    progress::show(&bar, p);
                    watch.progress(p);
                }
            },
            observer.as_mut().map(|o| o as &mut dyn EpochObserver),
        )?;
        (outcome, averager.syncs, averager.traffic)
    };
    bar.finish_and_clear();
    let trained = match outcome {
        Outcome::Finished(trained) => trained,
        Outcome::Stopped(_) => {
            if rank == 0 {
                note!(
                    "interrupted: every rank stopped after synchronisation {averages}; the training state is saved in {}; no vectors were written.\nTo resume:\n  {resume_command}",
                    job.checkpoint.display()
                );
            }
            // Every rank exits once rank 0 has said so: the launcher may end the job when
            // the first rank exits.
            world.sum_u64(&mut [0])?;
            return Ok(Ended::Interrupted);
        }
    };
    let mut words = [trained.stats.words];
    world.sum_u64(&mut words)?;
    if rank != 0 {
        return Ok(Ended::Finished);
    }
    let run = &trained.stats;
    write_trained(&trained, job.output, job.format, "rank 0's ")?;
    if let Some(path) = job.save_vocab {
        write_vocab(&trained, path)?;
    }
    watch.finish().with_context(|| {
        format!(
            "the vectors are written to {}, but the metrics log stops early",
            job.output.display()
        )
    })?;
    note!(
        "trained {} vectors of {} on {size} ranks ({} on rank 0) in {:.1} s: {:.0} words/s in all, {averages} synchronisations of the tables ({}); wrote {} ({})",
        corpus.vocab.len(),
        params.dim,
        run.device,
        run.seconds,
        words[0] as f64 / run.seconds.max(1e-9),
        traffic_text(&traffic),
        job.output.display(),
        job.format.name()
    );
    // The run's own checkpoint has served its purpose; one of another run is left alone.
    let own = written > 0 || resumed_checkpoint.as_deref() == Some(job.checkpoint);
    let removed = own
        && crate::io::paths::remove_plain_file(job.checkpoint)
            .with_context(|| format!("removing the checkpoint {}", job.checkpoint.display()))?;
    if removed {
        note!(
            "removed the checkpoint {}: the run is complete",
            job.checkpoint.display()
        );
    }
    Ok(Ended::Finished)
}
