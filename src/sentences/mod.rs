//! Sentence and document vectors from word vectors.
//!
//! Sentences come tokenised: any slice of items that are slices of words. Two outputs:
//!
//! * [`sequences`]: the per-token vectors, padded to `[batch, max_len, dim]`, with a
//!   `[batch, max_len]` mask that is true where a position holds a token's vector; position
//!   `t` is always token `t` of the sentence, known or not;
//! * [`pool`]: one `[batch, dim]` row per sentence, by [`Pooling`]:
//!   * **mean** of the token vectors;
//!   * **max**, element-wise;
//!   * **SIF** (Arora, Liang and Ma, "A Simple but Tough-to-Beat Baseline for Sentence
//!     Embeddings", 2017): the weighted mean
//!
//!     ```text
//!     v(s) = 1/|s| Σ_{w in s} a / (a + p(w)) · v(w)
//!     ```
//!
//!     then the projection on the first principal component `u` removed,
//!     `v(s) ← v(s) − (u · v(s)) u`. Like the authors' code, `u` is the first right singular
//!     vector of the uncentred matrix of sentence vectors (the top eigenvector of `XᵀX`),
//!     computed over the batch or a reference set ([`Component`]).
//!
//! Unknown words follow an [`Oov`] policy: by default ([`Oov::Skip`]) pooling leaves them out
//! and a sequence gives them a zero row with mask false; with [`Oov::Zeros`] or [`Oov::Mean`]
//! they count as tokens (with `p = 0`, weight 1, under SIF) and their mask is true. A sentence
//! left without a token pools to zeros. [`coverage`] counts the tokens that have a vector and
//! names the sentences that have none.
//!
//! [`documents`] appends to each sentence's vector the vector of its document (the same
//! pooling over all the document's tokens), and [`concat()`] appends caller-supplied features.

mod pool;
mod sif;

pub use pool::{concat, documents, pool, sif_component};
pub use sif::{
    Component, DEFAULT_SIF_A, Frequencies, SifConfig, first_component, remove_component,
    sif_weights,
};

use std::collections::HashSet;

use crate::embeddings::{Embeddings, Oov};
use crate::error::{Error, Result};

/// How the token vectors of a sentence are combined.
#[derive(Clone, Debug, PartialEq)]
pub enum Pooling {
    /// The mean.
    Mean,
    /// The element-wise maximum.
    Max,
    /// Smooth inverse frequency weighting, then common component removal.
    Sif(SifConfig),
}

/// A row-major `[rows, dim]` matrix of pooled vectors.
#[derive(Clone, Debug, PartialEq)]
pub struct Pooled {
    /// Number of rows.
    pub rows: usize,
    /// Values per row.
    pub dim: usize,
    /// Row-major values.
    pub data: Vec<f32>,
}

impl Pooled {
    /// Row `i`. Panics if `i >= rows`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }
}

/// Padded per-token vectors of a batch of sentences.
#[derive(Clone, Debug, PartialEq)]
pub struct Sequences {
    /// Number of sentences.
    pub batch: usize,
    /// Tokens of the longest sentence, unknown ones included.
    pub max_len: usize,
    /// Values per token.
    pub dim: usize,
    /// Row-major `[batch, max_len, dim]`; padding positions are zeros.
    pub data: Vec<f32>,
    /// Row-major `[batch, max_len]`: true where a position holds a token's vector (false for
    /// padding, and for an unknown token under [`Oov::Skip`]).
    pub mask: Vec<bool>,
}

/// How many tokens of a batch of sentences have a vector.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Tokens in all sentences.
    pub tokens: usize,
    /// Tokens that have a vector.
    pub found: usize,
    /// The distinct unknown words, in order of first appearance.
    pub unknown: Vec<String>,
    /// The sentences (indices in the batch) that hold tokens but no known one: they pool to
    /// zeros under [`Oov::Skip`], and to the OOV policy's vector otherwise.
    pub without_known_word: Vec<usize>,
}

impl Coverage {
    /// Fraction of the tokens that have a vector; `None` when there is no token.
    pub fn ratio(&self) -> Option<f64> {
        (self.tokens > 0).then(|| self.found as f64 / self.tokens as f64)
    }
}

