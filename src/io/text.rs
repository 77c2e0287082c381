//! Lines of `word v1 .. vD`, shared by the word2vec text and GloVe formats.

use std::fmt::Write as _;
use std::io::{BufRead, Write};
use std::path::Path;

use super::rows::{Rows, check_word, finite, snippet};
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};

/// Reads a file line by line into one reused buffer, counting lines from 1.
pub(crate) struct Lines<'a, R> {
    reader: R,
    path: &'a Path,
    buffer: Vec<u8>,
    line: u64,
}

impl<'a, R: BufRead> Lines<'a, R> {
    /// Lines of `reader`; `path` names the file in errors.
    pub(crate) fn new(reader: R, path: &'a Path) -> Self {
        Lines {
            reader,
            path,
            buffer: Vec::new(),
            line: 0,
        }
    }

    /// The next line's number and text (without its end), or `None` at the end of the file.
    pub(crate) fn next_line(&mut self) -> Result<Option<(u64, &str)>> {
        self.buffer.clear();
        let read = self
            .reader
            .read_until(b'\n', &mut self.buffer)
            .map_err(|e| Error::io("read", self.path, e))?;
        if read == 0 {
            return Ok(None);
        }
        self.line += 1;
        let text = std::str::from_utf8(&self.buffer).map_err(|e| {
            let message = format!("invalid UTF-8 at byte {} of the line", e.valid_up_to() + 1);
            Error::format(self.path, Some(self.line), message)
        })?;
        Ok(Some((self.line, text.trim_end_matches(['\n', '\r']))))
    }

    /// Fails on the first line, from here to the end, that is not blank.
    pub(crate) fn expect_only_blank_lines(&mut self, rows: usize) -> Result<()> {
        while let Some((line, text)) = self.next_line()? {
            if !text.trim_ascii().is_empty() {
                let message = format!("more rows than the {rows} the header declares");
                return Err(Error::format(self.path, Some(line), message));
            }
        }
        Ok(())
    }
}

/// Parses `word v1 .. vD` from `text` (line `line`) into a new row of `rows`.
pub(crate) fn parse_row(text: &str, rows: &mut Rows, path: &Path, line: u64) -> Result<()> {
    let dim = rows.dim();
    let mut fields = text.split_ascii_whitespace();
    let Some(word) = fields.next() else {
        return Err(Error::format(
            path,
            Some(line),
            "empty line where a row was expected",
        ));
    };
    let mut found = 0;
    for field in fields {
        if found < dim {
            let value = field.parse::<f32>().map_err(|_| {
                let message = format!(
                    "value {} of {word:?} is not a number: {}",
                    found + 1,
                    snippet(field)
                );
                Error::format(path, Some(line), message)
            })?;
            rows.values.push(finite(value, path, line, found)?);
        }
        found += 1;
    }
    if found != dim {
        let message = format!("{word:?} has {found} values, expected {dim}");
        return Err(Error::format(path, Some(line), message));
    }
    rows.push_word(word.to_owned());
    Ok(())
}

/// Writes every row as `word v1 .. vD\n`, row 0 on line `first_line`. Values are written with
/// `Display`, the shortest text that parses back to the same `f32`.
pub(crate) fn write_rows<W: Write>(
    emb: &Embeddings,
    writer: &mut W,
    path: &Path,
    first_line: u64,
) -> Result<()> {
    let mut text = String::new();
    for (row, word) in emb.vocab().words().iter().enumerate() {
        let line = first_line + row as u64;
        check_word(word, path, line)?;
        text.clear();
        text.push_str(word);
        for (index, &value) in emb.row(row as u32).iter().enumerate() {
            finite(value, path, line, index)?;
            // Writing to a String cannot fail.
            let _ = write!(text, " {value}");
        }
        text.push('\n');
        writer
            .write_all(text.as_bytes())
            .map_err(|e| Error::io("write", path, e))?;
    }
    Ok(())
}
