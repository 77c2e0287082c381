//! The word2vec binary format, as word2vec.c and gensim write it: a text header `rows dim\n`,
//! then per row the word's bytes, a space, and `dim` little-endian `f32`.
//!
//! word2vec.c ends each row with `\n`, gensim 4 does not; gensim and word2vec.c both skip
//! whitespace before a word, so files from either are read, and [`write()`] writes the `\n`
//! like word2vec.c. Words are decoded from UTF-8 lossily (an invalid byte becomes U+FFFD),
//! because word2vec.c cuts long words at a byte limit, possibly inside a character. Error
//! line numbers count the header as line 1 and row `i` as line `i + 2`, as word2vec.c lays
//! the file out.

use std::io::{self, BufRead, Read, Write};
use std::path::Path;

use super::rows::{Rows, check_word, finite, parse_header};
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};

/// Longest header line accepted, in bytes.
const MAX_HEADER_BYTES: u64 = 4096;
/// Longest word accepted, in bytes: a file without spaces is refused early, not buffered.
const MAX_WORD_BYTES: u64 = 1 << 16;
/// Values converted per read.
const CHUNK_VALUES: usize = 1024;

/// Reads word2vec binary from `reader`; `path` names the file in errors. Data past the rows
/// the header declares is an error.
pub fn read<R: BufRead>(reader: R, path: &Path) -> Result<Embeddings> {
    read_rows(reader, path, usize::MAX, true)
}

/// Reads the first `limit` rows of word2vec binary from `reader` (all those the header
/// declares where it declares fewer), and nothing after them, as gensim's
/// `load_word2vec_format` does.
pub fn read_first<R: BufRead>(reader: R, path: &Path, limit: usize) -> Result<Embeddings> {
    read_rows(reader, path, limit, false)
}

/// The first `limit` rows, then with `check_end` nothing but whitespace.
fn read_rows<R: BufRead>(
    mut reader: R,
    path: &Path,
    limit: usize,
    check_end: bool,
) -> Result<Embeddings> {
    let io_error = |e| Error::io("read", path, e);
    let mut header = Vec::new();
    (&mut reader)
        .take(MAX_HEADER_BYTES)
        .read_until(b'\n', &mut header)
        .map_err(io_error)?;
    if header.is_empty() {
        return Err(Error::format(path, None, "the file is empty"));
    }
    let (declared, dim) = parse_header(&header, path)?;
    let wanted = declared.min(limit);
    let mut rows = Rows::new(path, dim, wanted, 2);
    let mut word = Vec::new();
    let mut bytes = [0u8; CHUNK_VALUES * 4];
    while rows.len() < wanted {
        let line = rows.next_line();
        let truncated = |what: String| {
            let message = format!(
                "the file is truncated: {what} (the header declares {declared} rows of {dim})"
            );
            Error::format(path, Some(line), message)
        };
        skip_whitespace(&mut reader).map_err(io_error)?;
        word.clear();
        (&mut reader)
            .take(MAX_WORD_BYTES + 1)
            .read_until(b' ', &mut word)
            .map_err(io_error)?;
        if word.last() == Some(&b' ') {
            word.pop();
        } else {
            return Err(if word.len() as u64 > MAX_WORD_BYTES {
                let message = format!("no space within {MAX_WORD_BYTES} bytes: not a word");
                Error::format(path, Some(line), message)
            } else if word.is_empty() {
                truncated(format!("it ends after {} rows", rows.len()))
            } else {
                truncated("it ends inside a word".into())
            });
        }
        let mut left = dim;
        while left > 0 {
            let take = left.min(CHUNK_VALUES);
            let chunk = &mut bytes[..take * 4];
            reader.read_exact(chunk).map_err(|e| match e.kind() {
                io::ErrorKind::UnexpectedEof => truncated("it ends inside a vector".into()),
                _ => io_error(e),
            })?;
            for value in chunk.chunks_exact(4) {
                let value = f32::from_le_bytes([value[0], value[1], value[2], value[3]]);
                rows.values.push(value);
            }
            left -= take;
        }
        let start = rows.values.len() - dim;
        for (index, &value) in rows.values[start..].iter().enumerate() {
            finite(value, path, line, index)?;
        }
        rows.push_word(String::from_utf8_lossy(&word).into_owned());
    }
    if !check_end {
        return rows.finish();
    }
    skip_whitespace(&mut reader).map_err(io_error)?;
    if !reader.fill_buf().map_err(io_error)?.is_empty() {
        let message = format!("more data after the {declared} rows the header declares");
        return Err(Error::format(path, Some(rows.next_line()), message));
    }
    rows.finish()
}

/// Consumes ASCII whitespace (the `\n` that word2vec.c writes after each row).
fn skip_whitespace<R: BufRead>(reader: &mut R) -> io::Result<()> {
    loop {
        let buffer = reader.fill_buf()?;
        let blank = buffer
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        let more = blank == buffer.len() && blank > 0;
        reader.consume(blank);
        if !more {
            return Ok(());
        }
    }
}

/// Writes `emb` as word2vec binary to `writer`, each row ended by `\n` like word2vec.c;
/// `path` names the file in errors.
pub fn write<W: Write>(emb: &Embeddings, mut writer: W, path: &Path) -> Result<()> {
    let io_error = |e| Error::io("write", path, e);
    writeln!(writer, "{} {}", emb.len(), emb.dim()).map_err(io_error)?;
    let mut bytes = Vec::with_capacity(emb.dim() * 4 + 1);
    for (row, word) in emb.vocab().words().iter().enumerate() {
        let line = row as u64 + 2;
        check_word(word, path, line)?;
        bytes.clear();
        for (index, &value) in emb.row(row as u32).iter().enumerate() {
            bytes.extend_from_slice(&finite(value, path, line, index)?.to_le_bytes());
        }
        bytes.push(b'\n');
        writer.write_all(word.as_bytes()).map_err(io_error)?;
        writer.write_all(b" ").map_err(io_error)?;
        writer.write_all(&bytes).map_err(io_error)?;
    }
    writer.flush().map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocab;

    #[test]
    fn the_first_rows_only_leave_the_rest_unread() {
        let words = ["a", "b", "c"].map(String::from).to_vec();
        let emb = Embeddings::new(Vocab::from_ordered(words, vec![3, 2, 1]), 2, vec![1.0; 6]);
        let path = Path::new("v.bin");
        let mut bytes = Vec::new();
        write(&emb.unwrap(), &mut bytes, path).unwrap();
        // Cut inside the third row: the first two still read, the whole file does not.
        bytes.truncate(bytes.len() - 3);
        let first = read_first(&bytes[..], path, 2).unwrap();
        assert_eq!(first.vocab().words(), ["a", "b"]);
        assert_eq!(first.as_slice(), [1.0; 4]);
        let error = read_first(&bytes[..], path, 3).unwrap_err();
        assert!(error.to_string().contains("truncated"), "{error}");
        assert!(read(&bytes[..], path).is_err());
    }
}
