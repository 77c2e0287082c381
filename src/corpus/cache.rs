//! The encoded corpus on disk, reused by later runs with the same corpus and settings.
//!
//! The file is named after the corpus and a key (a hash of the corpus file's path, size and
//! modification time, and of every setting that shapes the vocabulary, a given vocabulary's
//! words and counts included), so a changed corpus
//! or other settings make a new file and never reuse a stale one.
//!
//! # Layout (version 1)
//! All integers little-endian.
//! ```text
//! magic      8 bytes "VTRNCORP", version u32, key u64
//! stats      lines, raw_tokens, distinct_words, lossy_tokens, truncated_tokens,
//!            split_lines, pruned_below: u64 each
//! vocabulary count u64, then per word: length u32, UTF-8 bytes, count u64
//! stream     u32 values: word ids, SENTENCE_END after each sentence
//! trailer    tokens u64, sentences u64, crc32 u32 (of the stream), blocks u64, then per
//!            block and one past the end: offset u64 (in values), position u64
//! footer     offset of the trailer u64, 8 bytes "VTRNEND\0"
//! ```

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::corpus::stream::{Block, StreamSummary};
use crate::corpus::{CorpusStats, ReadOptions};
use crate::error::{Error, Result};
use crate::vocab::Vocab;

const MAGIC: [u8; 8] = *b"VTRNCORP";
const FOOTER: [u8; 8] = *b"VTRNEND\0";
const VERSION: u32 = 1;
/// Longest word accepted in a cache file, in bytes (tokens are cut at 1 KiB).
const MAX_WORD_BYTES: u32 = 1 << 16;

/// The key of `corpus` read with `options`: changes whenever the file or a vocabulary
/// setting does.
pub(crate) fn key(corpus: &Path, options: &ReadOptions) -> Result<u64> {
    let metadata = std::fs::metadata(corpus).map_err(|e| Error::io("read", corpus, e))?;
    let modified = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .unwrap_or_default();
    let canonical = std::fs::canonicalize(corpus).unwrap_or_else(|_| corpus.to_path_buf());
    let mut hash = Fnv::new();
    hash.bytes(canonical.to_string_lossy().as_bytes());
    for value in [
        u64::from(VERSION),
        metadata.len(),
        modified.as_secs(),
        u64::from(modified.subsec_nanos()),
        u64::from(options.lowercase),
        options.min_count,
        options.max_vocab.map_or(0, |m| m as u64 + 1),
        options.count_limit as u64,
    ] {
        hash.bytes(&value.to_le_bytes());
    }
    // A given vocabulary replaces the counting: its words and counts are part of the key.
    if let Some(given) = &options.vocab {
        hash.bytes(b"given vocabulary");
        for (word, count) in &given.counts {
            hash.bytes(&(word.len() as u64).to_le_bytes());
            hash.bytes(word.as_bytes());
            hash.bytes(&count.to_le_bytes());
        }
    }
    Ok(hash.0)
}

/// FNV-1a, 64 bits: a stable hash (the standard library's may change between releases).
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The cache file of `corpus` with `key` in `dir`.
pub(crate) fn path_in(dir: &Path, corpus: &Path, key: u64) -> PathBuf {
    let name = corpus
        .file_name()
        .map_or("corpus".into(), |n| n.to_string_lossy().into_owned());
    dir.join(format!("{name}.{key:016x}.vtc"))
}

