//! Checkpoints: the whole state of a training run in one file, from which the run continues
//! exactly where it stopped.
//!
//! # What the state is
//! A run is fully described by its settings ([`TrainParams`]), its corpus, both tables and its
//! position: the epoch, and the next unit of work (chunk) of that epoch, chunks being cut with
//! a recorded size from the corpus. Everything else follows from these:
//! - the learning rate of a chunk is a function of its corpus position (epoch, first token);
//! - the random numbers need no saved generator: the generator is counter-based
//!   ([`crate::rng`]), every draw a pure function of `(seed, epoch, stream, position, slot)`,
//!   so the seed and the position ARE the generator's state.
//!
//! A checkpoint is taken between chunks, when every chunk below `next_chunk` is done and none
//! above has started, so a one-thread (`--deterministic`) run resumed from it gives vectors
//! bit-identical to a run never interrupted. The loss sum of the epoch under way and the
//! statistics of finished epochs are saved too, so the run's report is the same.
//!
//! The layout is trainer-neutral: a GPU trainer writes the same file from its read-back
//! tables, and any trainer can continue one (records the `trainer` that wrote it).
//!
//! # Layout (version 1)
//! All integers and floats little-endian.
//! ```text
//! magic      8 bytes  "VTRNCKPT"
//! version    u32      [`VERSION`]
//! trainer    str      (u32 length + UTF-8 bytes), e.g. "cpu"
//! settings   model u8 (0 skip-gram, 1 CBOW, 2 batch skip-gram), dim u64, window u64, negative u64,
//!            alpha f32, min_alpha f32, epochs u64, min_count u64,
//!            max_vocab u64 (0: none), sample f64, ns_exponent f64, seed u32,
//!            lowercase u8, deterministic u8, threads u64
//! position   chunk_tokens u64, epoch u64, next_chunk u64
//! epoch      loss f64, examples u64, seconds f64 (of the epoch under way)
//! finished   count u64, then per epoch: loss f64, examples u64, seconds f64
//! corpus     tokens u64, sentences u64, crc32 u32 (of token ids and sentence ends)
//! vocabulary count u64, then per word: str, count u64
//! tables     input f32 x count*dim, then output f32 x count*dim
//! checksum   u32      CRC-32 of every byte before it
//! ```

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use crate::config::{Model, TrainParams};
use crate::corpus::Corpus;
use crate::cpu::update::LossSum;
use crate::error::{Error, Result};
use crate::io::atomic::AtomicFile;
use crate::training::EpochStats;
use crate::vocab::Vocab;

/// The first bytes of every checkpoint.
pub const MAGIC: [u8; 8] = *b"VTRNCKPT";
/// The layout version written, and the only one read.
pub const VERSION: u32 = 1;
/// Longest word accepted in a checkpoint, in bytes.
const MAX_WORD_BYTES: u32 = 1 << 16;
/// Values converted per write or read of a table.
const CHUNK_VALUES: usize = 1 << 14;

/// Where a run stands: chunks of `epoch` below `next_chunk` are done, none above started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Tokens per chunk the corpus was cut with ([`Corpus::chunks`]).
    pub chunk_tokens: u64,
    /// The epoch under way, from 0; `epochs` once training is over.
    pub epoch: u64,
    /// The first chunk of `epoch` not yet trained.
    pub next_chunk: u64,
}

/// Everything about a run that changes as it trains, except the tables.
#[derive(Clone, Debug, PartialEq)]
pub struct RunState {
    /// Where the run stands.
    pub position: Position,
    /// Loss summed over the chunks done of the epoch under way.
    pub epoch_loss: LossSum,
    /// Wall time spent so far on the epoch under way.
    pub epoch_seconds: f64,
    /// The finished epochs.
    pub epochs: Vec<EpochStats>,
}

