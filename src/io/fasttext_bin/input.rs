//! The bytes of a `.bin` as they are read: little-endian numbers, NUL-ended words and float
//! tables, each read naming the part of the file it belongs to, so that a file that ends too
//! early says where.

use std::fmt;
use std::io::{self, BufRead, Read};
use std::path::Path;

use crate::error::{Error, Result};

/// Bytes converted per read of a float table.
const CHUNK_BYTES: usize = 1 << 16;

/// The part of the file being read, for error messages.
#[derive(Clone, Copy, Debug)]
pub(super) enum Part {
    /// Magic number and version.
    Signature,
    /// The training arguments (`Args::save`).
    Args,
    /// The dictionary's sizes, before its entries.
    DictionarySizes,
    /// Dictionary entry `index` (from 0) of `of`.
    Entry {
        /// The entry, from 0.
        index: usize,
        /// Entries declared.
        of: usize,
    },
    /// The input table (words, then buckets), with its quantisation flag and shape.
    InputMatrix,
    /// The output table, with its quantisation flag and shape.
    OutputMatrix,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::Signature => f.write_str("header (magic number and version)"),
            Part::Args => f.write_str("header (training arguments)"),
            Part::DictionarySizes => f.write_str("dictionary header"),
            Part::Entry { index, of } => write!(f, "dictionary (entry {} of {of})", index + 1),
            Part::InputMatrix => f.write_str("input matrix"),
            Part::OutputMatrix => f.write_str("output matrix"),
        }
    }
}

/// A reader that counts the bytes it has read and, where the file's length is known, how many
/// are left, so that a declared size can be checked before anything is allocated for it.
pub(super) struct Input<'p, R> {
    reader: R,
    path: &'p Path,
    offset: u64,
    /// Bytes left in the file, when its length is known.
    left: Option<u64>,
}

impl<'p, R: BufRead> Input<'p, R> {
    /// Reads `reader`, of `length` bytes if known; `path` names the file in errors.
    pub(super) fn new(reader: R, path: &'p Path, length: Option<u64>) -> Input<'p, R> {
        Input {
            reader,
            path,
            offset: 0,
            left: length,
        }
    }

    /// The file, for errors.
    pub(super) fn path(&self) -> &'p Path {
        self.path
    }

    /// A format error about `part`.
    pub(super) fn bad(&self, part: Part, message: impl fmt::Display) -> Error {
        Error::format(self.path, None, format!("{part}: {message}"))
    }

    /// The error of a file that ends inside `part`.
    pub(super) fn truncated(&self, part: Part) -> Error {
        let message = if self.offset == 0 {
            "the file is empty".to_owned()
        } else {
            format!(
                "the file is truncated: it ends in the {part}, after {} bytes",
                self.offset
            )
        };
        Error::format(self.path, None, message)
    }

    /// Fails unless at least `bytes` bytes follow, when the file's length is known.
    pub(super) fn expect_bytes(&self, bytes: u64, part: Part) -> Result<()> {
        match self.left {
            Some(left) if left < bytes => Err(Error::format(
                self.path,
                None,
                format!(
                    "the file is truncated: the {part} needs {bytes} bytes, but only {left} \
                     follow (after {} bytes)",
                    self.offset
                ),
            )),
            _ => Ok(()),
        }
    }

    fn advance(&mut self, bytes: usize) {
        self.offset += bytes as u64;
        if let Some(left) = &mut self.left {
            *left = left.saturating_sub(bytes as u64);
        }
    }

    /// Fills `buffer`, counting the bytes of a short read too, so that a truncation error
    /// says where the file ends.
    fn fill(&mut self, buffer: &mut [u8], part: Part) -> Result<()> {
        let mut filled = 0;
        while filled < buffer.len() {
            match self.reader.read(&mut buffer[filled..]) {
                Ok(0) => break,
                Ok(read) => filled += read,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io("read", self.path, e)),
            }
        }
        self.advance(filled);
        if filled < buffer.len() {
            return Err(self.truncated(part));
        }
        Ok(())
    }

    fn array<const N: usize>(&mut self, part: Part) -> Result<[u8; N]> {
        let mut bytes = [0; N];
        self.fill(&mut bytes, part)?;
        Ok(bytes)
    }

    /// One byte.
    pub(super) fn u8(&mut self, part: Part) -> Result<u8> {
        Ok(self.array::<1>(part)?[0])
    }

    /// A little-endian `int32`.
    pub(super) fn i32(&mut self, part: Part) -> Result<i32> {
        self.array(part).map(i32::from_le_bytes)
    }

    /// A little-endian `int64`.
    pub(super) fn i64(&mut self, part: Part) -> Result<i64> {
        self.array(part).map(i64::from_le_bytes)
    }

    /// A little-endian `double`.
    pub(super) fn f64(&mut self, part: Part) -> Result<f64> {
        self.array(part).map(f64::from_le_bytes)
    }

    /// The bytes before the next NUL (which is consumed), at most `max` of them.
    pub(super) fn word(&mut self, word: &mut Vec<u8>, max: usize, part: Part) -> Result<()> {
        word.clear();
        let read = (&mut self.reader)
            .take(max as u64 + 1)
            .read_until(0, word)
            .map_err(|e| Error::io("read", self.path, e))?;
        self.advance(read);
        if word.last() == Some(&0) {
            word.pop();
            Ok(())
        } else if word.len() > max {
            Err(self.bad(part, format!("no NUL within {max} bytes: not a word")))
        } else {
            Err(self.truncated(part))
        }
    }

    /// Appends `count` little-endian `f32` to `values`.
    ///
    /// Memory is reserved for all of them at once only when the file is known to hold them;
    /// otherwise it grows as they arrive, so a lying count cannot allocate much more than the
    /// data present.
    pub(super) fn f32s(&mut self, count: usize, values: &mut Vec<f32>, part: Part) -> Result<()> {
        if self.left.is_some() {
            values.reserve_exact(count);
        }
        let mut bytes = vec![0u8; CHUNK_BYTES.min(count.saturating_mul(4))];
        let mut remaining = count;
        while remaining > 0 {
            let take = remaining.min(CHUNK_BYTES / 4);
            let chunk = &mut bytes[..take * 4];
            self.fill(chunk, part)?;
            values.extend(
                chunk
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            );
            remaining -= take;
        }
        Ok(())
    }

    /// True when no byte is left.
    pub(super) fn at_end(&mut self) -> Result<bool> {
        let buffer = self
            .reader
            .fill_buf()
            .map_err(|e| Error::io("read", self.path, e))?;
        Ok(buffer.is_empty())
    }
}
