//! Checkpoints of a distributed run: taken right after a synchronisation, when every rank
//! holds the same tables, written by rank 0 alone with every rank's place in its share; and
//! a resume, on every rank, from that one file.

use std::path::Path;

use crate::checkpoint::{
    self, Checkpoint, CorpusFingerprint, DistributedRun, Header, RankState, RunFiles,
};
use crate::config::TrainParams;
use crate::corpus::Corpus;
use crate::distributed::{Collective, SyncMode, SyncSettings};
use crate::error::{Error, Result};
use crate::training::{Resume, Snapshot};

/// What the checkpoints of one rank's run record beside its snapshots: everything of a
/// checkpoint [`Header`] but the state, which every rank sends to rank 0.
pub struct RankCheckpoints<'a> {
    /// Where rank 0 writes them (atomically: temporary file, then rename).
    pub path: &'a Path,
    /// The trainer ("cpu", "gpu").
    pub trainer: &'a str,
    /// The run's settings.
    pub params: &'a TrainParams,
    /// The run's files.
    pub files: &'a RunFiles,
    /// This rank's share of the corpus (with the vocabulary of the whole file).
    pub share: &'a Corpus,
    /// How the ranks synchronise.
    pub sync: SyncSettings,
}

impl RankCheckpoints<'_> {
    /// Takes a checkpoint of `snapshot` (taken right after a synchronisation), every rank
    /// together: each sends its state to rank 0, which writes the file, and every rank
    /// returns once rank 0 has written it, or with an error when it could not.
    pub fn write(&self, collective: &mut dyn Collective, snapshot: &Snapshot<'_>) -> Result<()> {
        let mine = RankState {
            state: snapshot.state.clone(),
            corpus: CorpusFingerprint::of(self.share),
        };
        let parts = collective.gather(&mine.to_bytes())?;
        let written = if collective.rank() == 0 {
            self.write_file(&parts, snapshot)
        } else {
            Ok(())
        };
        // No rank goes on (or exits) before the file is complete.
        let mut failed = [u64::from(written.is_err())];
        collective.sum_u64(&mut failed)?;
        written?;
        if failed[0] > 0 {
            return Err(Error::Mismatch(format!(
                "rank 0 could not write the checkpoint {}",
                self.path.display()
            )));
        }
        Ok(())
    }

    fn write_file(&self, parts: &[Vec<u8>], snapshot: &Snapshot<'_>) -> Result<()> {
        let ranks = parts
            .iter()
            .enumerate()
            .map(|(rank, bytes)| {
                RankState::from_bytes(bytes).ok_or_else(|| {
                    Error::Mismatch(format!(
                        "rank {rank} sent a checkpoint part that cannot be read"
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let run = DistributedRun {
            sync: self.sync,
            syncs: snapshot.averages.unwrap_or(0),
            ranks,
        };
        let header = Header {
            trainer: self.trainer,
            params: self.params,
            files: self.files,
            vocab: &self.share.vocab,
            corpus: run.ranks[0].corpus,
            state: &run.ranks[0].state,
        };
        checkpoint::write_distributed(
            self.path,
            &header,
            Some(&run),
            snapshot.input,
            snapshot.output,
        )
    }
}

/// Where one rank of a resumed distributed run continues.
pub struct RankResume {
    /// Its state and the tables (the same on every rank).
    pub resume: Resume,
    /// Synchronisations done when the checkpoint was taken.
    pub syncs: u64,
}

/// Checks, every rank together, that `saved` (the checkpoint at `path`, which every rank
/// reads) continues this run: a checkpoint of a distributed run of as many ranks, with the
/// same settings and synchronisation (`sync`), and this rank's share (`share`) the one it
/// recorded. Every rank returns an error when any fails, its own or one naming the rank
/// that failed, so that none waits for the others.
pub fn resume_share(
    saved: Checkpoint,
    path: &Path,
    params: &TrainParams,
    share: &Corpus,
    sync: SyncSettings,
    collective: &mut dyn Collective,
) -> Result<RankResume> {
    let (rank, size) = (collective.rank(), collective.size());
    let checked = check_share(&saved, path, params, share, sync, rank, size);
    // What identifies the checkpoint read: every rank must have read the same one.
    let identity = saved.distributed.as_ref().map_or(0, |run| {
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&run.syncs.to_le_bytes());
        for part in &run.ranks {
            hasher.update(&part.to_bytes());
        }
        hasher.finalize()
    });
    let mine = [u8::from(checked.is_ok())]
        .into_iter()
        .chain(identity.to_le_bytes())
        .collect::<Vec<u8>>();
    let all = collective.gather(&mine)?;
    checked?;
    if let Some(other) = all.iter().position(|theirs| theirs.first() != Some(&1)) {
        return Err(Error::Mismatch(format!(
            "rank {other} cannot continue from checkpoint {} (it says why)",
            path.display()
        )));
    }
    if let Some(other) = all.iter().position(|theirs| theirs != &all[0]) {
        return Err(Error::Mismatch(format!(
            "rank {other} read another checkpoint {} than rank 0: every rank must read the same file",
            path.display()
        )));
    }
    let Checkpoint {
        input,
        output,
        distributed,
        ..
    } = saved;
    let Some(mut run) = distributed else {
        // Unreachable: `check_share` refused it.
        return Err(Error::Mismatch("not a distributed checkpoint".into()));
    };
    let part = run.ranks.swap_remove(rank);
    Ok(RankResume {
        resume: Resume {
            state: part.state,
            input,
            output,
        },
        syncs: run.syncs,
    })
}

/// This rank's part of [`resume_share`]'s checks.
fn check_share(
    saved: &Checkpoint,
    path: &Path,
    params: &TrainParams,
    share: &Corpus,
    sync: SyncSettings,
    rank: usize,
    size: usize,
) -> Result<()> {
    let Some(run) = &saved.distributed else {
        return Err(Error::Mismatch(format!(
            "checkpoint {} is of a run in one process: continue it without --distributed",
            path.display()
        )));
    };
    let ranks = run.ranks.len();
    if ranks != size {
        return Err(Error::Mismatch(format!(
            "checkpoint {} is of a run of {ranks} ranks, this one has {size}: continue it on {ranks} (mpirun -np {ranks}), whose shares and synchronisation points it records",
            path.display()
        )));
    }
    let differences = sync_differences(&run.sync, &sync);
    if !differences.is_empty() {
        return Err(Error::Mismatch(format!(
            "checkpoint {} was written with other settings: {}; leave them out to take the checkpoint's",
            path.display(),
            differences.join(", ")
        )));
    }
    let part = &run.ranks[rank];
    saved.verify_part(params, share, path, &part.corpus, &part.state.position)
}

/// Each synchronisation setting that differs between a checkpoint's (`saved`) and this
/// run's (`now`), as `--option saved (checkpoint) vs now (this run)`.
pub fn sync_differences(saved: &SyncSettings, now: &SyncSettings) -> Vec<String> {
    let mode = |m: SyncMode| match m {
        SyncMode::SumOfChanges => "sum",
        SyncMode::Mean => "mean",
    };
    let mut out = Vec::new();
    if saved.every != now.every {
        out.push(format!(
            "--sync-every {} (checkpoint) vs {} (this run)",
            saved.every, now.every
        ));
    }
    if saved.mode != now.mode {
        out.push(format!(
            "--sync-mode {} (checkpoint) vs {} (this run)",
            mode(saved.mode),
            mode(now.mode)
        ));
    }
    out
}