impl RunState {
    /// The state before the first chunk, for chunks of `chunk_tokens`.
    pub fn start(chunk_tokens: usize) -> RunState {
        RunState {
            position: Position {
                chunk_tokens: chunk_tokens as u64,
                epoch: 0,
                next_chunk: 0,
            },
            epoch_loss: LossSum::default(),
            epoch_seconds: 0.0,
            epochs: Vec::new(),
        }
    }
}

/// What identifies a corpus beyond its vocabulary: same words and counts but other text would
/// cut other chunks and train other pairs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CorpusFingerprint {
    /// Kept tokens.
    pub tokens: u64,
    /// Sentences.
    pub sentences: u64,
    /// CRC-32 of the token ids, then the sentence ends, as little-endian u32.
    pub crc: u32,
}

impl CorpusFingerprint {
    /// The fingerprint of `corpus`.
    pub fn of(corpus: &Corpus) -> CorpusFingerprint {
        let mut hasher = crc32fast::Hasher::new();
        let mut bytes = Vec::with_capacity(CHUNK_VALUES * 4);
        for ids in corpus.tokens().chunks(CHUNK_VALUES) {
            bytes.clear();
            bytes.extend(ids.iter().flat_map(|id| id.to_le_bytes()));
            hasher.update(&bytes);
        }
        for sentence in 0..corpus.sentence_count() {
            hasher.update(&(corpus.sentence_range(sentence).end as u32).to_le_bytes());
        }
        CorpusFingerprint {
            tokens: corpus.len() as u64,
            sentences: corpus.sentence_count() as u64,
            crc: hasher.finalize(),
        }
    }
}

/// Everything in a checkpoint but the tables, borrowed for writing.
#[derive(Clone, Copy, Debug)]
pub struct Header<'a> {
    /// The trainer that wrote it ("cpu", "gpu").
    pub trainer: &'a str,
    /// The run's settings.
    pub params: &'a TrainParams,
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
}

/// How often to write a checkpoint: `--checkpoint-every`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Every {
    /// After this much wall time: `90s`, `10m`, `2h`.
    Time(Duration),
    /// After this many corpus words (positions): `5000000w`.
    Words(u64),
}

impl FromStr for Every {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Every, String> {
        let text = text.trim();
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let usage = || {
            format!(
                "{text:?} is not an interval: give a number and a unit, s (seconds), m (minutes), h (hours) or w (words), e.g. 10m or 5000000w"
            )
        };
        let n: u64 = number.parse().map_err(|_| usage())?;
        if n == 0 {
            return Err(format!("{text:?}: the interval must be more than 0"));
        }
        let seconds = |factor: u64| {
            n.checked_mul(factor)
                .map(|s| Every::Time(Duration::from_secs(s)))
                .ok_or_else(usage)
        };
        match unit {
            "s" => seconds(1),
            "m" => seconds(60),
            "h" => seconds(3600),
            "w" => Ok(Every::Words(n)),
            _ => Err(usage()),
        }
    }
}

impl fmt::Display for Every {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Every::Time(d) => write!(f, "{}s", d.as_secs()),
            Every::Words(n) => write!(f, "{n}w"),
        }
    }
}

