//! The embedding matrix of a caller's vocabulary, e.g. to initialise an embedding layer.
//!
//! A [`WordIndex`] maps a model's word indices to words (a tokenizer's `word2idx`); row `i`
//! of the [`EmbeddingMatrix`] is the vector of word `i`. Words without a vector get a row
//! chosen by [`OovInit`]; indices no word maps to (such as Keras' index 0, kept for padding)
//! get zeros. [`Coverage`] says how many words were found and lists the missing ones in index
//! order, which for a tokenizer's vocabulary is frequency order.

use std::collections::HashMap;
use std::path::Path;

use crate::embeddings::Embeddings;
use crate::error::{Error, Result};

/// A map from row index to word; indices without a word are padding rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WordIndex {
    slots: Vec<Option<String>>,
}

impl WordIndex {
    /// Word `i` at index `i`.
    pub fn from_words(words: impl IntoIterator<Item = String>) -> WordIndex {
        WordIndex {
            slots: words.into_iter().map(Some).collect(),
        }
    }

    /// From `(word, index)` pairs; the matrix gets `max index + 1` rows. Refuses two words
    /// with the same index (`path` names the source in the error).
    pub fn from_pairs(
        pairs: impl IntoIterator<Item = (String, usize)>,
        path: &Path,
    ) -> Result<WordIndex> {
        let mut slots: Vec<Option<String>> = Vec::new();
        for (word, index) in pairs {
            if index >= slots.len() {
                slots.resize(index + 1, None);
            }
            if let Some(other) = &slots[index] {
                let message = format!("words {other:?} and {word:?} both have index {index}");
                return Err(Error::format(path, None, message));
            }
            slots[index] = Some(word);
        }
        Ok(WordIndex { slots })
    }

    /// Reads `path`: a JSON object `{"word": index, ...}` if its first non-blank character is
    /// `{`, else a text file of one word per line, line `n` (from 0) being index `n`; an empty
    /// line is a padding index. Surrounding white space of a line is ignored.
    pub fn read(path: &Path) -> Result<WordIndex> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        if text.trim_start().starts_with('{') {
            Self::parse_json(&text, path)
        } else {
            let slots = text
                .lines()
                .map(|line| {
                    Some(line.trim())
                        .filter(|w| !w.is_empty())
                        .map(str::to_owned)
                })
                .collect();
            Ok(WordIndex { slots })
        }
    }

    fn parse_json(text: &str, path: &Path) -> Result<WordIndex> {
        let map: HashMap<String, serde_json::Value> = serde_json::from_str(text).map_err(|e| {
            Error::format(
                path,
                Some(e.line() as u64),
                format!("not a JSON object of word -> index: {e}"),
            )
        })?;
        let mut pairs = Vec::with_capacity(map.len());
        for (word, value) in map {
            let index = value
                .as_u64()
                .and_then(|i| usize::try_from(i).ok())
                .ok_or_else(|| {
                    Error::format(
                        path,
                        None,
                        format!("the index of {word:?} is {value}, not a non-negative integer"),
                    )
                })?;
            pairs.push((word, index));
        }
        Self::from_pairs(pairs, path)
    }

    /// Number of indices (rows of the matrix).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when there is no index.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The word at `index`, if any.
    pub fn word(&self, index: usize) -> Option<&str> {
        self.slots.get(index).and_then(|w| w.as_deref())
    }
}

/// The row given to a word that has no vector.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum OovInit {
    /// Zeros.
    #[default]
    Zeros,
    /// Normal draws with the mean and standard deviation of all values of the embeddings
    /// (the usual Keras recipe), from a generator seeded with `seed`: the same seed gives the
    /// same matrix.
    Random {
        /// The generator's seed.
        seed: u64,
    },
    /// The mean of all vectors.
    Mean,
}

/// How much of a word index has vectors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Words that have a vector.
    pub found: usize,
    /// The words without a vector, in index order.
    pub missing: Vec<String>,
    /// Indices no word maps to (zero rows).
    pub padding: usize,
}

impl Coverage {
    /// Fraction of the words that have a vector; 1 for an index without words.
    pub fn ratio(&self) -> f64 {
        let words = self.found + self.missing.len();
        if words == 0 {
            1.0
        } else {
            self.found as f64 / words as f64
        }
    }
}

