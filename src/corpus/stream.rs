//! The encoded corpus: word ids with [`SENTENCE_END`] after every sentence, cut into blocks
//! of whole sentences, held in memory or in a file read a piece at a time.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Follows the last word id of every sentence in the stream.
pub const SENTENCE_END: u32 = u32::MAX;

/// Tokens of a block: a block ends at the first sentence end at or after this many tokens.
/// It is the smallest unit of work (the CPU's chunk); larger chunks are runs of blocks.
pub const BLOCK_TOKENS: u64 = 10_000;

/// Values read from a file at a time.
const PIECE_VALUES: usize = 16 * 1024;

/// Where a block starts: its first value in the stream and its first token's position in
/// the corpus (tokens before it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Block {
    /// Index of its first value in the stream.
    pub offset: u64,
    /// Corpus position of its first token.
    pub position: u64,
}

/// Where the stream is.
pub(crate) enum Stream {
    /// In memory.
    Memory(Vec<u32>),
    /// In a file, little-endian, from byte `start`.
    File {
        file: File,
        path: PathBuf,
        start: u64,
    },
}

impl Stream {
    /// Calls `visit` with the values `from..to` of the stream, in pieces, checking each is a
    /// word id below `words` or [`SENTENCE_END`] (a file may be corrupt).
    pub fn visit(
        &self,
        from: u64,
        to: u64,
        words: usize,
        mut visit: impl FnMut(&[u32]),
    ) -> Result<()> {
        match self {
            Stream::Memory(values) => {
                visit(&values[from as usize..to as usize]);
                Ok(())
            }
            Stream::File { file, path, start } => {
                let mut piece = [0u32; PIECE_VALUES];
                let mut at = from;
                while at < to {
                    let n = ((to - at) as usize).min(PIECE_VALUES);
                    let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut piece[..n]);
                    read_at(file, bytes, start + 4 * at).map_err(|e| Error::io("read", path, e))?;
                    for value in &mut piece[..n] {
                        *value = u32::from_le(*value);
                        if *value as usize >= words && *value != SENTENCE_END {
                            return Err(Error::format(
                                path,
                                None,
                                format!(
                                    "value {} is not a word id of the {words} words (a corrupt cache file: delete it)",
                                    *value
                                ),
                            ));
                        }
                    }
                    visit(&piece[..n]);
                    at += n as u64;
                }
                Ok(())
            }
        }
    }

    /// Bytes of the stream held in memory.
    pub fn memory_bytes(&self) -> usize {
        match self {
            Stream::Memory(values) => values.capacity() * 4,
            Stream::File { .. } => 0,
        }
    }
}

#[cfg(unix)]
fn read_at(file: &File, buffer: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut buffer: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buffer.is_empty() {
        match file.seek_read(buffer, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buffer = &mut buffer[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Where a [`StreamBuilder`] puts the values.
pub(crate) trait Sink {
    /// Appends `values`.
    fn put(&mut self, values: &[u32]) -> Result<()>;
}

impl Sink for Vec<u32> {
    fn put(&mut self, values: &[u32]) -> Result<()> {
        self.extend_from_slice(values);
        Ok(())
    }
}

/// Values written little-endian to a writer; `path` names it in errors.
pub(crate) struct WriteSink<'a, W> {
    pub writer: W,
    pub path: &'a Path,
    bytes: Vec<u8>,
}

impl<'a, W: Write> WriteSink<'a, W> {
    /// A sink writing to `writer`.
    pub fn new(writer: W, path: &'a Path) -> Self {
        WriteSink {
            writer,
            path,
            bytes: Vec::new(),
        }
    }
}

impl<W: Write> Sink for WriteSink<'_, W> {
    fn put(&mut self, values: &[u32]) -> Result<()> {
        self.bytes.clear();
        self.bytes
            .extend(values.iter().flat_map(|v| v.to_le_bytes()));
        self.writer
            .write_all(&self.bytes)
            .map_err(|e| Error::io("write", self.path, e))
    }
}

/// What a finished stream holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct StreamSummary {
    /// Block starts, then one past the end (so `blocks.len() - 1` blocks).
    pub blocks: Vec<Block>,
    /// Word tokens.
    pub tokens: u64,
    /// Sentences.
    pub sentences: u64,
    /// CRC-32 of the values, little-endian.
    pub crc: u32,
}

/// Appends encoded sentences to a sink in corpus order, cutting blocks and summing.
pub(crate) struct StreamBuilder<S> {
    /// Where the values go.
    pub sink: S,
    summary: StreamSummary,
    values: u64,
    block_tokens: u64,
    block_due: bool,
    hasher: crc32fast::Hasher,
}

impl<S: Sink> StreamBuilder<S> {
    /// An empty stream into `sink`.
    pub fn new(sink: S) -> Self {
        StreamBuilder {
            sink,
            summary: StreamSummary::default(),
            values: 0,
            block_tokens: 0,
            block_due: true,
            hasher: crc32fast::Hasher::new(),
        }
    }

    /// Appends whole sentences: word ids, each sentence followed by [`SENTENCE_END`].
    pub fn put(&mut self, encoded: &[u32]) -> Result<()> {
        let mut bytes = Vec::with_capacity(encoded.len() * 4);
        for &value in encoded {
            if self.block_due {
                self.summary.blocks.push(Block {
                    offset: self.values,
                    position: self.summary.tokens,
                });
                self.block_due = false;
                self.block_tokens = 0;
            }
            self.values += 1;
            if value == SENTENCE_END {
                self.summary.sentences += 1;
                self.block_due = self.block_tokens >= BLOCK_TOKENS;
            } else {
                self.summary.tokens += 1;
                self.block_tokens += 1;
            }
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        self.hasher.update(&bytes);
        self.sink.put(encoded)
    }

    /// The sink and what the stream holds.
    pub fn finish(mut self) -> (S, StreamSummary) {
        self.summary.blocks.push(Block {
            offset: self.values,
            position: self.summary.tokens,
        });
        self.summary.crc = self.hasher.finalize();
        (self.sink, self.summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_end_at_sentence_ends_past_the_block_size() {
        let mut builder = StreamBuilder::new(Vec::new());
        let sentence: Vec<u32> = (0..7_000).map(|i| i % 5).chain([SENTENCE_END]).collect();
        for _ in 0..3 {
            builder.put(&sentence).unwrap_or_else(|e| panic!("{e}"));
        }
        let (values, summary) = builder.finish();
        assert_eq!(values.len(), 3 * 7_001);
        assert_eq!((summary.tokens, summary.sentences), (21_000, 3));
        // Two sentences make the first block (14,000 >= 10,000 tokens), the third the next.
        assert_eq!(
            summary.blocks,
            [
                Block {
                    offset: 0,
                    position: 0
                },
                Block {
                    offset: 14_002,
                    position: 14_000
                },
                Block {
                    offset: 21_003,
                    position: 21_000
                },
            ]
        );
        assert_eq!(summary.crc, {
            let mut h = crc32fast::Hasher::new();
            h.update(bytemuck::cast_slice(&values));
            h.finalize()
        });
    }
}
