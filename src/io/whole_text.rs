//! Small text files read whole (a word index, sentences to embed, word pairs), bounded in
//! size so that an endless stream (`/dev/zero`) ends in an error rather than in all the
//! memory there is, and refused naming the first line that is not UTF-8.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::str::Utf8Error;

use crate::error::{Error, Result};
use crate::units::human_bytes;

/// The text of `path`, at most `limit` bytes of it.
pub fn read_text(path: &Path, limit: u64) -> Result<String> {
    let file = File::open(path).map_err(|e| Error::io("open", path, e))?;
    let bytes = read_bounded(file, path, limit)?;
    String::from_utf8(bytes).map_err(|e| not_utf8(e.as_bytes(), e.utf8_error(), path))
}

/// Everything `reader` holds, refused past `limit` bytes.
pub fn read_bounded(reader: impl Read, path: &Path, limit: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("read", path, e))?;
    if bytes.len() as u64 > limit {
        let message = format!("larger than {}, the most read whole", human_bytes(limit));
        return Err(Error::format(path, None, message));
    }
    Ok(bytes)
}

/// `bytes` as text, or an error naming the line of the first byte that is not UTF-8.
pub fn utf8<'a>(bytes: &'a [u8], path: &Path) -> Result<&'a str> {
    std::str::from_utf8(bytes).map_err(|e| not_utf8(bytes, e, path))
}

fn not_utf8(bytes: &[u8], error: Utf8Error, path: &Path) -> Error {
    let valid = &bytes[..error.valid_up_to()];
    let line = valid.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    Error::format(path, Some(line), "not valid UTF-8")
}
