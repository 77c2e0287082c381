//! The word2vec text format: a header `rows dim`, then one `word v1 .. vD` line per row.
//!
//! Fields are separated by ASCII whitespace (word2vec.c's trailing space and `\r\n` line ends
//! are accepted). Lines must be UTF-8.

use std::io::{BufRead, Write};
use std::path::Path;

use super::rows::{Rows, parse_header};
use super::text::{Lines, parse_row, write_rows};
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};

/// Reads word2vec text from `reader`; `path` names the file in errors.
pub fn read<R: BufRead>(reader: R, path: &Path) -> Result<Embeddings> {
    let mut lines = Lines::new(reader, path);
    let Some((_, header)) = lines.next_line()? else {
        return Err(Error::format(path, None, "the file is empty"));
    };
    let (declared, dim) = parse_header(header.as_bytes(), path)?;
    let mut rows = Rows::new(path, dim, declared, 2);
    while rows.len() < declared {
        let Some((line, text)) = lines.next_line()? else {
            let message = format!(
                "the file ends after {} rows, the header declares {declared}",
                rows.len()
            );
            return Err(Error::format(path, Some(rows.next_line()), message));
        };
        parse_row(text, &mut rows, path, line)?;
    }
    lines.expect_only_blank_lines(declared)?;
    rows.finish()
}

/// Writes `emb` as word2vec text to `writer`; `path` names the file in errors.
pub fn write<W: Write>(emb: &Embeddings, mut writer: W, path: &Path) -> Result<()> {
    writeln!(writer, "{} {}", emb.len(), emb.dim()).map_err(|e| Error::io("write", path, e))?;
    write_rows(emb, &mut writer, path, 2)?;
    writer.flush().map_err(|e| Error::io("write", path, e))
}
