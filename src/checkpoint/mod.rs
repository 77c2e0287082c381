//! Checkpoints: the whole state of a training run in one file, from which the run continues
//! exactly where it stopped.
//!
//! # What the state is
//! A run is fully described by its settings ([`TrainParams`]), its corpus, both tables and its
//! [`Position`](crate::training::Position): the epoch, and the next unit of work (chunk) of
//! that epoch, chunks being cut with a recorded size from the corpus. Everything else follows
//! from these (see [`crate::training::RunState`]): the learning rate of a chunk is a function
//! of its position, and every random draw a pure function of the seed and the position.
//!
//! A checkpoint is taken between chunks, when every chunk below `next_chunk` is done and none
//! above has started, so a one-thread (`--deterministic`) run resumed from it gives vectors
//! bit-identical to a run never interrupted. The loss sum of the epoch under way and the
//! statistics of finished epochs are saved too, so the run's report is the same.
//!
//! The layout is trainer-neutral: a GPU trainer writes the same file from its read-back
//! tables, and any trainer can continue one (records the `trainer` that wrote it).
//!
//! A checkpoint also records the run's files ([`RunFiles`]: the corpus path, the output path
//! and format, the checkpoint interval), so that `vectrain train --resume CHECKPOINT` alone
//! continues the run.
//!
//! A checkpoint of a distributed run (`--distributed`) is written by rank 0 right after a
//! synchronisation, when every rank holds the same tables; it adds a [`DistributedRun`]
//! section: the synchronisation settings, the synchronisations done and every rank's state
//! and share (see [`crate::distributed`]).
//!
//! # Layout (version 7; still read: 6, whose hierarchical-softmax flag is never 2, 5, which
//! lacks that flag, and 4, which also lacks the distributed section)
//! All integers and floats little-endian.
//! ```text
//! magic      8 bytes  "VTRNCKPT"
//! version    u32      [`VERSION`]
//! trainer    str      (u32 length + UTF-8 bytes), e.g. "cpu"
//! settings   model u8 (0 skip-gram, 1 CBOW, 2 batch skip-gram), dim u64, window u64, negative u64,
//!            hs u8 (0 none; 1 hierarchical softmax, tree ties to nodes; 2 ties to leaves),
//!            alpha f32, min_alpha f32, epochs u64, min_count u64,
//!            max_vocab u64 (0: none), sample f64, ns_exponent f64, seed u32,
//!            lowercase u8, deterministic u8, threads u64, parts u64,
//!            subwords u8 (0 none, 1 then minn u64, maxn u64, bucket u32)
//! files      corpus: u8 (0 the embedded corpus, 1 a path) + path; output path;
//!            format u8 (0 word2vec text, 1 word2vec binary, 2 GloVe text);
//!            every u8 (0 none, 1 seconds, 2 words) + u64
//!            (a path: u32 length + its bytes, as the OS gives them on Unix, UTF-8 elsewhere)
//! position   chunk_tokens u64, epoch u64, next_chunk u64
//! epoch      loss f64, examples u64, seconds f64 (of the epoch under way)
//! finished   count u64, then per epoch: loss f64, examples u64, seconds f64
//! corpus     tokens u64, sentences u64, crc32 u32 (of token ids and sentence ends)
//! vocabulary count u64, then per word: str, count u64
//! tables     input f32 x rows*dim (rows: count, plus bucket with subwords),
//!            then output f32 x rows*dim (rows: count with negatives, plus count - 1 with hs)
//! distributed u8 (0 a run in one process; 1 then sync_every u64, sync_mode u8 (0 sum,
//!            1 mean), syncs u64, ranks u64, then per rank from 0: its position, epoch
//!            and finished as above, and its share's corpus fingerprint as above;
//!            rank 0's equal the ones above)
//! checksum   u32      CRC-32 of every byte before it
//! ```

mod codec;
mod distributed;
mod format;
mod verify;

use std::path::PathBuf;

use crate::config::TrainParams;
use crate::corpus::Corpus;
use crate::io::VectorFormat;
use crate::training::{Every, RunState};
use crate::vocab::Vocab;

pub use distributed::{DistributedRun, RankState};
pub use format::{MAGIC, OLDEST_VERSION, VERSION, read, read_from, write, write_distributed};
pub use verify::setting_differences;

/// Values converted per write or read of a table, or per update of the corpus checksum.
const CHUNK_VALUES: usize = 1 << 14;

/// What identifies a corpus beyond its vocabulary: same words and counts but other text would
/// cut other chunks and train other pairs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CorpusFingerprint {
    /// Kept tokens.
    pub tokens: u64,
    /// Sentences.
    pub sentences: u64,
    /// CRC-32 of the encoded stream (word ids and sentence ends, little-endian u32).
    pub crc: u32,
}

impl CorpusFingerprint {
    /// The fingerprint of `corpus`: its token and sentence counts and the CRC-32 of its
    /// encoded stream, computed once when it was encoded.
    pub fn of(corpus: &Corpus) -> CorpusFingerprint {
        CorpusFingerprint {
            tokens: corpus.len() as u64,
            sentences: corpus.sentence_count() as u64,
            crc: corpus.crc(),
        }
    }
}

/// The files of a run, so that a checkpoint alone says how to continue it.
#[derive(Clone, Debug, PartialEq)]
pub struct RunFiles {
    /// The corpus file (best made absolute), or `None` for the embedded corpus.
    pub corpus: Option<PathBuf>,
    /// Where the vectors go (best made absolute).
    pub output: PathBuf,
    /// Their format.
    pub format: VectorFormat,
    /// How often checkpoints are written.
    pub every: Option<Every>,
}

/// Everything in a checkpoint but the tables, borrowed for writing.
#[derive(Clone, Copy, Debug)]
pub struct Header<'a> {
    /// The trainer that wrote it ("cpu", "gpu").
    pub trainer: &'a str,
    /// The run's settings.
    pub params: &'a TrainParams,
    /// The run's files.
    pub files: &'a RunFiles,
    /// The vocabulary (words and counts), whose order is the tables' row order.
    pub vocab: &'a Vocab,
    /// The corpus trained on.
    pub corpus: CorpusFingerprint,
    /// Where the run stands.
    pub state: &'a RunState,
}

/// A checkpoint read back.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    /// The trainer that wrote it.
    pub trainer: String,
    /// The run's settings.
    pub params: TrainParams,
    /// The run's files.
    pub files: RunFiles,
    /// The vocabulary.
    pub vocab: Vocab,
    /// The corpus trained on.
    pub corpus: CorpusFingerprint,
    /// Where the run stands.
    pub state: RunState,
    /// The input table, row-major `[vocab.len(), dim]`.
    pub input: Vec<f32>,
    /// The output table, same shape.
    pub output: Vec<f32>,
    /// For a distributed run, its synchronisation and every rank's state.
    pub distributed: Option<DistributedRun>,
}
