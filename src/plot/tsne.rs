//! Exact t-SNE (van der Maaten and Hinton, 2008) down to two dimensions, for the few hundred
//! points of a map: every pair is computed, `O(n²)` per iteration.
//!
//! Input affinities: for each point `i`, a Gaussian over squared distances
//! `p(j|i) ∝ exp(-β_i d²_ij)`, with `β_i` found by bisection so that the entropy of `p(·|i)`
//! is `ln(perplexity)`; then `P_ij = (p(j|i) + p(i|j)) / 2n`. Map affinities are Student-t:
//! `Q_ij = (1 + |y_i - y_j|²)⁻¹ / Z`. Gradient descent on `KL(P‖Q)`:
//!
//! ```text
//! ∂C/∂y_i = 4 Σ_j (P_ij − Q_ij) (1 + |y_i − y_j|²)⁻¹ (y_i − y_j)
//! ```
//!
//! with early exaggeration (`P × 12` for the first 250 iterations), momentum
//! 0.5 then 0.8, and per-coordinate gains, as in the original. The start is the PCA map scaled
//! to a standard deviation of 1e-4, plus a jitter drawn from the seed: the same points and
//! seed always give the same map.

use super::pca;
use crate::rng;

/// Iterations of gradient descent.
const ITERATIONS: usize = 1000;
/// Iterations with the input affinities exaggerated.
const EXAGGERATION_ITERATIONS: usize = 250;
/// The factor of early exaggeration.
const EXAGGERATION: f64 = 12.0;
/// Bisection steps when matching the perplexity.
const BISECTION_STEPS: usize = 64;
/// Smallest gain of a coordinate.
const MIN_GAIN: f64 = 0.01;

/// Settings of a t-SNE run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TsneOptions {
    /// The effective number of neighbours of each point (5 to 50 is usual); lowered to
    /// `(n - 1) / 3` for a small set of points.
    pub perplexity: f64,
    /// Seeds the jitter of the starting map.
    pub seed: u32,
}

impl Default for TsneOptions {
    fn default() -> TsneOptions {
        TsneOptions {
            perplexity: 30.0,
            seed: 1,
        }
    }
}

/// The t-SNE map of the `n = points.len() / dim` rows of `points` (row-major).
pub fn embed_2d(points: &[f32], dim: usize, options: TsneOptions) -> Vec<[f64; 2]> {
    let n = points.len().checked_div(dim).unwrap_or(0);
    if n < 3 {
        // No neighbourhoods to keep: PCA is the honest map.
        return pca::project_2d(points, dim);
    }
    let perplexity = options
        .perplexity
        .clamp(1.0, ((n - 1) as f64 / 3.0).max(1.0));
    let p = input_affinities(points, n, dim, perplexity);
    let mut y = start(points, dim, n, options.seed);
    let mut velocity = vec![[0.0; 2]; n];
    let mut gains = vec![[1.0; 2]; n];
    let learning_rate = (n as f64 / EXAGGERATION / 4.0).max(50.0);
    let mut gradient = vec![[0.0; 2]; n];
    for iteration in 0..ITERATIONS {
        let exaggeration = if iteration < EXAGGERATION_ITERATIONS {
            EXAGGERATION
        } else {
            1.0
        };
        let momentum = if iteration < EXAGGERATION_ITERATIONS {
            0.5
        } else {
            0.8
        };
        kl_gradient(&p, &y, exaggeration, &mut gradient);
        for i in 0..n {
            for k in 0..2 {
                let same_sign = (gradient[i][k] > 0.0) == (velocity[i][k] > 0.0);
                gains[i][k] = if same_sign {
                    (gains[i][k] * 0.8f64).max(MIN_GAIN)
                } else {
                    gains[i][k] + 0.2
                };
                velocity[i][k] =
                    momentum * velocity[i][k] - learning_rate * gains[i][k] * gradient[i][k];
                y[i][k] += velocity[i][k];
            }
        }
        recentre(&mut y);
    }
    y
}

/// The symmetric input affinities `P`, `n × n` row-major.
fn input_affinities(points: &[f32], n: usize, dim: usize, perplexity: f64) -> Vec<f64> {
    let mut distances = vec![0.0; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let a = &points[i * dim..(i + 1) * dim];
            let b = &points[j * dim..(j + 1) * dim];
            let d: f64 = a
                .iter()
                .zip(b)
                .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
                .sum();
            distances[i * n + j] = d;
            distances[j * n + i] = d;
        }
    }
    let target = perplexity.ln();
    let mut conditional = vec![0.0; n * n];
    for i in 0..n {
        let row = &distances[i * n..(i + 1) * n];
        let out = &mut conditional[i * n..(i + 1) * n];
        let (mut low, mut high, mut beta) = (0.0, f64::INFINITY, 1.0);
        for _ in 0..BISECTION_STEPS {
            let entropy = gaussian_row(row, i, beta, out);
            if entropy > target {
                low = beta;
                beta = if high.is_finite() {
                    (beta + high) / 2.0
                } else {
                    beta * 2.0
                };
            } else {
                high = beta;
                beta = (beta + low) / 2.0;
            }
        }
        gaussian_row(row, i, beta, out);
    }
    let mut p = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            // The floor keeps `ln P` and the gradient finite for far points.
            p[i * n + j] =
                ((conditional[i * n + j] + conditional[j * n + i]) / (2.0 * n as f64)).max(1e-12);
        }
    }
    p
}

