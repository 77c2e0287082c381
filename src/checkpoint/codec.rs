//! The checkpoint file's primitives: little-endian numbers, strings, paths and tables,
//! written into a running CRC-32, and read back with every size bounded by the bytes left.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::checkpoint::CHUNK_VALUES;
use crate::error::{Error, Result};

/// Longest word accepted in a checkpoint, in bytes.
const MAX_WORD_BYTES: u32 = 1 << 16;
/// Longest path accepted in a checkpoint, in bytes.
const MAX_PATH_BYTES: u32 = 1 << 16;

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

#[cfg(unix)]
fn path_from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    String::from_utf8(bytes).ok().map(PathBuf::from)
}

pub(super) struct Encoder<'a, W> {
    pub(super) writer: W,
    pub(super) path: &'a Path,
    pub(super) hasher: crc32fast::Hasher,
}

impl<W: Write> Encoder<'_, W> {
    pub(super) fn bytes(&mut self, bytes: &[u8]) -> Result<()> {
        self.hasher.update(bytes);
        self.writer
            .write_all(bytes)
            .map_err(|e| Error::io("write", self.path, e))
    }

    pub(super) fn u32(&mut self, value: u32) -> Result<()> {
        self.bytes(&value.to_le_bytes())
    }

    pub(super) fn u64(&mut self, value: u64) -> Result<()> {
        self.bytes(&value.to_le_bytes())
    }

    pub(super) fn f64(&mut self, value: f64) -> Result<()> {
        self.bytes(&value.to_le_bytes())
    }

    pub(super) fn str(&mut self, text: &str) -> Result<()> {
        let len = u32::try_from(text.len())
            .ok()
            .filter(|&l| l <= MAX_WORD_BYTES)
            .ok_or_else(|| {
                Error::format(self.path, None, format!("a word of {} bytes", text.len()))
            })?;
        self.u32(len)?;
        self.bytes(text.as_bytes())
    }

    pub(super) fn path(&mut self, path: &Path) -> Result<()> {
        let bytes = path_bytes(path);
        let len = u32::try_from(bytes.len())
            .ok()
            .filter(|&l| l <= MAX_PATH_BYTES)
            .ok_or_else(|| {
                Error::format(self.path, None, format!("a path of {} bytes", bytes.len()))
            })?;
        self.u32(len)?;
        self.bytes(&bytes)
    }

    pub(super) fn table(&mut self, values: &[f32], expected: u64, name: &str) -> Result<()> {
        if values.len() as u64 != expected {
            // A caller's bug, not a user's error: refuse to leave an unreadable checkpoint.
            return Err(Error::Mismatch(format!(
                "the {name} table has {} values, the checkpoint needs {expected}",
                values.len()
            )));
        }
        let mut buffer = Vec::with_capacity(CHUNK_VALUES * 4);
        for piece in values.chunks(CHUNK_VALUES) {
            buffer.clear();
            buffer.extend(piece.iter().flat_map(|v| v.to_le_bytes()));
            self.bytes(&buffer)?;
        }
        Ok(())
    }
}

pub(super) struct Decoder<'a, R> {
    pub(super) reader: R,
    pub(super) path: &'a Path,
    /// Bytes left in the file: bounds every size read from it.
    pub(super) left: u64,
    pub(super) hasher: crc32fast::Hasher,
}

impl<R: Read> Decoder<'_, R> {
    pub(super) fn bad(&self, message: String) -> Error {
        Error::format(self.path, None, format!("corrupt checkpoint: {message}"))
    }

    pub(super) fn exact(&mut self, buffer: &mut [u8], what: &str) -> Result<()> {
        if (buffer.len() as u64) > self.left {
            return Err(self.bad(format!("the file ends before {what} (truncated?)")));
        }
        self.reader.read_exact(buffer).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => {
                self.bad(format!("the file ends before {what} (truncated?)"))
            }
            _ => Error::io("read", self.path, e),
        })?;
        self.left -= buffer.len() as u64;
        self.hasher.update(buffer);
        Ok(())
    }

    pub(super) fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let mut bytes = [0u8; N];
        self.exact(&mut bytes, what)?;
        Ok(bytes)
    }

    pub(super) fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(super) fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    pub(super) fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    pub(super) fn usize(&mut self, what: &str) -> Result<usize> {
        let value = self.u64(what)?;
        usize::try_from(value).map_err(|_| self.bad(format!("{what} {value} is too large")))
    }

    pub(super) fn f32(&mut self, what: &str) -> Result<f32> {
        Ok(f32::from_le_bytes(self.array(what)?))
    }

    pub(super) fn f64(&mut self, what: &str) -> Result<f64> {
        Ok(f64::from_le_bytes(self.array(what)?))
    }

    /// A count of records of at least `record_bytes` bytes each, refused if the rest of the
    /// file cannot hold them.
    pub(super) fn count(&mut self, record_bytes: u64, what: &str) -> Result<usize> {
        let n = self.u64(what)?;
        if n.saturating_mul(record_bytes) > self.left {
            return Err(self.bad(format!(
                "{what} {n} does not fit in the {} bytes left (truncated?)",
                self.left
            )));
        }
        Ok(n as usize)
    }

    pub(super) fn str(&mut self, what: &str) -> Result<String> {
        let len = self.u32(what)?;
        if len > MAX_WORD_BYTES || u64::from(len) > self.left {
            return Err(self.bad(format!("{what} of {len} bytes")));
        }
        let mut bytes = vec![0u8; len as usize];
        self.exact(&mut bytes, what)?;
        String::from_utf8(bytes).map_err(|_| self.bad(format!("{what} is not UTF-8")))
    }

    pub(super) fn path(&mut self, what: &str) -> Result<PathBuf> {
        let len = self.u32(what)?;
        if len > MAX_PATH_BYTES || u64::from(len) > self.left {
            return Err(self.bad(format!("{what} of {len} bytes")));
        }
        let mut bytes = vec![0u8; len as usize];
        self.exact(&mut bytes, what)?;
        path_from_bytes(bytes).ok_or_else(|| self.bad(format!("{what} is not UTF-8")))
    }

    pub(super) fn table(&mut self, values: usize, what: &str) -> Result<Vec<f32>> {
        if (values as u64).saturating_mul(4) > self.left {
            return Err(self.bad(format!(
                "the file ends before {what} of {values} values (truncated?)"
            )));
        }
        // A resumed run trains on this very table: it goes on huge pages like a fresh one,
        // which must be asked for before its first write.
        let mut table = crate::huge_pages::zeroed(values);
        let mut buffer = vec![0u8; CHUNK_VALUES * 4];
        for cells in table.chunks_mut(CHUNK_VALUES) {
            let bytes = &mut buffer[..cells.len() * 4];
            self.exact(bytes, what)?;
            for (cell, b) in cells.iter_mut().zip(bytes.chunks_exact(4)) {
                *cell = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            }
        }
        Ok(table)
    }
}
