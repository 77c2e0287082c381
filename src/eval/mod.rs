//! Evaluation of word vectors: analogy accuracy and word-pair similarity.
//!
//! Both evaluations reproduce gensim 4.4's `KeyedVectors.evaluate_word_analogies` and
//! `KeyedVectors.evaluate_word_pairs`, with its arguments ([`EvalOptions`]), so that numbers
//! can be compared with published gensim runs:
//!
//! * only the first `restrict` words (rows, most frequent first) take part, as question
//!   words, as pair words and as candidate answers;
//! * by default (`case_insensitive`) words are compared in upper case (Unicode full
//!   upper-casing, like Python's `str.upper`); where several words of the restricted
//!   vocabulary upper-case alike, the first (most frequent) one stands for all of them.
//!   Otherwise words are compared as they are;
//! * questions and pairs with a word outside the restricted vocabulary are skipped and
//!   counted; with `dummy4unknown` a question is counted wrong instead, and a pair is
//!   correlated with a model similarity of 0.
//!
//! Where gensim logs and skips a malformed line, vectrain refuses the file with an error that
//! names the file and line: a malformed line almost always means a wrong file or delimiter,
//! and a silently smaller test set gives numbers that cannot be compared.
//! See [`analogy`] and [`similarity`] for the details of each.

pub mod analogy;
mod analogy_report;
mod questions;
pub mod similarity;
pub mod stats;

use std::collections::HashMap;

use crate::embeddings::Embeddings;

pub use analogy::{AnalogyReport, SectionResult, evaluate_analogies, evaluate_analogies_reader};
pub use questions::count_analogies;
pub use similarity::{SimilarityReport, evaluate_word_pairs, evaluate_word_pairs_reader};

/// gensim's default `restrict_vocab`: only the 300,000 most frequent words are used.
pub const DEFAULT_RESTRICT: usize = 300_000;

/// Files of word pairs or questions are read whole up to this size; a bigger one (or an
/// endless stream such as `/dev/zero`) is refused: WordSim-353 is 7 KiB, questions-words.txt
/// 600 KiB.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// How to evaluate: gensim's arguments of the same names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvalOptions {
    /// Only the first `restrict` rows take part (gensim's `restrict_vocab`).
    pub restrict: usize,
    /// Compare words in upper case (gensim's `case_insensitive`; the default).
    pub case_insensitive: bool,
    /// Count a question with an unknown word as answered wrong, and correlate a pair with an
    /// unknown word at a model similarity of 0, instead of skipping them (gensim's
    /// `dummy4unknown`).
    pub dummy4unknown: bool,
}

impl Default for EvalOptions {
    /// gensim's defaults.
    fn default() -> Self {
        EvalOptions {
            restrict: DEFAULT_RESTRICT,
            case_insensitive: true,
            dummy4unknown: false,
        }
    }
}

impl From<usize> for EvalOptions {
    /// gensim's defaults, restricted to the first `restrict` rows.
    fn from(restrict: usize) -> Self {
        EvalOptions {
            restrict,
            ..EvalOptions::default()
        }
    }
}

/// `restrict`, refused where 0: no word would take part.
fn checked_restrict(restrict: usize) -> crate::error::Result<usize> {
    if restrict == 0 {
        return Err(crate::error::Error::InvalidOption {
            option: "restrict",
            reason: "0 would leave no word to evaluate".into(),
        });
    }
    Ok(restrict)
}

/// The case-folded view of the first `restrict` rows of some embeddings.
///
/// `id` maps an upper-cased word to the first row whose word upper-cases to it, as gensim's
/// `{k.upper(): index for k in reversed(ok_keys)}` does; `canonical[row]` is that first row
/// for every restricted row, so that "same word up to case" is a comparison of integers.
/// Without case folding, words map to their own rows (the first, for a repeated word).
#[derive(Default)]
struct CaseFolded {
    id: HashMap<String, u32>,
    canonical: Vec<u32>,
    insensitive: bool,
}

impl CaseFolded {
    /// Folds the first `restrict` rows of `emb` (all of them if there are fewer), in upper
    /// case where `insensitive`.
    fn new(emb: &Embeddings, restrict: usize, insensitive: bool) -> CaseFolded {
        let words = &emb.vocab().words()[..restrict.min(emb.len())];
        let mut id = HashMap::with_capacity(words.len());
        let mut canonical = Vec::with_capacity(words.len());
        for (row, word) in words.iter().enumerate() {
            let key = if insensitive {
                fold(word)
            } else {
                word.clone()
            };
            // Rows are below `emb.len()`, which the vocabulary keeps within u32 ids.
            let first = *id.entry(key).or_insert(row as u32);
            canonical.push(first);
        }
        CaseFolded {
            id,
            canonical,
            insensitive,
        }
    }

    /// Number of restricted rows.
    fn rows(&self) -> usize {
        self.canonical.len()
    }

    /// The row standing for `word` (any case), if it is in the restricted vocabulary.
    fn lookup(&self, word: &str) -> Option<u32> {
        if self.insensitive {
            self.id.get(&fold(word)).copied()
        } else {
            self.id.get(word).copied()
        }
    }
}

/// Upper-cases like Python's `str.upper` (full Unicode mapping, no locale).
fn fold(word: &str) -> String {
    word.to_uppercase()
}

/// Splits like Python's `str.split()` with no argument: on runs of Unicode white space,
/// which for Python also includes the separators U+001C..U+001F.
fn split_python_whitespace(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
        .filter(|token| !token.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocab;

    fn embeddings(words: &[&str]) -> Embeddings {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        let n = words.len();
        Embeddings::new(Vocab::from_ordered(words, vec![1; n]), 1, vec![1.0; n]).unwrap()
    }

    #[test]
    fn first_case_variant_stands_for_all() {
        let emb = embeddings(&["Paris", "paris", "PARIS", "rome", "Rome"]);
        let folded = CaseFolded::new(&emb, 10, true);
        assert_eq!(folded.rows(), 5);
        assert_eq!(folded.lookup("paris"), Some(0));
        assert_eq!(folded.lookup("ROME"), Some(3));
        assert_eq!(folded.canonical, vec![0, 0, 0, 3, 3]);
    }

    #[test]
    fn restriction_drops_later_rows_and_variants() {
        let emb = embeddings(&["rome", "paris", "Rome"]);
        let folded = CaseFolded::new(&emb, 2, true);
        assert_eq!(folded.rows(), 2);
        assert_eq!(folded.lookup("Paris"), Some(1));
        assert_eq!(folded.lookup("berlin"), None);
        let none = CaseFolded::new(&emb, 0, true);
        assert_eq!(none.lookup("rome"), None);
    }

    #[test]
    fn without_folding_words_are_their_own() {
        let emb = embeddings(&["Paris", "paris", "rome"]);
        let exact = CaseFolded::new(&emb, 10, false);
        assert_eq!(exact.lookup("paris"), Some(1));
        assert_eq!(exact.lookup("PARIS"), None);
        assert_eq!(exact.canonical, vec![0, 1, 2]);
    }

    #[test]
    fn unicode_upper_casing_is_full() {
        assert_eq!(fold("straße"), "STRASSE");
        assert_eq!(fold("élan"), "ÉLAN");
    }

    #[test]
    fn splits_like_python() {
        let tokens: Vec<&str> = split_python_whitespace(" a\tb\u{a0}c\u{1f}d\r\n").collect();
        assert_eq!(tokens, ["a", "b", "c", "d"]);
        assert_eq!(split_python_whitespace("  \n").count(), 0);
    }
}
