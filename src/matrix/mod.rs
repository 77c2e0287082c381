//! The embedding matrix of a caller's vocabulary, e.g. to initialise an embedding layer.
//!
//! A [`WordIndex`] maps a model's word indices to words (a tokenizer's `word2idx`); row `i`
//! of the [`EmbeddingMatrix`] is the vector of word `i`. Words without a vector get a row
//! chosen by [`OovInit`]; indices no word maps to (such as Keras' index 0, kept for padding)
//! get zeros. [`Coverage`] says how many words were found and lists the missing ones in index
//! order, which for a tokenizer's vocabulary is frequency order.
//!
//! The matrix is dense, so its size follows from the largest index: [`build`] refuses one
//! larger than the free memory ([`memory::available_bytes`]) before allocating it.

mod index;

pub use index::{MAX_INDEX, WordIndex};

use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::memory;

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

/// Builds the matrix of `index` from `emb`, unknown words initialised by `init`. Refuses
/// (before allocating) a matrix larger than the free memory, naming the largest index.
pub fn build(emb: &Embeddings, index: &WordIndex, init: OovInit) -> Result<EmbeddingMatrix> {
    let dim = emb.dim();
    let mut data = allocate(index, dim)?;
    let mut coverage = Coverage {
        padding: index.len() - index.words(),
        ..Coverage::default()
    };
    let mut normal = match init {
        OovInit::Random { seed } => Some(Normal::fitted(emb.as_slice(), seed)),
        _ => None,
    };
    for (i, word) in index.entries() {
        let row = &mut data[i * dim..][..dim];
        if let Some(vector) = emb.get(word) {
            row.copy_from_slice(vector);
            coverage.found += 1;
            continue;
        }
        coverage.missing.push(word.to_owned());
        match (&mut normal, init) {
            (Some(normal), _) => row.iter_mut().for_each(|x| *x = normal.next()),
            (None, OovInit::Mean) => row.copy_from_slice(emb.mean(false)),
            (None, _) => {}
        }
    }
    Ok(EmbeddingMatrix {
        rows: index.len(),
        dim,
        data,
        coverage,
    })
}

/// The zeroed `[index.len(), dim]` values, or an error naming the size, the largest index
/// and the memory free when they do not fit (or the allocator refuses them, where the free
/// memory is unknown).
fn allocate(index: &WordIndex, dim: usize) -> Result<Vec<f32>> {
    let values = index.len().checked_mul(dim);
    let bytes = values.map_or(u64::MAX, |v| (v as u64).saturating_mul(4));
    let available = memory::available_bytes();
    let too_large = || {
        let (last, word) = index.entries().last().unwrap_or((0, ""));
        let room = match available {
            Some(available) => format!(
                "only {} of memory is available",
                crate::units::human_bytes(available)
            ),
            None => "the allocator refused it".to_string(),
        };
        Error::OutOfMemory(format!(
            "the largest index, {last} ({word:?}), makes a matrix of {} rows of {dim} values \
             ({}), but {room}",
            index.len(),
            crate::units::human_bytes(bytes),
        ))
    };
    let values = values
        .filter(|_| available.is_none_or(|a| bytes <= a))
        .ok_or_else(too_large)?;
    let mut data = Vec::new();
    data.try_reserve_exact(values).map_err(|_| too_large())?;
    data.resize(values, 0.0);
    Ok(data)
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
    use std::path::Path;

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
        let m = build(&emb(), &index, OovInit::Zeros).unwrap();
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
        let mean = build(&emb(), &index, OovInit::Mean).unwrap();
        assert_eq!(&mean.data[4..6], [3.0, 4.0]);
    }

    #[test]
    fn random_rows_are_seeded() {
        let index = WordIndex::from_words(["a", "b", "cat"].map(String::from));
        let a = build(&emb(), &index, OovInit::Random { seed: 5 }).unwrap();
        let b = build(&emb(), &index, OovInit::Random { seed: 5 }).unwrap();
        let c = build(&emb(), &index, OovInit::Random { seed: 6 }).unwrap();
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
