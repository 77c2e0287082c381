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

/// Whether `path` exists and is neither a file nor a folder, links followed: a device such
/// as `/dev/null`, a pipe, `/dev/stdout`.
pub fn is_device_or_pipe(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Whether `path` is a regular file itself, not a link, a device or a pipe: what a finished
/// run may remove as its own checkpoint (`--checkpoint /dev/null` must not remove the device).
pub fn is_plain_file(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
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
        // The same file by another spelling: through "." and by a hard link.
        let dotted = dir.path().join(".").join("corpus.txt");
        let linked = dir.path().join("linked.txt");
        fs::hard_link(&corpus, &linked).map_err(|e| Error::io("link", &linked, e))?;
        for spelling in [&corpus, &dotted, &linked] {
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