/// A `[rows, dim]` row-major matrix for a [`WordIndex`].
#[derive(Clone, Debug, PartialEq)]
pub struct EmbeddingMatrix {
    /// Number of rows: the index's length.
    pub rows: usize,
    /// Values per row.
    pub dim: usize,
    /// Row-major values.
    pub data: Vec<f32>,
    /// What was found.
    pub coverage: Coverage,
}

/// Builds the matrix of `index` from `emb`, unknown words initialised by `init`.
pub fn build(emb: &Embeddings, index: &WordIndex, init: OovInit) -> EmbeddingMatrix {
    let dim = emb.dim();
    let mut data = vec![0.0f32; index.len() * dim];
    let mut coverage = Coverage::default();
    let mut normal = match init {
        OovInit::Random { seed } => Some(Normal::fitted(emb.as_slice(), seed)),
        _ => None,
    };
    for (slot, row) in index.slots.iter().zip(data.chunks_exact_mut(dim)) {
        let Some(word) = slot else {
            coverage.padding += 1;
            continue;
        };
        if let Some(vector) = emb.get(word) {
            row.copy_from_slice(vector);
            coverage.found += 1;
            continue;
        }
        coverage.missing.push(word.clone());
        match (&mut normal, init) {
            (Some(normal), _) => row.iter_mut().for_each(|x| *x = normal.next()),
            (None, OovInit::Mean) => row.copy_from_slice(emb.mean(false)),
            (None, _) => {}
        }
    }
    EmbeddingMatrix {
        rows: index.len(),
        dim,
        data,
        coverage,
    }
}

/// Normal draws `mean + std * z` by Box-Muller on a splitmix64 stream.
struct Normal {
    state: u64,
    mean: f64,
    std: f64,
    spare: Option<f64>,
}

impl Normal {
    /// Draws with the mean and standard deviation of `values`.
    fn fitted(values: &[f32], seed: u64) -> Normal {
        let n = values.len().max(1) as f64;
        let mean = values.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
        let var = values
            .iter()
            .map(|&x| (f64::from(x) - mean).powi(2))
            .sum::<f64>()
            / n;
        Normal {
            state: seed,
            mean,
            std: var.sqrt(),
            spare: None,
        }
    }

    /// A uniform draw in (0, 1].
    fn uniform(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    fn next(&mut self) -> f32 {
        let z = match self.spare.take() {
            Some(z) => z,
            None => {
                let (u, v) = (self.uniform(), self.uniform());
                let r = (-2.0 * u.ln()).sqrt();
                let t = std::f64::consts::TAU * v;
                self.spare = Some(r * t.sin());
                r * t.cos()
            }
        };
        (self.mean + self.std * z) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocab;

    fn emb() -> Embeddings {
        let words = ["the", "cat", "sat"].map(String::from).to_vec();
        Embeddings::new(
            Vocab::from_ordered(words, vec![3, 2, 1]),
            2,
            vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        )
        .unwrap()
    }

    #[test]
    fn rows_follow_the_index() {
        let index = WordIndex::from_pairs(
            [
                ("cat".to_string(), 1),
                ("dog".to_string(), 2),
                ("the".to_string(), 3),
            ],
            Path::new("x"),
        )
        .unwrap();
        let m = build(&emb(), &index, OovInit::Zeros);
        assert_eq!((m.rows, m.dim), (4, 2));
        assert_eq!(m.data, [0.0, 0.0, 3.0, 4.0, 0.0, 0.0, 1.0, 2.0]);
        assert_eq!(
            m.coverage,
            Coverage {
                found: 2,
                missing: vec!["dog".into()],
                padding: 1
            }
        );
        let mean = build(&emb(), &index, OovInit::Mean);
        assert_eq!(&mean.data[4..6], [3.0, 4.0]);
    }

    #[test]
    fn random_rows_are_seeded() {
        let index = WordIndex::from_words(["a", "b", "cat"].map(String::from));
        let a = build(&emb(), &index, OovInit::Random { seed: 5 });
        let b = build(&emb(), &index, OovInit::Random { seed: 5 });
        let c = build(&emb(), &index, OovInit::Random { seed: 6 });
        assert_eq!(a, b);
        assert_ne!(a.data, c.data);
        assert_eq!(&a.data[4..], [3.0, 4.0]);
        assert!(a.data[..4].iter().all(|x| x.is_finite() && *x != 0.0));
    }

    #[test]
    fn duplicate_index_is_refused() {
        let pairs = [("a".to_string(), 0), ("b".to_string(), 0)];
        assert!(WordIndex::from_pairs(pairs, Path::new("x")).is_err());
    }
}
