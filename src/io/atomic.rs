//! Atomic file replacement: write to a temporary file beside the destination, rename it over
//! the destination only once everything is written.
//!
//! A reader of the destination therefore sees either the old file or the complete new one,
//! never a partial write. If writing fails or the [`AtomicFile`] is dropped without
//! [`AtomicFile::commit`], the temporary file is removed. A process killed outright (SIGKILL,
//! power loss) cannot clean up: it may leave a `.<name>.<pid>.<n>.tmp` file beside the
//! destination, but never a truncated destination.
//!
//! A destination that is a symbolic link is written through it: the file it names is
//! replaced and the link stays. A stream ([`is_stream`]: a device such as `/dev/null`, a
//! pipe, `/dev/stdout`) is written to directly, as there is no file to replace, and
//! replacing a device node with a file would break it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::paths::{follow_links, is_fifo, is_stream};
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
    /// `None` where the destination is written directly (a device or a pipe), and after a
    /// commit has renamed the temporary file.
    temporary: Option<PathBuf>,
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
        if is_stream(destination) {
            // Appending: where the stream is a file (`> out.txt`, `>> log`), what the shell's
            // descriptor already wrote stays, as writing through that descriptor would do.
            let file = OpenOptions::new()
                .append(true)
                .open(destination)
                .map_err(|e| Error::io("write", destination, e))?;
            return Ok(AtomicFile {
                destination: destination.to_path_buf(),
                temporary: None,
                writer: Some(BufWriter::with_capacity(BUFFER_BYTES, file)),
            });
        }
        let destination = &follow_links(destination);
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
            temporary: Some(temporary),
            writer: Some(BufWriter::with_capacity(BUFFER_BYTES, file)),
        })
    }

    /// Checks, before long work, that [`AtomicFile::create`] and a commit to `destination`
    /// can succeed: a file name in an existing, writable directory, not a directory itself.
    /// Leaves nothing behind.
    pub fn check(destination: &Path) -> Result<()> {
        // Opening a named pipe would wait for its reader; anything else is opened, which is
        // where a read-only device or a stream without permission fails.
        if is_fifo(destination) {
            return Ok(());
        }
        AtomicFile::create(destination).map(drop)
    }

    /// The path that [`commit`](AtomicFile::commit) will replace.
    pub fn destination(&self) -> &Path {
        &self.destination
    }

    /// The temporary file being written; `None` where the destination is written directly
    /// (a device or a pipe).
    pub fn temporary(&self) -> Option<&Path> {
        self.temporary.as_deref()
    }

    /// Flushes, syncs the data to disk and renames the temporary file over the destination.
    ///
    /// On error the temporary file is removed (by `Drop`) and the destination is untouched.
    pub fn commit(mut self) -> Result<()> {
        let Some(writer) = self.writer.take() else {
            // Unreachable: `commit` consumes self, and only `commit` takes the writer.
            return Ok(());
        };
        let Some(temporary) = self.temporary.clone() else {
            // Written directly: flushing is all there is (a pipe cannot be synced).
            writer
                .into_inner()
                .map_err(|e| Error::io("write", &self.destination, e.into_error()))?;
            return Ok(());
        };
        let file = writer
            .into_inner()
            .map_err(|e| Error::io("write", &temporary, e.into_error()))?;
        file.sync_all()
            .map_err(|e| Error::io("write", &temporary, e))?;
        drop(file);
        fs::rename(&temporary, &self.destination)
            .map_err(|e| Error::io("rename to", &self.destination, e))?;
        // Renamed: there is no temporary file left for `Drop` to remove.
        self.temporary = None;
        Ok(())
    }

    fn writer(&mut self) -> io::Result<&mut BufWriter<File>> {
        self.writer
            .as_mut()
            .ok_or_else(|| io::Error::other("atomic file already committed"))
    }
}

impl AtomicFile {
    /// Writes `bytes` over what was written at `offset` (a header whose values are known only
    /// at the end), then goes on writing at the end. Only for a temporary file: a device or a
    /// pipe written directly cannot go back.
    pub fn overwrite_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
        if self.temporary.is_none() {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "a stream cannot be written out of order",
            ));
        }
        let writer = self.writer()?;
        writer.seek(io::SeekFrom::Start(offset))?;
        writer.write_all(bytes)?;
        writer.seek(io::SeekFrom::End(0))?;
        Ok(())
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
        // Written directly and never committed: what is still buffered is not sent, so a
        // failed write leaves less in a pipe (not nothing: full buffers went already).
        match (self.writer.take(), &self.temporary) {
            (Some(writer), None) => drop(writer.into_parts()),
            (writer, _) => drop(writer),
        }
        if let Some(temporary) = &self.temporary {
            let _ = fs::remove_file(temporary);
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

    #[cfg(unix)]
    #[test]
    fn a_link_is_written_through_and_a_device_directly() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("create", "tempdir", e))?;
        let real = dir.path().join("real.txt");
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink("real.txt", &link).map_err(|e| Error::io("link", &link, e))?;
        // The link points to a file not written yet, then to one that exists.
        for text in ["first", "second"] {
            let mut file = AtomicFile::create(&link)?;
            file.write_all(text.as_bytes())
                .map_err(|e| Error::io("write", &link, e))?;
            file.commit()?;
            assert_eq!(fs::read_to_string(&real).ok().as_deref(), Some(text));
            assert!(fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()));
        }
        let null = Path::new("/dev/null");
        AtomicFile::check(null)?;
        let mut file = AtomicFile::create(null)?;
        assert!(file.temporary().is_none());
        file.write_all(b"gone")
            .map_err(|e| Error::io("write", null, e))?;
        file.commit()?;
        assert!(fs::metadata(null).is_ok_and(|m| !m.is_file()));
        assert_eq!(names(dir.path()), ["link.txt", "real.txt"]);
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
        assert!(file.temporary().is_some_and(Path::exists));
        drop(file);
        assert_eq!(fs::read_to_string(&dest).ok().as_deref(), Some("old"));
        assert_eq!(names(dir.path()), ["out.txt"]);
        Ok(())
    }
}
