//! Embeddings: a vocabulary and one row of `dim` floats per word.

use crate::error::{Error, Result};
use crate::vocab::Vocab;

/// Word vectors: row `i` belongs to word `i` of the vocabulary (most frequent first).
#[derive(Clone, Debug, PartialEq)]
pub struct Embeddings {
    vocab: Vocab,
    dim: usize,
    data: Vec<f32>,
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
        Ok(Embeddings { vocab, dim, data })
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
}

impl Embeddings {
    /// The `k` words most similar to `word` by cosine similarity, best first, `word`
    /// itself excluded. Brute force over the whole vocabulary.
    pub fn nearest(&self, word: &str, k: usize) -> Result<Vec<(String, f32)>> {
        let id = self
            .vocab
            .id(word)
            .ok_or_else(|| Error::UnknownWord(word.to_owned()))?;
        let query = self.row(id);
        let query_norm = norm(query);
        let mut scored: Vec<(u32, f32)> = (0..self.len() as u32)
            .filter(|&other| other != id)
            .map(|other| {
                let row = self.row(other);
                let dot: f32 = row.iter().zip(query).map(|(a, b)| a * b).sum();
                (other, dot / (norm(row) * query_norm).max(f32::MIN_POSITIVE))
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(k);
        Ok(scored
            .into_iter()
            .map(|(i, s)| (self.vocab.word(i).to_owned(), s))
            .collect())
    }
}

fn norm(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}