/// Writes the part before the stream; returns its length in bytes.
pub(crate) fn write_head(
    out: &mut impl Write,
    path: &Path,
    key: u64,
    stats: &CorpusStats,
    vocab: &Vocab,
) -> Result<u64> {
    let mut bytes = Vec::with_capacity(64 + vocab.len() * 24);
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&VERSION.to_le_bytes());
    bytes.extend_from_slice(&key.to_le_bytes());
    debug_assert_eq!(bytes.len() as u64, STATS_OFFSET);
    bytes.extend_from_slice(&stats_bytes(stats));
    bytes.extend_from_slice(&(vocab.len() as u64).to_le_bytes());
    for (word, count) in vocab.words().iter().zip(vocab.counts()) {
        bytes.extend_from_slice(&(word.len() as u32).to_le_bytes());
        bytes.extend_from_slice(word.as_bytes());
        bytes.extend_from_slice(&count.to_le_bytes());
    }
    out.write_all(&bytes)
        .map_err(|e| Error::io("write", path, e))?;
    Ok(bytes.len() as u64)
}

/// Where the stats start in the file: after the magic, the version and the key.
pub(crate) const STATS_OFFSET: u64 = 20;

/// The stats as the head holds them; [`write_head`] writes them, and a read whose stats are
/// known only after encoding (a given vocabulary) writes them again at [`STATS_OFFSET`].
pub(crate) fn stats_bytes(stats: &CorpusStats) -> Vec<u8> {
    [
        stats.lines,
        stats.raw_tokens,
        stats.distinct_words as u64,
        stats.lossy_tokens,
        stats.truncated_tokens,
        stats.split_lines,
        stats.pruned_below,
    ]
    .iter()
    .flat_map(|value| value.to_le_bytes())
    .collect()
}

/// Writes the part after a stream that ended at byte `trailer_offset`.
pub(crate) fn write_tail(
    out: &mut impl Write,
    path: &Path,
    summary: &StreamSummary,
    trailer_offset: u64,
) -> Result<()> {
    let mut bytes = Vec::with_capacity(64 + summary.blocks.len() * 16);
    bytes.extend_from_slice(&summary.tokens.to_le_bytes());
    bytes.extend_from_slice(&summary.sentences.to_le_bytes());
    bytes.extend_from_slice(&summary.crc.to_le_bytes());
    bytes.extend_from_slice(&(summary.blocks.len() as u64).to_le_bytes());
    for block in &summary.blocks {
        bytes.extend_from_slice(&block.offset.to_le_bytes());
        bytes.extend_from_slice(&block.position.to_le_bytes());
    }
    bytes.extend_from_slice(&trailer_offset.to_le_bytes());
    bytes.extend_from_slice(&FOOTER);
    out.write_all(&bytes)
        .map_err(|e| Error::io("write", path, e))
}

/// A cache file read back: everything but the stream, which stays on disk.
pub(crate) struct Cached {
    pub file: File,
    pub stats: CorpusStats,
    pub vocab: Vocab,
    pub stream_start: u64,
    pub summary: StreamSummary,
}

