//! The GloVe text format: one `word v1 .. vD` line per row, no header.
//!
//! The dimension is the number of values on line 1. Blank lines are accepted only at the end.
//! Lines must be UTF-8.

use std::io::{BufRead, Write};
use std::path::Path;

use super::rows::Rows;
use super::text::{Lines, parse_row, write_rows};
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};

/// Reads GloVe text from `reader`; `path` names the file in errors.
pub fn read<R: BufRead>(reader: R, path: &Path) -> Result<Embeddings> {
    let mut lines = Lines::new(reader, path);
    let Some((_, first)) = lines.next_line()? else {
        return Err(Error::format(path, None, "the file is empty"));
    };
    let dim = first.split_ascii_whitespace().count().saturating_sub(1);
    if dim == 0 {
        let message = "line 1 must be `word v1 .. vD` with at least one value";
        return Err(Error::format(path, Some(1), message));
    }
    let mut rows = Rows::new(path, dim, 0, 1);
    parse_row(first, &mut rows, path, 1)?;
    // A blank line ends the rows; any row after it is an error.
    let mut blank = None;
    while let Some((line, text)) = lines.next_line()? {
        if text.trim_ascii().is_empty() {
            blank = blank.or(Some(line));
        } else if let Some(blank) = blank {
            return Err(Error::format(path, Some(blank), "blank line between rows"));
        } else {
            parse_row(text, &mut rows, path, line)?;
        }
    }
    rows.finish()
}

/// Writes `emb` as GloVe text to `writer`; `path` names the file in errors.
///
/// Embeddings without rows give an empty file, which [`read`] refuses.
pub fn write<W: Write>(emb: &Embeddings, mut writer: W, path: &Path) -> Result<()> {
    write_rows(emb, &mut writer, path, 1)?;
    writer.flush().map_err(|e| Error::io("write", path, e))
}
