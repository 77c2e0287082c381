//! Embeddings: a vocabulary and one row of `dim` floats per word.
//!
//! Beside the rows, an [`Embeddings`] keeps derived tables that are computed on first use and
//! then shared by every query: the row norms, the L2-normalised copy of the matrix and the
//! mean rows used for out-of-vocabulary words. Lookups are in [`lookup`], similarity queries
//! (nearest neighbours, analogies) in [`similar`], gensim's other comparisons (distances,
//! ranks, means, the odd one out) in [`compare`], word classes (k-means) in [`classes`].

pub mod classes;
pub mod compare;
pub mod lookup;
pub(crate) mod search;
pub mod similar;

use std::fmt;
use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::vocab::Vocab;

pub use classes::{ClassOptions, ClassPass, WordClasses};
pub use lookup::{Batch, CpuGather, Gather, LookupOptions, Oov};
pub use similar::{AnalogyMethod, Neighbour, Query};

/// Word vectors: row `i` belongs to word `i` of the vocabulary (most frequent first).
#[derive(Clone)]
pub struct Embeddings {
    vocab: Vocab,
    dim: usize,
    data: Vec<f32>,
    derived: Derived,
}

/// Tables computed from the rows on first use. They depend on the rows only, so two
/// embeddings with equal rows are equal whatever has been computed.
#[derive(Clone, Default)]
struct Derived {
    /// Euclidean norm of each row (summed in f64).
    norms: OnceLock<Vec<f32>>,
    /// Each row divided by its norm (zero rows stay zero).
    unit: OnceLock<Vec<f32>>,
    /// Mean of the rows.
    mean: OnceLock<Vec<f32>>,
    /// Mean of the unit rows.
    unit_mean: OnceLock<Vec<f32>>,
}

impl PartialEq for Embeddings {
    fn eq(&self, other: &Embeddings) -> bool {
        self.vocab == other.vocab && self.dim == other.dim && self.data == other.data
    }
}

impl fmt::Debug for Embeddings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Embeddings")
            .field("words", &self.vocab.len())
            .field("dim", &self.dim)
            .finish_non_exhaustive()
    }
}

impl Embeddings {
    /// Builds embeddings from a vocabulary and a row-major `[vocab.len(), dim]` matrix.
    pub fn new(vocab: Vocab, dim: usize, data: Vec<f32>) -> Result<Embeddings> {
        if dim == 0 {
            return Err(Error::Mismatch(
                "embeddings need a dimension of at least 1".into(),
            ));
        }
        if data.len() != vocab.len() * dim {
            return Err(Error::Mismatch(format!(
                "{} values do not make {} rows of {dim}",
                data.len(),
                vocab.len()
            )));
        }
        Ok(Embeddings {
            vocab,
            dim,
            data,
            derived: Derived::default(),
        })
    }

    /// The vocabulary.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// Vector dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.vocab.len()
    }

    /// True when there is no word.
    pub fn is_empty(&self) -> bool {
        self.vocab.is_empty()
    }

    /// Row `id`. Panics if `id >= len()`, like slice indexing.
    pub fn row(&self, id: u32) -> &[f32] {
        let start = id as usize * self.dim;
        &self.data[start..start + self.dim]
    }

    /// The vector of `word`, if it is in the vocabulary.
    pub fn get(&self, word: &str) -> Option<&[f32]> {
        self.vocab.id(word).map(|id| self.row(id))
    }

    /// The whole matrix, row-major.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }

    /// Splits into vocabulary, dimension and matrix.
    pub fn into_parts(self) -> (Vocab, usize, Vec<f32>) {
        (self.vocab, self.dim, self.data)
    }

    /// The Euclidean norm of every row, by id; computed once, on first use.
    pub fn norms(&self) -> &[f32] {
        self.derived
            .norms
            .get_or_init(|| search::row_norms(&self.data, self.dim))
    }

    /// The L2-normalised matrix, row-major: each row divided by its norm, zero rows left
    /// zero. Computed once, on first use (it doubles the memory held).
    pub fn normalized(&self) -> &[f32] {
        self.derived.unit.get_or_init(|| {
            let mut unit = self.data.clone();
            for (row, &norm) in unit.chunks_exact_mut(self.dim).zip(self.norms()) {
                if norm > 0.0 {
                    row.iter_mut().for_each(|x| *x /= norm);
                }
            }
            unit
        })
    }

    /// Row `id` of [`normalized`](Embeddings::normalized). Panics if `id >= len()`.
    pub fn unit_row(&self, id: u32) -> &[f32] {
        let start = id as usize * self.dim;
        &self.normalized()[start..start + self.dim]
    }

    /// The mean of all rows (of the normalised rows if `normalized`); zeros when there is no
    /// word. Computed once, on first use.
    pub fn mean(&self, normalized: bool) -> &[f32] {
        if normalized {
            self.derived
                .unit_mean
                .get_or_init(|| mean_row(self.normalized(), self.dim))
        } else {
            self.derived
                .mean
                .get_or_init(|| mean_row(&self.data, self.dim))
        }
    }

    /// The id of `word`, or [`Error::UnknownWord`].
    pub fn id(&self, word: &str) -> Result<u32> {
        self.vocab
            .id(word)
            .ok_or_else(|| Error::UnknownWord(word.to_owned()))
    }

    /// The `k` words most similar to `word` by cosine similarity, best first, `word`
    /// itself excluded. Kept for existing callers: it is
    /// [`most_similar`](Embeddings::most_similar) with owned words.
    pub fn nearest(&self, word: &str, k: usize) -> Result<Vec<(String, f32)>> {
        Ok(self
            .most_similar(Query::Word(word), k, &[])?
            .into_iter()
            .map(|n| (n.word.to_owned(), n.score))
            .collect())
    }
}

/// The mean of the rows of a row-major matrix, summed in f64.
fn mean_row(data: &[f32], dim: usize) -> Vec<f32> {
    let rows = data.len() / dim;
    let mut sum = vec![0.0f64; dim];
    for row in data.chunks_exact(dim) {
        for (s, &x) in sum.iter_mut().zip(row) {
            *s += f64::from(x);
        }
    }
    sum.iter()
        .map(|&s| {
            if rows == 0 {
                0.0
            } else {
                (s / rows as f64) as f32
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn tiny() -> Embeddings {
        let words = ["a", "b", "c", "d"].map(String::from).to_vec();
        let data = vec![3.0, 4.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0];
        Embeddings::new(Vocab::from_ordered(words, vec![4, 3, 2, 1]), 2, data).unwrap()
    }

    #[test]
    fn derived_tables() {
        let emb = tiny();
        assert_eq!(emb.norms(), [5.0, 1.0, 0.0, 2f32.sqrt()]);
        assert_eq!(&emb.normalized()[..6], [0.6, 0.8, 0.0, 1.0, 0.0, 0.0]);
        assert_eq!(emb.mean(false), [1.0, 1.5]);
        let copy = emb.clone();
        assert_eq!(copy, tiny());
    }
}
