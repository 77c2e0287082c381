//! What every reader shares: the `rows dim` header, the row table being filled, and the checks
//! on words and values.

use std::path::{Path, PathBuf};

use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::vocab::Vocab;

/// Most rows reserved up front, whatever a header claims: a lying header must not allocate.
const RESERVE_ROWS_MAX: usize = 1 << 16;
/// Most values reserved up front (64 MiB of f32).
const RESERVE_VALUES_MAX: usize = 1 << 24;

/// The word of row `i`, and all rows' values, as they are read.
#[derive(Debug)]
pub(crate) struct Rows {
    path: PathBuf,
    dim: usize,
    /// The line of row 0; row `i` is on line `first_line + i`.
    first_line: u64,
    words: Vec<String>,
    /// Row-major values; readers push exactly `dim` per row.
    pub(crate) values: Vec<f32>,
}

impl Rows {
    /// An empty table for rows of `dim` values, reserving for `expected` rows up to a cap.
    pub(crate) fn new(path: &Path, dim: usize, expected: usize, first_line: u64) -> Rows {
        let rows = expected.min(RESERVE_ROWS_MAX);
        let values = expected.saturating_mul(dim).min(RESERVE_VALUES_MAX);
        Rows {
            path: path.to_path_buf(),
            dim,
            first_line,
            words: Vec::with_capacity(rows),
            values: Vec::with_capacity(values),
        }
    }

    /// Values per row.
    pub(crate) fn dim(&self) -> usize {
        self.dim
    }

    /// Number of complete rows.
    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }

    /// The line number the next row will have.
    pub(crate) fn next_line(&self) -> u64 {
        self.first_line + self.words.len() as u64
    }

    /// Ends the current row, whose `dim` values have been pushed.
    pub(crate) fn push_word(&mut self, word: String) {
        debug_assert_eq!(self.values.len(), (self.words.len() + 1) * self.dim);
        self.words.push(word);
    }

    /// Builds the embeddings, refusing repeated words. Counts decrease by row (`len - row`), so
    /// the vocabulary keeps the file's order.
    pub(crate) fn finish(self) -> Result<Embeddings> {
        let n = self.words.len();
        if u32::try_from(n).is_err() {
            return Err(Error::format(&self.path, None, too_many_rows(n as u64)));
        }
        let counts = (0..n).map(|row| (n - row) as u64).collect();
        let vocab = Vocab::from_ordered(self.words, counts);
        // `from_ordered` keeps the first id of a repeated word: a later row that does not get
        // its own id is a duplicate.
        for row in 0..n as u32 {
            let word = vocab.word(row);
            if let Some(first) = vocab.id(word).filter(|&first| first != row) {
                let message = format!(
                    "duplicate word {word:?} (first on line {})",
                    self.first_line + u64::from(first)
                );
                return Err(Error::format(
                    &self.path,
                    Some(self.first_line + u64::from(row)),
                    message,
                ));
            }
        }
        Embeddings::new(vocab, self.dim, self.values)
    }
}

fn too_many_rows(rows: u64) -> String {
    format!("{rows} rows: at most {} are supported", u32::MAX)
}

/// Parses a `rows dim` header (line 1), refusing a dimension of 0 and sizes that cannot be
/// addressed.
pub(crate) fn parse_header(line: &[u8], path: &Path) -> Result<(usize, usize)> {
    let bad = |message: String| Error::format(path, Some(1), message);
    let text = std::str::from_utf8(line)
        .map_err(|_| bad("the header is not text: expected two integers `rows dim`".into()))?;
    let mut fields = text.split_ascii_whitespace();
    let parsed = match (fields.next(), fields.next(), fields.next()) {
        (Some(rows), Some(dim), None) => rows.parse::<u64>().ok().zip(dim.parse::<u64>().ok()),
        _ => None,
    };
    let Some((rows, dim)) = parsed else {
        return Err(bad(format!(
            "the header must be two integers `rows dim`, found {}",
            snippet(text)
        )));
    };
    if dim == 0 {
        return Err(bad("the header declares dimension 0".into()));
    }
    if rows > u64::from(u32::MAX) {
        return Err(bad(format!("the header declares {}", too_many_rows(rows))));
    }
    let sizes = usize::try_from(rows).ok().zip(usize::try_from(dim).ok());
    match sizes {
        Some((r, d)) if r.checked_mul(d).is_some() => Ok((r, d)),
        _ => Err(bad(format!(
            "the header declares {rows} x {dim} values, more than this machine can address"
        ))),
    }
}

/// `value` if finite, else an error naming its place.
pub(crate) fn finite(value: f32, path: &Path, line: u64, index: usize) -> Result<f32> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::format(
            path,
            Some(line),
            format!(
                "value {} is {value}: only finite values are accepted",
                index + 1
            ),
        ))
    }
}

/// Refuses a word that no vector format can hold: empty, or with ASCII whitespace (which
/// separates fields in every format).
pub(crate) fn check_word(word: &str, path: &Path, line: u64) -> Result<()> {
    if word.is_empty() || word.bytes().any(|b| b.is_ascii_whitespace()) {
        return Err(Error::format(
            path,
            Some(line),
            format!("word {word:?} cannot be written: words must be non-empty, without whitespace"),
        ));
    }
    Ok(())
}

/// `text` quoted and cut to a readable length for an error message.
pub(crate) fn snippet(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    let text = text.trim_end_matches(['\n', '\r']);
    match text.char_indices().nth(MAX_CHARS) {
        Some((end, _)) => format!("{:?}...", &text[..end]),
        None => format!("{text:?}"),
    }
}