/// Writes a checkpoint to `path` atomically (temporary file, then rename): an interrupted
/// write leaves the previous checkpoint in place. `input` and `output` yield the tables,
/// row-major, `vocab.len() * dim` values each.
pub fn write(
    path: &Path,
    header: &Header<'_>,
    input: impl Iterator<Item = f32>,
    output: impl Iterator<Item = f32>,
) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    let mut out = Encoder {
        writer: &mut file,
        path,
        hasher: crc32fast::Hasher::new(),
    };
    out.bytes(&MAGIC)?;
    out.u32(VERSION)?;
    out.str(header.trainer)?;
    let p = header.params;
    out.bytes(&[match p.model {
        Model::SkipGram => 0,
        Model::Cbow => 1,
        Model::BatchSkipGram => 2,
    }])?;
    out.u64(p.dim as u64)?;
    out.u64(p.window as u64)?;
    out.u64(p.negative as u64)?;
    out.bytes(&p.alpha.to_le_bytes())?;
    out.bytes(&p.min_alpha.to_le_bytes())?;
    out.u64(p.epochs as u64)?;
    out.u64(p.min_count)?;
    out.u64(p.max_vocab.map_or(0, |m| m as u64))?;
    out.f64(p.sample)?;
    out.f64(p.ns_exponent)?;
    out.u32(p.seed)?;
    out.bytes(&[p.lowercase as u8, p.deterministic as u8])?;
    out.u64(p.threads as u64)?;
    let s = header.state;
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
    out.u64(header.corpus.tokens)?;
    out.u64(header.corpus.sentences)?;
    out.u32(header.corpus.crc)?;
    let vocab = header.vocab;
    out.u64(vocab.len() as u64)?;
    for (word, &count) in vocab.words().iter().zip(vocab.counts()) {
        out.str(word)?;
        out.u64(count)?;
    }
    let values = vocab.len() as u64 * p.dim as u64;
    out.table(input, values, "input")?;
    out.table(output, values, "output")?;
    let crc = out.hasher.clone().finalize();
    out.writer
        .write_all(&crc.to_le_bytes())
        .map_err(|e| Error::io("write", path, e))?;
    file.commit()
}

/// Reads the checkpoint at `path`, checking its magic, version, sizes and checksum.
pub fn read(path: &Path) -> Result<Checkpoint> {
    let file = File::open(path).map_err(|e| Error::io("open", path, e))?;
    let metadata = file.metadata().map_err(|e| Error::io("read", path, e))?;
    if metadata.is_dir() {
        return Err(Error::format(
            path,
            None,
            "is a directory, not a checkpoint",
        ));
    }
    read_from(
        BufReader::with_capacity(1 << 20, file),
        metadata.len(),
        path,
    )
}

/// Reads a checkpoint of `len` bytes from `reader`; `path` names it in errors. No size read
/// from the file makes it allocate more than `len` allows.
pub fn read_from(reader: impl Read, len: u64, path: &Path) -> Result<Checkpoint> {
    let mut d = Decoder {
        reader,
        path,
        left: len,
        hasher: crc32fast::Hasher::new(),
    };
    let mut magic = [0u8; 8];
    d.exact(&mut magic, "the magic bytes")
        .map_err(|_| Error::format(path, None, "not a vectrain checkpoint (too short)"))?;
    if magic != MAGIC {
        return Err(Error::format(
            path,
            None,
            "not a vectrain checkpoint (wrong magic bytes)",
        ));
    }
    let version = d.u32("the version")?;
    if version != VERSION {
        return Err(Error::format(
            path,
            None,
            format!(
                "checkpoint format version {version} is not supported: this vectrain reads version {VERSION}"
            ),
        ));
    }
    let trainer = d.str("the trainer name")?;
    let model = match d.u8("the model")? {
        0 => Model::SkipGram,
        1 => Model::Cbow,
        2 => Model::BatchSkipGram,
        other => return Err(d.bad(format!("unknown model code {other}"))),
    };
    let dim = d.usize("dim")?;
    let window = d.usize("window")?;
    let negative = d.usize("negative")?;
    let alpha = d.f32("alpha")?;
    let min_alpha = d.f32("min-alpha")?;
    let epochs = d.usize("epochs")?;
    let min_count = d.u64("min-count")?;
    let max_vocab = match d.usize("max-vocab")? {
        0 => None,
        m => Some(m),
    };
    let sample = d.f64("sample")?;
    let ns_exponent = d.f64("ns-exponent")?;
    let seed = d.u32("seed")?;
    let lowercase = d.u8("lowercase")? != 0;
    let deterministic = d.u8("deterministic")? != 0;
    let threads = d.usize("threads")?;
    let params = TrainParams {
        model,
        dim,
        window,
        negative,
        alpha,
        min_alpha,
        epochs,
        min_count,
        max_vocab,
        sample,
        ns_exponent,
        threads,
        // An execution setting like `threads`, not saved: the resumed run's own applies.
        gpu_in_flight: None,
        seed,
        deterministic,
        lowercase,
    };
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
    let mut epoch_stats = Vec::with_capacity(finished);
    for _ in 0..finished {
        epoch_stats.push(EpochStats {
            loss: d.f64("epoch loss")?,
            examples: d.u64("epoch examples")?,
            seconds: d.f64("epoch seconds")?,
        });
    }
    let corpus = CorpusFingerprint {
        tokens: d.u64("corpus tokens")?,
        sentences: d.u64("corpus sentences")?,
        crc: d.u32("corpus checksum")?,
    };
    // A word takes at least 4 (length) + 8 (count) bytes.
    let words = d.count(12, "vocabulary size")?;
    if u32::try_from(words).is_err() {
        return Err(d.bad(format!("{words} words: at most {} are supported", u32::MAX)));
    }
    let mut word_list = Vec::with_capacity(words);
    let mut counts = Vec::with_capacity(words);
    for _ in 0..words {
        word_list.push(d.str("a word")?);
        counts.push(d.u64("a word count")?);
    }
    let vocab = Vocab::from_ordered(word_list, counts);
    if (0..words).any(|i| vocab.id(vocab.word(i as u32)) != Some(i as u32)) {
        return Err(d.bad("the vocabulary repeats a word".into()));
    }
    let values = words
        .checked_mul(dim)
        .ok_or_else(|| d.bad(format!("{words} x {dim} values cannot be addressed")))?;
    let input = d.table(values, "the input table")?;
    let output = d.table(values, "the output table")?;
    let expected = d.hasher.clone().finalize();
    let mut crc = [0u8; 4];
    d.exact(&mut crc, "the checksum")?;
    if u32::from_le_bytes(crc) != expected {
        return Err(d.bad("checksum mismatch: the file is corrupt".into()));
    }
    if d.left != 0 {
        return Err(d.bad(format!("{} bytes after the checksum", d.left)));
    }
    Ok(Checkpoint {
        trainer,
        params,
        vocab,
        corpus,
        state: RunState {
            position,
            epoch_loss,
            epoch_seconds,
            epochs: epoch_stats,
        },
        input,
        output,
    })
}

