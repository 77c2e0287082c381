//! Atomic file replacement: write to a temporary file beside the destination, rename it over
//! the destination only once everything is written.
//!
//! A reader of the destination therefore sees either the old file or the complete new one,
//! never a partial write. If writing fails or the [`AtomicFile`] is dropped without
//! [`AtomicFile::commit`], the temporary file is removed. A process killed outright (SIGKILL,
//! power loss) cannot clean up: it may leave a `.<name>.<pid>.<n>.tmp` file beside the
//! destination, but never a truncated destination.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// Buffer size of the writer around the temporary file.
const BUFFER_BYTES: usize = 1 << 20;

/// Distinguishes temporary files created by one process.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// A file being written that replaces its destination only on [`commit`](AtomicFile::commit).
///
/// Implements [`Write`] (buffered). Dropping it uncommitted removes the temporary file and
/// leaves the destination untouched.
#[derive(Debug)]
pub struct AtomicFile {
    destination: PathBuf,
    temporary: PathBuf,
    /// `None` only after `commit` has taken the writer.
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Creates a temporary file in the directory of `destination`.
    ///
    /// Fails with [`Error::Io`] when that directory does not exist or is not writable.
    pub fn create(destination: &Path) -> Result<AtomicFile> {
        let refuse = |reason: String| {
            let reason = io::Error::new(io::ErrorKind::InvalidInput, reason);
            Error::io("write", destination, reason)
        };
        let name = match destination.file_name() {
            Some(name) if !destination.as_os_str().to_string_lossy().ends_with('/') => name,
            _ => return Err(refuse("the path names a directory, not a file".into())),
        };
        if destination.is_dir() {
            return Err(refuse("it is a directory".into()));
        }
        let directory = match destination.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        if !directory.is_dir() {
            let missing = if directory.exists() {
                "is not a directory"
            } else {
                "does not exist"
            };
            return Err(refuse(format!("{} {missing}", directory.display())));
        }
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{}.{id}.tmp", std::process::id()));
        let temporary = directory.join(temp_name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
            .map_err(|e| Error::io("write", destination, e))?;
        Ok(AtomicFile {
            destination: destination.to_path_buf(),
            temporary,
            writer: Some(BufWriter::with_capacity(BUFFER_BYTES, file)),
        })
    }

    /// Checks, before long work, that [`AtomicFile::create`] and a commit to `destination`
    /// can succeed: a file name in an existing, writable directory, not a directory itself.
    /// Leaves nothing behind.
    pub fn check(destination: &Path) -> Result<()> {
        AtomicFile::create(destination).map(drop)
    }

    /// The path that [`commit`](AtomicFile::commit) will replace.
    pub fn destination(&self) -> &Path {
        &self.destination
    }

    /// The temporary file being written.
    pub fn temporary(&self) -> &Path {
        &self.temporary
    }

    /// Flushes, syncs the data to disk and renames the temporary file over the destination.
    ///
    /// On error the temporary file is removed (by `Drop`) and the destination is untouched.
    pub fn commit(mut self) -> Result<()> {
        let Some(writer) = self.writer.take() else {
            // Unreachable: `commit` consumes self, and only `commit` takes the writer.
            return Ok(());
        };
        let file = writer
            .into_inner()
            .map_err(|e| Error::io("write", &self.temporary, e.into_error()))?;
        file.sync_all()
            .map_err(|e| Error::io("write", &self.temporary, e))?;
        drop(file);
        fs::rename(&self.temporary, &self.destination)
            .map_err(|e| Error::io("rename to", &self.destination, e))?;
        // Renamed: there is no temporary file left for `Drop` to remove.
        self.temporary = PathBuf::new();
        Ok(())
    }

    fn writer(&mut self) -> io::Result<&mut BufWriter<File>> {
        self.writer
            .as_mut()
            .ok_or_else(|| io::Error::other("atomic file already committed"))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer()?.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer()?.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer()?.flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // Close before removing (required on Windows); errors are moot for a discarded file.
        drop(self.writer.take());
        if !self.temporary.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.temporary);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn commit_replaces_destination() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("create", "tempdir", e))?;
        let dest = dir.path().join("out.txt");
        fs::write(&dest, "old").map_err(|e| Error::io("write", &dest, e))?;
        let mut file = AtomicFile::create(&dest)?;
        file.write_all(b"new")
            .map_err(|e| Error::io("write", &dest, e))?;
        file.commit()?;
        assert_eq!(fs::read_to_string(&dest).ok().as_deref(), Some("new"));
        assert_eq!(names(dir.path()), ["out.txt"]);
        Ok(())
    }

    #[test]
    fn drop_without_commit_removes_temporary() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("create", "tempdir", e))?;
        let dest = dir.path().join("out.txt");
        fs::write(&dest, "old").map_err(|e| Error::io("write", &dest, e))?;
        let mut file = AtomicFile::create(&dest)?;
        file.write_all(&[7; 3 << 20])
            .map_err(|e| Error::io("write", &dest, e))?;
        assert!(file.temporary().exists());
        drop(file);
        assert_eq!(fs::read_to_string(&dest).ok().as_deref(), Some("old"));
        assert_eq!(names(dir.path()), ["out.txt"]);
        Ok(())
    }
}
