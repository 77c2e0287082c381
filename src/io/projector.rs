//! TensorFlow's Embedding Projector (projector.tensorflow.org): two tab-separated files.
//!
//! * `vectors.tsv`: one row per word, its `dim` values separated by tabs, no header.
//! * `metadata.tsv`: the word of each row, one per line, in the same order. A metadata file
//!   of a single column has no header row in the projector's format.
//!
//! A tab, newline or carriage return inside a word would split its line into columns or rows,
//! so each is written as the two characters `\t`, `\n` or `\r`: the metadata only labels the
//! points, and keeps one line per row whatever the words hold.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::atomic::AtomicFile;
use super::rows::finite;
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};

/// The file names used inside a directory, as the projector's own examples name them.
const VECTORS_NAME: &str = "vectors.tsv";
/// See [`VECTORS_NAME`].
const METADATA_NAME: &str = "metadata.tsv";

/// Where the two projector files go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectorFiles {
    /// The vectors, one tab-separated row per word.
    pub vectors: PathBuf,
    /// The words, one per line.
    pub metadata: PathBuf,
}

impl ProjectorFiles {
    /// The files an output path names: inside an existing directory (or a path ending in
    /// `/`), `vectors.tsv` and `metadata.tsv`; otherwise the path is a stem, and `out` gives
    /// `out.vectors.tsv` and `out.metadata.tsv`.
    pub fn for_output(output: &Path) -> ProjectorFiles {
        let names_directory = output.as_os_str().to_string_lossy().ends_with('/');
        if names_directory || output.is_dir() {
            return ProjectorFiles {
                vectors: output.join(VECTORS_NAME),
                metadata: output.join(METADATA_NAME),
            };
        }
        let with_suffix = |name: &str| {
            let mut path = output.as_os_str().to_owned();
            path.push(".");
            path.push(name);
            PathBuf::from(path)
        };
        ProjectorFiles {
            vectors: with_suffix(VECTORS_NAME),
            metadata: with_suffix(METADATA_NAME),
        }
    }
}

/// Writes `emb` as the projector's two files, each atomically; neither is replaced unless
/// both were written in full. Refuses (with [`Error::Format`]) a value that is not finite.
pub fn write_projector(emb: &Embeddings, files: &ProjectorFiles) -> Result<()> {
    let mut vectors = AtomicFile::create(&files.vectors)?;
    let mut metadata = AtomicFile::create(&files.metadata)?;
    let mut line = String::new();
    for (row, word) in emb.vocab().words().iter().enumerate() {
        line.clear();
        for (index, &value) in emb.row(row as u32).iter().enumerate() {
            finite(value, &files.vectors, row as u64 + 1, index)?;
            if index > 0 {
                line.push('\t');
            }
            // Writing to a String cannot fail.
            let _ = write!(line, "{value}");
        }
        line.push('\n');
        vectors
            .write_all(line.as_bytes())
            .map_err(|e| Error::io("write", &files.vectors, e))?;
        line.clear();
        push_label(&mut line, word);
        line.push('\n');
        metadata
            .write_all(line.as_bytes())
            .map_err(|e| Error::io("write", &files.metadata, e))?;
    }
    vectors.commit()?;
    metadata.commit()
}

/// Appends `word` to `line` with its tabs and line breaks written as `\t`, `\n` and `\r`.
fn push_label(line: &mut String, word: &str) {
    for c in word.chars() {
        match c {
            '\t' => line.push_str("\\t"),
            '\n' => line.push_str("\\n"),
            '\r' => line.push_str("\\r"),
            c => line.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocab;

    #[test]
    fn a_stem_names_two_files_and_a_directory_holds_them() {
        let stem = ProjectorFiles::for_output(Path::new("runs/out"));
        assert_eq!(stem.vectors, Path::new("runs/out.vectors.tsv"));
        assert_eq!(stem.metadata, Path::new("runs/out.metadata.tsv"));
        let dir = ProjectorFiles::for_output(Path::new("runs/"));
        assert_eq!(dir.vectors, Path::new("runs/vectors.tsv"));
        assert_eq!(dir.metadata, Path::new("runs/metadata.tsv"));
    }

    #[test]
    fn tabs_and_line_breaks_in_words_keep_one_line_per_row() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("create", "tempdir", e))?;
        let words = vec!["a\tb".to_string(), "c\nd\r".to_string(), "e".to_string()];
        let vocab = Vocab::from_ordered(words, vec![3, 2, 1]);
        let emb = Embeddings::new(vocab, 2, vec![1.0, -0.5, 0.25, 2.0, 0.0, 1e-8])?;
        let files = ProjectorFiles::for_output(&dir.path().join("p"));
        write_projector(&emb, &files)?;
        let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
        assert_eq!(read(&files.metadata), "a\\tb\nc\\nd\\r\ne\n");
        assert_eq!(read(&files.vectors), "1\t-0.5\n0.25\t2\n0\t0.00000001\n");
        Ok(())
    }

    #[test]
    fn a_value_that_is_not_finite_leaves_no_file() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("create", "tempdir", e))?;
        let vocab = Vocab::from_ordered(vec!["a".into(), "b".into()], vec![2, 1]);
        let emb = Embeddings::new(vocab, 1, vec![1.0, f32::NAN])?;
        let files = ProjectorFiles::for_output(&dir.path().join("p"));
        assert!(write_projector(&emb, &files).is_err());
        assert!(!files.vectors.exists() && !files.metadata.exists());
        Ok(())
    }
}