impl Checkpoint {
    /// Checks that this checkpoint continues a run of `params` on `corpus`: every setting
    /// that shapes training equal (threads and `deterministic` may differ), the same
    /// vocabulary, the same text. `path` names the checkpoint in messages.
    pub fn verify(&self, params: &TrainParams, corpus: &Corpus, path: &Path) -> Result<()> {
        let differences = setting_differences(&self.params, params);
        if !differences.is_empty() {
            return Err(Error::Mismatch(format!(
                "checkpoint {} was written with other settings: {}; give the settings of the interrupted run",
                path.display(),
                differences.join(", ")
            )));
        }
        let here = &corpus.vocab;
        let mismatch = |what: String| {
            Error::Mismatch(format!(
                "corpus {} does not match checkpoint {}: {what}; give the corpus the checkpoint was trained on",
                corpus.source.display(),
                path.display()
            ))
        };
        if here.len() != self.vocab.len() {
            return Err(mismatch(format!(
                "its vocabulary has {} words, the checkpoint's {}",
                here.len(),
                self.vocab.len()
            )));
        }
        for id in 0..here.len() {
            let (word, count) = (here.word(id as u32), here.counts()[id]);
            let (saved, saved_count) = (self.vocab.word(id as u32), self.vocab.counts()[id]);
            if word != saved || count != saved_count {
                return Err(mismatch(format!(
                    "word {} of its vocabulary is {word:?} (count {count}), the checkpoint's is {saved:?} (count {saved_count})",
                    id + 1
                )));
            }
        }
        let fingerprint = CorpusFingerprint::of(corpus);
        if fingerprint != self.corpus {
            return Err(mismatch(format!(
                "same vocabulary but other text ({} tokens in {} sentences, the checkpoint's {} in {})",
                fingerprint.tokens,
                fingerprint.sentences,
                self.corpus.tokens,
                self.corpus.sentences
            )));
        }
        let p = &self.state.position;
        if p.epoch > params.epochs as u64 {
            return Err(mismatch(format!("epoch {} is past the last", p.epoch)));
        }
        let chunks = corpus.chunks(p.chunk_tokens as usize).len() as u64;
        if p.next_chunk > chunks {
            return Err(mismatch(format!(
                "chunk {} is past the last ({chunks})",
                p.next_chunk
            )));
        }
        Ok(())
    }
}

