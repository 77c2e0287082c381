//! The checkpoint file's binary layout: writing, and reading with every size bounded by the
//! file's length (the layout is in the module docs of [`crate::checkpoint`]).

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use crate::checkpoint::{CHUNK_VALUES, Checkpoint, CorpusFingerprint, Header, RunFiles};
use crate::config::{Model, TrainParams};
use crate::error::{Error, Result};
use crate::io::VectorFormat;
use crate::io::atomic::AtomicFile;
use crate::training::{EpochStats, Every, LossSum, Position, RunState};
use crate::vocab::Vocab;

/// The first bytes of every checkpoint.
pub const MAGIC: [u8; 8] = *b"VTRNCKPT";
/// The layout version written, and the only one read.
pub const VERSION: u32 = 2;
/// Longest word accepted in a checkpoint, in bytes.
const MAX_WORD_BYTES: u32 = 1 << 16;

/// Writes a checkpoint to `path` atomically (temporary file, then rename): an interrupted
/// write leaves the previous checkpoint in place. `input` and `output` are the tables,
/// row-major, `vocab.len() * dim` values each.
pub fn write(path: &Path, header: &Header<'_>, input: &[f32], output: &[f32]) -> Result<()> {
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
    let files = header.files;
    match &files.corpus {
        None => out.bytes(&[0])?,
        Some(corpus) => {
            out.bytes(&[1])?;
            out.path(corpus)?;
        }
    }
    out.path(&files.output)?;
    out.bytes(&[format_code(files.format)])?;
    let (kind, amount) = match files.every {
        None => (0, 0),
        Some(Every::Time(interval)) => (1, interval.as_secs()),
        Some(Every::Words(words)) => (2, words),
    };
    out.bytes(&[kind])?;
    out.u64(amount)?;
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

/// Longest path accepted in a checkpoint, in bytes.
const MAX_PATH_BYTES: u32 = 1 << 16;

fn format_code(format: VectorFormat) -> u8 {
    match format {
        VectorFormat::Word2VecText => 0,
        VectorFormat::Word2VecBinary => 1,
        VectorFormat::GloveText => 2,
    }
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

#[cfg(unix)]
fn path_from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    String::from_utf8(bytes).ok().map(PathBuf::from)
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
    let corpus_path = match d.u8("the corpus kind")? {
        0 => None,
        1 => Some(d.path("the corpus path")?),
        other => return Err(d.bad(format!("unknown corpus kind {other}"))),
    };
    let output = d.path("the output path")?;
    let format = match d.u8("the output format")? {
        0 => VectorFormat::Word2VecText,
        1 => VectorFormat::Word2VecBinary,
        2 => VectorFormat::GloveText,
        other => return Err(d.bad(format!("unknown output format code {other}"))),
    };
    let every_kind = d.u8("the checkpoint interval kind")?;
    let every_amount = d.u64("the checkpoint interval")?;
    let every = match (every_kind, every_amount) {
        (0, _) => None,
        (_, 0) => return Err(d.bad("a checkpoint interval of 0".into())),
        (1, seconds) => Some(Every::Time(std::time::Duration::from_secs(seconds))),
        (2, words) => Some(Every::Words(words)),
        (other, _) => return Err(d.bad(format!("unknown checkpoint interval kind {other}"))),
    };
    let files = RunFiles {
        corpus: corpus_path,
        output,
        format,
        every,
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
        files,
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

    fn path(&mut self, path: &Path) -> Result<()> {
        let bytes = path_bytes(path);
        let len = u32::try_from(bytes.len())
            .ok()
            .filter(|&l| l <= MAX_PATH_BYTES)
            .ok_or_else(|| {
                Error::format(self.path, None, format!("a path of {} bytes", bytes.len()))
            })?;
        self.u32(len)?;
        self.bytes(&bytes)
    }

    fn table(&mut self, values: &[f32], expected: u64, name: &str) -> Result<()> {
        if values.len() as u64 != expected {
            // A caller's bug, not a user's error: refuse to leave an unreadable checkpoint.
            return Err(Error::Mismatch(format!(
                "the {name} table has {} values, the checkpoint needs {expected}",
                values.len()
            )));
        }
        let mut buffer = Vec::with_capacity(CHUNK_VALUES * 4);
        for piece in values.chunks(CHUNK_VALUES) {
            buffer.clear();
            buffer.extend(piece.iter().flat_map(|v| v.to_le_bytes()));
            self.bytes(&buffer)?;
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

    fn path(&mut self, what: &str) -> Result<PathBuf> {
        let len = self.u32(what)?;
        if len > MAX_PATH_BYTES || u64::from(len) > self.left {
            return Err(self.bad(format!("{what} of {len} bytes")));
        }
        let mut bytes = vec![0u8; len as usize];
        self.exact(&mut bytes, what)?;
        path_from_bytes(bytes).ok_or_else(|| self.bad(format!("{what} is not UTF-8")))
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
