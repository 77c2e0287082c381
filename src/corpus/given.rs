//! A vocabulary given instead of counted (`ReadOptions::vocab`, `train --read-vocab`): the
//! vocabulary it makes, and the stats that the one pass over the text then gives.

use std::path::{Path, PathBuf};

use crate::corpus::{Corpus, CorpusStats, ReadOptions};
use crate::error::{Error, Result};
use crate::vocab::Vocab;

/// A vocabulary given instead of counted from the corpus (word2vec.c's `-read-vocab`,
/// gensim's `build_vocab_from_freq`): words and counts, in any order. Its counts are what
/// subsampling, the negatives' distribution and the Huffman tree use; the corpus is read
/// once, to encode it, and its words outside the vocabulary are dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GivenVocab {
    /// Where it came from (named in errors).
    pub source: PathBuf,
    /// Each word with its count.
    pub counts: Vec<(String, u64)>,
}

impl GivenVocab {
    /// Reads a vocabulary file: one `word count` line per word (what `train --save-vocab`
    /// and word2vec.c's `-save-vocab` write; plain or gzip).
    pub fn read(path: &Path) -> Result<GivenVocab> {
        Ok(GivenVocab {
            source: path.to_path_buf(),
            counts: crate::io::vocab_counts::read(path)?,
        })
    }
}

impl Corpus {
    /// The vocabulary of `given`, `min_count` and `max_vocab` applied, refusing one that
    /// keeps no word.
    pub(super) fn given_vocab(
        given: &GivenVocab,
        options: &ReadOptions,
    ) -> Result<(Vocab, CorpusStats)> {
        let vocab = Vocab::from_counts(
            given.counts.iter().cloned(),
            options.min_count,
            options.max_vocab,
        );
        if vocab.is_empty() {
            return Err(Error::EmptyVocabulary {
                path: given.source.clone(),
                min_count: options.min_count,
                distinct: given.counts.len(),
            });
        }
        let stats = CorpusStats {
            distinct_words: given.counts.len(),
            ..CorpusStats::default()
        };
        Ok((vocab, stats))
    }

    /// With a given vocabulary, the stats of the encoding pass (the only one) in `stats`;
    /// a corpus without a token is refused, as the counting pass refuses it, and so is one
    /// none of whose `kept` tokens is in the vocabulary.
    pub(super) fn encoded_stats(
        stats: &mut CorpusStats,
        seen: CorpusStats,
        kept: u64,
        name: &Path,
        options: &ReadOptions,
    ) -> Result<()> {
        let Some(given) = &options.vocab else {
            return Ok(());
        };
        stats.add(&seen);
        if stats.raw_tokens == 0 {
            return Err(Error::EmptyCorpus {
                path: name.to_path_buf(),
            });
        }
        if kept == 0 {
            return Err(Error::Mismatch(format!(
                "none of the {} tokens of corpus {} is a word of vocabulary {}",
                stats.raw_tokens,
                name.display(),
                given.source.display()
            )));
        }
        Ok(())
    }
}
