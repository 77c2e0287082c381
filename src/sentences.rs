//! Sentence and document vectors from word vectors.
//!
//! Sentences come tokenised: any slice of items that are slices of words. Two outputs:
//!
//! * [`sequences`]: the per-token vectors, padded to `[batch, max_len, dim]`, with a
//!   `[batch, max_len]` mask that is true where a position holds a token;
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
//! Unknown words follow an [`Oov`] policy: by default they are skipped; with
//! [`Oov::Zeros`] or [`Oov::Mean`] they count as tokens (with `p = 0`, weight 1, under
//! SIF). A sentence left without a token pools to zeros.
//!
//! [`documents`] appends to each sentence's vector the vector of its document (the same
//! pooling over all the document's tokens), and [`concat()`] appends caller-supplied features.

use crate::embeddings::{Embeddings, Oov};
use crate::error::{Error, Result};

/// SIF's usual smoothing parameter `a`.
pub const DEFAULT_SIF_A: f64 = 1e-3;
/// Squarings of `XᵀX` before the power iteration: the component is then that of
/// `(XᵀX)^1024`, where any eigenvalue gap has become huge.
const SQUARINGS: usize = 10;
/// Most power iterations that polish the component.
const POWER_ITERATIONS: usize = 1000;

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

/// Where the word probabilities `p(w)` of SIF come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Frequencies {
    /// The vocabulary's counts: `p(w) = count(w) / total`. Right for embeddings trained
    /// here; vector files hold no counts (their reader makes up decreasing ones).
    Counts,
    /// Zipf's law on the row order (most frequent first), for files without counts:
    /// `p(word of rank r) = 1 / (r · H_N)`, ranks from 1, `H_N = Σ_{r=1..N} 1/r`.
    #[default]
    Zipf,
}

/// The principal component that SIF removes.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Component {
    /// Computed over the sentences being pooled.
    #[default]
    Batch,
    /// A unit vector given by the caller, e.g. from [`sif_component`] over a reference set.
    Given(Vec<f32>),
    /// None removed: the weighted mean only.
    None,
}

/// SIF's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct SifConfig {
    /// The smoothing `a` of the weights `a / (a + p(w))`.
    pub a: f64,
    /// Where `p(w)` comes from.
    pub frequencies: Frequencies,
    /// The component removed.
    pub component: Component,
}

impl Default for SifConfig {
    fn default() -> SifConfig {
        SifConfig {
            a: DEFAULT_SIF_A,
            frequencies: Frequencies::default(),
            component: Component::default(),
        }
    }
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
    /// Tokens of the longest sentence (after skipped words).
    pub max_len: usize,
    /// Values per token.
    pub dim: usize,
    /// Row-major `[batch, max_len, dim]`; padding positions are zeros.
    pub data: Vec<f32>,
    /// Row-major `[batch, max_len]`: true where a position holds a token.
    pub mask: Vec<bool>,
}

/// The vectors of a sentence's tokens under `oov`, with each token's id (`None` if unknown).
fn tokens<'e, S: AsRef<str>>(
    emb: &'e Embeddings,
    sentence: &[S],
    oov: Oov,
) -> Result<Vec<(Option<u32>, &'e [f32])>> {
    let mut out = Vec::with_capacity(sentence.len());
    for word in sentence {
        let word = word.as_ref();
        match (emb.vocab().id(word), oov) {
            (Some(id), _) => out.push((Some(id), emb.row(id))),
            (None, Oov::Error) => return Err(Error::UnknownWord(word.to_owned())),
            (None, Oov::Skip) => {}
            (None, Oov::Mean) => out.push((None, emb.mean(false))),
            // An empty slice stands for a row of zeros.
            (None, Oov::Zeros) => out.push((None, &[])),
        }
    }
    Ok(out)
}