/// Each setting that differs between a checkpoint's (`saved`) and this run's (`now`), as
/// `--option saved (checkpoint) vs now (this run)`.
pub fn setting_differences(saved: &TrainParams, now: &TrainParams) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |name: &str, a: String, b: String| {
        if a != b {
            out.push(format!("--{name} {a} (checkpoint) vs {b} (this run)"));
        }
    };
    let model = |m: Model| match m {
        Model::SkipGram => "skipgram".to_string(),
        Model::Cbow => "cbow".to_string(),
        Model::BatchSkipGram => "batch-skipgram".to_string(),
    };
    check("model", model(saved.model), model(now.model));
    check("dim", saved.dim.to_string(), now.dim.to_string());
    check("window", saved.window.to_string(), now.window.to_string());
    check(
        "negative",
        saved.negative.to_string(),
        now.negative.to_string(),
    );
    // Floats compare bitwise: a resumed run must use exactly the same learning rates.
    let f32s = |x: f32| format!("{x:?}");
    let f64s = |x: f64| format!("{x:?}");
    check("alpha", f32s(saved.alpha), f32s(now.alpha));
    check("min-alpha", f32s(saved.min_alpha), f32s(now.min_alpha));
    check("epochs", saved.epochs.to_string(), now.epochs.to_string());
    check(
        "min-count",
        saved.min_count.to_string(),
        now.min_count.to_string(),
    );
    let cap = |m: Option<usize>| m.map_or("none".to_string(), |m| m.to_string());
    check("max-vocab", cap(saved.max_vocab), cap(now.max_vocab));
    check("sample", f64s(saved.sample), f64s(now.sample));
    check(
        "ns-exponent",
        f64s(saved.ns_exponent),
        f64s(now.ns_exponent),
    );
    check("seed", saved.seed.to_string(), now.seed.to_string());
    check(
        "lowercase",
        saved.lowercase.to_string(),
        now.lowercase.to_string(),
    );
    out
}

struct Encoder<'a, W> {
    writer: W,
    path: &'a Path,
    hasher: crc32fast::Hasher,
}

impl<W: Write> Encoder<'_, W> {
    fn bytes(&mut self, bytes: &[u8]) -> Result<()> {
        self.hasher.update(bytes);
        self.writer
            .write_all(bytes)
            .map_err(|e| Error::io("write", self.path, e))
    }

    fn u32(&mut self, value: u32) -> Result<()> {
        self.bytes(&value.to_le_bytes())
    }

    fn u64(&mut self, value: u64) -> Result<()> {
        self.bytes(&value.to_le_bytes())
    }

    fn f64(&mut self, value: f64) -> Result<()> {
        self.bytes(&value.to_le_bytes())
    }

    fn str(&mut self, text: &str) -> Result<()> {
        let len = u32::try_from(text.len())
            .ok()
            .filter(|&l| l <= MAX_WORD_BYTES)
            .ok_or_else(|| {
                Error::format(self.path, None, format!("a word of {} bytes", text.len()))
            })?;
        self.u32(len)?;
        self.bytes(text.as_bytes())
    }

    fn table(
        &mut self,
        values: impl Iterator<Item = f32>,
        expected: u64,
        name: &str,
    ) -> Result<()> {
        let mut buffer = Vec::with_capacity(CHUNK_VALUES * 4);
        let mut written = 0u64;
        for value in values {
            buffer.extend_from_slice(&value.to_le_bytes());
            written += 1;
            if buffer.len() == buffer.capacity() {
                self.bytes(&buffer)?;
                buffer.clear();
            }
        }
        self.bytes(&buffer)?;
        if written != expected {
            // A caller's bug, not a user's error: refuse to leave an unreadable checkpoint.
            return Err(Error::Mismatch(format!(
                "the {name} table has {written} values, the checkpoint needs {expected}"
            )));
        }
        Ok(())
    }
}

