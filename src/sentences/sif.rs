//! SIF: the smooth inverse frequency weights and the first principal component that is
//! removed from the pooled vectors.

use super::Pooled;
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};

/// SIF's usual smoothing parameter `a`.
pub const DEFAULT_SIF_A: f64 = 1e-3;
/// Squarings of `XᵀX` before the power iteration: the component is then that of
/// `(XᵀX)^1024`, where any eigenvalue gap has become huge.
const SQUARINGS: usize = 10;
/// Most power iterations that polish the component.
const POWER_ITERATIONS: usize = 1000;

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
    /// A unit vector given by the caller, e.g. from [`super::sif_component`] over a reference set.
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

/// The component to remove, if any: computed over `batch` or the caller's, checked.
pub(super) fn resolve_component(component: &Component, batch: &Pooled) -> Result<Option<Vec<f32>>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embeddings::Oov;
    use crate::sentences::tests::{close, emb};
    use crate::sentences::{Pooling, pool};

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
}