/// Opens the cache file at `path` if it is a complete one of `key`; `Ok(None)` when it is
/// missing, of another key or version, or incomplete (it is then rebuilt).
pub(crate) fn open(path: &Path, key: u64) -> Result<Option<Cached>> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("open", path, e)),
    };
    let len = file
        .metadata()
        .map_err(|e| Error::io("read", path, e))?
        .len();
    let mut reader = Reader {
        inner: BufReader::new(&file),
        path,
        left: len,
    };
    let (Ok(magic), Ok(version), Ok(found)) = (reader.array::<8>(), reader.u32(), reader.u64())
    else {
        return Ok(None);
    };
    if magic != MAGIC || version != VERSION || found != key {
        return Ok(None);
    }
    let mut values = [0u64; 7];
    for value in &mut values {
        *value = reader.u64()?;
    }
    let stats = CorpusStats {
        lines: values[0],
        raw_tokens: values[1],
        distinct_words: values[2] as usize,
        lossy_tokens: values[3],
        truncated_tokens: values[4],
        split_lines: values[5],
        pruned_below: values[6],
    };
    let words = reader.count(12)?;
    let mut list = Vec::with_capacity(words);
    let mut counts = Vec::with_capacity(words);
    for _ in 0..words {
        let length = reader.u32()?;
        if length > MAX_WORD_BYTES {
            return Err(reader.corrupt("a word of more than 64 KiB"));
        }
        let mut bytes = vec![0u8; length as usize];
        reader.exact(&mut bytes)?;
        list.push(String::from_utf8(bytes).map_err(|_| reader.corrupt("a word is not UTF-8"))?);
        counts.push(reader.u64()?);
    }
    let stream_start = len - reader.left;
    let vocab = Vocab::from_ordered(list, counts);
    // The footer, then the trailer it points to.
    let mut inner = reader.inner.into_inner();
    if len < stream_start + 16 {
        return Ok(None);
    }
    inner
        .seek(SeekFrom::Start(len - 16))
        .map_err(|e| Error::io("read", path, e))?;
    let mut reader = Reader {
        inner: BufReader::new(inner),
        path,
        left: 16,
    };
    let trailer_offset = reader.u64()?;
    if reader.array::<8>()? != FOOTER {
        // Written only partly (a crash while encoding): rebuilt.
        return Ok(None);
    }
    if trailer_offset < stream_start || trailer_offset > len - 16 {
        return Err(Error::format(
            path,
            None,
            "corrupt cache file: bad trailer offset",
        ));
    }
    let mut inner = reader.inner.into_inner();
    inner
        .seek(SeekFrom::Start(trailer_offset))
        .map_err(|e| Error::io("read", path, e))?;
    let mut reader = Reader {
        inner: BufReader::new(inner),
        path,
        left: len - 16 - trailer_offset,
    };
    let tokens = reader.u64()?;
    let sentences = reader.u64()?;
    let crc = reader.u32()?;
    let count = reader.count(16)?;
    let mut blocks = Vec::with_capacity(count);
    for _ in 0..count {
        blocks.push(Block {
            offset: reader.u64()?,
            position: reader.u64()?,
        });
    }
    let stream_values = (trailer_offset - stream_start) / 4;
    let ordered = blocks
        .windows(2)
        .all(|w| w[0].offset < w[1].offset && w[0].position < w[1].position);
    let ends_right = blocks.first().is_some_and(|b| *b == Block::default())
        && blocks
            .last()
            .is_some_and(|b| b.offset == stream_values && b.position == tokens);
    if !ordered || !ends_right || !(trailer_offset - stream_start).is_multiple_of(4) {
        return Err(Error::format(
            path,
            None,
            "corrupt cache file: bad block index",
        ));
    }
    let file = reader.inner.into_inner();
    Ok(Some(Cached {
        file: file.try_clone().map_err(|e| Error::io("open", path, e))?,
        stats,
        vocab,
        stream_start,
        summary: StreamSummary {
            blocks,
            tokens,
            sentences,
            crc,
        },
    }))
}

/// Little-endian reads bounded by the bytes left.
struct Reader<'a, R> {
    inner: R,
    path: &'a Path,
    left: u64,
}

impl<R: Read> Reader<'_, R> {
    fn corrupt(&self, what: &str) -> Error {
        Error::format(
            self.path,
            None,
            format!("corrupt cache file: {what}; delete it"),
        )
    }

    fn exact(&mut self, buffer: &mut [u8]) -> Result<()> {
        if buffer.len() as u64 > self.left {
            return Err(self.corrupt("it ends early"));
        }
        self.inner
            .read_exact(buffer)
            .map_err(|e| Error::io("read", self.path, e))?;
        self.left -= buffer.len() as u64;
        Ok(())
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut bytes = [0u8; N];
        self.exact(&mut bytes)?;
        Ok(bytes)
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// A count of records of at least `record_bytes` bytes that the rest must hold.
    fn count(&mut self, record_bytes: u64) -> Result<usize> {
        let n = self.u64()?;
        if n.saturating_mul(record_bytes) > self.left {
            return Err(self.corrupt("a count larger than the file"));
        }
        Ok(n as usize)
    }
}