struct Decoder<'a, R> {
    reader: R,
    path: &'a Path,
    /// Bytes left in the file: bounds every size read from it.
    left: u64,
    hasher: crc32fast::Hasher,
}

impl<R: Read> Decoder<'_, R> {
    fn bad(&self, message: String) -> Error {
        Error::format(self.path, None, format!("corrupt checkpoint: {message}"))
    }

    fn exact(&mut self, buffer: &mut [u8], what: &str) -> Result<()> {
        if (buffer.len() as u64) > self.left {
            return Err(self.bad(format!("the file ends before {what} (truncated?)")));
        }
        self.reader.read_exact(buffer).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => {
                self.bad(format!("the file ends before {what} (truncated?)"))
            }
            _ => Error::io("read", self.path, e),
        })?;
        self.left -= buffer.len() as u64;
        self.hasher.update(buffer);
        Ok(())
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let mut bytes = [0u8; N];
        self.exact(&mut bytes, what)?;
        Ok(bytes)
    }

    fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    fn usize(&mut self, what: &str) -> Result<usize> {
        let value = self.u64(what)?;
        usize::try_from(value).map_err(|_| self.bad(format!("{what} {value} is too large")))
    }

    fn f32(&mut self, what: &str) -> Result<f32> {
        Ok(f32::from_le_bytes(self.array(what)?))
    }

    fn f64(&mut self, what: &str) -> Result<f64> {
        Ok(f64::from_le_bytes(self.array(what)?))
    }

    /// A count of records of at least `record_bytes` bytes each, refused if the rest of the
    /// file cannot hold them.
    fn count(&mut self, record_bytes: u64, what: &str) -> Result<usize> {
        let n = self.u64(what)?;
        if n.saturating_mul(record_bytes) > self.left {
            return Err(self.bad(format!(
                "{what} {n} does not fit in the {} bytes left (truncated?)",
                self.left
            )));
        }
        Ok(n as usize)
    }

    fn str(&mut self, what: &str) -> Result<String> {
        let len = self.u32(what)?;
        if len > MAX_WORD_BYTES || u64::from(len) > self.left {
            return Err(self.bad(format!("{what} of {len} bytes")));
        }
        let mut bytes = vec![0u8; len as usize];
        self.exact(&mut bytes, what)?;
        String::from_utf8(bytes).map_err(|_| self.bad(format!("{what} is not UTF-8")))
    }

    fn table(&mut self, values: usize, what: &str) -> Result<Vec<f32>> {
        if (values as u64).saturating_mul(4) > self.left {
            return Err(self.bad(format!(
                "the file ends before {what} of {values} values (truncated?)"
            )));
        }
        let mut table = Vec::with_capacity(values);
        let mut buffer = vec![0u8; CHUNK_VALUES * 4];
        while table.len() < values {
            let take = (values - table.len()).min(CHUNK_VALUES);
            let bytes = &mut buffer[..take * 4];
            self.exact(bytes, what)?;
            table.extend(
                bytes
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            );
        }
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse() {
        assert_eq!("90s".parse(), Ok(Every::Time(Duration::from_secs(90))));
        assert_eq!("10m".parse(), Ok(Every::Time(Duration::from_secs(600))));
        assert_eq!("2h".parse(), Ok(Every::Time(Duration::from_secs(7200))));
        assert_eq!("5000000w".parse(), Ok(Every::Words(5_000_000)));
        for bad in [
            "",
            "10",
            "m",
            "0s",
            "1.5m",
            "10x",
            "-5w",
            "99999999999999999999h",
        ] {
            assert!(bad.parse::<Every>().is_err(), "{bad:?} parsed");
        }
    }
}
