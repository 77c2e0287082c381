//! Random choices of training: negatives from unigram^0.75 (alias table), frequent-word
//! subsampling. Both are table lookups driven by [`crate::rng`] draws, so the GPU kernels
//! make the same choices from the same tables.

use crate::rng::{self, Stream};

/// Walker's alias table over the vocabulary for `count^exponent`: O(1) per draw.
///
/// A draw picks a column uniformly, then keeps it with probability `threshold[column]` or
/// takes `alias[column]`. Both arrays go to the GPU as they are.
#[derive(Clone, Debug, PartialEq)]
pub struct NegativeSampler {
    threshold: Vec<f32>,
    alias: Vec<u32>,
}

impl NegativeSampler {
    /// Builds the table for `counts[i]^exponent` (Vose's method).
    pub fn new(counts: &[u64], exponent: f64) -> NegativeSampler {
        let n = counts.len();
        let weights: Vec<f64> = counts.iter().map(|&c| (c as f64).powf(exponent)).collect();
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = if total > 0.0 && total.is_finite() {
            weights.iter().map(|w| w * n as f64 / total).collect()
        } else {
            vec![1.0; n]
        };
        let mut threshold = vec![1.0f32; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            threshold[s] = scaled[s] as f32;
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // What is left is 1 up to rounding: those columns keep themselves (threshold 1).
        NegativeSampler { threshold, alias }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.threshold.len()
    }

    /// True for an empty vocabulary.
    pub fn is_empty(&self) -> bool {
        self.threshold.is_empty()
    }

    /// The keep-threshold per column (GPU buffer contents).
    pub fn thresholds(&self) -> &[f32] {
        &self.threshold
    }

    /// The alias per column (GPU buffer contents).
    pub fn aliases(&self) -> &[u32] {
        &self.alias
    }

    /// Negative number `slot` for the centre at `position`, in the epoch of `key`.
    #[inline]
    pub fn draw(&self, key: u32, position: u32, slot: u32) -> u32 {
        let column = rng::draw(key, Stream::Negative, position, 2 * slot) % self.len() as u32;
        let coin = rng::unit_f32(rng::draw(key, Stream::Negative, position, 2 * slot + 1));
        if coin < self.threshold[column as usize] {
            column
        } else {
            self.alias[column as usize]
        }
    }
}

/// Probability of keeping each word under word2vec's subsampling of frequent words:
/// `(sqrt(f / t) + 1) * t / f` with `f` the word's count and `t = sample * total`
/// (word2vec.c and gensim's formula; values over 1 mean always kept; `sample = 0` keeps all).
pub fn keep_probabilities(counts: &[u64], sample: f64) -> Vec<f32> {
    let total: u64 = counts.iter().sum();
    let threshold = sample * total as f64;
    counts
        .iter()
        .map(|&count| {
            if sample == 0.0 || count == 0 {
                1.0
            } else {
                let ratio = count as f64 / threshold;
                (((ratio.sqrt() + 1.0) / ratio).min(1.0)) as f32
            }
        })
        .collect()
}

/// Whether the token of `word` at `position` survives subsampling in the epoch of `key`.
#[inline]
pub fn keep(keep_probability: &[f32], key: u32, word: u32, position: u32) -> bool {
    rng::unit_f32(rng::draw(key, Stream::Subsample, position, 0)) < keep_probability[word as usize]
}