/// The per-token vectors of `sentences`, padded, with their mask.
pub fn sequences<T, S>(emb: &Embeddings, sentences: &[T], oov: Oov) -> Result<Sequences>
where
    T: AsRef<[S]>,
    S: AsRef<str>,
{
    let dim = emb.dim();
    let per_sentence: Vec<_> = sentences
        .iter()
        .map(|s| tokens(emb, s.as_ref(), oov))
        .collect::<Result<_>>()?;
    let max_len = per_sentence.iter().map(Vec::len).max().unwrap_or(0);
    let batch = sentences.len();
    let mut data = vec![0.0; batch * max_len * dim];
    let mut mask = vec![false; batch * max_len];
    for (b, toks) in per_sentence.iter().enumerate() {
        for (t, (_, vector)) in toks.iter().enumerate() {
            mask[b * max_len + t] = true;
            // An empty slice stands for a zero row, which `data` already holds.
            if !vector.is_empty() {
                let at = (b * max_len + t) * dim;
                data[at..at + dim].copy_from_slice(vector);
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

/// The SIF weight of every row, `a / (a + p(w))`.
pub fn sif_weights(emb: &Embeddings, a: f64, frequencies: Frequencies) -> Vec<f64> {
    let n = emb.len();
    match frequencies {
        Frequencies::Counts => {
            let total = emb.vocab().total().max(1) as f64;
            emb.vocab()
                .counts()
                .iter()
                .map(|&c| a / (a + c as f64 / total))
                .collect()
        }
        Frequencies::Zipf => {
            let harmonic: f64 = (1..=n).map(|r| 1.0 / r as f64).sum();
            (1..=n)
                .map(|r| a / (a + 1.0 / (r as f64 * harmonic)))
                .collect()
        }
    }
}

/// Pools one sentence's token vectors (summing in f64).
fn pool_one(
    toks: &[(Option<u32>, &[f32])],
    dim: usize,
    pooling: &Pooling,
    weights: &[f64],
    out: &mut [f32],
) {
    if toks.is_empty() {
        out.fill(0.0);
        return;
    }
    let value = |v: &[f32], k: usize| v.get(k).copied().unwrap_or(0.0);
    if let Pooling::Max = pooling {
        for (k, o) in out.iter_mut().enumerate() {
            *o = toks
                .iter()
                .map(|(_, v)| value(v, k))
                .fold(f32::NEG_INFINITY, f32::max);
        }
        return;
    }
    let mut sum = vec![0.0f64; dim];
    for (id, v) in toks {
        let w = match (pooling, id) {
            (Pooling::Sif(_), Some(id)) => weights[*id as usize],
            _ => 1.0,
        };
        for (k, s) in sum.iter_mut().enumerate() {
            *s += w * f64::from(value(v, k));
        }
    }
    let n = toks.len() as f64;
    for (o, s) in out.iter_mut().zip(sum) {
        *o = (s / n) as f32;
    }
}

/// Pools each sentence without removing any component.
fn pool_raw<T, S>(emb: &Embeddings, sentences: &[T], pooling: &Pooling, oov: Oov) -> Result<Pooled>
where
    T: AsRef<[S]>,
    S: AsRef<str>,
{
    let dim = emb.dim();
    let weights = match pooling {
        Pooling::Sif(config) => sif_weights(emb, config.a, config.frequencies),
        _ => Vec::new(),
    };
    let mut data = vec![0.0; sentences.len() * dim];
    for (sentence, out) in sentences.iter().zip(data.chunks_exact_mut(dim)) {
        let toks = tokens(emb, sentence.as_ref(), oov)?;
        pool_one(&toks, dim, pooling, &weights, out);
    }
    Ok(Pooled {
        rows: sentences.len(),
        dim,
        data,
    })
}

/// One vector per sentence, `[sentences.len(), dim]`; see the [module docs](self).
pub fn pool<T, S>(emb: &Embeddings, sentences: &[T], pooling: &Pooling, oov: Oov) -> Result<Pooled>
where
    T: AsRef<[S]>,
    S: AsRef<str>,
{
    let mut pooled = pool_raw(emb, sentences, pooling, oov)?;
    if let Pooling::Sif(config) = pooling {
        if let Some(u) = resolve_component(&config.component, &pooled)? {
            remove_component(&mut pooled.data, &u);
        }
    }
    Ok(pooled)
}

/// The component to remove, if any: computed over `batch` or the caller's, checked.
fn resolve_component(component: &Component, batch: &Pooled) -> Result<Option<Vec<f32>>> {
    match component {
        Component::None => Ok(None),
        Component::Batch => Ok(Some(first_component(&batch.data, batch.dim))),
        Component::Given(u) if u.len() == batch.dim => Ok(Some(u.clone())),
        Component::Given(u) => Err(Error::Mismatch(format!(
            "the given component has {} values, the vectors {}",
            u.len(),
            batch.dim
        ))),
    }
}

/// The first principal component (uncentred) of SIF's weighted means of `reference`, to pass
/// as [`Component::Given`] when pooling other sentences.
pub fn sif_component<T, S>(
    emb: &Embeddings,
    reference: &[T],
    config: &SifConfig,
    oov: Oov,
) -> Result<Vec<f32>>
where
    T: AsRef<[S]>,
    S: AsRef<str>,
{
    let pooled = pool_raw(emb, reference, &Pooling::Sif(config.clone()), oov)?;
    Ok(first_component(&pooled.data, pooled.dim))
}

/// The unit eigenvector of the largest eigenvalue of `XᵀX`, `X` the row-major `[n, dim]`
/// matrix `rows`: the first right singular vector of `X`. Zeros if `X` is zero. The sign is
/// arbitrary (it does not matter to the projection).
///
/// `XᵀX` is squared ten times (rescaled each time), so that the dominant
/// eigenvector stands out whatever the eigenvalue gap; a column of that power starts the
/// power iteration on `XᵀX`, which stops when the vector no longer moves. All in f64.
pub fn first_component(rows: &[f32], dim: usize) -> Vec<f32> {
    let mut c = vec![0.0f64; dim * dim];
    for row in rows.chunks_exact(dim) {
        for i in 0..dim {
            let x = f64::from(row[i]);
            for j in 0..dim {
                c[i * dim + j] += x * f64::from(row[j]);
            }
        }
    }
    let mut power = c.clone();
    for _ in 0..SQUARINGS {
        let mut next = vec![0.0f64; dim * dim];
        for i in 0..dim {
            for k in 0..dim {
                let a = power[i * dim + k];
                if a != 0.0 {
                    for j in 0..dim {
                        next[i * dim + j] += a * power[k * dim + j];
                    }
                }
            }
        }
        let scale = next.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        if scale == 0.0 || !scale.is_finite() {
            break;
        }
        next.iter_mut().for_each(|x| *x /= scale);
        power = next;
    }
    // The column of largest norm of the power: the best start.
    let column_norm = |j: usize| (0..dim).map(|i| power[i * dim + j].powi(2)).sum::<f64>();
    let best = (0..dim).max_by(|&a, &b| column_norm(a).total_cmp(&column_norm(b)));
    let Some(best) = best else {
        return Vec::new();
    };
    let mut v: Vec<f64> = (0..dim).map(|i| power[i * dim + best]).collect();
    if !normalize(&mut v) {
        return vec![0.0; dim];
    }
    for _ in 0..POWER_ITERATIONS {
        let mut w: Vec<f64> = (0..dim)
            .map(|i| (0..dim).map(|j| c[i * dim + j] * v[j]).sum())
            .collect();
        if !normalize(&mut w) {
            break;
        }
        let moved = w
            .iter()
            .zip(&v)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        v = w;
        if moved < 1e-15 {
            break;
        }
    }
    v.iter().map(|&x| x as f32).collect()
}

/// Scales `v` to unit length; false if it is zero.
fn normalize(v: &mut [f64]) -> bool {
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm > 0.0 && norm.is_finite() {
        v.iter_mut().for_each(|x| *x /= norm);
        true
    } else {
        false
    }
}

/// Removes from each row of `rows` its projection on the unit vector `u`:
/// `r ← r − (u · r) u`, in f64.
pub fn remove_component(rows: &mut [f32], u: &[f32]) {
    if u.is_empty() {
        return;
    }
    for row in rows.chunks_exact_mut(u.len()) {
        let dot: f64 = row
            .iter()
            .zip(u)
            .map(|(&r, &u)| f64::from(r) * f64::from(u))
            .sum();
        for (r, &u) in row.iter_mut().zip(u) {
            *r = (f64::from(*r) - dot * f64::from(u)) as f32;
        }
    }
}

/// For documents (each a list of sentences), one row per sentence, in order:
/// `[sentence vector ; document vector]`, `2 * dim` values. The document vector pools all
/// the document's tokens with the same `pooling`; under SIF the component (of the sentence
/// batch, or the given one) is removed from both halves.
pub fn documents<D, T, S>(
    emb: &Embeddings,
    documents: &[D],
    pooling: &Pooling,
    oov: Oov,
) -> Result<Pooled>
where
    D: AsRef<[T]>,
    T: AsRef<[S]>,
    S: AsRef<str>,
{
    let sentences: Vec<&[S]> = documents
        .iter()
        .flat_map(|d| d.as_ref().iter().map(AsRef::as_ref))
        .collect();
    let joined: Vec<Vec<&S>> = documents
        .iter()
        .map(|d| d.as_ref().iter().flat_map(|s| s.as_ref().iter()).collect())
        .collect();
    let mut pooled = pool_raw(emb, &sentences, pooling, oov)?;
    let mut docs = pool_raw(emb, &joined, pooling, oov)?;
    if let Pooling::Sif(config) = pooling {
        if let Some(u) = resolve_component(&config.component, &pooled)? {
            remove_component(&mut pooled.data, &u);
            remove_component(&mut docs.data, &u);
        }
    }
    let mut per_sentence_doc = Vec::with_capacity(pooled.data.len());
    for (d, document) in documents.iter().enumerate() {
        for _ in document.as_ref() {
            per_sentence_doc.extend_from_slice(docs.row(d));
        }
    }
    concat(&pooled, &per_sentence_doc, emb.dim())
}

/// `[row ; features row]` for each row: `features` is row-major `[pooled.rows, feature_dim]`.
pub fn concat(pooled: &Pooled, features: &[f32], feature_dim: usize) -> Result<Pooled> {
    if features.len() != pooled.rows * feature_dim {
        return Err(Error::Mismatch(format!(
            "{} feature values do not make {} rows of {feature_dim}",
            features.len(),
            pooled.rows
        )));
    }
    let dim = pooled.dim + feature_dim;
    let mut data = Vec::with_capacity(pooled.rows * dim);
    for i in 0..pooled.rows {
        data.extend_from_slice(pooled.row(i));
        data.extend_from_slice(&features[i * feature_dim..(i + 1) * feature_dim]);
    }
    Ok(Pooled {
        rows: pooled.rows,
        dim,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocab;

    /// the = (1, 0), cat = (0, 2), sat = (4, 4); counts 6, 3, 1.
    fn emb() -> Embeddings {
        let words = ["the", "cat", "sat"].map(String::from).to_vec();
        let data = vec![1.0, 0.0, 0.0, 2.0, 4.0, 4.0];
        Embeddings::new(Vocab::from_ordered(words, vec![6, 3, 1]), 2, data).unwrap()
    }

    fn close(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6)
    }

    #[test]
    fn sequences_are_padded_with_a_mask() {
        let batch = [vec!["the", "cat"], vec!["sat", "dog", "the", "cat"], vec![]];
        let seq = sequences(&emb(), &batch, Oov::Skip).unwrap();
        assert_eq!((seq.batch, seq.max_len, seq.dim), (3, 3, 2));
        #[rustfmt::skip]
        let expected = [
            1.0, 0.0, 0.0, 2.0, 0.0, 0.0,
            4.0, 4.0, 1.0, 0.0, 0.0, 2.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        ];
        assert_eq!(seq.data, expected);
        assert_eq!(
            seq.mask,
            [true, true, false, true, true, true, false, false, false]
        );
        let zeros = sequences(&emb(), &batch, Oov::Zeros).unwrap();
        assert_eq!(zeros.max_len, 4);
        assert!(sequences(&emb(), &batch, Oov::Error).is_err());
    }

    #[test]
    fn mean_and_max() {
        let batch = [vec!["the", "cat", "sat"], vec!["dog"]];
        let mean = pool(&emb(), &batch, &Pooling::Mean, Oov::Skip).unwrap();
        assert!(close(&mean.data, &[5.0 / 3.0, 2.0, 0.0, 0.0]));
        let max = pool(&emb(), &batch, &Pooling::Max, Oov::Skip).unwrap();
        assert_eq!(max.data, [4.0, 4.0, 0.0, 0.0]);
        let with_zero = pool(&emb(), &[vec!["cat", "dog"]], &Pooling::Mean, Oov::Zeros).unwrap();
        assert_eq!(with_zero.data, [0.0, 1.0]);
    }

    #[test]
    fn sif_weights_by_hand() {
        // Counts: p = 0.6, 0.3, 0.1; a = 0.1 gives weights 1/7, 1/4, 1/2.
        let w = sif_weights(&emb(), 0.1, Frequencies::Counts);
        assert!((w[0] - 1.0 / 7.0).abs() < 1e-12 && (w[1] - 0.25).abs() < 1e-12);
        assert!((w[2] - 0.5).abs() < 1e-12);
        // Zipf over 3 words: H = 11/6, p(rank 2) = 6/22 = 3/11.
        let z = sif_weights(&emb(), 0.1, Frequencies::Zipf);
        assert!((z[1] - 0.1 / (0.1 + 3.0 / 11.0)).abs() < 1e-12);
        let config = SifConfig {
            a: 0.1,
            frequencies: Frequencies::Counts,
            component: Component::None,
        };
        let sif = pool(
            &emb(),
            &[vec!["the", "sat"]],
            &Pooling::Sif(config),
            Oov::Skip,
        )
        .unwrap();
        // (1/7 (1, 0) + 1/2 (4, 4)) / 2
        assert!(close(&sif.data, &[(1.0 / 7.0 + 2.0) / 2.0, 1.0]));
    }

    #[test]
    fn component_removal() {
        // Rows along (1, 1) and one across: the component is ±(1, 1)/√2.
        let rows = [3.0, 3.0, 0.1, -0.1, -2.0, -2.0];
        let u = first_component(&rows, 2);
        let s = std::f32::consts::FRAC_1_SQRT_2;
        assert!(close(&u, &[s, s]) || close(&u, &[-s, -s]), "{u:?}");
        let mut r = vec![1.0, 0.0];
        remove_component(&mut r, &[s, s]);
        assert!(close(&r, &[0.5, -0.5]));
        assert_eq!(first_component(&[0.0; 4], 2), [0.0, 0.0]);
    }

    #[test]
    fn documents_append_their_vector() {
        let docs = [vec![vec!["the"], vec!["cat", "sat"]], vec![vec!["sat"]]];
        let out = documents(&emb(), &docs, &Pooling::Mean, Oov::Skip).unwrap();
        assert_eq!((out.rows, out.dim), (3, 4));
        let doc0 = [5.0 / 3.0, 2.0];
        assert!(close(out.row(0), &[1.0, 0.0, doc0[0], doc0[1]]));
        assert!(close(out.row(1), &[2.0, 3.0, doc0[0], doc0[1]]));
        assert!(close(out.row(2), &[4.0, 4.0, 4.0, 4.0]));
        let features = concat(&out, &[7.0, 8.0, 9.0], 1).unwrap();
        assert_eq!(features.row(2), [4.0, 4.0, 4.0, 4.0, 9.0]);
        assert!(concat(&out, &[1.0], 1).is_err());
    }
}