/// Fills `out` with `p(j|i)` for precision `beta` and returns its entropy (nats).
fn gaussian_row(distances: &[f64], i: usize, beta: f64, out: &mut [f64]) -> f64 {
    // Shifting by the nearest distance keeps the exponentials from all underflowing.
    let nearest = distances
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != i)
        .map(|(_, &d)| d)
        .fold(f64::INFINITY, f64::min);
    let mut sum = 0.0;
    for (j, (o, &d)) in out.iter_mut().zip(distances).enumerate() {
        *o = if j == i {
            0.0
        } else {
            (-(d - nearest) * beta).exp()
        };
        sum += *o;
    }
    let mut entropy = 0.0;
    for (j, o) in out.iter_mut().enumerate() {
        *o /= sum;
        if j != i && *o > 0.0 {
            entropy -= *o * o.ln();
        }
    }
    entropy
}

/// The PCA map scaled to a standard deviation of 1e-4, with a seeded jitter of 1e-6.
fn start(points: &[f32], dim: usize, n: usize, seed: u32) -> Vec<[f64; 2]> {
    let mut y = pca::project_2d(points, dim);
    let spread = (y.iter().map(|p| p[0] * p[0]).sum::<f64>() / n as f64).sqrt();
    let scale = if spread > 0.0 { 1e-4 / spread } else { 0.0 };
    let jitter = rng::uniform_values(2 * n, seed);
    for (i, point) in y.iter_mut().enumerate() {
        for k in 0..2 {
            point[k] = point[k] * scale + 1e-6 * f64::from(jitter[2 * i + k]);
        }
    }
    y
}

/// The gradient of `KL(exaggeration · P ‖ Q)` at `y`.
fn kl_gradient(p: &[f64], y: &[[f64; 2]], exaggeration: f64, gradient: &mut [[f64; 2]]) {
    let n = y.len();
    let mut kernel = vec![0.0; n * n];
    let mut z = 0.0;
    for i in 0..n {
        for j in i + 1..n {
            let d = (y[i][0] - y[j][0]).powi(2) + (y[i][1] - y[j][1]).powi(2);
            let k = 1.0 / (1.0 + d);
            kernel[i * n + j] = k;
            kernel[j * n + i] = k;
            z += 2.0 * k;
        }
    }
    for i in 0..n {
        let mut g = [0.0; 2];
        for j in 0..n {
            if i == j {
                continue;
            }
            let k = kernel[i * n + j];
            let force = (exaggeration * p[i * n + j] - k / z) * k;
            g[0] += force * (y[i][0] - y[j][0]);
            g[1] += force * (y[i][1] - y[j][1]);
        }
        gradient[i] = [4.0 * g[0], 4.0 * g[1]];
    }
}

/// Moves the map's mean to the origin.
fn recentre(y: &mut [[f64; 2]]) {
    let n = y.len() as f64;
    let mean = y
        .iter()
        .fold([0.0, 0.0], |m, p| [m[0] + p[0] / n, m[1] + p[1] / n]);
    for p in y {
        p[0] -= mean[0];
        p[1] -= mean[1];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three tight groups of eight points in 10-D, far apart.
    fn groups() -> Vec<f32> {
        let noise = rng::uniform_values(24 * 10, 7);
        (0..24)
            .flat_map(|i| {
                let group = i / 8;
                let noise = &noise;
                (0..10).map(move |j| {
                    let centre = if j == group { 10.0 } else { 0.0 };
                    centre + 0.3 * noise[i * 10 + j]
                })
            })
            .collect()
    }

    #[test]
    fn separated_groups_stay_separated_and_the_map_is_reproducible() {
        let points = groups();
        let options = TsneOptions {
            perplexity: 5.0,
            seed: 3,
        };
        let map = embed_2d(&points, 10, options);
        assert_eq!(map.len(), 24);
        assert!(map.iter().flatten().all(|v| v.is_finite()));
        let distance = |a: usize, b: usize| (map[a][0] - map[b][0]).hypot(map[a][1] - map[b][1]);
        // Every point is nearer to each of its own group than to any point of another.
        for i in 0..24 {
            let own = (0..24)
                .filter(|&j| j / 8 == i / 8 && j != i)
                .map(|j| distance(i, j));
            let other = (0..24).filter(|&j| j / 8 != i / 8).map(|j| distance(i, j));
            let farthest_own = own.fold(0.0, f64::max);
            let nearest_other = other.fold(f64::INFINITY, f64::min);
            assert!(farthest_own < nearest_other, "point {i}");
        }
        assert_eq!(embed_2d(&points, 10, options), map);
    }

    #[test]
    fn affinities_match_the_perplexity() {
        let points = groups();
        let n = 24;
        let p = input_affinities(&points, n, 10, 5.0);
        let total: f64 = p.iter().sum();
        assert!((total - 1.0).abs() < 1e-6, "{total}");
        for i in 0..n {
            for j in 0..n {
                assert!((p[i * n + j] - p[j * n + i]).abs() < 1e-15);
            }
        }
    }
}
