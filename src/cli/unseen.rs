//! Words a vector file lacks, in the commands that read vectors: where the file has n-grams
//! (a fastText `.bin`), unseen words get the mean of their n-gram rows, as fastText gives them.

use std::path::Path;

use crate::Embeddings;
use crate::cli::reading_bar::with_reading_bar;
use crate::subwords::{NgramTable, with_unseen_words};

/// Vectors read from a file, with its n-gram rows where it has them.
pub struct Loaded {
    /// The vocabulary's vectors.
    pub embeddings: Embeddings,
    /// The n-gram rows: a fastText `.bin` has them, other formats do not.
    pub ngrams: Option<NgramTable>,
}

/// What became of the unseen words of a request.
#[derive(Clone, Copy, Debug, Default)]
pub struct UnseenReport {
    /// Given the mean of their n-gram rows.
    pub from_ngrams: usize,
    /// Without any n-gram (shorter than minn with the markers): left to the command's policy.
    pub without_ngrams: usize,
}

/// Reads the vectors of `path`, and its n-gram rows where the format has them.
pub fn read(path: &Path) -> anyhow::Result<Loaded> {
    let (embeddings, ngrams) =
        with_reading_bar(|progress| crate::io::read_vectors_and_ngrams_reporting(path, progress))?;
    Ok(Loaded { embeddings, ngrams })
}

impl Loaded {
    /// The vectors, with every word of `words` they lack added from its n-grams where the
    /// file has n-grams; the vectors alone otherwise.
    pub fn with_unseen<'a>(
        self,
        words: impl IntoIterator<Item = &'a str>,
    ) -> anyhow::Result<(Embeddings, UnseenReport)> {
        let Some(table) = &self.ngrams else {
            return Ok((self.embeddings, UnseenReport::default()));
        };
        let extended = with_unseen_words(self.embeddings, table, words)?;
        let report = UnseenReport {
            from_ngrams: extended.from_ngrams,
            without_ngrams: extended.without_ngrams,
        };
        Ok((extended.embeddings, report))
    }
}

/// The refusal of an explicit n-gram policy on a file without n-grams.
pub fn no_ngrams(path: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "{} has no n-gram vectors (only a fastText .bin has them): --oov subword cannot apply",
        path.display()
    )
}
