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

/// Reads word2vec text from `reader`; `path` names the file in errors. Rows past those the
/// header declares are an error.
pub fn read<R: BufRead>(reader: R, path: &Path) -> Result<Embeddings> {
    read_rows(reader, path, usize::MAX, true)
}

/// Reads the first `limit` rows of word2vec text from `reader` (all those the header declares
/// where it declares fewer), and nothing after them, as gensim's `load_word2vec_format` does.
pub fn read_first<R: BufRead>(reader: R, path: &Path, limit: usize) -> Result<Embeddings> {
    read_rows(reader, path, limit, false)
}

/// The first `limit` rows, then with `check_end` only blank lines.
fn read_rows<R: BufRead>(
    reader: R,
    path: &Path,
    limit: usize,
    check_end: bool,
) -> Result<Embeddings> {
    let mut lines = Lines::new(reader, path);
    let Some((_, header)) = lines.next_line()? else {
        return Err(Error::format(path, None, "the file is empty"));
    };
    let (declared, dim) = parse_header(header.as_bytes(), path)?;
    let wanted = declared.min(limit);
    let mut rows = Rows::new(path, dim, wanted, 2);
    while rows.len() < wanted {
        let Some((line, text)) = lines.next_line()? else {
            let message = format!(
                "the file ends after {} rows, the header declares {declared}",
                rows.len()
            );
            return Err(Error::format(path, Some(rows.next_line()), message));
        };
        parse_row(text, &mut rows, path, line)?;
    }
    if check_end {
        lines.expect_only_blank_lines(declared)?;
    }
    rows.finish()
}

/// Writes `emb` as word2vec text to `writer`; `path` names the file in errors.
pub fn write<W: Write>(emb: &Embeddings, mut writer: W, path: &Path) -> Result<()> {
    writeln!(writer, "{} {}", emb.len(), emb.dim()).map_err(|e| Error::io("write", path, e))?;
    write_rows(emb, &mut writer, path, 2)?;
    writer.flush().map_err(|e| Error::io("write", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_rows_only_leave_the_rest_unread() {
        let text = "3 2\na 1 2\nb 3 4\nc not-a-number\n";
        let path = Path::new("v.txt");
        let first = read_first(text.as_bytes(), path, 2).unwrap();
        assert_eq!(first.vocab().words(), ["a", "b"]);
        assert_eq!(first.as_slice(), [1.0, 2.0, 3.0, 4.0]);
        // Past the end, or the whole file: the third row's fault is found.
        for limit in [3, usize::MAX] {
            let error = read_first(text.as_bytes(), path, limit).unwrap_err();
            assert!(error.to_string().contains("v.txt:4"), "{error}");
        }
        assert_eq!(read_first(text.as_bytes(), path, 0).unwrap().len(), 0);
        // Rows past the header's count: refused by `read`, never read by `read_first`.
        let more = "1 2\na 1 2\nb 3 4\n";
        assert_eq!(
            read_first(more.as_bytes(), path, usize::MAX).unwrap().len(),
            1
        );
        assert!(read(more.as_bytes(), path).is_err());
    }
}
