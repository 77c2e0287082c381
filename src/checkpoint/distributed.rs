//! What a checkpoint of a distributed run adds to one of a single process: how the ranks
//! synchronise, how many synchronisations are done, and where each rank stands in its own
//! share of the corpus. Also the encoding of one rank's part, which the ranks send to rank 0
//! when a checkpoint is taken.

use std::io::{Read, Write};
use std::path::Path;

use crate::checkpoint::CorpusFingerprint;
use crate::checkpoint::codec::{Decoder, Encoder};
use crate::config::{SyncMode, SyncSettings};
use crate::error::Result;
use crate::training::{EpochStats, LossSum, Position, RunState};

/// The distributed part of a checkpoint: taken right after a synchronisation, when every
/// rank holds the same tables (the checkpoint's), each at its own place in its own share.
#[derive(Clone, Debug, PartialEq)]
pub struct DistributedRun {
    /// How the ranks synchronise.
    pub sync: SyncSettings,
    /// Synchronisations done when the checkpoint was taken: the resumed run's next one is
    /// the one after.
    pub syncs: u64,
    /// Every rank's part, rank 0 first (rank 0's is also the checkpoint's state and corpus).
    pub ranks: Vec<RankState>,
}

/// One rank's part of a distributed checkpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct RankState {
    /// Where the rank stands in its share.
    pub state: RunState,
    /// Its share of the corpus.
    pub corpus: CorpusFingerprint,
}

/// Names a rank's part in errors: it travels between ranks, not in a file of its own.
const RANK_PART: &str = "(a rank's checkpoint part)";

impl RankState {
    /// This part as bytes, to send to rank 0.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Encoder {
            writer: Vec::new(),
            path: Path::new(RANK_PART),
            hasher: crc32fast::Hasher::new(),
        };
        // Writing into memory cannot fail.
        let _ = write_rank(&mut out, self);
        out.writer
    }

    /// A part sent by [`RankState::to_bytes`], or `None` when `bytes` are not one.
    pub fn from_bytes(bytes: &[u8]) -> Option<RankState> {
        let mut d = Decoder {
            reader: bytes,
            path: Path::new(RANK_PART),
            left: bytes.len() as u64,
            hasher: crc32fast::Hasher::new(),
        };
        let part = read_rank(&mut d).ok()?;
        (d.left == 0).then_some(part)
    }
}

/// Writes where a run stands: position, the epoch under way, the finished epochs.
pub(super) fn write_state<W: Write>(out: &mut Encoder<'_, W>, s: &RunState) -> Result<()> {
    out.u64(s.position.chunk_tokens)?;
    out.u64(s.position.epoch)?;
    out.u64(s.position.next_chunk)?;
    out.f64(s.epoch_loss.loss)?;
    out.u64(s.epoch_loss.examples)?;
    out.f64(s.epoch_seconds)?;
    out.u64(s.epochs.len() as u64)?;
    for e in &s.epochs {
        out.f64(e.loss)?;
        out.u64(e.examples)?;
        out.f64(e.seconds)?;
    }
    Ok(())
}

/// Reads what [`write_state`] wrote.
pub(super) fn read_state<R: Read>(d: &mut Decoder<'_, R>) -> Result<RunState> {
    let position = Position {
        chunk_tokens: d.u64("chunk size")?,
        epoch: d.u64("epoch")?,
        next_chunk: d.u64("next chunk")?,
    };
    if position.chunk_tokens == 0 {
        return Err(d.bad("chunk size 0".into()));
    }
    let epoch_loss = LossSum {
        loss: d.f64("epoch loss")?,
        examples: d.u64("epoch examples")?,
    };
    let epoch_seconds = d.f64("epoch seconds")?;
    let finished = d.count(24, "finished epochs")?;
    let mut epochs = Vec::with_capacity(finished);
    for _ in 0..finished {
        epochs.push(EpochStats {
            loss: d.f64("epoch loss")?,
            examples: d.u64("epoch examples")?,
            seconds: d.f64("epoch seconds")?,
        });
    }
    Ok(RunState {
        position,
        epoch_loss,
        epoch_seconds,
        epochs,
    })
}

pub(super) fn write_fingerprint<W: Write>(
    out: &mut Encoder<'_, W>,
    corpus: &CorpusFingerprint,
) -> Result<()> {
    out.u64(corpus.tokens)?;
    out.u64(corpus.sentences)?;
    out.u32(corpus.crc)
}

pub(super) fn read_fingerprint<R: Read>(d: &mut Decoder<'_, R>) -> Result<CorpusFingerprint> {
    Ok(CorpusFingerprint {
        tokens: d.u64("corpus tokens")?,
        sentences: d.u64("corpus sentences")?,
        crc: d.u32("corpus checksum")?,
    })
}

fn write_rank<W: Write>(out: &mut Encoder<'_, W>, rank: &RankState) -> Result<()> {
    write_state(out, &rank.state)?;
    write_fingerprint(out, &rank.corpus)
}

fn read_rank<R: Read>(d: &mut Decoder<'_, R>) -> Result<RankState> {
    Ok(RankState {
        state: read_state(d)?,
        corpus: read_fingerprint(d)?,
    })
}

/// Writes the distributed section: a flag, then for a distributed run its settings and
/// every rank's part.
pub(super) fn write_section<W: Write>(
    out: &mut Encoder<'_, W>,
    run: Option<&DistributedRun>,
) -> Result<()> {
    let Some(run) = run else {
        return out.bytes(&[0]);
    };
    out.bytes(&[1])?;
    out.u64(run.sync.every)?;
    out.bytes(&[match run.sync.mode {
        SyncMode::SumOfChanges => 0,
        SyncMode::Mean => 1,
    }])?;
    out.u64(run.syncs)?;
    out.u64(run.ranks.len() as u64)?;
    for rank in &run.ranks {
        write_rank(out, rank)?;
    }
    Ok(())
}

/// Reads the distributed section; `state` and `corpus` are the checkpoint's, which must be
/// rank 0's.
pub(super) fn read_section<R: Read>(
    d: &mut Decoder<'_, R>,
    state: &RunState,
    corpus: &CorpusFingerprint,
) -> Result<Option<DistributedRun>> {
    match d.u8("the distributed flag")? {
        0 => return Ok(None),
        1 => {}
        other => return Err(d.bad(format!("unknown distributed flag {other}"))),
    }
    let every = d.u64("the synchronisation interval")?;
    if every == 0 {
        return Err(d.bad("a synchronisation interval of 0".into()));
    }
    let mode = match d.u8("the synchronisation mode")? {
        0 => SyncMode::SumOfChanges,
        1 => SyncMode::Mean,
        other => return Err(d.bad(format!("unknown synchronisation mode {other}"))),
    };
    let syncs = d.u64("the synchronisations done")?;
    // A rank's part takes at least 76 bytes (no finished epoch).
    let count = d.count(76, "ranks")?;
    if count == 0 {
        return Err(d.bad("a distributed run of 0 ranks".into()));
    }
    let mut ranks = Vec::with_capacity(count);
    for _ in 0..count {
        ranks.push(read_rank(d)?);
    }
    let main = RankState {
        state: state.clone(),
        corpus: *corpus,
    };
    // Compared as bytes: a NaN loss equals itself there.
    if ranks[0].to_bytes() != main.to_bytes() {
        return Err(d.bad("rank 0's part is not the checkpoint's state".into()));
    }
    Ok(Some(DistributedRun {
        sync: SyncSettings { every, mode },
        syncs,
        ranks,
    }))
}
