//! Whether two paths name the same file, so that a command refuses to write one of its
//! outputs over one of its inputs or over another of its outputs (a checkpoint removed at the
//! end of a run would take the vectors with it).

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Whether `a` and `b` name the same regular file: the same file on disk where both exist,
/// else the same path once the folders holding them are resolved (a file not written yet).
/// Devices and pipes are never "the same file": `-o /dev/null --checkpoint /dev/null` is fine.
pub fn same_file(a: &Path, b: &Path) -> bool {
    let same_path = || resolved(a).is_some_and(|a| Some(a) == resolved(b));
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(x), Ok(y)) => {
            x.is_file()
                && y.is_file()
                && match (identity(&x), identity(&y)) {
                    (Some(x), Some(y)) => x == y,
                    _ => same_path(),
                }
        }
        _ => same_path(),
    }
}

/// Refuses an output that is the same file as another output or as one of the inputs, naming
/// both: an output by its option without dashes (`("output", path)`), an input as the
/// message should name it (`("--input", path)`, `("vector file", path)`).
pub fn refuse_overlaps(outputs: &[(&'static str, &Path)], inputs: &[(&str, &Path)]) -> Result<()> {
    for (i, &(option, path)) in outputs.iter().enumerate() {
        let later = outputs[i + 1..].iter().map(|&(o, p)| (format!("--{o}"), p));
        let others = later.chain(inputs.iter().map(|&(o, p)| (o.to_string(), p)));
        if let Some((other, _)) = others.into_iter().find(|(_, p)| same_file(path, p)) {
            return Err(Error::InvalidOption {
                option,
                reason: format!(
                    "{} is also the {other}: writing it would destroy that file; choose another path",
                    path.display()
                ),
            });
        }
    }
    Ok(())
}

/// Most links followed from a path to the file it names (as the kernel's own bound).
const MAX_LINKS: usize = 40;

/// Whether writes to `path` must go straight to it rather than to a file renamed into its
/// place: a device such as `/dev/null`, a pipe, or a stream the process already has open
/// (`/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`), even where that leads to a plain file
/// (`> out.txt`): the shell's descriptor would still point at the file replaced.
pub fn is_stream(path: &Path) -> bool {
    if fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return true;
    }
    let through_descriptor = |hop: &Path| {
        hop.starts_with("/proc")
            || hop.starts_with("/dev/fd")
            || hop == Path::new("/dev/stdout")
            || hop == Path::new("/dev/stderr")
    };
    link_chain(path).iter().any(|hop| through_descriptor(hop))
}

/// Whether `path` is a named pipe, whose opening for writing waits for a reader.
#[cfg(unix)]
pub fn is_fifo(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    fs::metadata(path).is_ok_and(|m| m.file_type().is_fifo())
}

/// Without named pipes, nothing is one.
#[cfg(not(unix))]
pub fn is_fifo(_: &Path) -> bool {
    false
}

/// The path a chain of symbolic links from `path` ends at (itself where it is no link); a
/// link to a file not written yet gives that file's path.
pub fn follow_links(path: &Path) -> PathBuf {
    link_chain(path).pop().unwrap_or_else(|| path.to_path_buf())
}

/// `path` and every path its chain of symbolic links goes through, in order.
fn link_chain(path: &Path) -> Vec<PathBuf> {
    let mut chain = vec![path.to_path_buf()];
    while chain.len() <= MAX_LINKS {
        let hop = &chain[chain.len() - 1];
        let Ok(target) = fs::read_link(hop) else {
            break;
        };
        let next = match hop.parent() {
            Some(folder) if target.is_relative() => folder.join(target),
            _ => target,
        };
        chain.push(next);
    }
    chain
}

/// Removes the file `path` names (through its links, which stay) where that is a plain file:
/// what a finished run does with its own checkpoint, which must never remove a device
/// (`--checkpoint /dev/null`). Whether a file was removed.
pub fn remove_plain_file(path: &Path) -> std::io::Result<bool> {
    if is_stream(path) || !fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Ok(false);
    }
    fs::remove_file(follow_links(path)).map(|()| true)
}

/// The file's device and inode where the platform has them.
#[cfg(unix)]
fn identity(metadata: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((metadata.dev(), metadata.ino()))
}

/// Without inodes, two existing files count as the same only by their resolved paths.
#[cfg(not(unix))]
fn identity(_: &fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// `path` made absolute, links followed where it exists, else its folder's links followed.
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(real) = fs::canonicalize(path) {
        return Some(real);
    }
    let absolute = std::path::absolute(path).ok()?;
    let folder = fs::canonicalize(absolute.parent()?).ok()?;
    Some(folder.join(absolute.file_name()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_on_an_input_or_on_another_output_is_refused() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("create", "tempdir", e))?;
        let corpus = dir.path().join("corpus.txt");
        fs::write(&corpus, "a b").map_err(|e| Error::io("write", &corpus, e))?;
        let vectors = dir.path().join("vectors.txt");
        // The same file by another spelling: through "." and, where files have inodes to
        // compare, by a hard link.
        let mut spellings = vec![corpus.clone(), dir.path().join(".").join("corpus.txt")];
        if cfg!(unix) {
            let linked = dir.path().join("linked.txt");
            fs::hard_link(&corpus, &linked).map_err(|e| Error::io("link", &linked, e))?;
            spellings.push(linked);
        }
        for spelling in &spellings {
            let refused = refuse_overlaps(&[("output", spelling)], &[("--input", &corpus)]);
            let message = refused.map_err(|e| e.to_string()).err().unwrap_or_default();
            assert!(
                message.contains("--output") && message.contains("also the --input"),
                "{message}"
            );
        }
        // Two outputs not written yet, at one path.
        let both = refuse_overlaps(&[("output", &vectors), ("checkpoint", &vectors)], &[]);
        assert!(both.is_err());
        // Distinct files, and a device named twice, are fine.
        let checkpoint = dir.path().join("vectors.txt.checkpoint");
        refuse_overlaps(
            &[("output", &vectors), ("checkpoint", &checkpoint)],
            &[("--input", &corpus)],
        )?;
        #[cfg(unix)]
        refuse_overlaps(
            &[
                ("output", Path::new("/dev/null")),
                ("checkpoint", Path::new("/dev/null")),
            ],
            &[],
        )?;
        Ok(())
    }
}