/// Which tokens of `sentences` have a vector in `emb`; see [`Coverage`].
pub fn coverage<T, S>(emb: &Embeddings, sentences: &[T]) -> Coverage
where
    T: AsRef<[S]>,
    S: AsRef<str>,
{
    let mut coverage = Coverage::default();
    let mut seen = HashSet::new();
    for (i, sentence) in sentences.iter().enumerate() {
        let sentence = sentence.as_ref();
        let mut found = 0;
        for word in sentence.iter().map(AsRef::as_ref) {
            if emb.vocab().id(word).is_some() {
                found += 1;
            } else if seen.insert(word) {
                coverage.unknown.push(word.to_owned());
            }
        }
        coverage.tokens += sentence.len();
        coverage.found += found;
        if found == 0 && !sentence.is_empty() {
            coverage.without_known_word.push(i);
        }
    }
    coverage
}

/// The per-token vectors of `sentences`, padded, with their mask. Token `t` of a sentence is
/// at position `t` whatever `oov` says: under [`Oov::Skip`] an unknown token is a zero row
/// with mask false, under [`Oov::Zeros`] and [`Oov::Mean`] that policy's vector with mask
/// true, and [`Oov::Error`] fails on it.
pub fn sequences<T, S>(emb: &Embeddings, sentences: &[T], oov: Oov) -> Result<Sequences>
where
    T: AsRef<[S]>,
    S: AsRef<str>,
{
    let dim = emb.dim();
    let max_len = sentences
        .iter()
        .map(|s| s.as_ref().len())
        .max()
        .unwrap_or(0);
    let batch = sentences.len();
    let mut data = vec![0.0; batch * max_len * dim];
    let mut mask = vec![false; batch * max_len];
    for (b, sentence) in sentences.iter().enumerate() {
        for (t, word) in sentence.as_ref().iter().enumerate() {
            let word = word.as_ref();
            let vector = match (emb.vocab().id(word), oov) {
                (Some(id), _) => Some(emb.row(id)),
                (None, Oov::Error) => return Err(Error::UnknownWord(word.to_owned())),
                (None, Oov::Skip) => continue,
                (None, Oov::Mean) => Some(emb.mean(false)),
                // `data` already holds the zeros.
                (None, Oov::Zeros) => None,
            };
            mask[b * max_len + t] = true;
            if let Some(vector) = vector {
                data[(b * max_len + t) * dim..][..dim].copy_from_slice(vector);
            }
        }
    }
    Ok(Sequences {
        batch,
        max_len,
        dim,
        data,
        mask,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocab;

    /// the = (1, 0), cat = (0, 2), sat = (4, 4); counts 6, 3, 1.
    pub(super) fn emb() -> Embeddings {
        let words = ["the", "cat", "sat"].map(String::from).to_vec();
        let data = vec![1.0, 0.0, 0.0, 2.0, 4.0, 4.0];
        Embeddings::new(Vocab::from_ordered(words, vec![6, 3, 1]), 2, data).unwrap()
    }

    pub(super) fn close(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6)
    }

    #[test]
    fn sequences_keep_unknown_tokens_in_place() {
        let batch = [vec!["the", "cat"], vec!["sat", "dog", "the", "cat"], vec![]];
        let seq = sequences(&emb(), &batch, Oov::Skip).unwrap();
        assert_eq!((seq.batch, seq.max_len, seq.dim), (3, 4, 2));
        #[rustfmt::skip]
        let expected = [
            1.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0,
            4.0, 4.0, 0.0, 0.0, 1.0, 0.0, 0.0, 2.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        ];
        assert_eq!(seq.data, expected);
        #[rustfmt::skip]
        let mask = [
            true, true, false, false,
            true, false, true, true,
            false, false, false, false,
        ];
        assert_eq!(seq.mask, mask);
        let zeros = sequences(&emb(), &batch, Oov::Zeros).unwrap();
        assert_eq!((zeros.max_len, &zeros.data), (4, &seq.data));
        assert!(zeros.mask[5]);
        let mean = sequences(&emb(), &batch, Oov::Mean).unwrap();
        assert!(close(&mean.data[10..12], emb().mean(false)) && mean.mask[5]);
        assert!(sequences(&emb(), &batch, Oov::Error).is_err());
    }

    #[test]
    fn coverage_counts_tokens_and_sentences_without_known_words() {
        let batch = [
            vec!["the", "dog"],
            vec![],
            vec!["dog", "cow", "dog"],
            vec!["cat"],
        ];
        let c = coverage(&emb(), &batch);
        assert_eq!((c.tokens, c.found), (6, 2));
        assert_eq!(c.unknown, ["dog", "cow"]);
        assert_eq!(c.without_known_word, [2]);
        assert_eq!(c.ratio(), Some(2.0 / 6.0));
        assert_eq!(coverage::<[&str; 0], &str>(&emb(), &[]).ratio(), None);
    }
}
